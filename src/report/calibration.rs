//! The calibration reports: what `fit` found in the log (per resource the
//! data's histogram with the fitted densities, a Q–Q plot, every family's
//! goodness of fit, the family chosen and why) and what `validate-model`
//! found (the match table and chart, the verdict first).

use super::chart::escape;
use super::html::{classed_table, heading, page, table};
use super::plots::{self, MatchRow};
use crate::calibrate::validate::{Check, Validation};
use crate::calibrate::{Fitting, variant};
use std::fmt::Write;

/// A density in the chart's unit.
type Pdf<'a> = Box<dyn Fn(f64) -> f64 + 'a>;

/// What the fit report says about the log itself.
pub struct LogFacts<'a> {
    pub name: &'a str,
    pub events: usize,
    pub bad_rows: usize,
    pub out_of_order: usize,
    pub unknown: Vec<(String, usize)>,
    pub ends_without_start: usize,
    pub starts_without_end: usize,
    /// Durations count working time (a scene's shifts were given).
    pub working_time: bool,
    /// Without a scene: the log's long pauses left out of durations.
    pub pauses: usize,
}

/// A duration in the unit that reads best ("31.62 s", "12.63 min", "3.61 h").
pub fn duration(s: f64) -> String {
    let (scale, unit) = scale_of(s);
    format!("{:.2} {unit}", s / scale)
}

/// Seconds shown in the unit of `scale` (1, 60 or 3600) and its name.
fn scale_of(mean: f64) -> (f64, &'static str) {
    if mean >= 7200.0 {
        (3600.0, "h")
    } else if mean >= 120.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    }
}

fn title_of(f: &Fitting) -> String {
    match &f.product {
        Some(p) => format!("{} — {} of {p}", f.resource, f.measure.label()),
        None => format!("{} — {}", f.resource, f.measure.label()),
    }
}

