//! The readable rendering of a [`DiffReport`]: one aligned table per list, then a summary.

use std::fmt::Write as _;

use crate::diff::{DiffReport, SideSummary};

/// Renders `report` as plain-text tables (added, removed, status changed, slower, resized)
/// followed by a one-line summary. Lists that are empty are left out.
pub fn render_table(report: &DiffReport) -> String {
    let mut out = String::new();
    side_line(&mut out, "left ", &report.left);
    side_line(&mut out, "right", &report.right);
    let d = &report.diff;
    let occ = |o: Option<usize>| o.map_or_else(String::new, |n| format!("#{n}"));
    let with_occ = report
        .diff
        .added
        .iter()
        .map(|a| a.occurrence)
        .chain(d.removed.iter().map(|r| r.occurrence))
        .chain(d.changed.iter().map(|c| c.occurrence))
        .any(|o| o.is_some());
    let head = |cols: &[&str]| -> Vec<String> {
        let mut row: Vec<String> = cols.iter().map(|c| (*c).to_owned()).collect();
        if with_occ {
            row.insert(row.len() - 1, "#".to_owned());
        }
        row
    };
    let row = |cells: Vec<String>, o: Option<usize>| -> Vec<String> {
        let mut cells = cells;
        if with_occ {
            cells.insert(cells.len() - 1, occ(o));
        }
        cells
    };
    if !d.added.is_empty() {
        let rows = d.added.iter().map(|a| {
            row(
                vec![a.status.to_string(), a.method.clone(), a.url.clone()],
                a.occurrence,
            )
        });
        section(
            &mut out,
            &format!("Added ({})", d.added.len()),
            head(&["STATUS", "METHOD", "URL"]),
            rows,
        );
    }
    if !d.removed.is_empty() {
        let rows = d.removed.iter().map(|r| {
            row(
                vec![r.status.to_string(), r.method.clone(), r.url.clone()],
                r.occurrence,
            )
        });
        section(
            &mut out,
            &format!("Removed ({})", d.removed.len()),
            head(&["STATUS", "METHOD", "URL"]),
            rows,
        );
    }
    if !d.changed.is_empty() {
        let rows = d.changed.iter().map(|c| {
            row(
                vec![
                    c.left_status.to_string(),
                    c.right_status.to_string(),
                    c.method.clone(),
                    c.url.clone(),
                ],
                c.occurrence,
            )
        });
        section(
            &mut out,
            &format!("Status changed ({})", d.changed.len()),
            head(&["LEFT", "RIGHT", "METHOD", "URL"]),
            rows,
        );
    }
    if let Some(slower) = report.slower.as_ref().filter(|s| !s.is_empty()) {
        let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
        let rows = slower.iter().map(|s| {
            let mut cells = vec![
                ms(s.left_time_ms),
                ms(s.right_time_ms),
                ms(s.left_wait_ms),
                ms(s.right_wait_ms),
                format!("+{:.1}%", s.growth_pct),
                s.method.clone(),
                s.url.clone(),
            ];
            if let Some(n) = s.occurrence {
                cells.insert(cells.len() - 1, format!("#{n}"));
            }
            cells
        });
        let mut cols: Vec<String> = [
            "TIME L", "TIME R", "WAIT L", "WAIT R", "GROWTH", "METHOD", "URL",
        ]
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
        if slower.iter().any(|s| s.occurrence.is_some()) {
            cols.insert(cols.len() - 1, "#".to_owned());
        }
        section(
            &mut out,
            &format!("Slower ({}, ms)", slower.len()),
            cols,
            rows,
        );
    }
    if let Some(resized) = report.resized.as_ref().filter(|s| !s.is_empty()) {
        let rows = resized.iter().map(|s| {
            let mut cells = vec![
                format!("{}", s.left_size),
                format!("{}", s.right_size),
                s.change_pct
                    .map_or_else(|| "new".to_owned(), |c| format!("{c:+.1}%")),
                s.method.clone(),
                s.url.clone(),
            ];
            if let Some(n) = s.occurrence {
                cells.insert(cells.len() - 1, format!("#{n}"));
            }
            cells
        });
        let mut cols: Vec<String> = ["SIZE L", "SIZE R", "CHANGE", "METHOD", "URL"]
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        if resized.iter().any(|s| s.occurrence.is_some()) {
            cols.insert(cols.len() - 1, "#".to_owned());
        }
        section(
            &mut out,
            &format!("Resized ({}, bytes)", resized.len()),
            cols,
            rows,
        );
    }
    let mut summary = format!(
        "{} added, {} removed, {} status changed",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    );
    if let Some(s) = &report.slower {
        let _ = write!(summary, ", {} slower", s.len());
    }
    if let Some(r) = &report.resized {
        let _ = write!(summary, ", {} resized", r.len());
    }
    if !report.has_changes() {
        summary.push_str(" — no differences");
    }
    let _ = writeln!(out, "\n{summary}");
    out
}

fn side_line(out: &mut String, label: &str, side: &SideSummary) {
    let _ = write!(
        out,
        "{label}  {}: {} entries, {} requests",
        side.source_name, side.entries, side.keys
    );
    if side.skipped > 0 {
        let _ = write!(out, " ({} without method and URL skipped)", side.skipped);
    }
    out.push('\n');
}

/// Appends a titled table; every column but the last is padded to its widest cell.
fn section(
    out: &mut String,
    title: &str,
    header: Vec<String>,
    rows: impl Iterator<Item = Vec<String>>,
) {
    let rows: Vec<Vec<String>> = std::iter::once(header).chain(rows).collect();
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let _ = writeln!(out, "\n{title}");
    for r in &rows {
        let mut line = String::from("  ");
        for (c, cell) in r.iter().enumerate() {
            if c + 1 == r.len() {
                line.push_str(cell);
            } else {
                let pad = widths
                    .get(c)
                    .map_or(0, |w| w.saturating_sub(cell.chars().count()));
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad + 2));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}
