//! `factory-twin fit LOG.csv`: input distributions fitted to a plant's event
//! log, per resource: cycle, repair, time between failures, interarrival.
//! Exit 2 when the log cannot be read or holds no usable event.

use super::fail;
use crate::calibrate::{self, Fitting, log};
use crate::error::Diagnostic;
use crate::report::{pad_right, truncate};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The JSON output.
#[derive(Serialize)]
struct FitOutput<'a> {
    log: String,
    events: usize,
    bad_rows: Vec<BadRowJson>,
    out_of_order: usize,
    unpaired: calibrate::Unpaired,
    fittings: &'a [Fitting],
}

#[derive(Serialize)]
struct BadRowJson {
    line: usize,
    reason: String,
}

/// A family whose Kolmogorov–Smirnov p-value is below this does not fit.
const REJECT: f64 = 0.01;

/// The command's options.
pub(super) struct FitArgs<'a> {
    pub log: &'a Path,
    pub scene: Option<&'a Path>,
    pub out: Option<&'a Path>,
    pub json: bool,
    pub min_n: usize,
}

pub(super) fn fit(a: &FitArgs) -> i32 {
    let (path, json, min_n) = (a.log, a.json, a.min_n);
    let name = path.display().to_string();
    if a.out.is_some() && a.scene.is_none() {
        return fail(&Diagnostic::new(
            "--out writes a Variant of the scene the log comes from: give it with --scene SCENE.ron",
        ));
    }
    // With the scene, durations count each resource's working time only.
    let loaded = match a.scene.map(crate::scene::load_scene) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(d)) => return fail(&d),
    };
    let calendars = loaded
        .as_ref()
        .map_or_else(BTreeMap::new, calibrate::working_calendars);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return fail(&Diagnostic::new(format!("cannot read {name}: {e}"))),
    };
    let log = match log::read(&text) {
        Ok(l) => l,
        Err(m) => return fail(&Diagnostic::new(format!("{name}: {m}"))),
    };
    let (fittings, unpaired) = calibrate::fit_log(&log, &calendars, min_n);
    let mut wrote = None;
    if let (Some(out), Some(scene), Some(scene_path)) = (a.out, &loaded, a.scene) {
        let written = calibrate::variant::write(scene, scene_path, out, &name, &fittings)
            .map_err(Diagnostic::new)
            .and_then(|(text, n)| {
                std::fs::write(out, text)
                    .map(|()| n)
                    .map_err(|e| Diagnostic::new(format!("cannot write {}: {e}", out.display())))
            });
        match written {
            Ok(n) => wrote = Some(n),
            Err(d) => return fail(&d),
        }
    }
    if json {
        let out = FitOutput {
            log: name,
            events: log.events.len(),
            bad_rows: log
                .bad
                .iter()
                .map(|b| BadRowJson {
                    line: b.line,
                    reason: b.reason.clone(),
                })
                .collect(),
            out_of_order: log.out_of_order,
            unpaired,
            fittings: &fittings,
        };
        outln!(
            "{}",
            serde_json::to_string_pretty(&out).expect("serialises")
        );
        return 0;
    }
    outln!(
        "Fits of {name}: {} events read, {} bad rows, {} out of time order (sorted)",
        log.events.len(),
        log.bad.len(),
        log.out_of_order
    );
    for b in log.bad.iter().take(10) {
        outln!("  line {}: {}", b.line, b.reason);
    }
    if log.bad.len() > 10 {
        outln!(
            "  … and {} more bad rows (--json lists them all)",
            log.bad.len() - 10
        );
    }
    if a.scene.is_none() {
        outln!(
            "  times are calendar time: with --scene SCENE.ron, each resource's time off shift is left out"
        );
    }
    if unpaired.ends_without_start + unpaired.starts_without_end > 0 {
        outln!(
            "  {} ends without a start (the log began mid-way), {} starts without an end (still running at its end): not counted",
            unpaired.ends_without_start,
            unpaired.starts_without_end
        );
    }
    if fittings.is_empty() {
        outln!(
            "\nNo resource has {min_n} complete durations of one kind to fit (--min sets the least)."
        );
        return 0;
    }
    outln!(
        "\n  {:<16} {:<17} {:>6} {:>5} {:>10}  {:<12} {:>7} {:>7}  next by AIC",
        "resource",
        "measure",
        "n",
        "cens",
        "mean",
        "best",
        "KS p",
        "AD p"
    );
    for f in &fittings {
        let Some(best) = f.fits.first() else {
            continue;
        };
        let next = f.fits.get(1).map_or(String::new(), |n| {
            format!("{} (ΔAIC {:.1})", n.fitted.name(), n.aic - best.aic)
        });
        outln!(
            "  {} {:<17} {:>6} {:>5} {:>10}  {:<12} {:>7.3} {:>7.3}  {next}",
            pad_right(&truncate(&f.resource, 16), 16),
            f.measure.label(),
            f.n,
            f.censored,
            seconds(f.mean_s),
            best.fitted.name(),
            best.ks_p,
            best.ad_p
        );
        if f.outliers > 0 {
            outln!(
                "  {:<16} {} too far out for the rest of the data: kept in the fit; check them in the log",
                "",
                f.outliers
            );
        }
        if let Some(d) = f.drift.as_ref().filter(|d| d.found()) {
            outln!(
                "  {:<16} drift: the first half averages {}, the second {} (KS p {:.4}): the line changed during the log; fit the part that is like today",
                "",
                seconds(d.first_half_mean_s),
                seconds(d.second_half_mean_s),
                d.p
            );
        }
        if f.fits.iter().all(|x| x.ks_p < REJECT) {
            outln!(
                "  {:<16} no family fits (every KS p < {REJECT}): use the data as an Empirical table",
                ""
            );
        } else {
            let dist = calibrate::variant::dist(&best.fitted);
            let text = calibrate::variant::scene_syntax(&dist).expect("a distribution serialises");
            outln!("  {:<16} {text}", "");
        }
    }
    if let (Some(out), Some(n)) = (a.out, wrote) {
        outln!(
            "\nWrote {}: a Variant of the scene with the fitted cycle and failure distributions of {n} objects\n(run it, or compare it with the scene: factory-twin compare SCENE {}).",
            out.display(),
            out.display()
        );
    }
    outln!(
        "\n(Best = lowest AIC. The p-values treat the fitted parameters as known, so they are optimistic: a\nfamily with p < {REJECT} does not fit; one with a high p may still be one of several that do.)"
    );
    0
}

fn seconds(s: f64) -> String {
    if s >= 7200.0 {
        format!("{:.2} h", s / 3600.0)
    } else if s >= 120.0 {
        format!("{:.2} min", s / 60.0)
    } else {
        format!("{s:.2} s")
    }
}
