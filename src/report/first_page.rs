//! The first page of every report, the one that decides: the question, the
//! answer in a sentence, the few figures that carry it (each with its unit
//! and what its ± means), the business case where there is one, and the
//! caveats. The evidence follows it; the inputs close the report.

use super::chart::escape;
use super::headline;
use super::inputs::Inputs;
use super::words;
use crate::economics::BusinessCase;
use crate::experiment::{Comparison, Summary, Sweep};
use crate::kpi::Estimate;
use crate::lang::{tr, trf};
use std::fmt::Write;

/// Figures carried by a first page, at most.
const FIGURES: usize = 6;

/// One figure of the first page.
pub(crate) struct Figure {
    pub name: String,
    /// The cells after the name (escaped HTML).
    pub cells: Vec<String>,
}

/// The first page, as text ready to escape (`answer` and `case` are HTML).
pub(crate) struct FirstPage {
    pub question: String,
    /// HTML.
    pub answer: String,
    /// Column heads after "figure", and what the ± of each means.
    pub head: Vec<String>,
    pub figures: Vec<Figure>,
    pub plus_minus: String,
    /// HTML: the business case in a paragraph per variant.
    pub case: Vec<String>,
    pub caveats: Vec<String>,
}

impl FirstPage {
    pub(crate) fn html(&self) -> String {
        let mut b = String::from("<section class=\"first\">\n");
        let _ = writeln!(
            b,
            "<p class=\"question\"><b>{}</b> {}</p>",
            escape(&tr("The question.")),
            escape(&self.question)
        );
        let _ = writeln!(
            b,
            "<p class=\"answer\"><b>{}</b> {}</p>",
            escape(&tr("The answer.")),
            self.answer
        );
        if !self.figures.is_empty() {
            let _ = write!(
                b,
                "<table class=\"figures\">\n<tr><th>{}</th>",
                escape(&tr("figure"))
            );
            for h in &self.head {
                let _ = write!(b, "<th>{}</th>", escape(h));
            }
            b.push_str("</tr>\n");
            for f in &self.figures {
                let _ = write!(b, "<tr><td>{}</td>", escape(&tr(&f.name)));
                for c in &f.cells {
                    let _ = write!(b, "<td>{c}</td>");
                }
                b.push_str("</tr>\n");
            }
            b.push_str("</table>\n");
            let _ = writeln!(b, "<p class=\"note\">{}</p>", escape(&self.plus_minus));
        }
        for c in &self.case {
            let _ = writeln!(
                b,
                "<p class=\"case\"><b>{}</b> {c}</p>",
                escape(&tr("Business case."))
            );
        }
        if !self.caveats.is_empty() {
            let _ = writeln!(
                b,
                "<p class=\"caveats-title\"><b>{}</b></p>\n<ul class=\"caveats\">",
                escape(&tr("Caveats."))
            );
            for c in &self.caveats {
                let _ = writeln!(b, "<li>{}</li>", escape(c));
            }
            b.push_str("</ul>\n");
        }
        b.push_str("</section>\n");
        b
    }
}

/// What every model leaves out, said on every first page.
const MODEL_CAVEAT: &str = "The figures are what the scene files describe and nothing else: \
     ramp-up, learning, absences and changes of product mix that the files do not model are not \
     in them.";

