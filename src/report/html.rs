//! Self-contained HTML reports (one file, inline CSS and SVG, nothing fetched
//! from the network) for a run, a comparison with its business case, and a
//! sweep. Each opens with a few plain sentences, then the charts and tables.
//! Every name and id from a scene is escaped.

use super::chart::{escape, state_chart};
use super::first_page;
use super::inputs::Inputs;
use super::plots::{self, SERIES_COLOURS, TornadoRow, WhiskerRow};
use super::words;
use crate::economics::BusinessCase;
use crate::experiment::{Comparison, KPIS, ReliefExperiment, Summary, Sweep};
use crate::kpi::Estimate;
use crate::lang::{tr, trf};
use crate::sim::STATES;
use std::fmt::Write;

const STYLE: &str = "body{font-family:Helvetica,Arial,sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#222;line-height:1.45}:lang(ko){word-break:keep-all}\
h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:16px}\
.sub{color:#666;margin-top:0}.summary{background:#f4f7fb;border-left:4px solid #0072b2;padding:10px 16px}\
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}th,td{padding:4px 10px;border-bottom:1px solid #e5e5e5;text-align:right}\
th:first-child,td:first-child{text-align:left}table.figures td:last-child,table.figures th:last-child{text-align:left}th{background:#fafafa}.better{color:#1a7f37;font-weight:bold}.worse{color:#c62828;font-weight:bold}\
.note{color:#666;font-size:13px}svg{max-width:100%;height:auto;display:block;margin:8px 0}footer{margin-top:40px;color:#777;font-size:12px}.first{border:1px solid #d0d7de;border-radius:6px;padding:4px 18px 10px;margin:12px 0 28px}.first .answer{font-size:16px}.first .case{background:#f4f7fb;border-left:4px solid #0072b2;padding:8px 12px}.scroll{overflow-x:auto}table.inputs td,table.inputs th{text-align:left;font-size:12px}code{font-size:11px;word-break:break-all}@page{margin:14mm}@media print{body{max-width:none;margin:0;padding:0;font-size:11px}.first{page-break-after:always;border:none;padding:0}h2{page-break-after:avoid}table,svg,.summary{page-break-inside:avoid}table{font-size:9px}th,td{padding:2px 4px}.scroll{overflow:visible}footer{page-break-before:avoid}}";

/// A whole report: the title, the first page that decides, the evidence,
/// then the inputs.
pub(crate) fn page(title: &str, subtitle: &str, first: &str, body: &str, inputs: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n<p class=\"sub\">{}</p>\n{first}{body}{inputs}<footer>{}</footer>\n</body>\n</html>\n",
        escape(subtitle),
        escape(&trf(
            "Made by factory-twin {version} — a discrete-event digital twin. Every figure is a mean over replications with the 95 % confidence interval of that mean (±), unless it says otherwise.",
            &[("version", &env!("CARGO_PKG_VERSION"))]
        )),
        t = escape(title),
        lang = crate::lang::current().tag(),
    )
}

/// A section heading (`level` 2 or 3) in the report's language.
pub(crate) fn heading(b: &mut String, level: u8, text: &str) {
    let _ = writeln!(b, "<h{level}>{}</h{level}>", escape(&tr(text)));
}

/// A pooled reliability figure with its 95 % interval, e.g. "118.2 (61.5–247.8)".
fn pooled(p: &crate::kpi::Pooled, scale: f64) -> String {
    match (p.mean, p.low, p.high) {
        (Some(m), Some(lo), Some(hi)) => {
            format!("{:.1} ({:.1}–{:.1})", m * scale, lo * scale, hi * scale)
        }
        (Some(m), _, _) => format!("{:.1}", m * scale),
        (None, Some(lo), _) => format!("> {:.1}", lo * scale),
        _ => "–".into(),
    }
}

/// "12.3 ± 0.4", or "–" when undefined.
fn pm(e: &Estimate, scale: f64, digits: usize) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        return "–".into();
    }
    let g = |v: f64| words::group(&format!("{v:.digits$}"));
    match e.half_width {
        Some(h) => format!("{} ± {}", g(e.mean * scale), g(h * scale)),
        None => g(e.mean * scale),
    }
}

/// 210000000 → "210,000,000".
pub fn grouped(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg { format!("−{out}") } else { out }
}

fn money_pm(e: &Estimate, currency: &str) -> String {
    match words::money_estimate(e).as_str() {
        "–" => "–".into(),
        m => format!("{m} {}", escape(currency)),
    }
}

/// An HTML table: `head` is plain text (escaped here), each cell in `rows`
/// is markup its maker escaped.
pub(crate) fn table(s: &mut String, head: &[&str], rows: &[Vec<String>]) {
    classed_table(s, "", head, rows);
}