/// The fit report.
pub fn fit_report(facts: &LogFacts, fittings: &[Fitting]) -> String {
    let mut first = String::from("<div class=\"first\">");
    let families = fittings
        .iter()
        .filter(|f| f.fits.first().is_some_and(|b| b.ks_p >= variant::ACCEPT))
        .count();
    let drift: Vec<String> = fittings
        .iter()
        .filter(|f| f.drift.as_ref().is_some_and(|d| d.found()))
        .map(title_of)
        .collect();
    let _ = write!(
        first,
        "<p class=\"answer\">{} distributions fitted from {} events: {families} follow a family, {} are used as the data themselves (no family fits).</p>",
        fittings.len(),
        facts.events,
        fittings.len() - families
    );
    if !drift.is_empty() {
        let _ = write!(
            first,
            "<p class=\"summary\">The line changed during the log (drift, first half against second half): {}. Fit the part of the log that is like today before trusting these.</p>",
            escape(&drift.join(", "))
        );
    }
    let mut notes = vec![format!(
        "{} bad rows (listed by `fit --json`), {} events out of time order (sorted), {} ends without a start and {} starts without an end (not counted).",
        facts.bad_rows, facts.out_of_order, facts.ends_without_start, facts.starts_without_end
    )];
    if !facts.unknown.is_empty() {
        notes.push(format!(
            "Names no mapping knows (rows not used; map them with --map): {}.",
            facts
                .unknown
                .iter()
                .map(|(n, c)| format!("{n} ({c})"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    notes.push(if facts.working_time {
        "Durations count each resource's working time (its shifts in the scene).".into()
    } else {
        format!(
            "No scene given: durations leave out the log's {} pauses of over ten minutes with no event anywhere (breaks, nights, weekends); with --scene, each resource's own time off shift is left out.",
            facts.pauses
        )
    });
    notes.push("Sources keep the scene's arrivals in the calibrated variant: a log records the parts that entered, not the demand turned away at a full entry.".into());
    notes.push("Best = lowest AIC. The Kolmogorov–Smirnov and Anderson–Darling p-values treat the fitted parameters as known, so they are optimistic: a family with p < 0.01 does not fit; one with a high p may be one of several that do.".into());
    for n in notes {
        let _ = write!(first, "<p class=\"note\">{}</p>", escape(&n));
    }
    first.push_str("</div>\n");
    let mut body = String::new();
    heading(&mut body, 2, "Fitted distributions");
    let rows: Vec<Vec<String>> = fittings
        .iter()
        .map(|f| {
            let (dist, why) = variant::chosen(f).map_or(("–".into(), String::new()), |(d, w)| {
                (variant::scene_syntax(&d).unwrap_or_default(), w)
            });
            vec![
                escape(&title_of(f)),
                format!("{}", f.n),
                format!("{}", f.censored),
                duration(f.mean_s),
                format!("<code>{}</code>", escape(&dist)),
                escape(&why),
            ]
        })
        .collect();
    classed_table(
        &mut body,
        "figures",
        &[
            "resource and measure",
            "n",
            "censored",
            "mean",
            "chosen",
            "why",
        ],
        &rows,
    );
    for f in fittings {
        fitting_section(f, &mut body);
    }
    page(
        &format!("Fitted input distributions: {}", facts.name),
        "factory-twin fit",
        &first,
        &body,
        "",
    )
}

fn fitting_section(f: &Fitting, body: &mut String) {
    let _ = writeln!(body, "<h3>{}</h3>", escape(&title_of(f)));
    let (scale, unit) = scale_of(f.mean_s);
    let data: Vec<f64> = f.data.iter().map(|v| v / scale).collect();
    // The best two families' densities, in the chart's unit.
    let pdfs: Vec<(&str, Pdf)> = f
        .fits
        .iter()
        .take(2)
        .map(|x| {
            let pdf: Pdf = Box::new(move |v| x.fitted.pdf(v * scale) * scale);
            (x.fitted.name(), pdf)
        })
        .collect();
    let curves: Vec<(&str, &dyn Fn(f64) -> f64)> =
        pdfs.iter().map(|(n, p)| (*n, p.as_ref())).collect();
    body.push_str("<div style=\"display:flex;flex-wrap:wrap;gap:8px\">");
    body.push_str(&plots::density_fit(
        "Data and fitted densities",
        &format!("{} ({unit})", f.measure.label()),
        &data,
        &curves,
    ));
    if let Some(best) = f.fits.first() {
        let mut sorted = data.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len() as f64;
        // At most 200 points: every k-th order statistic.
        let step = (sorted.len() / 200).max(1);
        let points: Vec<(f64, f64)> = sorted
            .iter()
            .enumerate()
            .step_by(step)
            .map(|(i, v)| {
                let p = (i as f64 + 0.5) / n;
                (best.fitted.quantile(p) / scale, *v)
            })
            .collect();
        body.push_str(&plots::qq(
            &format!("Q–Q: {}", best.fitted.name()),
            unit,
            &points,
        ));
    }
    body.push_str("</div>\n");
    let rows: Vec<Vec<String>> = f
        .fits
        .iter()
        .map(|x| {
            let params = variant::scene_syntax(&variant::dist(&x.fitted)).unwrap_or_default();
            vec![
                escape(x.fitted.name()),
                format!("<code>{}</code>", escape(&params)),
                format!("{:.1}", x.aic),
                format!("{:.1}", x.bic),
                format!("{:.3}", x.ks),
                format!("{:.3}", x.ks_p),
                format!("{:.2}", x.ad),
                format!("{:.3}", x.ad_p),
            ]
        })
        .collect();
    table(
        body,
        &[
            "family",
            "parameters",
            "AIC",
            "BIC",
            "KS D",
            "KS p",
            "AD A²",
            "AD p",
        ],
        &rows,
    );
    let mut notes = Vec::new();
    if let Some((_, why)) = variant::chosen(f) {
        notes.push(format!("Chosen: {why}."));
    }
    if f.outliers > 0 {
        notes.push(format!(
            "{} observations too far out for the rest of the data (kept in the fit; check them in the log).",
            f.outliers
        ));
    }
    if let Some(d) = f.drift.as_ref() {
        notes.push(if d.found() {
            format!(
                "Drift: the first half averages {}, the second {} (two-sample KS p {:.4}): the line changed during the log.",
                duration(d.first_half_mean_s),
                duration(d.second_half_mean_s),
                d.p
            )
        } else {
            format!(
                "No drift: the first and second halves agree (two-sample KS p {:.2}).",
                d.p
            )
        });
    }
    for n in notes {
        let _ = writeln!(body, "<p class=\"note\">{}</p>", escape(&n));
    }
}

/// A check's figure as people read it.
pub fn figure_name(c: &Check) -> String {
    let what = match c.figure {
        "good_per_hour" => "good parts per hour",
        "wip" => "WIP (parts)",
        "lead_time_p50" => "lead time, median",
        "lead_time_p90" => "lead time, 90th percentile",
        "working" => "working share",
        "setup" => "setup share",
        "failed" => "failed share",
        "maintenance" => "maintenance share",
        "off_shift" => "off-shift share",
        "idle" => "idle share (starved, blocked, waiting)",
        other => other,
    };
    match &c.resource {
        Some(r) => format!("{r}: {what}"),
        None => format!("line: {what}"),
    }
}

/// A check's value in its unit ("71.2 %", "12.4 min", "47.1").
pub fn value(c: &Check, v: f64) -> String {
    // + 0.0 turns an empty sum's −0 into 0.
    let v = v + 0.0;
    match c.unit {
        "share" => format!("{:.1} %", v * 100.0),
        "s" => duration(v),
        _ => format!("{v:.2}"),
    }
}

/// The verdict in one sentence.
pub fn verdict(v: &Validation) -> String {
    let m = v.checks.len();
    if v.matches() {
        format!(
            "The model matches the log: all {m} figures lie within what the model expects for a period of this length ({} outside its own 95 % range, where chance alone puts about {:.0}).",
            v.outside(),
            m as f64 * 0.05
        )
    } else {
        let off = v.stations_off();
        let line = v.mismatches().iter().any(|c| c.resource.is_none());
        let mut where_ = off.join(", ");
        if line {
            where_ = if where_.is_empty() {
                "the line's figures".into()
            } else {
                format!("the line's figures and {where_}")
            };
        }
        format!(
            "The model does not match the log at {where_}: {} of {m} figures lie outside even the range that allows for the number of figures compared.",
            v.mismatches().len()
        )
    }
}

/// The match report.
pub fn validate_report(scene_name: &str, log_name: &str, v: &Validation) -> String {
    let mut first = String::from("<div class=\"first\">");
    let _ = write!(first, "<p class=\"answer\">{}</p>", escape(&verdict(v)));
    let _ = write!(
        first,
        "<p class=\"note\">{}</p>",
        escape(&format!(
            "The log's {} period(s) of {} each, replayed with the model over {} replications of the same length (starting at the same time of the week). Each range is the model's 95 % prediction interval for the log's figure: where the plant's value should lie if the model is right. With {} figures, about one in twenty falls outside its range by chance; the verdict uses the wider range that allows for that (Bonferroni).",
            v.periods,
            duration(v.period_s),
            v.replications,
            v.checks.len()
        ))
    );
    if !v.only_in_log.is_empty() || !v.only_in_model.is_empty() {
        let _ = write!(
            first,
            "<p class=\"note\">{}</p>",
            escape(&format!(
                "In the log but not the model: {}. In the model but not the log: {}.",
                list(&v.only_in_log),
                list(&v.only_in_model)
            ))
        );
    }
    first.push_str("</div>\n");
    let mut body = String::new();
    heading(&mut body, 2, "Log against model");
    let rows: Vec<Vec<String>> = v
        .checks
        .iter()
        .map(|c| {
            let mark = if c.mismatch {
                "<span class=\"worse\">does not match</span>"
            } else if !c.inside {
                "outside 95 % (could be chance)"
            } else {
                "<span class=\"better\">inside</span>"
            };
            vec![
                escape(&figure_name(c)),
                value(c, c.log),
                value(c, c.model),
                format!("{} – {}", value(c, c.low), value(c, c.high)),
                mark.to_string(),
            ]
        })
        .collect();
    classed_table(
        &mut body,
        "figures",
        &[
            "figure",
            "log",
            "model mean",
            "model's 95 % range",
            "verdict",
        ],
        &rows,
    );
    let working: Vec<(&Check, String)> = v
        .checks
        .iter()
        .filter(|c| c.figure == "working")
        .map(|c| (c, figure_name(c)))
        .collect();
    let shares: Vec<MatchRow> = working
        .iter()
        .map(|(c, label)| MatchRow {
            label,
            low: c.low * 100.0,
            high: c.high * 100.0,
            model: c.model * 100.0,
            log: c.log * 100.0,
            inside: c.inside,
        })
        .collect();
    if !shares.is_empty() {
        body.push_str(&plots::match_chart(
            "Working share: model's range (bar) and the log (dot)",
            "share of the period (%)",
            &shares,
        ));
    }
    page(
        &format!("Does the model match the plant? {scene_name}"),
        &format!("factory-twin validate-model, log {log_name}"),
        &first,
        &body,
        "",
    )
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}