/// The first page of a run report.
pub(crate) fn run(s: &Summary) -> FirstPage {
    let rows = headline::rows(s);
    // The figures a decision rests on, in this order, where the scene has them.
    let wanted = [
        "Good parts per hour",
        "Bottleneck",
        "Line OEE",
        "Running cost per good part",
        "Cost per good part with capital",
        "Mean lead time",
        "Orders on time",
        "On-time share",
        "Demand turned away",
    ];
    let figures = wanted
        .iter()
        .filter_map(|w| rows.iter().find(|r| r.label == *w))
        .take(FIGURES)
        .map(|r| Figure {
            name: r.label.clone(),
            cells: vec![escape(&r.value), escape(&r.note)],
        })
        .collect();
    let mut caveats: Vec<String> = s.warnings.clone();
    caveats.push(tr(MODEL_CAVEAT));
    FirstPage {
        question: trf(
            "How much does \"{scene}\" make, and what limits it?",
            &[("scene", &s.scene)],
        ),
        answer: escape(&run_answer(s)),
        head: vec![tr("value"), tr("what it rests on")],
        figures,
        plus_minus: trf(
            "± is the 95 % confidence interval of the mean over {n} replications: where the \
             long-run mean lies. One week's outcome varies more than that.",
            &[("n", &s.replications)],
        ),
        case: Vec::new(),
        caveats,
    }
}

/// "cut limits the output (busy 97 % …). It makes 14.3 ± 0.4 good parts per hour."
fn run_answer(s: &Summary) -> String {
    let output = s.line.good_per_hour;
    trf(
        "It makes {output} good parts per hour over the window. Bottleneck: {bottleneck}.",
        &[
            ("output", &words::estimate(&output)),
            ("bottleneck", &headline::bottleneck_line(s)),
        ],
    )
}

/// The first page of a comparison; with business cases, of the robot
/// investment (`roi`).
pub(crate) fn compare(c: &Comparison, cases: &[BusinessCase]) -> FirstPage {
    let names: Vec<String> = c
        .variants
        .iter()
        .map(|v| format!("\"{}\"", v.variant))
        .collect();
    let question = match (cases.is_empty(), names.len()) {
        (false, 1) => trf(
            "Does the investment in {variant} pay, against \"{base}\" as it is?",
            &[("variant", &names[0]), ("base", &c.base)],
        ),
        (false, _) => trf(
            "Which of the investments {variants} pays, against \"{base}\" as it is?",
            &[("variants", &names.join(", ")), ("base", &c.base)],
        ),
        (true, 1) => trf(
            "What changes from \"{base}\" to {variant}?",
            &[("base", &c.base), ("variant", &names[0])],
        ),
        (true, _) => trf(
            "What changes from \"{base}\" to each of {variants}?",
            &[("base", &c.base), ("variants", &names.join(", "))],
        ),
    };
    let mut answer = String::new();
    for (k, v) in c.variants.iter().enumerate() {
        let case = cases.iter().find(|case| case.variant == v.variant);
        // The business case is said in its own words below.
        let case_line = case.map(words::case_headline);
        let said: Vec<String> = v
            .headline
            .iter()
            .filter(|h| Some(*h) != case_line.as_ref())
            .take(2)
            .map(|h| escape(h.trim_end_matches('.')))
            .collect();
        let _ = write!(answer, "<b>{}</b>: ", escape(&v.variant));
        if let Some(case) = case {
            let _ = write!(
                answer,
                "{}; ",
                escape(words::case_answer(case).trim_end_matches('.'))
            );
        }
        let _ = write!(
            answer,
            "{}.{}",
            if said.is_empty() {
                tr("no KPI changes significantly")
            } else {
                said.join("; ")
            },
            if k + 1 < c.variants.len() { " " } else { "" }
        );
    }
    let keys = [
        "good_per_hour",
        "cost_per_good_part_with_capital",
        "cost_per_good_part",
        "good_per_labour_hour",
        "lead_time",
        "orders_on_time",
        "on_time_share",
        "line_oee",
    ];
    let currency = c.scenarios.first().and_then(|s| s.currency.as_deref());
    let unit = |u: &str| super::unit_text(u, currency);
    let mut figures = Vec::new();
    let first = &c.variants[0];
    for key in keys {
        let Some(i) = first.kpis.iter().position(|k| k.key == key) else {
            continue;
        };
        let k0 = &first.kpis[i];
        if c.variants.iter().all(|v| v.kpis[i].undefined_in_both())
            || c.variants
                .iter()
                .all(|v| v.kpis[i].verdict == "not comparable")
            || (key == "cost_per_good_part_with_capital" && cases.is_empty())
            || (key == "cost_per_good_part" && !cases.is_empty())
        {
            continue;
        }
        let mut cells = vec![format!("{} {}", fixed(&k0.base), escape(&unit(k0.unit)))];
        for v in &c.variants {
            let k = &v.kpis[i];
            cells.push(format!("{} {}", fixed(&k.variant), escape(&unit(k.unit))));
            cells.push(format!(
                "{} {}",
                signed(&k.difference),
                escape(&unit(k.difference_unit))
            ));
            cells.push(format!(
                "<span class=\"{}\">{}</span>",
                k.verdict.replace(' ', "-"),
                escape(&tr(k.verdict))
            ));
        }
        figures.push(Figure {
            name: k0.kpi.to_string(),
            cells,
        });
        if figures.len() == FIGURES {
            break;
        }
    }
    let mut head = vec![c.base.clone()];
    for v in &c.variants {
        head.extend([v.variant.clone(), tr("difference"), tr("verdict")]);
    }
    let mut caveats: Vec<String> = Vec::new();
    for s in &c.scenarios {
        for w in &s.warnings {
            let w = format!("{}: {w}", s.scene);
            if !caveats.contains(&w) {
                caveats.push(w);
            }
        }
    }
    if !c.not_modelled.is_empty() {
        caveats.push(trf(
            "Not modelled, so not in the comparison: {what}.",
            &[("what", &c.not_modelled.join(", "))],
        ));
    }
    caveats.push(tr(MODEL_CAVEAT));
    FirstPage {
        question,
        answer: answer.trim_end().to_string(),
        head,
        figures,
        plus_minus: trf(
            "{n} paired replications with common random numbers (seed {seed}). ± is the 95 % \
             confidence interval of the mean (for the difference: of the mean paired \
             difference); a change is significant when that interval excludes zero.",
            &[("n", &c.replications), ("seed", &c.seed)],
        ),
        case: cases
            .iter()
            .map(|case| match cases.len() {
                1 => super::html::case_details(case),
                _ => format!(
                    "<b>{}</b>: {}",
                    escape(&case.variant),
                    super::html::case_details(case)
                ),
            })
            .collect(),
        caveats,
    }
}

