//! SVG charts, self-contained (no scripts, no fonts to fetch).

use crate::experiment::Summary;
use crate::lang::{tr, trf};
use crate::sim::STATES;
use std::fmt::Write;

/// Escapes text for SVG/XML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A stacked bar per station: the share of time in each state, with the
/// bottleneck marked and a legend.
pub fn state_chart(summary: &Summary) -> String {
    let label_w = 150.0;
    let bar_w = 560.0;
    let row_h = 28.0;
    let top = 56.0;
    let n = summary.stations.len() as f64;
    let legend_y = top + n * row_h + 24.0;
    let height = legend_y + 40.0;
    let width = label_w + bar_w + 30.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13">"#
    );
    let _ = writeln!(s, "<title>{}</title>", escape(&summary.scene));
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="12" y="22" font-size="15" font-weight="bold">{}</text>"#,
        escape(&summary.scene)
    );
    // A shared limit stars every resource that shares it.
    let shared: Vec<&str> = summary
        .line
        .shared_limit
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    let limit = if shared.is_empty() {
        format!(
            "bottleneck {}",
            summary.line.bottleneck.as_deref().unwrap_or("–")
        )
    } else {
        format!("limit shared by {}", shared.join(" and "))
    };
    let starred = |id: &str| summary.line.limits(id);
    let _ = writeln!(
        s,
        r##"<text x="12" y="42" fill="#555">{}</text>"##,
        escape(&trf(
            if summary.replications == 1 {
                "Share of time in each state per station, {n} replication ({good} good parts/h, {limit})"
            } else {
                "Share of time in each state per station, {n} replications ({good} good parts/h, {limit})"
            },
            &[
                ("n", &summary.replications),
                ("good", &format!("{:.1}", summary.line.good_per_hour.mean)),
                ("limit", &limit),
            ],
        ))
    );
    for (i, st) in summary.stations.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let bottleneck = starred(&st.id);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end"{}>{}{}</text>"#,
            label_w - 8.0,
            y + 17.0,
            if bottleneck {
                r#" font-weight="bold""#
            } else {
                ""
            },
            escape(&st.id),
            if bottleneck { " ★" } else { "" }
        );
        let mut x = label_w;
        for info in &STATES {
            let (name, colour) = (info.label, info.colour);
            let share = st.states.get(info.key).map_or(0.0, |e| e.mean).max(0.0);
            let w = share * bar_w;
            if w > 0.05 {
                let _ = writeln!(
                    s,
                    r#"<rect x="{x:.2}" y="{y}" width="{w:.2}" height="{}" fill="{colour}"><title>{}: {name} {:.1} %</title></rect>"#,
                    row_h - 6.0,
                    escape(&st.id),
                    share * 100.0
                );
                if w > 34.0 {
                    let _ = writeln!(
                        s,
                        r#"<text x="{:.2}" y="{}" fill="white" text-anchor="middle" font-size="11">{:.0}%</text>"#,
                        x + w / 2.0,
                        y + 15.0,
                        share * 100.0
                    );
                }
            }
            x += w;
        }
    }
    let mut x = 12.0;
    for info in &STATES {
        let (name, colour) = (tr(info.label), info.colour);
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{colour}"/>"#
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="12">{name}</text>"#,
            x + 16.0,
            legend_y + 11.0
        );
        x += 22.0 + unicode_width::UnicodeWidthStr::width(name.as_str()) as f64 * 6.6;
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
    }
}
