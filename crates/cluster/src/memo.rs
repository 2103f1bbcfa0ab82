//! A bounded memo: values computed from a text, kept under that text so the same text is
//! not worked on twice, until the memo holds too many texts or too many bytes of them; then
//! it starts over, so its memory stays bounded whatever the input.

use foldhash::HashMap as FastMap;

/// Texts a memo holds at most before it starts over.
const MAX_ENTRIES: usize = 1 << 12;
/// Bytes of text a memo holds at most before it starts over.
const MAX_BYTES: usize = 8 << 20;
/// Longer texts are worked on every time rather than kept.
const MAX_TEXT: usize = 64 << 10;

pub(crate) struct Memo<V> {
    seen: FastMap<Box<str>, V>,
    bytes: usize,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            seen: FastMap::default(),
            bytes: 0,
        }
    }
}

impl<V: Clone> Memo<V> {
    /// The value kept for `text`, else `make()`, kept for next time.
    pub(crate) fn get_or_make(&mut self, text: &str, make: impl FnOnce() -> V) -> V {
        if let Some(v) = self.seen.get(text) {
            return v.clone();
        }
        let v = make();
        if text.len() <= MAX_TEXT {
            if self.seen.len() >= MAX_ENTRIES || self.bytes + text.len() > MAX_BYTES {
                self.seen.clear();
                self.bytes = 0;
            }
            self.bytes += text.len();
            self.seen.insert(text.into(), v.clone());
        }
        v
    }

    /// How many texts are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_worked_on_once_while_the_memo_stays_bounded() {
        let mut memo: Memo<usize> = Memo::default();
        let mut made = 0;
        for _ in 0..3 {
            memo.get_or_make("same", || {
                made += 1;
                4
            });
        }
        assert_eq!(made, 1);
        for n in 0..MAX_ENTRIES + 10 {
            assert_eq!(memo.get_or_make(&n.to_string(), || n), n);
        }
        assert!(memo.len() <= MAX_ENTRIES);
        let long = "x".repeat(MAX_TEXT + 1);
        assert_eq!(memo.get_or_make(&long, || 1), 1);
        assert_eq!(memo.get_or_make(&long, || 2), 2, "too long to keep");
        let big = "y".repeat(MAX_TEXT);
        for n in 0..(MAX_BYTES / MAX_TEXT) * 2 {
            memo.get_or_make(&format!("{n}{big}"), || n);
            assert!(memo.bytes <= MAX_BYTES);
        }
    }
}
