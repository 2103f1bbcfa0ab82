//! Printing clusters: `cluster_summary` JSON byte-for-byte as the Python WebRunner prints it
//! (`json.dumps(summary, ensure_ascii=False)`: `", "` and `": "` separators, non-ASCII kept),
//! and a readable table with "why grouped".

use std::fmt::Write as _;

use serde::Serialize;
use webrunner_pyjson::{Options, PyFormatter};

use crate::cluster::{Cluster, ClusterSummary};

/// The `cluster_summary` JSON text of `summary`, as Python's
/// `json.dumps(summary, ensure_ascii=False)` writes it (no trailing newline).
pub fn summary_json(summary: &[ClusterSummary]) -> String {
    let mut buf = Vec::with_capacity(64 + summary.len() * 256);
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        PyFormatter::new(Options::DEFAULT.ensure_ascii(false)),
    );
    // Serialising strings, numbers and lists into memory cannot fail.
    if summary.serialize(&mut ser).is_err() {
        return "[]".into();
    }
    String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn one_line(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut last_space = false;
    for c in s.chars() {
        let c = if c.is_whitespace() || c.is_control() {
            ' '
        } else {
            c
        };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
    let out = out.trim().to_string();
    if out.chars().count() > max {
        let mut cut: String = out.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        out
    }
}

/// A readable table of `clusters`: count, signature, an example message, files, and (under
/// the default rules) what was replaced or dropped. `failures` is the number of failures
/// read and `total_clusters` the number of clusters before any `--top` cut.
pub fn summary_table(clusters: &[Cluster], failures: usize, total_clusters: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{failures} failure{} in {total_clusters} cluster{}{}",
        if failures == 1 { "" } else { "s" },
        if total_clusters == 1 { "" } else { "s" },
        if clusters.len() < total_clusters {
            format!(" (showing the top {})", clusters.len())
        } else {
            String::new()
        }
    );
    if clusters.is_empty() {
        return out;
    }
    let width = clusters
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1)
        .max(5);
    let pad = " ".repeat(width + 2);
    let _ = writeln!(out, "\n{:>width$}  SIGNATURE", "COUNT");
    for c in clusters {
        let _ = writeln!(out, "{:>width$}  {}", c.count, one_line(&c.signature, 160));
        let _ = writeln!(out, "{pad}e.g. {}", one_line(&c.representative, 150));
        if !c.files.is_empty() {
            let shown: Vec<&str> = c.files.iter().take(3).map(String::as_str).collect();
            let more = c.files.len().saturating_sub(shown.len());
            let _ = write!(out, "{pad}files: {}", shown.join(", "));
            if more > 0 {
                let _ = write!(out, " (+{more} more)");
            }
            out.push('\n');
        }
        if let Some(why) = &c.why {
            let mut parts: Vec<String> = why
                .replaced
                .iter()
                .map(|r| {
                    let ex: Vec<String> = r.examples.iter().map(|e| one_line(e, 40)).collect();
                    let more = if r.occurrences > r.examples.len() {
                        format!(" ({} replaced)", r.occurrences)
                    } else {
                        String::new()
                    };
                    format!("{} ← {}{more}", r.placeholder, ex.join(", "))
                })
                .collect();
            if !why.dropped.is_empty() {
                parts.push(format!("dropped: {}", why.dropped.join(", ")));
            }
            if !parts.is_empty() {
                let _ = writeln!(out, "{pad}why: {}", parts.join("; "));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{Replaced, Why};

    #[test]
    fn json_uses_python_separators_and_keeps_unicode() {
        let s = vec![ClusterSummary {
            signature: "é <n>".into(),
            count: 2,
            representative: "é 12\n\"q\"".into(),
            files: vec!["a.py".into()],
            why: None,
        }];
        assert_eq!(
            summary_json(&s),
            r#"[{"signature": "é <n>", "count": 2, "representative": "é 12\n\"q\"", "files": ["a.py"]}]"#
        );
        assert_eq!(summary_json(&[]), "[]");
    }

    #[test]
    fn table_shows_count_signature_example_files_and_why() {
        let c = Cluster {
            signature: "timeout <N>ms exceeded".into(),
            representative: "Timeout 30000ms exceeded".into(),
            count: 3,
            members: vec![0, 1, 2],
            files: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            why: Some(Why {
                replaced: vec![Replaced {
                    placeholder: "<N>".into(),
                    occurrences: 2,
                    examples: vec!["30000".into(), "5000".into()],
                }],
                dropped: vec!["stack trace".into()],
            }),
        };
        let t = summary_table(&[c], 3, 4);
        assert!(
            t.starts_with("3 failures in 4 clusters (showing the top 1)"),
            "{t}"
        );
        assert!(t.contains("    3  timeout <N>ms exceeded"), "{t}");
        assert!(t.contains("e.g. Timeout 30000ms exceeded"), "{t}");
        assert!(t.contains("files: a, b, c (+1 more)"), "{t}");
        assert!(
            t.contains("why: <N> ← 30000, 5000; dropped: stack trace"),
            "{t}"
        );
    }
}
