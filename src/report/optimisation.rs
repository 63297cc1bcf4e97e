//! The optimisation in the terminal and as a report: the pick and what the
//! selection can claim first, then the convergence chart (one objective) or
//! the Pareto front (several), the leading designs with their intervals,
//! and the caveats.

use super::chart::escape;
use super::html::{page, table};
use super::plots::{ScatterPoint, scatter};
use super::words::estimate as pm;
use crate::kpi::Estimate;
use crate::optimize::Optimisation;
use std::fmt::Write;

/// Designs listed in the terminal and the report's table.
const SHOWN: usize = 12;

/// A figure with its interval; money in millions when it runs that high.
fn fig(o: &Optimisation, e: &Estimate, unit: &str) -> String {
    let big = e.mean.abs().max(e.half_width.unwrap_or(0.0)) >= 1e6;
    if big && o.currency.as_deref() == Some(unit) && e.mean.is_finite() {
        let m = |v: f64| format!("{:.1} M", v / 1e6);
        return match e.half_width {
            Some(h) => format!("{} ± {}", m(e.mean), m(h)),
            None => m(e.mean),
        };
    }
    pm(e)
}

fn heads(o: &Optimisation) -> Vec<String> {
    let mut head = vec!["#".to_string(), "design".into(), "reps".into()];
    for (t, u) in o.objectives.iter().zip(&o.objective_units) {
        head.push(if u.is_empty() {
            t.clone()
        } else {
            format!("{t} ({u})")
        });
    }
    head.extend(o.constraints.iter().cloned());
    head
}

fn rows(o: &Optimisation) -> Vec<Vec<String>> {
    o.designs
        .iter()
        .take(SHOWN)
        .enumerate()
        .map(|(i, d)| {
            let mut r = vec![
                format!("{}{}", i + 1, if o.best == Some(i) { " *" } else { "" }),
                d.label.clone(),
                d.replications.to_string(),
            ];
            r.extend(
                d.objectives
                    .iter()
                    .zip(&o.objective_units)
                    .map(|(e, u)| fig(o, e, u)),
            );
            r.extend(
                d.constraints
                    .iter()
                    .map(|e| format!("{}{}", pm(e), if d.feasible { "" } else { " ✗" })),
            );
            r
        })
        .collect()
}

fn subject(o: &Optimisation) -> String {
    let mut s = o.objectives.join(", ");
    if !o.constraints.is_empty() {
        let _ = write!(s, " subject to {}", o.constraints.join(", "));
    }
    s
}

fn counts(o: &Optimisation) -> String {
    format!(
        "{} runs of a budget of {}{}, {} of {} designs tried, seed {}; ± = 95 % confidence interval of the mean over each design's replications",
        o.runs_used,
        o.budget,
        if o.runs_resumed > 0 {
            format!(" ({} read back from the state file)", o.runs_resumed)
        } else {
            String::new()
        },
        o.designs.len(),
        o.space_size,
        o.seed
    )
}

/// The answer in one paragraph.
fn answer(o: &Optimisation) -> String {
    match (o.best, &o.selection) {
        (Some(b), Some(s)) => format!(
            "Best: {} ({} over its fresh replications). {}",
            o.designs[b].label,
            fig(o, &s.estimates[s.chosen], &o.objective_units[0]),
            s.statement
        ),
        (Some(b), None) if o.objectives.len() == 1 => format!(
            "Best by its mean: {} ({}).",
            o.designs[b].label,
            fig(o, &o.designs[b].objectives[0], &o.objective_units[0])
        ),
        _ if o.objectives.len() > 1 => {
            let front: Vec<&str> = o
                .designs
                .iter()
                .filter(|d| d.rank == 0 && d.feasible)
                .map(|d| d.label.as_str())
                .collect();
            format!(
                "{} designs on the Pareto front (rank 0), none better than another on every objective: {}.",
                front.len(),
                front.join("; ")
            )
        }
        _ => "No design meets the constraints.".into(),
    }
}

