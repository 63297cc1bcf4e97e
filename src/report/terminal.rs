//! The terminal report: headline figures first, then tables with units.

use super::headline::{duration as dur, pm};
use crate::experiment::Summary;
use crate::kpi::Estimate;
use crate::lang::{tr, trf};
use crate::sim::STATES;
use std::fmt::Write;

fn pct(e: &Estimate) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        "–".into()
    } else {
        format!("{:.1}", e.mean * 100.0)
    }
}

fn hours(s: f64) -> String {
    if s >= 3600.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{s} s")
    }
}

/// The terminal's width: tables are laid out to fit it, and longer lines
/// of prose wrap.
pub const COLUMNS: usize = 100;

/// Wraps every line wider than [`COLUMNS`] (by display width: a Korean
/// syllable takes two) at spaces, each continuation indented under the
/// line's text.
pub fn fit(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if width(body) <= COLUMNS {
            out.push_str(line);
            continue;
        }
        let lead = body.len() - body.trim_start().len();
        // A "label   value" row continues under its value; a note in
        // parentheses under its text; other prose two columns in.
        let text = &body[lead..];
        let hang = match text.find("  ") {
            Some(gap) => {
                let value = gap + text[gap..].len() - text[gap..].trim_start().len();
                lead + width(&text[..value])
            }
            None if text.starts_with('(') => lead + 1,
            None => lead + 2,
        };
        let hang = " ".repeat(hang.min(COLUMNS / 2));
        let mut current = String::new();
        for word in body.trim_start().split(' ') {
            let prefix = if current.is_empty() {
                if out.ends_with('\n') || out.is_empty() {
                    " ".repeat(lead)
                } else {
                    hang.clone()
                }
            } else {
                String::new()
            };
            let candidate = if current.is_empty() {
                format!("{prefix}{word}")
            } else {
                format!("{current} {word}")
            };
            if width(&candidate) > COLUMNS && !current.is_empty() {
                out.push_str(&current);
                out.push('\n');
                current = format!("{hang}{word}");
            } else {
                current = candidate;
            }
        }
        out.push_str(&current);
        out.push_str(nl);
    }
    out
}

/// Formats the summary for a terminal.
pub fn terminal(s: &Summary) -> String {
    let mut o = String::new();
    let l = &s.line;
    let reps = if s.replications == 1 {
        tr("1 replication")
    } else {
        trf(
            "{n} replications, ± = 95 % confidence interval of the mean over replications",
            &[("n", &s.replications)],
        )
    };
    let _ = writeln!(o, "{}", s.scene);
    let _ = writeln!(
        o,
        "{}\n",
        trf(
            "{reps}, {window} observed after {warmup} warm-up, seed {seed}",
            &[
                ("reps", &reps),
                ("window", &hours(s.horizon_s)),
                ("warmup", &hours(s.warmup_s)),
                ("seed", &s.seed),
            ],
        )
    );
    let rows = super::headline::rows(s);
    let labels: Vec<String> = rows.iter().map(|r| tr(&r.label)).collect();
    let w = labels.iter().map(|l| width(l)).max().unwrap_or(0);
    for (r, label) in rows.iter().zip(&labels) {
        let note = if r.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.note)
        };
        let _ = writeln!(o, "  {}  {}{note}", pad_right(label, w), r.value);
    }

    for w in &s.warnings {
        let _ = writeln!(o, "\n  {}", trf("Warning: {warning}.", &[("warning", w)]));
    }
    station_tables(&mut o, s);
    let _ = writeln!(
        o,
        "  (* bottleneck, or each resource that shares the limit; percentages are means over replications; MTBF and MTTR pooled, see below)"
    );
    if let Some(note) = super::words::effectiveness_over_100(s) {
        let _ = writeln!(o, "  ({note})");
    }
    if let Some(note) = super::words::empty_travel(s) {
        let _ = writeln!(o, "  ({note})");
    }
    reliability_lines(&mut o, s);
    if !s.stores.is_empty() {
        let _ = writeln!(o, "\nBuffers and conveyors");
        let _ = writeln!(
            o,
            "  {:<14} {:<9} {:>8} {:>14} {:>5} {:>12}",
            "id", "kind", "capacity", "mean content", "max", "transit"
        );
        for b in &s.stores {
            let _ = writeln!(
                o,
                "  {} {:<9} {:>8} {:>14} {:>5} {:>12}",
                pad_right(&truncate(&b.id, 14), 14),
                b.kind,
                b.capacity,
                pm(&b.mean_content, 1.0, 2),
                fmt_opt(&b.max_content, 1.0, 0),
                if b.mean_transit_s.n > 0 {
                    dur(&b.mean_transit_s)
                } else {
                    "".into()
                }
            );
        }
    }
    if !s.operators.is_empty() {
        let _ = writeln!(o, "\nOperators");
        let _ = writeln!(
            o,
            "  {:<14} {:>5} {:>12} {:>11} {:>8}",
            "id", "count", "utilisation", "paid hours", "OEE"
        );
        for p in &s.operators {
            let mark = if l.limits(&p.id) { "*" } else { " " };
            let _ = writeln!(
                o,
                " {mark}{} {:>5} {:>10} % {:>11} {:>6} %",
                pad_right(&truncate(&p.id, 14), 14),
                p.count,
                pct(&p.utilisation),
                fmt_opt(&p.paid_hours, 1.0, 1),
                pct(&p.oee)
            );
        }
        let _ = writeln!(
            o,
            "  (utilisation and OEE of paid operator-time; OEE: share spent on ideal-speed work on good parts)"
        );
    }
    let _ = writeln!(
        o,
        "\nChecked in every replication: parts are conserved, state times add up to the observed time,\n\
         ∫WIP dt equals the parts' time inside. Little's law L = λW differs by {} %: the parts\n\
         still inside at the end (and at the end of the warm-up) make the difference.",
        pm(&l.littles_law_gap, 100.0, 2)
    );
    fit(&o)
}

