//! The monitor's report (`monitor --report`): what the plant did while it
//! was watched, in the style of the other reports: the answer first (good
//! parts per hour, the station that worked most, the feed's health), then
//! each station's state shares as stacked bars and the ISO 22400 table, over
//! the whole feed and the last window.

use super::chart::escape;
use super::html::{classed_table, heading, page};
use crate::live::monitor::{Kpis, Report};
use std::fmt::Write;

/// Colours of the log's state groups, as the engine draws its states.
const GROUPS: [(&str, &str); 6] = [
    ("working", "#2e8b57"),
    ("setup", "#8fbc8f"),
    ("failed", "#d62728"),
    ("maintenance", "#5b8fa8"),
    ("off_shift", "#a0a0a0"),
    ("idle", "#f0c419"),
];

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1} %", v * 100.0))
}

/// The report.
pub fn monitor_report(r: &Report) -> String {
    let name = r
        .scene
        .clone()
        .or_else(|| r.line.clone())
        .unwrap_or_else(|| "every line".into());
    let mut first = String::from("<div class=\"first\">");
    match &r.whole {
        Some(k) => {
            let busiest = k.stations.iter().max_by(|a, b| {
                let w = |s: &crate::live::monitor::StationKpis| {
                    s.shares.get("working").copied().unwrap_or(0.0)
                };
                w(a).total_cmp(&w(b))
            });
            let _ = write!(
                first,
                "<p class=\"answer\">{}</p>",
                escape(&format!(
                    "Over {:.1} h of plant time the line made {} good parts ({} per hour){}.",
                    (k.to_s - k.from_s) / 3600.0,
                    k.good
                        .map_or("an unknown number of".into(), |g| g.to_string()),
                    k.good_per_hour.map_or("–".into(), |g| format!("{g:.1}")),
                    busiest
                        .map(|b| format!(
                            "; {} worked most ({} of the time)",
                            b.id,
                            pct(b.shares.get("working").copied())
                        ))
                        .unwrap_or_default()
                ))
            );
        }
        None => first.push_str("<p class=\"answer\">No event came in.</p>"),
    }
    let health = format!(
        "The feed: {} events, {} lost, {} duplicates dropped, {} out of order, {} malformed payloads, {} messages on unknown topics, {} gaps in the connection{}.",
        r.events,
        r.lost,
        r.duplicates,
        r.out_of_order,
        r.malformed.values().sum::<u64>(),
        r.unknown_topics.values().sum::<u64>(),
        r.gaps.len(),
        if r.finished {
            "; the line reported it had finished"
        } else {
            ""
        }
    );
    for a in &r.drift {
        let _ = write!(
            first,
            "<p class=\"summary\">{}</p>",
            escape(&crate::live::monitor::drift_line(a))
        );
    }
    let _ = write!(first, "<p class=\"note\">{}</p>", escape(&health));
    if r.lost > 0 || !r.gaps.is_empty() {
        first.push_str("<p class=\"note\">Figures cover what came in: with messages lost or a gap in the connection, counts are low and state shares are less sure.</p>");
    }
    first.push_str("</div>\n");
    let mut body = String::new();
    for (title, k) in [("The whole feed", &r.whole), ("The last window", &r.window)] {
        let Some(k) = k else { continue };
        heading(&mut body, 2, title);
        body.push_str(&share_bars(k));
        let rows: Vec<Vec<String>> = k
            .stations
            .iter()
            .map(|s| {
                vec![
                    escape(&s.id),
                    escape(s.state.as_deref().unwrap_or("–")),
                    pct(s.shares.get("working").copied()),
                    pct(s.shares.get("failed").copied()),
                    pct(s.shares.get("idle").copied()),
                    pct(s.shares.get("off_shift").copied()),
                    s.good.to_string(),
                    s.scrap.to_string(),
                    pct(s.availability),
                    pct(s.effectiveness),
                    pct(s.quality),
                    pct(s.oee),
                ]
            })
            .collect();
        classed_table(
            &mut body,
            "",
            &[
                "station",
                "state now",
                "working",
                "failed",
                "idle",
                "off shift",
                "good",
                "scrap",
                "availability",
                "effectiveness",
                "quality",
                "OEE",
            ],
            &rows,
        );
    }
    let mut problems: Vec<String> = r
        .malformed
        .iter()
        .map(|(t, n)| format!("{n} malformed on {t}"))
        .collect();
    problems.extend(
        r.unknown_topics
            .iter()
            .map(|(t, n)| format!("{n} on the unknown topic {t}")),
    );
    problems.extend(r.gaps.iter().map(|(a, b)| match b.is_finite() {
        true => format!("connection gap from t = {a:.0} s to {b:.0} s"),
        false => format!("connection lost at t = {a:.0} s, and nothing came after"),
    }));
    if !problems.is_empty() {
        heading(&mut body, 2, "What went wrong on the wire");
        body.push_str("<ul>");
        for p in problems {
            let _ = write!(body, "<li>{}</li>", escape(&p));
        }
        body.push_str("</ul>\n");
    }
    page(
        &format!("Live: {name}"),
        "factory-twin monitor",
        &first,
        &body,
        "",
    )
}

/// A stacked bar of each station's state shares.
fn share_bars(k: &Kpis) -> String {
    let (label_w, bar_w, row_h, top) = (150.0, 540.0, 26.0, 20.0);
    let h = top + row_h * k.stations.len() as f64 + 40.0;
    let w = label_w + bar_w + 20.0;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>"#
    );
    for (i, st) in k.stations.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{}</text>"##,
            label_w - 8.0,
            y + 15.0,
            escape(&st.id)
        );
        let mut x = label_w;
        for (g, colour) in GROUPS {
            let v = st.shares.get(g).copied().unwrap_or(0.0).max(0.0);
            let bw = v * bar_w;
            if bw > 0.0 {
                let _ = write!(
                    s,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="18" fill="{colour}"><title>{g}: {:.1} %</title></rect>"#,
                    v * 100.0
                );
            }
            x += bw;
        }
    }
    let mut x = label_w;
    let y = top + row_h * k.stations.len() as f64 + 18.0;
    for (g, colour) in GROUPS {
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{colour}"/><text x="{:.1}" y="{y:.1}" fill="#333">{}</text>"##,
            y - 10.0,
            x + 16.0,
            g.replace('_', " ")
        );
        x += 24.0 + g.len() as f64 * 7.0;
    }
    s.push_str("</svg>\n");
    s
}