/// As [`table`] with a CSS class (`figures`: the last column is text, left-aligned).
pub(crate) fn classed_table(s: &mut String, class: &str, head: &[&str], rows: &[Vec<String>]) {
    if class.is_empty() {
        s.push_str("<table><tr>");
    } else {
        let _ = write!(s, "<table class=\"{class}\"><tr>");
    }
    for h in head {
        let _ = write!(s, "<th>{}</th>", escape(&tr(h)));
    }
    s.push_str("</tr>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{c}</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
}

fn hours(summary: &Summary) -> Vec<f64> {
    summary.series.t_s.iter().map(|t| t / 3600.0).collect()
}

/// Lead-time histogram bins (minutes) for several summaries on one scale,
/// each scenario's median and 90th percentile marked.
fn lead_time_chart(summaries: &[&Summary]) -> Option<String> {
    // The axis ends at one and a half times the longest 90th percentile,
    // the same for every scenario: a long tail (parts left in the line
    // over a night) would otherwise squeeze nearly every part into one bar.
    let hi_s = summaries
        .iter()
        .filter_map(|s| s.lead_times.quantile(0.9))
        .fold(0.0f64, f64::max);
    if hi_s <= 0.0 {
        return None;
    }
    let hi = hi_s / 60.0 * 1.5;
    let bins: Vec<Vec<u64>> = summaries
        .iter()
        .map(|s| s.lead_times.linear_bins(30, hi * 60.0))
        .collect();
    let series: Vec<(&str, &[u64])> = summaries
        .iter()
        .zip(&bins)
        .map(|(s, b)| (s.scene.as_str(), b.as_slice()))
        .collect();
    // Each scenario's median and 90th percentile, marked on the chart.
    let labels: Vec<(usize, f64, String)> = summaries
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            [(0.5, "p50"), (0.9, "p90")]
                .into_iter()
                .filter_map(move |(q, name)| {
                    let at = s.lead_times.quantile(q)? / 60.0;
                    let who = if summaries.len() > 1 {
                        format!("{name} {}", s.scene)
                    } else {
                        name.to_string()
                    };
                    Some((i, at, format!("{who} {} min", plots::short(at))))
                })
        })
        .collect();
    let marks: Vec<plots::Mark<'_>> = labels
        .iter()
        .map(|(i, at, label)| plots::Mark {
            series: *i,
            at: *at,
            label,
        })
        .collect();
    Some(plots::histogram(
        "Lead time of the parts shipped (every longer one in the last bar)",
        "lead time (min)",
        hi,
        &series,
        &marks,
    ))
}

fn run_sentences(s: &Summary) -> String {
    let l = &s.line;
    // The sentences are HTML: their messages carry the <b> and <code> marks.
    let mut t = trf(
        if s.replications == 1 {
            "Over {n} replication of {days} days each, the line made <b>{good} good parts per hour</b>"
        } else {
            "Over {n} replications of {days} days each, the line made <b>{good} good parts per hour</b>"
        },
        &[
            ("n", &s.replications),
            ("days", &format!("{:.1}", s.horizon_s / 86_400.0)),
            ("good", &pm(&l.good_per_hour, 1.0, 1)),
        ],
    );
    if l.line_oee.n > 0 {
        t.push_str(&trf(
            " at a line OEE of {oee} %",
            &[("oee", &pm(&l.line_oee, 100.0, 1))],
        ));
    }
    t.push('.');
    if l.bottleneck.is_none() && l.demand_limited_share > 0.0 {
        t.push_str(&trf(
            " No resource limits the output: the line is <b>demand-limited</b> (in {share} % of the replications), it makes what arrives; more capacity would shorten waits, not raise output.",
            &[("share", &format!("{:.0}", l.demand_limited_share * 100.0))],
        ));
    }
    if !l.shared_limit.is_empty() {
        let ids: Vec<String> = l.shared_limit.iter().map(|r| escape(&r.id)).collect();
        t.push_str(&trf(
            " No one resource limits the output: <b>{ids}</b> share the limit (each is the busiest in some replications and not in others); <code>factory-twin bottleneck</code> measures what relieving each gains.",
            &[("ids", &ids.join(&tr(" and ")))],
        ));
    } else if let Some(b) = &l.bottleneck {
        t.push_str(&trf(
            " The bottleneck is <b>{id}</b> (busy {busy} % of the time it could work; the bottleneck in {share} % of the replications)",
            &[
                ("id", &escape(b)),
                ("busy", &pm(&l.bottleneck_utilisation, 100.0, 1)),
                ("share", &format!("{:.0}", l.bottleneck_share * 100.0)),
            ],
        ));
        if let Some(p) = s.operators.iter().find(|x| &x.id == b) {
            t.push_str(&trf(
                ": the operators, not a machine, limit output; they are busy {busy} % of their paid time",
                &[("busy", &pm(&p.utilisation, 100.0, 1))],
            ));
        }
        if let Some(st) = s.stations.iter().find(|x| &x.id == b) {
            let share =
                |k: &str| format!("{:.0}", st.states.get(k).map_or(0.0, |e| e.mean) * 100.0);
            t.push_str(&trf(
                ": it works {working} % of the time, is failed {failed} %, waits for an operator {waiting} % and is off shift {off} %",
                &[
                    ("working", &share("working")),
                    ("failed", &share("failed")),
                    ("waiting", &share("waiting_for_operator")),
                    ("off", &share("off_shift")),
                ],
            ));
        }
        t.push_str(&tr(". Relieving it should gain the most output; <code>factory-twin bottleneck</code> measures what relieving each resource gains."));
    }
    if l.lead_time_mean_s.n > 0 {
        t.push_str(&trf(
            " A part spends on average {mean} min in the factory (95th percentile {p95} min), with {wip} parts in process.",
            &[
                ("mean", &pm(&l.lead_time_mean_s, 1.0 / 60.0, 1)),
                ("p95", &pm(&l.lead_time_p95_s, 1.0 / 60.0, 1)),
                ("wip", &pm(&l.wip, 1.0, 1)),
            ],
        ));
        if l.lead_time_mean_s.mean > l.lead_time_p95_s.mean {
            t.push_str(&trf(
                " The mean is above the 95th percentile: a few parts wait far longer than the rest (the longest {max} h), such as parts left in the line over a night or a weekend off shift.",
                &[("max", &pm(&l.lead_time_max_s, 1.0 / 3600.0, 1))],
            ));
        }
    }
    if super::headline::turned_away_shown(s) {
        t.push_str(&trf(
            " <b>{share} % of the demand was turned away</b> ({n} parts): it arrived while the entry was full and never entered.",
            &[
                ("share", &pm(&l.demand_turned_away_share, 100.0, 1)),
                ("n", &pm(&l.demand_turned_away, 1.0, 0)),
            ],
        ));
    }
    if l.on_time_share.n > 0 {
        t.push_str(&trf(
            " {share} % of the orders that entered left by their due date.",
            &[("share", &pm(&l.on_time_share, 100.0, 1))],
        ));
    }
    t
}

