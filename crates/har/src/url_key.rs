//! URL normalisation for the extended diff modes: drop scheme and host, drop query parameters.

use std::borrow::Cow;

use crate::options::DiffOptions;

/// Returns `url` as compared under `options`: without `scheme://host:port` when
/// `ignore_host` is set, and without the query parameters named in `ignore_query`.
/// URLs that are not `scheme://…` (e.g. `data:`) keep their host part as is.
pub fn normalise_url<'a>(url: &'a str, options: &DiffOptions) -> Cow<'a, str> {
    let mut out: Cow<'a, str> = Cow::Borrowed(url);
    if options.ignore_host {
        if let Some(rest) = strip_origin(&out) {
            out = Cow::Owned(rest);
        }
    }
    if !options.ignore_query.is_empty() {
        if let Some(rewritten) = strip_query_params(&out, &options.ignore_query) {
            out = Cow::Owned(rewritten);
        }
    }
    out
}

/// `https://host:1/p?q#f` → `/p?q#f`; `None` when there is no `scheme://`.
fn strip_origin(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let after = url[colon + 1..].strip_prefix("//")?;
    if !scheme_ok {
        return None;
    }
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let rest = &after[authority_end..];
    Some(if rest.starts_with('/') {
        rest.to_owned()
    } else {
        format!("/{rest}")
    })
}

/// Removes the named parameters from the query; `None` when nothing changed.
fn strip_query_params(url: &str, names: &[String]) -> Option<String> {
    let fragment_at = url.find('#').unwrap_or(url.len());
    let (before_fragment, fragment) = url.split_at(fragment_at);
    let query_at = before_fragment.find('?')?;
    let (base, query) = (
        &before_fragment[..query_at],
        &before_fragment[query_at + 1..],
    );
    let drop_all = names.iter().any(|n| n == "*");
    let kept: Vec<&str> = if drop_all {
        Vec::new()
    } else {
        query
            .split('&')
            .filter(|param| {
                let raw_name = param.split('=').next().unwrap_or("");
                let decoded = percent_decode(raw_name);
                !names.iter().any(|n| n == raw_name || *n == decoded)
            })
            .collect()
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(base);
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    out.push_str(fragment);
    (out != url).then_some(out)
}

/// Decodes `%XX` escapes and `+` (as a space) of a query component; invalid escapes stay.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(ignore_host: bool, ignore_query: &[&str]) -> DiffOptions {
        DiffOptions {
            ignore_host,
            ignore_query: ignore_query.iter().map(|s| (*s).to_owned()).collect(),
            ..DiffOptions::default()
        }
    }

    #[test]
    fn ignore_host_keeps_path_query_and_fragment() {
        let o = opts(true, &[]);
        assert_eq!(
            normalise_url("https://staging.example:8443/a/b?x=1#f", &o),
            "/a/b?x=1#f"
        );
        assert_eq!(normalise_url("http://example.com", &o), "/");
        assert_eq!(normalise_url("http://example.com?q=1", &o), "/?q=1");
        assert_eq!(normalise_url("http://user@h/p", &o), "/p");
    }

    #[test]
    fn ignore_host_leaves_urls_without_authority_alone() {
        let o = opts(true, &[]);
        assert_eq!(
            normalise_url("data:text/plain,hi", &o),
            "data:text/plain,hi"
        );
        assert_eq!(normalise_url("/relative/path", &o), "/relative/path");
        assert_eq!(normalise_url("1http://x/y", &o), "1http://x/y");
    }

    #[test]
    fn ignore_query_drops_only_named_parameters() {
        let o = opts(false, &["ts", "cache buster"]);
        assert_eq!(
            normalise_url("https://h/p?a=1&ts=99&b=2", &o),
            "https://h/p?a=1&b=2"
        );
        assert_eq!(normalise_url("https://h/p?ts=1", &o), "https://h/p");
        assert_eq!(normalise_url("https://h/p?ts", &o), "https://h/p");
        assert_eq!(normalise_url("https://h/p?tsx=1", &o), "https://h/p?tsx=1");
        assert_eq!(
            normalise_url("https://h/p?cache%20buster=1&z", &o),
            "https://h/p?z"
        );
        assert_eq!(
            normalise_url("https://h/p?cache+buster=1#ts=2", &o),
            "https://h/p#ts=2"
        );
        assert_eq!(normalise_url("https://h/p#?ts=1", &o), "https://h/p#?ts=1");
    }

    #[test]
    fn star_drops_the_whole_query() {
        let o = opts(false, &["*"]);
        assert_eq!(
            normalise_url("https://h/p?a=1&b=2#frag", &o),
            "https://h/p#frag"
        );
        assert_eq!(normalise_url("https://h/p", &o), "https://h/p");
    }

    #[test]
    fn both_normalisations_combine() {
        let o = opts(true, &["v"]);
        assert_eq!(
            normalise_url("https://prod.example/app.js?v=123", &o),
            "/app.js"
        );
    }

    #[test]
    fn percent_decode_keeps_invalid_escapes() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%C3%A5"), "å");
    }
}