/// The stations in two blocks that each fit 100 columns: the share of
/// time in each state, then the ISO 22400 figures, reliability and energy.
fn station_tables(o: &mut String, s: &Summary) {
    let l = &s.line;
    let id = |st: &crate::experiment::StationSummary| {
        let mark = if l.limits(&st.id) { "*" } else { " " };
        format!(" {mark}{}", pad_right(&truncate(&st.id, 14), 14))
    };
    let _ = writeln!(o, "\nStations: share of time in each state (%)");
    let _ = writeln!(
        o,
        "  {} {:<14} {:>3}{}",
        pad_right("id", 14),
        "kind",
        "cap",
        STATES
            .iter()
            .map(|i| format!(" {:>6}", i.column))
            .collect::<String>()
    );
    for st in &s.stations {
        let _ = writeln!(
            o,
            "{} {:<14} {:>3}{}",
            id(st),
            st.kind,
            st.capacity,
            STATES
                .iter()
                .map(|i| format!(" {:>6}", pct(&st.states[i.key])))
                .collect::<String>()
        );
    }
    let _ = writeln!(
        o,
        "\nStations: ISO 22400 figures (%), output, reliability, energy"
    );
    let _ = writeln!(
        o,
        "  {} {:>6} {:>6} {:>6} {:>6} {:>9} {:>8} {:>7} {:>8}",
        pad_right("id", 14),
        "avail",
        "effect",
        "qual",
        "OEE",
        "produced",
        "MTBF h",
        "MTTR m",
        "kWh"
    );
    for st in &s.stations {
        let _ = writeln!(
            o,
            "{} {:>6} {:>6} {:>6} {:>6} {:>9} {:>8} {:>7} {:>8}",
            id(st),
            pct(&st.availability),
            pct(&st.effectiveness),
            pct(&st.quality),
            pct(&st.oee),
            pm(&st.produced, 1.0, 0).split(' ').next().unwrap_or(""),
            st.mtbf_s
                .mean
                .map_or("–".into(), |m| format!("{:.1}", m / 3600.0)),
            st.mttr_s
                .mean
                .map_or("–".into(), |m| format!("{:.1}", m / 60.0)),
            fmt_opt(&st.energy_kwh, 1.0, 1),
        );
    }
}

