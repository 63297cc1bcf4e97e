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
    if r.let_go {
        let _ = write!(
            first,
            "<p class=\"note\">{}</p>",
            escape(&crate::live::monitor::kept_note(r.keep_s, false))
        );
    }
    if r.lost > 0 || !r.gaps.is_empty() {
        first.push_str("<p class=\"note\">Figures cover what came in: with messages lost or a gap in the connection, counts are low and state shares are less sure.</p>");
    }
    first.push_str("</div>\n");
    let mut body = String::new();
    if !r.forecasts.is_empty() {
        heading(&mut body, 2, "Forecast of the day (shadow mode)");
        body.push_str(&forecast_chart(r));
        let rows: Vec<Vec<String>> = r
            .forecasts
            .iter()
            .map(|f| {
                vec![
                    crate::scene::weekday_clock(f.at_s),
                    f.so_far.to_string(),
                    format!("{:.0}", f.mean),
                    format!(
                        "{:.0} – {:.0}",
                        f.interval90.0.max(f.so_far as f64),
                        f.interval90.1
                    ),
                    f.p_target
                        .map_or("–".into(), |p| format!("{:.0} %", p * 100.0)),
                    crate::live::monitor::why_text(&f.why),
                ]
            })
            .collect();
        classed_table(
            &mut body,
            "",
            &[
                "at",
                "good so far",
                "forecast by the end",
                "90 % prediction interval",
                "P(target)",
                "why then",
            ],
            &rows,
        );
        if let Some(a) = r.actual {
            let covered = r
                .forecasts
                .iter()
                .filter(|f| f.interval90.0 <= a as f64 && a as f64 <= f.interval90.1)
                .count();
            let _ = write!(
                body,
                "<p>{}</p>",
                escape(&format!(
                    "The day made {a} good parts by the end; {covered} of {} forecasts' 90 % intervals held it.",
                    r.forecasts.len()
                ))
            );
        }
    }
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

/// The forecasts as a fan: each one's 90 % prediction interval as a bar at
/// the time it was made, its mean as a dot, the good parts so far as a
/// line, and what the day made by the end as a mark at the right.
fn forecast_chart(r: &Report) -> String {
    let (w, h, left, bottom) = (640.0, 260.0, 50.0, 30.0);
    let t0 = r.forecasts.first().map_or(0.0, |f| f.at_s);
    let t1 = r
        .forecasts
        .iter()
        .map(|f| f.at_s)
        .fold(t0, f64::max)
        .max(t0 + 1.0);
    // The horizon's end is the chart's right edge: the last forecast's
    // interval is about it.
    let end = t1 + (t1 - t0) * 0.15 + 1.0;
    let top = r
        .forecasts
        .iter()
        .map(|f| f.interval90.1)
        .chain(r.actual.map(|a| a as f64))
        .fold(1.0, f64::max)
        * 1.05;
    let x = |t: f64| left + (t - t0) / (end - t0) * (w - left - 10.0);
    let y = |v: f64| h - bottom - v / top * (h - bottom - 10.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"forecasts of the day's good parts\">"
    );
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444\"/><line x1=\"{left}\" y1=\"10\" x2=\"{left}\" y2=\"{}\" stroke=\"#444\"/>",
        h - bottom,
        w - 10.0,
        h - bottom,
        h - bottom
    );
    for v in [0.0, top / 2.0, top / 1.05] {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{v:.0}</text>",
            left - 4.0,
            y(v) + 3.0
        );
    }
    let mut so_far = String::new();
    for f in &r.forecasts {
        let (lo, hi) = (f.interval90.0.max(f.so_far as f64), f.interval90.1);
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"{:.1}\" fill=\"#5b8fa8\" fill-opacity=\"0.45\"/><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#1f4e79\"/>",
            x(f.at_s) - 4.0,
            y(hi),
            (y(lo) - y(hi)).max(1.0),
            x(f.at_s),
            y(f.mean)
        );
        let _ = write!(so_far, "{:.1},{:.1} ", x(f.at_s), y(f.so_far as f64));
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"9\" text-anchor=\"middle\">{}</text>",
            x(f.at_s),
            h - bottom + 14.0,
            &crate::scene::weekday_clock(f.at_s)[4..]
        );
    }
    let _ = write!(
        svg,
        "<polyline points=\"{so_far}\" fill=\"none\" stroke=\"#2e8b57\" stroke-width=\"2\"/>"
    );
    if let Some(a) = r.actual {
        let _ = write!(
            svg,
            "<line x1=\"{left}\" y1=\"{:.1}\" x2=\"{}\" y2=\"{:.1}\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#d62728\">the day made {a}</text>",
            y(a as f64),
            w - 10.0,
            y(a as f64),
            w - 12.0,
            y(a as f64) - 4.0
        );
    }
    svg.push_str("</svg>");
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        escape(
            "Each bar: a forecast's 90 % prediction interval for the day's good parts by the end, made at that time; the dot its mean; the green line the good parts so far; the dashed line what the day made."
        )
    )
}