/// Every resource that can limit output, busiest first, and how the
/// bottleneck was chosen; the experiment that settles it is a command away.
fn what_limits_output(s: &Summary, out: &mut String) {
    heading(out, 3, "What limits output");
    let mut rows: Vec<(f64, Vec<String>)> = s
        .stations
        .iter()
        .map(|st| (st.id.as_str(), st.kind, &st.utilisation))
        .chain(
            s.operators
                .iter()
                .map(|p| (p.id.as_str(), "operator pool", &p.utilisation)),
        )
        .filter(|(_, _, u)| u.n > 0)
        .map(|(id, kind, u)| {
            let mark = if s.line.limits(id) { " ★" } else { "" };
            (
                u.mean,
                vec![
                    format!("{}{mark}", escape(id)),
                    kind.to_string(),
                    pm(u, 100.0, 1),
                ],
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let rows: Vec<Vec<String>> = rows.into_iter().map(|r| r.1).collect();
    table(
        out,
        &[
            "resource",
            "kind",
            "busy % of the time it could work (± 95 % interval of the mean)",
        ],
        &rows,
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">{} The bottleneck (★) is the busiest resource that is saturated (busy 98 % or more), or else the busiest on the blocking chain from a source that had to hold parts back; a line whose sources never had to is demand-limited. To settle it by experiment, relieve each resource in turn: <code>factory-twin bottleneck SCENE --report bottleneck.html</code>.</p>",
        escape(&super::headline::bottleneck_line(s))
    );
}

fn run_body(s: &Summary, out: &mut String) {
    // The headline rows the terminal prints: the KPI table's figures the
    // scene models (one it does not model is left out, not 0), each with
    // what only a run shows beside it.
    let rows: Vec<Vec<String>> = super::headline::rows(s)
        .into_iter()
        .map(|r| vec![escape(&tr(&r.label)), escape(&r.value), escape(&r.note)])
        .collect();
    classed_table(
        out,
        "figures",
        &[
            "figure",
            "value (± 95 % interval of the mean)",
            "what it rests on",
        ],
        &rows,
    );
    if let Some(svg) = super::flow::diagram(s) {
        heading(out, 3, "Flow of parts");
        out.push_str(&svg);
    }
    heading(out, 3, "Where the time goes");
    out.push_str(&state_chart(s));
    let x = hours(s);
    if !x.is_empty() {
        heading(out, 3, "Output and work in process over time");
        out.push_str(&plots::lines(
            "Good parts per hour",
            "simulated time (h)",
            "parts/h",
            &x,
            &[(s.scene.as_str(), &s.series.good_per_hour)],
        ));
        out.push_str(&plots::lines(
            "Parts in process (WIP)",
            "simulated time (h)",
            "parts",
            &x,
            &[(s.scene.as_str(), &s.series.wip)],
        ));
    }
    if let Some(c) = lead_time_chart(&[s]) {
        heading(out, 3, "Lead time");
        out.push_str(&c);
    }
    what_limits_output(s, out);
    heading(out, 3, "Stations");
    let rows: Vec<Vec<String>> = s
        .stations
        .iter()
        .map(|st| {
            let mut r = vec![
                escape(&st.id),
                escape(&tr(st.kind)),
                st.capacity.to_string(),
            ];
            r.extend(
                STATES
                    .iter()
                    .map(|i| st.states.get(i.key).map_or("–".into(), |e| pm(e, 100.0, 1))),
            );
            r.extend([
                pm(&st.availability, 100.0, 1),
                pm(&st.effectiveness, 100.0, 1),
                pm(&st.quality, 100.0, 1),
                pm(&st.oee, 100.0, 1),
                if st.can_fail {
                    pooled(&st.mtbf_s, 1.0 / 3600.0)
                } else {
                    escape(&tr("no failure model"))
                },
                if st.can_fail {
                    pooled(&st.mttr_s, 1.0 / 60.0)
                } else {
                    "–".into()
                },
                pm(&st.energy_kwh, 1.0, 1),
            ]);
            r
        })
        .collect();
    let mut head = vec!["station", "kind", "capacity"];
    head.extend(STATES.iter().map(|i| i.label));
    head.extend([
        "availability %",
        "effectiveness %",
        "quality %",
        "OEE %",
        "MTBF h (95 % interval)",
        "MTTR min (95 % interval)",
        "energy kWh",
    ]);
    let _ = writeln!(
        out,
        "<p class=\"note\">{}</p>",
        escape(&tr("State columns: share of time in %."))
    );
    table(out, &head, &rows);
    if let Some(note) = super::words::effectiveness_over_100(s) {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", escape(&note)));
    }
    if let Some(note) = super::words::empty_travel(s) {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", escape(&note)));
    }
    if !s.stores.is_empty() {
        heading(out, 3, "Buffers and conveyors");
        let rows: Vec<Vec<String>> = s
            .stores
            .iter()
            .map(|b| {
                vec![
                    escape(&b.id),
                    escape(&tr(b.kind)),
                    b.capacity.to_string(),
                    pm(&b.mean_content, 1.0, 2),
                    pm(&b.max_content, 1.0, 1),
                    pm(&b.mean_transit_s, 1.0 / 60.0, 2),
                ]
            })
            .collect();
        table(
            out,
            &[
                "id",
                "kind",
                "capacity",
                "mean content",
                "max content",
                "mean time inside (min)",
            ],
            &rows,
        );
    }
    if !s.operators.is_empty() {
        heading(out, 3, "Operators");
        let rows: Vec<Vec<String>> = s
            .operators
            .iter()
            .map(|p| {
                vec![
                    escape(&p.id),
                    p.count.to_string(),
                    pm(&p.utilisation, 100.0, 1),
                    pm(&p.paid_hours, 1.0, 1),
                    money_pm(&p.labour_cost, s.currency.as_deref().unwrap_or("")),
                ]
            })
            .collect();
        table(
            out,
            &[
                "pool",
                "count",
                "utilisation %",
                "paid hours in the window",
                "labour cost in the window",
            ],
            &rows,
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"note\">Seed {}, warm-up {:.1} h, measured {:.1} h, {} events. Checked in every replication: {}.</p>",
        s.seed,
        s.warmup_s / 3600.0,
        s.horizon_s / 3600.0,
        s.events,
        s.invariants_checked
            .iter()
            .map(|i| escape(i))
            .collect::<Vec<_>>()
            .join("; ")
    );
}

/// The report of one scene's replications.
pub fn run_report(s: &Summary, relief: Option<&ReliefExperiment>, inputs: &Inputs) -> String {
    let mut first = first_page::run(s);
    if let Some(e) = relief {
        first
            .answer
            .push_str(&format!(" <b>By experiment:</b> {}", escape(&e.verdict)));
    }
    let mut body = format!(
        "<h2>{}</h2>\n<p class=\"summary\">{}</p>\n",
        escape(&tr("In short")),
        run_sentences(s)
    );
    heading(&mut body, 2, "Figures");
    run_body(s, &mut body);
    if let Some(e) = relief {
        heading(&mut body, 2, "What relieving each resource gains");
        relief_section(e, &mut body);
    }
    page(
        &s.scene,
        &trf(
            "Simulation report, {n} replications",
            &[("n", &s.replications)],
        ),
        &first.html(),
        &body,
        &first_page::inputs_html(inputs, &[first_page::run_settings(s)]),
    )
}

/// The report of a comparison, with each variant's business case if computed.
pub fn compare_report(c: &Comparison, cases: &[BusinessCase], inputs: &Inputs) -> String {
    let first = first_page::compare(c, cases);
    let mut b = String::new();
    compare_evidence(c, cases, &mut b);
    for case in cases {
        business_case_section(case, &mut b);
    }
    scenario_details(c, &mut b);
    page(
        &trf("{base} compared", &[("base", &c.base)]),
        &trf(
            "{n} scenarios, {reps} paired replications",
            &[("n", &c.scenarios.len()), ("reps", &c.replications)],
        ),
        &first.html(),
        &b,
        &compare_inputs(c, inputs),
    )
}

/// The business case of an investment: the first page, each case in full
/// (cash flow by year, payback, tornado), then the comparison behind it.
pub fn roi_report(c: &Comparison, cases: &[BusinessCase], inputs: &Inputs) -> String {
    let first = first_page::compare(c, cases);
    let mut b = String::new();
    for case in cases {
        business_case_section(case, &mut b);
    }
    heading(&mut b, 2, "The simulated figures behind it");
    compare_evidence(c, cases, &mut b);
    scenario_details(c, &mut b);
    let title = match cases {
        [one] => trf("Business case: {variant}", &[("variant", &one.variant)]),
        _ => trf("Business cases against {base}", &[("base", &c.base)]),
    };
    page(
        &title,
        &trf(
            "investment against \"{base}\", {reps} paired replications",
            &[("base", &c.base), ("reps", &c.replications)],
        ),
        &first.html(),
        &b,
        &compare_inputs(c, inputs),
    )
}

fn compare_inputs(c: &Comparison, inputs: &Inputs) -> String {
    let runs: Vec<_> = c.scenarios.iter().map(first_page::run_settings).collect();
    first_page::inputs_html(inputs, &runs)
}

/// Each scenario's own figures, and what is not modelled.
fn scenario_details(c: &Comparison, b: &mut String) {
    for s in &c.scenarios {
        let _ = writeln!(
            b,
            "<h2>{}</h2>",
            escape(&trf("{scene}: details", &[("scene", &s.scene)]))
        );
        run_body(s, b);
    }
    for n in &c.not_modelled {
        let _ = writeln!(b, "<p class=\"note\">Not modelled yet: {}.</p>", escape(n));
    }
}

/// The comparison's evidence: the short version, KPIs side by side, the
/// charts over time, lead times and states.
fn compare_evidence(c: &Comparison, cases: &[BusinessCase], b: &mut String) {
    let currency = c.scenarios.first().and_then(|s| s.currency.as_deref());
    let unit_of = |u: &str| super::unit_text(u, currency);
    heading(b, 2, "Every significant change");
    b.push_str("<div class=\"summary\">\n");
    for v in &c.variants {
        let _ = writeln!(
            b,
            "<p><b>{}</b> against <b>{}</b>, what changed most for the decision:</p>\n<ul>",
            escape(&v.variant),
            escape(&c.base)
        );
        for h in &v.headline {
            let _ = writeln!(b, "<li>{}</li>", escape(h));
        }
        b.push_str("</ul>\n");
    }
    for case in cases {
        let _ = writeln!(b, "<p>{}</p>", case_sentence(case));
    }
    let _ = writeln!(
        b,
        "<p class=\"note\">{} paired replications with common random numbers (seed {}); a change is called significant when the 95 % interval of the paired difference excludes zero.{}</p>\n</div>",
        c.replications,
        c.seed,
        if c.replications < c.replications_requested {
            format!(
                " Stopped early: {} of {} replications finished.",
                c.replications, c.replications_requested
            )
        } else {
            String::new()
        }
    );
    heading(b, 2, "KPIs side by side");
    let names: Vec<&str> = c.scenarios.iter().map(|s| s.scene.as_str()).collect();
    // Headers are text: `table` escapes them (escaping here too showed
    // "A & B" as "A &amp;amp; B").
    let head: Vec<String> = ["family".to_string(), "KPI".into(), c.base.clone()]
        .into_iter()
        .chain(
            c.variants
                .iter()
                .flat_map(|v| [v.variant.clone(), "difference".into(), "verdict".into()]),
        )
        .collect();
    // A KPI no scenario models is left out (named under the table).
    let modelled = |i: &usize| c.variants.iter().any(|v| !v.kpis[*i].undefined_in_both());
    let rows: Vec<Vec<String>> = (0..KPIS.len())
        .filter(modelled)
        .map(|i| {
            let k0 = &c.variants[0].kpis[i];
            let mut r = vec![
                escape(&tr(k0.family)),
                format!("{} ({})", escape(&tr(k0.kpi)), escape(&unit_of(k0.unit))),
                pm(&k0.base, 1.0, 2),
            ];
            for v in &c.variants {
                let k = &v.kpis[i];
                r.push(pm(&k.variant, 1.0, 2));
                r.push(format!(
                    "{} {}",
                    escape(&words::signed_estimate(&k.difference)),
                    escape(&unit_of(k.difference_unit))
                ));
                r.push(format!(
                    "<span class=\"{}\" title=\"{}\">{}</span>",
                    k.verdict.replace(' ', "-"),
                    escape(k.note.as_deref().unwrap_or("")),
                    escape(&tr(k.verdict))
                ));
            }
            r
        })
        .collect();
    table(
        b,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
        &rows,
    );
    let neither: Vec<String> = (0..KPIS.len())
        .filter(|i| !modelled(i))
        .map(|i| tr(KPIS[i].name))
        .collect();
    if !neither.is_empty() {
        let _ = writeln!(
            b,
            "<p class=\"note\">{}</p>",
            escape(&trf(
                "Not modelled in either scenario, so left out: {what}.",
                &[("what", &neither.join(", "))]
            ))
        );
    }
    for (i, kpi) in KPIS.iter().enumerate() {
        let mut rows = Vec::new();
        let base = &c.variants[0].kpis[i].base;
        if base.n == 0 {
            continue;
        }
        rows.push(WhiskerRow {
            label: names[0],
            mean: base.mean,
            low: base.low(),
            high: base.high(),
            colour: SERIES_COLOURS[0],
        });
        for (j, v) in c.variants.iter().enumerate() {
            let e = &v.kpis[i].variant;
            rows.push(WhiskerRow {
                label: names[j + 1],
                mean: e.mean,
                low: e.low(),
                high: e.high(),
                colour: SERIES_COLOURS[(j + 1) % SERIES_COLOURS.len()],
            });
        }
        b.push_str(&plots::whisker_bars(
            &format!("{} ({})", tr(kpi.name), tr(kpi.family)),
            &unit_of(kpi.unit),
            &rows,
        ));
    }
    heading(b, 2, "Over time");
    let len = c
        .scenarios
        .iter()
        .map(|s| s.series.t_s.len())
        .min()
        .unwrap_or(0);
    if len > 0 {
        let x: Vec<f64> = hours(&c.scenarios[0])[..len].to_vec();
        let thr: Vec<(&str, &[f64])> = c
            .scenarios
            .iter()
            .map(|s| (s.scene.as_str(), &s.series.good_per_hour[..len]))
            .collect();
        b.push_str(&plots::lines(
            "Good parts per hour",
            "simulated time (h)",
            "parts/h",
            &x,
            &thr,
        ));
        let wip: Vec<(&str, &[f64])> = c
            .scenarios
            .iter()
            .map(|s| (s.scene.as_str(), &s.series.wip[..len]))
            .collect();
        b.push_str(&plots::lines(
            "Parts in process (WIP)",
            "simulated time (h)",
            "parts",
            &x,
            &wip,
        ));
    }
    if let Some(chart) = lead_time_chart(&c.scenarios.iter().collect::<Vec<_>>()) {
        b.push_str(&chart);
    }
    heading(b, 2, "Where the time goes");
    for s in &c.scenarios {
        b.push_str(&state_chart(s));
    }
}

pub(crate) fn case_sentence(c: &BusinessCase) -> String {
    format!(
        "<b>{}</b> {}",
        escape(&words::case_answer(c)),
        case_details(c)
    )
}

/// The business case after its answer: cost, subsidy, yearly cash flow,
/// payback and NPV, with money in millions from a million up.
pub(crate) fn case_details(c: &BusinessCase) -> String {
    let cur = &c.assumptions.currency;
    let gross = format!("{} {}", words::money(c.investment.gross), escape(cur));
    let subsidy = if c.investment.subsidy > 0.0 {
        trf(
            "; the subsidy covers {subsidy}, leaving {net}",
            &[
                (
                    "subsidy",
                    &format!("{} {}", words::money(c.investment.subsidy), escape(cur)),
                ),
                (
                    "net",
                    &format!("{} {}", words::money(c.investment.net), escape(cur)),
                ),
            ],
        )
    } else {
        String::new()
    };
    let flow = money_pm(
        &Estimate {
            mean: c.yearly.net_cash_flow.mean.abs(),
            ..c.yearly.net_cash_flow
        },
        cur,
    );
    let template = if c.yearly.net_cash_flow.mean < 0.0 {
        "{variant} costs {gross}{subsidy}. It loses {flow} a year (mean, 95 % interval of the mean) and {payback}. Over {years} years at {rate} % its NPV has a {npv}."
    } else {
        "{variant} costs {gross}{subsidy}. It earns {flow} a year (mean, 95 % interval of the mean) and {payback}. Over {years} years at {rate} % its NPV has a {npv}."
    };
    trf(
        template,
        &[
            ("variant", &escape(&c.variant)),
            ("gross", &gross),
            ("subsidy", &subsidy),
            ("flow", &flow),
            (
                "payback",
                &escape(&words::payback(&c.payback_years, c.investment.life_years)),
            ),
            ("years", &c.investment.life_years),
            (
                "rate",
                &format!("{:.1}", c.assumptions.discount_rate * 100.0),
            ),
            (
                "npv",
                &escape(&words::npv(&c.npv, c.npv_positive_share, cur)),
            ),
        ],
    )
}

fn business_case_section(c: &BusinessCase, b: &mut String) {
    let cur = c.assumptions.currency.as_str();
    let _ = writeln!(
        b,
        "<h2>{}</h2>",
        escape(&trf("Business case: {variant}", &[("variant", &c.variant)]))
    );
    let _ = writeln!(b, "<p class=\"summary\">{}</p>", case_sentence(c));
    heading(b, 3, "Investment");
    let mut rows: Vec<Vec<String>> = c
        .investment
        .items
        .iter()
        .map(|(n, v)| vec![escape(n), grouped(*v)])
        .collect();
    rows.push(vec![
        format!("<b>{}</b>", escape(&tr("gross investment"))),
        format!("<b>{}</b>", grouped(c.investment.gross)),
    ]);
    let rule = match (c.investment.subsidy_rate, c.investment.subsidy_cap) {
        (Some(r), Some(cap)) => escape(&trf(
            "subsidy ({rate} %, cap {cap}{applies})",
            &[
                ("rate", &format!("{:.0}", r * 100.0)),
                ("cap", &grouped(cap)),
                (
                    "applies",
                    &if c.investment.cap_binding {
                        tr(", cap applies")
                    } else {
                        String::new()
                    },
                ),
            ],
        )),
        _ => escape(&tr("subsidy")),
    };
    if c.investment.subsidy > 0.0 {
        rows.push(vec![rule, format!("−{}", grouped(c.investment.subsidy))]);
        rows.push(vec![
            format!("<b>{}</b>", escape(&tr("net investment"))),
            format!("<b>{}</b>", grouped(c.investment.net)),
        ]);
    }
    table(b, &["item", cur], &rows);
    heading(b, 3, "What changes in a year");
    let y = &c.yearly;
    table(
        b,
        &["effect (variant − base)", "per year"],
        &[
            vec![
                escape(&tr("extra good parts")),
                format!("{} parts", pm(&y.extra_good_parts, 1.0, 0)),
            ],
            vec![escape(&tr("× unit margin")), money_pm(&y.margin_gain, cur)],
            vec![
                escape(&tr("labour hours saved")),
                format!("{} h", pm(&y.labour_hours_saved, 1.0, 0)),
            ],
            vec![
                escape(&tr("labour cost saved")),
                money_pm(&y.labour_saving, cur),
            ],
            vec![
                escape(&tr("energy cost saved")),
                money_pm(&y.energy_saving, cur),
            ],
            vec![
                escape(&tr("scrap cost saved")),
                money_pm(&y.scrap_saving, cur),
            ],
            vec![
                escape(&tr("maintenance")),
                format!("{} {}", words::money(-y.maintenance), escape(cur)),
            ],
            vec![
                format!("<b>{}</b>", escape(&tr("net cash flow"))),
                format!("<b>{}</b>", money_pm(&y.net_cash_flow, cur)),
            ],
        ],
    );
    heading(b, 3, "Payback, NPV, IRR over the replications");
    let life = c.investment.life_years;
    let mut rows = vec![
        vec![
            escape(&tr("payback with the subsidy")),
            escape(&words::payback(&c.payback_years, life)),
        ],
        vec![
            escape(&trf(
                "NPV at {rate} % with the subsidy",
                &[(
                    "rate",
                    &format!("{:.1}", c.assumptions.discount_rate * 100.0),
                )],
            )),
            escape(&words::npv(&c.npv, c.npv_positive_share, cur)),
        ],
        vec![
            escape(&tr("IRR with the subsidy")),
            escape(&words::irr(&c.irr)),
        ],
    ];
    if c.investment.subsidy > 0.0 {
        rows.extend([
            vec![
                escape(&tr("payback without the subsidy")),
                escape(&words::payback(&c.payback_without_subsidy_years, life)),
            ],
            vec![
                escape(&tr("NPV without the subsidy")),
                escape(&words::npv(
                    &c.npv_without_subsidy,
                    c.npv_positive_share_without_subsidy,
                    cur,
                )),
            ],
            vec![
                escape(&tr("IRR without the subsidy")),
                escape(&words::irr(&c.irr_without_subsidy)),
            ],
        ]);
    }
    let u = &c.with_price_uncertainty;
    rows.push(vec![
        escape(&trf(
            "payback with wage, margin and energy price each anywhere within ±{range} %",
            &[("range", &format!("{:.0}", (u.range.1 - 1.0) * 100.0))],
        )),
        escape(&words::payback_over(&u.payback_years, life, "outcome")),
    ]);
    rows.push(vec![
        escape(&tr("NPV with those prices uncertain too")),
        escape(&words::npv(&u.npv, u.npv_positive_share, cur)),
    ]);
    table(b, &["figure", "over the replications"], &rows);
    let _ = writeln!(
        b,
        "<p class=\"note\">{}</p>",
        escape(&tr(
            "10–90 % of outcomes: the range in which 8 of 10 replications fall, each its measured window scaled to a year (it does not narrow with more replications; a whole year mixes many such windows and varies less, so the range is a cautious picture). 95 % interval of the mean: how precisely the replications pin down the average (it narrows with more)."
        ))
    );
    let pts: Vec<plots::BandPoint> = c
        .cumulative
        .iter()
        .map(|p| plots::BandPoint {
            x: f64::from(p.year),
            mean: p.mean,
            low: p.low,
            high: p.high,
        })
        .collect();
    b.push_str(&plots::band(
        "Cumulative cash flow over the robot's life (with the subsidy)",
        "year",
        cur,
        &pts,
    ));
    let rows: Vec<TornadoRow<'_>> = c
        .tornado
        .iter()
        .map(|t| TornadoRow {
            label: &t.assumption,
            low_setting: &t.low_setting,
            high_setting: &t.high_setting,
            at_low: t.npv_low,
            at_high: t.npv_high,
        })
        .collect();
    b.push_str(&plots::tornado(
        "What moves the NPV most",
        &format!("NPV ({cur})"),
        c.npv.mean.map_or(0.0, |e| e.mean),
        &rows,
    ));
    let a = &c.assumptions;
    let _ = writeln!(
        b,
        "<p class=\"note\">Assumptions: unit margin {} {cur}, energy {} {cur}/kWh, scrap {} {cur}/part, discount rate {:.1} %, {} production weeks a year; the measured window of {:.0} h is scaled by {:.2} to a year. Life {} years, maintenance {} {cur}/year, residual value {} {cur}.</p>",
        grouped(a.unit_margin),
        a.energy_per_kwh,
        grouped(a.scrap_cost),
        a.discount_rate * 100.0,
        a.weeks_per_year,
        a.window_h,
        a.annual_factor,
        c.investment.life_years,
        grouped(c.investment.maintenance_per_year),
        grouped(c.investment.residual_value),
        cur = escape(cur)
    );
    for n in &c.notes {
        let _ = writeln!(b, "<p class=\"note\">Note: {}.</p>", escape(n));
    }
}

/// The report of a sweep.
pub fn sweep_report(s: &Sweep, inputs: &Inputs) -> String {
    let first = first_page::sweep(s);
    let mut b = format!(
        "<h2>{}</h2>\n<p class=\"note\">{} grid points × {} replications, common random numbers, seed {}.</p>\n",
        escape(&tr("Every setting")),
        s.points.len(),
        s.replications,
        s.seed
    );
    b.push_str(&sweep_chart(s, &format!("{} by setting", s.by_name)));
    let labels: Vec<String> = s.points.iter().map(|p| p.label()).collect();
    // A KPI no setting defines is left out, not shown as a column of dashes.
    let shown: Vec<usize> = (0..KPIS.len())
        .filter(|&k| s.points.iter().any(|p| p.kpis[k].estimate.n > 0))
        .collect();
    let mut head: Vec<String> = vec!["setting".into()];
    let unit = |u: &str| super::unit_text(u, s.currency.as_deref());
    head.extend(
        shown
            .iter()
            .map(|&k| format!("{} ({})", KPIS[k].name, unit(KPIS[k].unit))),
    );
    let rows: Vec<Vec<String>> = s
        .points
        .iter()
        .zip(&labels)
        .map(|(p, l)| {
            let mut r = vec![escape(l)];
            r.extend(
                shown
                    .iter()
                    .map(|&k| escape(&words::estimate(&p.kpis[k].estimate))),
            );
            r
        })
        .collect();
    b.push_str("<div class=\"scroll\">");
    table(
        &mut b,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
        &rows,
    );
    b.push_str("</div>\n");
    let (warmup, observed) = inputs.window.unwrap_or((f64::NAN, f64::NAN));
    let settings = (s.scene.clone(), s.seed, s.replications, warmup, observed);
    page(
        &trf("{scene}: sweep", &[("scene", &s.scene)]),
        &trf("by {kpi}", &[("kpi", &tr(s.by_name))]),
        &first.html(),
        &b,
        &first_page::inputs_html(inputs, &[settings]),
    )
}

/// The chosen KPI per grid point with its interval, the best point highlighted.
/// The bottleneck experiment: the verdict, the gains as bars with their
/// intervals, and the table.
pub fn relief_report(e: &ReliefExperiment, inputs: &Inputs) -> String {
    let mut body = format!(
        "<h2>{}</h2>\n<p class=\"summary\">{}</p>\n<h2>{}</h2>\n",
        escape(&tr("In short")),
        escape(&e.verdict),
        escape(&tr("Output gained by relieving each resource"))
    );
    relief_section(e, &mut body);
    page(
        &e.scene,
        &tr("What limits output: the bottleneck experiment"),
        "",
        &body,
        &first_page::inputs_html(inputs, &[]),
    )
}

/// The relief experiment's chart, table and method note.
fn relief_section(e: &ReliefExperiment, body: &mut String) {
    let labels: Vec<String> = e
        .reliefs
        .iter()
        .map(|r| format!("{}: {}", r.resource, r.change))
        .collect();
    let rows: Vec<WhiskerRow<'_>> = e
        .reliefs
        .iter()
        .zip(&labels)
        .map(|(r, l)| WhiskerRow {
            label: l,
            mean: r.gain_per_hour.mean,
            low: r.gain_per_hour.low(),
            high: r.gain_per_hour.high(),
            colour: SERIES_COLOURS[if r.raises_output { 2 } else { 0 }],
        })
        .collect();
    body.push_str(&plots::whisker_bars(
        "Gain in good parts per hour (mean, 95 % interval of the paired differences)",
        "parts/h",
        &rows,
    ));
    let table_rows: Vec<Vec<String>> = e
        .reliefs
        .iter()
        .map(|r| {
            vec![
                escape(&r.resource),
                r.kind.into(),
                escape(&r.change),
                pm(
                    &Estimate {
                        mean: super::terminal::no_negative_zero(r.gain_per_hour.mean, 2),
                        ..r.gain_per_hour
                    },
                    1.0,
                    2,
                ),
                format!(
                    "{:+.1}",
                    super::terminal::no_negative_zero(r.gain_percent, 1)
                ),
                if r.raises_output { "yes" } else { "no" }.into(),
            ]
        })
        .collect();
    table(
        body,
        &[
            "resource",
            "kind",
            "relief",
            "gain (parts/h, ± 95 % interval of the mean)",
            "gain %",
            "raises output",
        ],
        &table_rows,
    );
    let _ = writeln!(
        body,
        "<p class=\"note\">Output as is: {} good parts per hour. Each relief was run with the same {} replications and common random numbers (seed {}); \"raises output\" means the whole 95 % interval of the gain is above zero and the gain is at least 0.5 % of output.</p>",
        pm(&e.good_per_hour, 1.0, 2),
        e.replications,
        e.seed
    );
    for n in &e.not_relieved {
        let _ = writeln!(body, "<p class=\"note\">Not relieved: {}.</p>", escape(n));
    }
}

pub fn sweep_chart(s: &Sweep, title: &str) -> String {
    let labels: Vec<String> = s.points.iter().map(|p| p.label()).collect();
    let best = s.best.as_ref().map(|b| b.point);
    let rows: Vec<WhiskerRow<'_>> = s
        .points
        .iter()
        .zip(&labels)
        .enumerate()
        .filter_map(|(i, (p, l))| {
            let e = p.kpi(s.by)?.estimate;
            Some(WhiskerRow {
                label: l,
                mean: e.mean,
                low: e.low(),
                high: e.high(),
                colour: SERIES_COLOURS[if Some(i) == best { 2 } else { 0 }],
            })
        })
        .collect();
    plots::whisker_bars(title, s.by_unit, &rows)
}