/// The optimisation for the terminal.
pub fn optimisation(o: &Optimisation) -> String {
    let mut s = format!(
        "{}: optimisation\n{}\n{}\n\n",
        o.scene,
        subject(o),
        counts(o)
    );
    let head = heads(o);
    let rows = rows(o);
    let widths: Vec<usize> = (0..head.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([head[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut l = String::from(" ");
        for (c, cell) in cells.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 1 {
                let _ = write!(l, " {cell}{}", " ".repeat(pad));
            } else {
                let _ = write!(l, " {}{cell}", " ".repeat(pad));
            }
        }
        l.trim_end().to_string() + "\n"
    };
    s.push_str(&line(&head));
    for r in &rows {
        s.push_str(&line(r));
    }
    if o.designs.len() > SHOWN {
        let _ = writeln!(
            s,
            "  … {} more designs (--json lists every one)",
            o.designs.len() - SHOWN
        );
    }
    let _ = writeln!(s, "\n{}", answer(o));
    for n in &o.notes {
        let _ = writeln!(s, "Note: {n}");
    }
    s
}

/// The chart: the best mean against runs spent, or the Pareto front.
fn chart(o: &Optimisation) -> String {
    if o.objectives.len() >= 2 {
        let points: Vec<ScatterPoint> = o
            .designs
            .iter()
            .filter(|d| d.feasible)
            .map(|d| ScatterPoint {
                x: d.objectives[1].mean,
                y: d.objectives[0].mean,
                y_half_width: d.objectives[0].half_width,
                marked: d.rank == 0,
            })
            .collect();
        return scatter(
            "Designs tried, the Pareto front marked",
            &o.objectives[1],
            &o.objectives[0],
            &points,
            true,
        );
    }
    let points: Vec<ScatterPoint> = o
        .convergence
        .iter()
        .map(|c| ScatterPoint {
            x: c.runs as f64,
            y: c.best,
            y_half_width: None,
            marked: true,
        })
        .collect();
    scatter(
        "The leader's mean against the runs spent",
        "runs",
        &o.objectives[0],
        &points,
        true,
    )
}

/// The optimisation as a self-contained HTML report.
pub fn optimisation_report(o: &Optimisation, inputs: &super::Inputs) -> String {
    let first = format!(
        "<section class=\"first\">\n<p class=\"question\"><b>The question.</b> {}</p>\n<p class=\"answer\"><b>The answer.</b> {}</p>\n<p class=\"note\">{}</p>\n</section>\n",
        escape(&format!("Which design is best: {}?", subject(o))),
        escape(&answer(o)),
        escape(&counts(o))
    );
    let mut b = String::from("<h2>Search</h2>\n");
    b.push_str(&chart(o));
    b.push_str("<h2>Designs, best first</h2>\n<div class=\"scroll\">");
    let head = heads(o);
    table(
        &mut b,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
        &rows(o)
            .into_iter()
            .map(|r| r.iter().map(|c| escape(c)).collect())
            .collect::<Vec<_>>(),
    );
    b.push_str("</div>\n");
    if let Some(s) = &o.selection {
        b.push_str("<h2>Selection</h2>\n");
        let _ = writeln!(b, "<p class=\"summary\">{}</p>", escape(&s.statement));
        let rows: Vec<Vec<String>> = s
            .finalists
            .iter()
            .enumerate()
            .map(|(k, &d)| {
                vec![
                    escape(&o.designs[d].label),
                    s.replications[k].to_string(),
                    escape(&fig(o, &s.estimates[k], &o.objective_units[0])),
                    if k == s.chosen {
                        "chosen".into()
                    } else if s.equivalent.contains(&k) {
                        "equivalent".into()
                    } else if s.survivors.contains(&k) {
                        "not separated".into()
                    } else {
                        "eliminated".into()
                    },
                ]
            })
            .collect();
        table(
            &mut b,
            &[
                "finalist",
                "fresh replications",
                &o.objectives[0],
                "outcome",
            ],
            &rows,
        );
    }
    if !o.notes.is_empty() {
        b.push_str("<h2>Caveats</h2>\n<ul>\n");
        for n in &o.notes {
            let _ = writeln!(b, "<li>{}</li>", escape(n));
        }
        b.push_str("</ul>\n");
    }
    page(
        &format!("{}: optimisation", o.scene),
        &subject(o),
        &first,
        &b,
        &super::first_page::inputs_html(inputs, &[]),
    )
}
