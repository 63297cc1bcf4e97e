//! The optimisation in the terminal and as a report: the pick and what the
//! selection can claim first, then the convergence chart (one objective) or
//! the Pareto front (several), the leading designs with their intervals,
//! and the caveats.

use super::chart::escape;
use super::html::{page, table};
use super::plots::{ScatterPoint, scatter};
use super::words::estimate as pm;
use crate::kpi::Estimate;
use crate::lang::{tr, trf};
use crate::optimize::Optimisation;
use std::fmt::Write;

/// Columns a cell takes in a terminal (a Hangul syllable takes two).
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Designs listed in the terminal and the report's table.
const SHOWN: usize = 12;

/// A figure with its interval; money in millions when it runs that high.
fn fig(o: &Optimisation, e: &Estimate, unit: &str) -> String {
    let big = e.mean.abs().max(e.half_width.unwrap_or(0.0)) >= 1e6;
    if big && o.currency.as_deref() == Some(unit) && e.mean.is_finite() {
        if crate::lang::current() == crate::lang::Lang::Ko {
            // 억 and 만, as the business case writes money in Korean.
            return super::words::money_estimate(e);
        }
        let m = |v: f64| format!("{:.1} M", v / 1e6);
        return match e.half_width {
            Some(h) => format!("{} ± {}", m(e.mean), m(h)),
            None => m(e.mean),
        };
    }
    pm(e)
}

fn heads(o: &Optimisation) -> Vec<String> {
    let mut head = vec!["#".to_string(), tr("design"), tr("reps")];
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
        s.push_str(&trf(
            " subject to {constraints}",
            &[("constraints", &o.constraints.join(", "))],
        ));
    }
    s
}

fn counts(o: &Optimisation) -> String {
    trf(
        "{runs} runs of a budget of {budget}{resumed}, {tried} of {all} designs tried, seed {seed}; ± = 95 % confidence interval of the mean over each design's replications",
        &[
            ("runs", &o.runs_used),
            ("budget", &o.budget),
            (
                "resumed",
                &if o.runs_resumed > 0 {
                    trf(
                        " ({n} read back from the state file)",
                        &[("n", &o.runs_resumed)],
                    )
                } else {
                    String::new()
                },
            ),
            ("tried", &o.designs.len()),
            ("all", &o.space_size),
            ("seed", &o.seed),
        ],
    )
}

/// The answer in one paragraph.
fn answer(o: &Optimisation) -> String {
    match (o.best, &o.selection) {
        (Some(b), Some(s)) => trf(
            "Best: {design} ({value} over its fresh replications). {statement}",
            &[
                ("design", &o.designs[b].label),
                (
                    "value",
                    &fig(o, &s.estimates[s.chosen], &o.objective_units[0]),
                ),
                ("statement", &s.statement),
            ],
        ),
        (Some(b), None) if o.objectives.len() == 1 => trf(
            "Best by its mean: {design} ({value}).",
            &[
                ("design", &o.designs[b].label),
                (
                    "value",
                    &fig(o, &o.designs[b].objectives[0], &o.objective_units[0]),
                ),
            ],
        ),
        _ if o.objectives.len() > 1 => {
            let front: Vec<&str> = o
                .designs
                .iter()
                .filter(|d| d.rank == 0 && d.feasible)
                .map(|d| d.label.as_str())
                .collect();
            trf(
                "{n} designs on the Pareto front (rank 0), none better than another on every objective: {designs}.",
                &[("n", &front.len()), ("designs", &front.join("; "))],
            )
        }
        _ => tr("No design meets the constraints."),
    }
}

/// The optimisation for the terminal.
pub fn optimisation(o: &Optimisation) -> String {
    let mut s = format!(
        "{}\n{}\n{}\n\n",
        trf("{scene}: optimisation", &[("scene", &o.scene)]),
        subject(o),
        counts(o)
    );
    let head = heads(o);
    let rows = rows(o);
    let widths: Vec<usize> = (0..head.len())
        .map(|c| {
            rows.iter()
                .map(|r| width(&r[c]))
                .chain([width(&head[c])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut l = String::from(" ");
        for (c, cell) in cells.iter().enumerate() {
            let pad = widths[c] - width(cell);
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
            "  {}",
            trf(
                "… {n} more designs (--json lists every one)",
                &[("n", &(o.designs.len() - SHOWN))]
            )
        );
    }
    let _ = writeln!(s, "\n{}", answer(o));
    for n in &o.notes {
        let _ = writeln!(s, "{}", trf("Note: {note}", &[("note", n)]));
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
            &tr("Designs tried, the Pareto front marked"),
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
        &tr("The leader's mean against the runs spent"),
        &tr("runs"),
        &o.objectives[0],
        &points,
        true,
    )
}

/// The optimisation as a self-contained HTML report.
pub fn optimisation_report(o: &Optimisation, inputs: &super::Inputs) -> String {
    let first = format!(
        "<section class=\"first\">\n<p class=\"question\"><b>{}</b> {}</p>\n<p class=\"answer\"><b>{}</b> {}</p>\n<p class=\"note\">{}</p>\n</section>\n",
        escape(&tr("The question.")),
        escape(&trf(
            "Which design is best: {subject}?",
            &[("subject", &subject(o))]
        )),
        escape(&tr("The answer.")),
        escape(&answer(o)),
        escape(&counts(o))
    );
    let mut b = format!("<h2>{}</h2>\n", escape(&tr("Search")));
    b.push_str(&chart(o));
    let _ = write!(
        b,
        "<h2>{}</h2>\n<div class=\"scroll\">",
        escape(&tr("Designs, best first"))
    );
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
        let _ = writeln!(b, "<h2>{}</h2>", escape(&tr("Selection")));
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
                    escape(&tr(if k == s.chosen {
                        "chosen"
                    } else if s.equivalent.contains(&k) {
                        "equivalent"
                    } else if s.survivors.contains(&k) {
                        "not separated"
                    } else {
                        "eliminated"
                    })),
                ]
            })
            .collect();
        table(
            &mut b,
            &[
                &tr("finalist"),
                &tr("fresh replications"),
                &o.objectives[0],
                &tr("outcome"),
            ],
            &rows,
        );
    }
    if !o.notes.is_empty() {
        let _ = writeln!(b, "<h2>{}</h2>\n<ul>", escape(&tr("Caveats")));
        for n in &o.notes {
            let _ = writeln!(b, "<li>{}</li>", escape(n));
        }
        b.push_str("</ul>\n");
    }
    page(
        &trf("{scene}: optimisation", &[("scene", &o.scene)]),
        &subject(o),
        &first,
        &b,
        &super::first_page::inputs_html(inputs, &[]),
    )
}