/// The first page of a sweep.
pub(crate) fn sweep(s: &Sweep) -> FirstPage {
    let axes: Vec<&str> = s.axes.iter().map(|a| a.path.as_str()).collect();
    let unit = super::unit_text(s.by_unit, s.currency.as_deref());
    let unit = unit.as_str();
    let kpi = tr(s.by_name);
    let answer = match &s.best {
        Some(best) => {
            let lead = match &best.runner_up {
                Some((_, label, d)) if best.significant && !best.negligible => trf(
                    ", ahead of {runner_up} by {by} {unit} (significant at 95 %)",
                    &[
                        ("runner_up", label),
                        (
                            "by",
                            &words::estimate(&Estimate {
                                mean: d.mean.abs(),
                                ..*d
                            }),
                        ),
                        ("unit", &unit),
                    ],
                ),
                Some((_, label, _)) => trf(
                    "; {runner_up}, the runner-up, cannot be told apart from it: either will do",
                    &[("runner_up", label)],
                ),
                None => String::new(),
            };
            trf(
                "{best} gives the best {kpi}: {value} {unit}{lead}.",
                &[
                    ("best", &best.label),
                    ("kpi", &kpi),
                    ("value", &words::estimate(&best.estimate)),
                    ("unit", &unit),
                    ("lead", &lead),
                ],
            )
        }
        None => trf("No setting gives a value for {kpi}.", &[("kpi", &kpi)]),
    };
    // The settings in order of the KPI, best first.
    let k = s
        .points
        .first()
        .and_then(|p| p.kpis.iter().position(|k| k.key == s.by));
    let mut order: Vec<usize> = (0..s.points.len()).collect();
    if let Some(k) = k {
        let value = |i: usize| s.points[i].kpis[k].estimate.mean;
        order.retain(|&i| value(i).is_finite());
        order.sort_by(|&a, &b| {
            let o = value(a).total_cmp(&value(b));
            if s.higher_is_better { o.reverse() } else { o }
        });
    }
    let figures = match k {
        Some(k) => order
            .iter()
            .take(FIGURES)
            .map(|&i| Figure {
                name: s.points[i].label(),
                cells: vec![format!(
                    "{} {}",
                    fixed(&s.points[i].kpis[k].estimate),
                    escape(unit)
                )],
            })
            .collect(),
        None => Vec::new(),
    };
    let mut caveats = s.notes.clone();
    caveats.push(tr(MODEL_CAVEAT));
    FirstPage {
        question: trf(
            "Which setting of {settings} gives the best {kpi} for \"{scene}\"?",
            &[
                ("settings", &axes.join(&tr(" and "))),
                ("kpi", &kpi),
                ("scene", &s.scene),
            ],
        ),
        answer: escape(&answer),
        head: vec![trf("{kpi} (best first)", &[("kpi", &kpi)])],
        figures,
        plus_minus: trf(
            "{n} replications per setting with common random numbers (seed {seed}). ± is the 95 % \
             confidence interval of the mean.",
            &[("n", &s.replications), ("seed", &s.seed)],
        ),
        case: Vec::new(),
        caveats,
    }
}

