//! Where each action of a flow file starts: the 1-based line of every element of the action
//! list (the root list, or the one under `"webdriver_wrapper"`), so findings about an action
//! can point at it in the file.

/// The line on which each action of the flow text starts, in order. Text that is not a flow
/// gives what could be found (the caller reports the parse error itself).
pub fn action_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut line = 1;
    // Open containers: (is_array, waiting_for_value).
    let mut stack: Vec<(bool, bool)> = Vec::new();
    let mut list_depth: Option<usize> = None;
    let mut in_string = false;
    let mut escaped = false;
    let mut key = String::new();
    let mut last_key = String::new();
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                if stack.len() == 1 && !stack[0].0 {
                    last_key = std::mem::take(&mut key);
                }
            } else if stack.len() == 1 && !stack[0].0 {
                key.push(c);
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        // A value starting directly inside the action list is an action.
        if let Some(d) = list_depth {
            if stack.len() == d && stack[d - 1].1 && c != ']' && c != ',' {
                lines.push(line);
                stack[d - 1].1 = false;
            }
        }
        match c {
            '"' => {
                in_string = true;
                key.clear();
            }
            '[' => {
                let is_list = (stack.is_empty() && list_depth.is_none())
                    || (stack.len() == 1 && !stack[0].0 && last_key == "webdriver_wrapper");
                stack.push((true, true));
                if is_list {
                    list_depth = Some(stack.len());
                }
            }
            '{' => stack.push((false, true)),
            ']' | '}' => {
                if Some(stack.len()) == list_depth {
                    return lines;
                }
                stack.pop();
            }
            ',' => {
                if let Some(top) = stack.last_mut() {
                    top.1 = true;
                }
            }
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::action_lines;

    #[test]
    fn lines_of_a_bare_list_and_of_webdriver_wrapper() {
        let text = "[\n  [\"WR_a\"],\n  [\"WR_b\", {\"x\": \"[,]\"}], [\"WR_c\"]\n]";
        assert_eq!(action_lines(text), vec![2, 3, 3]);
        let text =
            "{\"name\": \"x\",\n \"webdriver_wrapper\": [\n [\"WR_a\", [1, 2]],\n\n [\"WR_b\"]]}";
        assert_eq!(action_lines(text), vec![3, 5]);
        assert!(action_lines("[]").is_empty());
    }
}