/// A variant's KPIs in two blocks that each fit 100 columns: base and
/// variant side by side, then the paired difference and the verdict.
fn comparison_tables(o: &mut String, v: &crate::experiment::VariantComparison, cur: Option<&str>) {
    let label = |k: &crate::experiment::KpiComparison| match (k.unit, cur) {
        // No economics: no currency to name (the values are "–").
        ("currency", None) => k.kpi.to_string(),
        _ => format!("{} ({})", k.kpi, currency_unit(k.unit, cur)),
    };
    let w = v
        .kpis
        .iter()
        .map(|k| width(&label(k)))
        .max()
        .unwrap_or(3)
        .max(3);
    let _ = writeln!(
        o,
        "  {} {:>18} {:>18}",
        pad_right("KPI", w + 2),
        "base",
        "variant"
    );
    let mut family = "";
    for k in v.kpis.iter().filter(|k| !k.undefined_in_both()) {
        if k.family != family {
            family = k.family;
            let _ = writeln!(o, "  {family}");
        }
        let _ = writeln!(
            o,
            "    {} {:>18} {:>18}",
            pad_right(&label(k), w),
            pm(&k.base, 1.0, 2),
            pm(&k.variant, 1.0, 2)
        );
    }
    let signed = |k: &crate::experiment::KpiComparison| {
        let e = &k.difference;
        if e.n == 0 || !e.mean.is_finite() {
            "–".to_string()
        } else {
            format!(
                "{:+.2}{} {}",
                e.mean,
                e.half_width
                    .map(|h| format!(" ± {h:.2}"))
                    .unwrap_or_default(),
                currency_unit(k.difference_unit, cur)
            )
        }
    };
    let w = v
        .kpis
        .iter()
        .map(|k| width(k.kpi))
        .max()
        .unwrap_or(3)
        .max(3);
    let _ = writeln!(
        o,
        "\n  {} {:>28}  verdict",
        pad_right("KPI", w),
        "difference (variant − base)"
    );
    for k in v.kpis.iter().filter(|k| !k.undefined_in_both()) {
        let _ = writeln!(
            o,
            "  {} {:>28}  {}",
            pad_right(k.kpi, w),
            signed(k),
            k.verdict
        );
    }
}