/// The closing section: files with their hashes, the run settings, the
/// command, version and date.
pub(crate) fn inputs_html(inputs: &Inputs, runs: &[(String, u64, u32, f64, f64)]) -> String {
    let mut b = format!(
        "<h2>{}</h2>\n<table class=\"inputs\">\n<tr><th>{}</th><th>{}</th><th>SHA-256</th></tr>\n",
        escape(&tr("Inputs")),
        escape(&tr("file")),
        escape(&tr("bytes")),
    );
    for f in &inputs.files {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            escape(&f.path),
            f.bytes,
            f.sha256
        );
    }
    b.push_str("</table>\n");
    if !runs.is_empty() {
        b.push_str("<table class=\"inputs\">\n<tr>");
        for h in [
            "scenario",
            "seed",
            "replications",
            "warm-up (h)",
            "observed (h)",
        ] {
            let _ = write!(b, "<th>{}</th>", escape(&tr(h)));
        }
        b.push_str("</tr>\n");
    }
    for (name, seed, reps, warmup, horizon) in runs {
        let h = |s: &f64| {
            if s.is_finite() {
                format!("{:.1}", s / 3600.0)
            } else {
                tr("as in the scene")
            }
        };
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{seed}</td><td>{reps}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            h(warmup),
            h(horizon)
        );
    }
    if !runs.is_empty() {
        b.push_str("</table>\n");
    }
    let made = escape(&trf(
        "Made on {date} by factory-twin {version}",
        &[("date", &inputs.date), ("version", &inputs.version)],
    ));
    let _ = writeln!(
        b,
        "<p class=\"note\">{made}{}.</p>",
        if inputs.command.is_empty() {
            String::new()
        } else {
            format!(
                "{} <code>{}</code>",
                escape(&tr(" with")),
                escape(&inputs.command)
            )
        }
    );
    b
}

/// A summary's run settings for the inputs table.
pub(crate) fn run_settings(s: &Summary) -> (String, u64, u32, f64, f64) {
    (
        s.scene.clone(),
        s.seed,
        s.replications,
        s.warmup_s,
        s.horizon_s,
    )
}

/// "14.33 ± 0.40" to the interval's precision, thousands grouped.
fn fixed(e: &Estimate) -> String {
    escape(&words::estimate(e))
}

/// "+1.20 ± 0.30".
fn signed(e: &Estimate) -> String {
    escape(&words::signed_estimate(e))
}