/// The width a terminal gives `s` (a Korean syllable takes two columns).
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` padded with spaces to `w` columns of display width.
pub(crate) fn pad_right(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// MTBF and MTTR of every station that failed, with their evidence.
fn reliability_lines(o: &mut String, s: &Summary) {
    let failing: Vec<_> = s
        .stations
        .iter()
        .filter(|st| st.mtbf_s.failures > 0 || st.failures.mean > 0.0)
        .collect();
    if failing.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\nReliability, pooled over replications (total run time / failures; 95 % interval)"
    );
    for st in failing {
        let _ = writeln!(o, "  {}", reliability_text(&st.id, &st.mtbf_s, &st.mttr_s));
    }
}

/// "weld: MTBF 118.2 h (95 % interval 61.5–247.8 h), MTTR …, from 9 failures in 1 064 h of run time".
pub fn reliability_text(id: &str, mtbf: &crate::kpi::Pooled, mttr: &crate::kpi::Pooled) -> String {
    let h = |v: f64| format!("{:.1}", v / 3600.0);
    let m = |v: f64| format!("{:.1}", v / 60.0);
    let range =
        |p: &crate::kpi::Pooled, f: &dyn Fn(f64) -> String, unit: &str| match (p.low, p.high) {
            (Some(lo), Some(hi)) => format!(" (95 % interval {}–{} {unit})", f(lo), f(hi)),
            _ => String::new(),
        };
    let mut t = match mtbf.mean {
        Some(v) => format!("{id}: MTBF {} h{}", h(v), range(mtbf, &h, "h")),
        None => format!(
            "{id}: no failure; MTBF above {} h (95 % lower bound)",
            mtbf.low.map_or("–".into(), h)
        ),
    };
    if let Some(v) = mttr.mean {
        t.push_str(&format!(", MTTR {} min{}", m(v), range(mttr, &m, "min")));
    }
    t.push_str(&format!(
        ", from {} failure{} in {} h of run time",
        mtbf.failures,
        if mtbf.failures == 1 { "" } else { "s" },
        h(mtbf.exposure_s)
    ));
    if mtbf.thin() {
        t.push_str(&format!(
            "; fewer than {} failures: a rough figure, run more replications",
            crate::kpi::reliability::FEW_FAILURES
        ));
    }
    t
}

fn fmt_opt(e: &Estimate, scale: f64, decimals: usize) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        "–".into()
    } else {
        format!("{:.*}", decimals, e.mean * scale)
    }
}

/// `s` cut to `n` columns of display width, with "…" where it was cut.
pub(crate) fn truncate(s: &str, n: usize) -> String {
    if width(s) <= n {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width(&out) + w + 1 > n {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The comparison: the headline per variant, then per KPI base, variant
/// and the paired difference.
pub fn comparison(c: &crate::experiment::Comparison) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Compared with \"{}\": {} paired replications with common random numbers, seed {}; ± = 95 % interval of the mean (of the paired differences for the difference)\n",
        c.base, c.replications, c.seed
    );
    let cur = c.scenarios.first().and_then(|s| s.currency.as_deref());
    for v in &c.variants {
        let _ = writeln!(o, "{}", v.variant);
        for h in &v.headline {
            let _ = writeln!(o, "  - {h}");
        }
        let _ = writeln!(o);
        comparison_tables(&mut o, v, cur);
        let mut notes: Vec<String> = v
            .kpis
            .iter()
            .filter(|k| !k.undefined_in_both())
            .filter_map(|k| k.note.as_ref().map(|n| format!("{}: {n}", k.kpi)))
            .collect();
        let neither: Vec<&str> = v
            .kpis
            .iter()
            .filter(|k| k.undefined_in_both())
            .map(|k| k.kpi)
            .collect();
        if !neither.is_empty() {
            notes.push(format!(
                "not modelled in either scenario, so left out: {}",
                neither.join(", ")
            ));
        }
        if !notes.is_empty() {
            let _ = writeln!(o, "  Notes:");
            for n in notes {
                let _ = writeln!(o, "    {n}");
            }
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(
        o,
        "pp = percentage points (a difference of two percentages); running cost = labour, energy, scrap;\nwith capital = plus the investment's equivalent annual cost over its life at the discount rate."
    );
    for n in &c.not_modelled {
        let _ = writeln!(o, "Not modelled yet: {n}.");
    }
    fit(&o)
}

/// `v`, or 0 when it rounds to zero at `decimals` (so "−0.00" reads "+0.00").
pub fn no_negative_zero(v: f64, decimals: i32) -> f64 {
    if (v * 10f64.powi(decimals)).round() == 0.0 {
        0.0
    } else {
        v
    }
}

/// A KPI's unit with "currency" replaced by the scene's currency code.
fn currency_unit<'a>(unit: &'a str, currency: Option<&'a str>) -> &'a str {
    match (unit, currency) {
        ("currency", Some(c)) => c,
        _ => unit,
    }
}

/// The bottleneck experiment: each relief and the output it gained.
pub fn relief(e: &crate::experiment::ReliefExperiment) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "What limits output in \"{}\": each resource relieved in turn, {} paired replications with common random numbers, seed {}",
        e.scene, e.replications, e.seed
    );
    let _ = writeln!(
        o,
        "Output as is: {} good parts/h; gain = relieved − as is, ± = 95 % interval of the mean gain\n",
        pm(&e.good_per_hour, 1.0, 2)
    );
    let _ = writeln!(
        o,
        "  {:<16} {:<14} {:<26} {:>16} {:>7}  raises output",
        "resource", "kind", "relief", "gain (parts/h)", "gain %"
    );
    for r in &e.reliefs {
        let _ = writeln!(
            o,
            "  {} {:<14} {} {:>16} {:>7}  {}",
            pad_right(&truncate(&r.resource, 16), 16),
            r.kind,
            pad_right(&truncate(&r.change, 26), 26),
            format!(
                "{:+.2} ± {:.2}",
                no_negative_zero(r.gain_per_hour.mean, 2),
                r.gain_per_hour.half_width.unwrap_or(f64::NAN)
            ),
            format!("{:+.1}", no_negative_zero(r.gain_percent, 1)),
            if r.raises_output { "yes" } else { "no" }
        );
    }
    for n in &e.not_relieved {
        let _ = writeln!(o, "  Not relieved: {n}.");
    }
    let _ = writeln!(o, "\n{}", e.verdict);
    fit(&o)
}

/// The sweep as a table, best setting last.
pub fn sweep(s: &crate::experiment::Sweep) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Sweep of \"{}\": {} settings × {} replications with common random numbers, seed {}; ± = 95 % interval of the mean\n",
        s.scene,
        s.points.len(),
        s.replications,
        s.seed
    );
    let shown = [
        "good_per_hour",
        "line_oee",
        "lead_time",
        "cost_per_good_part",
    ];
    let mut keys: Vec<&str> = vec![s.by];
    keys.extend(shown.iter().filter(|k| **k != s.by));
    let kpi_of = |k: &str| {
        crate::experiment::KPIS
            .iter()
            .find(|x| x.key == k)
            .expect("known key")
    };
    // A column no setting gives a value for is left out, and said why.
    let mut left_out = Vec::new();
    keys.retain(|k| {
        let any = s
            .points
            .iter()
            .any(|p| p.kpi(k).is_some_and(|x| x.estimate.n > 0));
        if !any && *k != s.by {
            left_out.push(format!("{k} ({})", kpi_of(k).undefined_when));
        }
        any || *k == s.by
    });
    // Each column as wide as its widest entry; the unit on a second
    // header line, so the table stays within 100 columns.
    let value = |p: &crate::experiment::SweepPoint, k: &str| {
        p.kpi(k).map_or("–".into(), |x| pm(&x.estimate, 1.0, 2))
    };
    let unit_of = |k: &str| match (kpi_of(k).unit, &s.currency) {
        ("currency", Some(c)) => c.clone(),
        (u, _) => u.to_string(),
    };
    let label_w = s
        .points
        .iter()
        .map(|p| width(&p.label()))
        .chain([width("setting")])
        .max()
        .unwrap_or(7);
    let widths: Vec<usize> = keys
        .iter()
        .map(|k| {
            s.points
                .iter()
                .map(|p| width(&value(p, k)))
                .chain([width(k), width(&unit_of(k)) + 2])
                .max()
                .unwrap_or(1)
        })
        .collect();
    let mut head = format!("  {}", pad_right("setting", label_w));
    let mut units = format!("  {}", " ".repeat(label_w));
    for (k, w) in keys.iter().zip(&widths) {
        head.push_str(&format!(" {k:>w$}"));
        units.push_str(&format!(" {:>w$}", format!("({})", unit_of(k))));
    }
    let _ = writeln!(o, "{head}");
    let _ = writeln!(o, "{units}");
    for (i, p) in s.points.iter().enumerate() {
        // Starred only when it is ahead in a way that matters.
        let clear = s.best.as_ref().filter(|b| b.significant && !b.negligible);
        let mark = if clear.map(|b| b.point) == Some(i) {
            "*"
        } else {
            " "
        };
        let mut row = format!("{mark} {}", pad_right(&p.label(), label_w));
        for (k, w) in keys.iter().zip(&widths) {
            row.push_str(&format!(" {:>w$}", value(p, k)));
        }
        let _ = writeln!(o, "{row}");
    }
    for p in &s.points {
        for w in &p.warnings {
            let _ = writeln!(o, "  Warning, {}: {w}.", p.label());
        }
    }
    if !left_out.is_empty() {
        let _ = writeln!(o, "  Not shown, undefined: {}.", left_out.join("; "));
    }
    for n in &s.notes {
        let _ = writeln!(o, "  Note: {n}.");
    }
    match &s.best {
        Some(b) => {
            let clear = b.runner_up.is_none() || (b.significant && !b.negligible);
            let _ = write!(
                o,
                "\n{} {} ({}): {} with {} {}",
                if clear {
                    "Best by"
                } else {
                    "No clear best: the best mean by"
                },
                s.by_name,
                if s.higher_is_better {
                    "higher is better"
                } else {
                    "lower is better"
                },
                b.label,
                pm(&b.estimate, 1.0, 2),
                s.by_unit
            );
            if let Some((_, label, d)) = &b.runner_up {
                let _ = write!(
                    o,
                    "; ahead of {label} by {} {} ({})",
                    crate::report::words::estimate(&Estimate {
                        mean: d.mean.abs(),
                        ..*d
                    }),
                    s.by_unit,
                    match (b.significant, b.negligible) {
                        (true, true) => "significant, but under 0.5 %: no practical difference",
                        (true, false) => "significant",
                        (false, _) => "not significant",
                    }
                );
            }
            let _ = writeln!(o, ".");
        }
        None => {
            let _ = writeln!(o, "\nNo setting gives a value for {}.", s.by_name);
        }
    }
    fit(&o)
}

/// The business case in plain terms: money in, money back, when.
pub fn business_case(c: &crate::economics::BusinessCase) -> String {
    use crate::report::html::grouped;
    use crate::report::words;
    let cur = &c.assumptions.currency;
    let mut o = String::new();
    let money = |e: &Estimate| match words::money_estimate(e).as_str() {
        "–" => "–".to_string(),
        m => format!("{m} {cur}"),
    };
    let _ = writeln!(
        o,
        "{}",
        trf(
            "Business case: \"{variant}\" against \"{base}\" ({n} paired replications)",
            &[
                ("variant", &c.variant),
                ("base", &c.base),
                ("n", &c.replications)
            ],
        )
    );
    let _ = writeln!(o, "  {}\n", words::case_answer(c));
    let i = &c.investment;
    // Labels are padded by display width: a Korean label takes two columns a syllable.
    let row = |o: &mut String, label: &str, value: String| {
        let _ = writeln!(o, "  {} {value:>20} {cur}", pad_right(label, 34));
    };
    for (name, v) in &i.items {
        row(&mut o, name, grouped(*v));
    }
    row(&mut o, &tr("gross investment"), grouped(i.gross));
    if i.subsidy > 0.0 {
        let rule = match (i.subsidy_rate, i.subsidy_cap) {
            (Some(r), Some(cap)) => trf(
                "subsidy ({rate} %, cap {cap}{applies})",
                &[
                    ("rate", &format!("{:.0}", r * 100.0)),
                    ("cap", &grouped(cap)),
                    (
                        "applies",
                        &if i.cap_binding {
                            tr(", cap applies")
                        } else {
                            String::new()
                        },
                    ),
                ],
            ),
            _ => tr("subsidy"),
        };
        row(&mut o, &rule, format!("−{}", grouped(i.subsidy)));
        row(&mut o, &tr("net investment"), grouped(i.net));
    }
    let y = &c.yearly;
    let _ = writeln!(
        o,
        "\n  {}",
        trf(
            "per year (variant − base; the window scaled to a year × {factor}; ± = 95 % interval of the mean):",
            &[("factor", &format!("{:.2}", c.assumptions.annual_factor))],
        )
    );
    // A line whose effect is zero in every replication says nothing.
    let nonzero =
        |e: &Estimate| e.n > 0 && (e.mean != 0.0 || e.half_width.is_some_and(|h| h > 0.0));
    // (label, figure, unit: None for money in the currency)
    let lines: [(&str, &Estimate, Option<&str>); 6] = [
        ("extra good parts", &y.extra_good_parts, Some("parts")),
        ("margin gained", &y.margin_gain, None),
        ("labour hours saved", &y.labour_hours_saved, Some("h")),
        ("labour cost saved", &y.labour_saving, None),
        ("energy cost saved", &y.energy_saving, None),
        ("scrap cost saved", &y.scrap_saving, None),
    ];
    let item = |o: &mut String, label: &str, value: String| {
        let _ = writeln!(o, "    {} {value:>32}", pad_right(&tr(label), 21));
    };
    for (name, e, unit) in lines {
        if nonzero(e) {
            let v = match unit {
                None => money(e),
                Some(u) => format!("{} {}", pm(e, 1.0, 0), tr(u)),
            };
            item(&mut o, name, v);
        }
    }
    if y.maintenance > 0.0 {
        item(
            &mut o,
            "maintenance",
            format!("{} {cur}", words::money(-y.maintenance)),
        );
    }
    item(&mut o, "net cash flow", money(&y.net_cash_flow));
    o.push('\n');
    let life = i.life_years;
    let subsidised = i.subsidy > 0.0;
    let tagged = |name: &str, with: bool| match (subsidised, with) {
        (false, _) => tr(name),
        (true, true) => trf("{figure} (with subsidy)", &[("figure", &tr(name))]),
        (true, false) => trf("{figure} (without subsidy)", &[("figure", &tr(name))]),
    };
    let figure = |o: &mut String, label: String, value: String| {
        let _ = writeln!(o, "  {} {value}", pad_right(&label, 26));
    };
    let _ = writeln!(
        o,
        "  {}",
        tr(
            "Over replications, each its measured window scaled to a year (10–90 % of outcomes: the middle\n  80 % of those; a whole year mixes many such windows and varies less, so the range is cautious):"
        )
    );
    figure(
        &mut o,
        tagged("payback", true),
        words::payback(&c.payback_years, life),
    );
    if subsidised {
        figure(
            &mut o,
            tagged("payback", false),
            words::payback(&c.payback_without_subsidy_years, life),
        );
    }
    let _ = writeln!(
        o,
        "  {}",
        trf(
            "NPV at {rate} %, {years} years",
            &[
                (
                    "rate",
                    &format!("{:.1}", c.assumptions.discount_rate * 100.0)
                ),
                ("years", &life),
            ],
        )
    );
    figure(
        &mut o,
        tagged("NPV", true),
        words::npv(&c.npv, c.npv_positive_share, cur),
    );
    if subsidised {
        figure(
            &mut o,
            tagged("NPV", false),
            words::npv(
                &c.npv_without_subsidy,
                c.npv_positive_share_without_subsidy,
                cur,
            ),
        );
    }
    figure(&mut o, tagged("IRR", true), words::irr(&c.irr));
    if subsidised {
        figure(
            &mut o,
            tagged("IRR", false),
            words::irr(&c.irr_without_subsidy),
        );
    }
    let u = &c.with_price_uncertainty;
    let _ = writeln!(
        o,
        "  {}",
        trf(
            "With wage, unit margin and energy price uncertain too (each anywhere within ±{range} %; {n} outcomes:\n  each replication with {draws} price draws):",
            &[
                ("range", &format!("{:.0}", (u.range.1 - 1.0) * 100.0)),
                ("n", &u.npv.n),
                ("draws", &u.draws_per_replication),
            ],
        )
    );
    figure(
        &mut o,
        tagged("payback", true),
        words::payback_over(&u.payback_years, life, "outcome"),
    );
    figure(
        &mut o,
        tagged("NPV", true),
        words::npv(&u.npv, u.npv_positive_share, cur),
    );
    if !c.tornado.is_empty() {
        let _ = writeln!(
            o,
            "\n  {}",
            tr("What moves the mean NPV most (low setting → high setting):")
        );
        for t in &c.tornado {
            let _ = writeln!(
                o,
                "    {:<14} {:>10} {:>22} → {:<10} {:>22}",
                t.assumption,
                t.low_setting,
                words::money(t.npv_low),
                t.high_setting,
                words::money(t.npv_high)
            );
        }
    }
    for n in &c.notes {
        let _ = writeln!(o, "\n  Note: {n}.");
    }
    fit(&o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_ids_align_by_display_width() {
        // A Hangul syllable takes two columns: "용접" is 4 wide, not 2.
        assert_eq!(width("용접"), 4);
        assert_eq!(width(&pad_right("용접", 14)), 14);
        assert_eq!(pad_right("weld", 6), "weld  ");
        let cut = truncate("가나다라마바사", 9);
        assert!(width(&cut) <= 9 && cut.ends_with('…'), "{cut}");
        assert_eq!(truncate("press", 14), "press");
    }
}
