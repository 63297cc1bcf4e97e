//! `factory-twin fit LOG`: input distributions fitted to a plant's event log
//! (CSV or OCEL 2.0), per resource: cycle (per product too), setup, repair,
//! time between failures, interarrival; the calibrated Variant (or a scene
//! skeleton without a scene) and the fit report. Exit 2 when the log cannot
//! be read or holds no usable event.

use super::fail;
use crate::calibrate::mapping::Mapping;
use crate::calibrate::{self, Fitting, log};
use crate::error::Diagnostic;
use crate::report::calibration::duration;
use crate::report::{pad_right, truncate};
use serde::Serialize;
use std::path::Path;

/// The JSON output.
#[derive(Serialize)]
struct FitOutput<'a> {
    log: String,
    events: usize,
    bad_rows: Vec<BadRowJson>,
    out_of_order: usize,
    /// Names no mapping knows, with their rows.
    unknown: &'a std::collections::BTreeMap<String, usize>,
    state_rows: usize,
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
    pub map: Option<&'a Path>,
    pub report: Option<&'a Path>,
    pub json: bool,
    pub min_n: usize,
}

/// Reads a log (CSV or OCEL 2.0 JSON) with the default names and a mapping
/// file's; the exit code when it cannot.
pub(super) fn read_log(path: &Path, map: Option<&Path>) -> Result<log::Log, i32> {
    let name = path.display();
    let mapping = Mapping::from_file(map).map_err(|m| fail(&Diagnostic::new(m)))?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| fail(&Diagnostic::new(format!("cannot read {name}: {e}"))))?;
    log::read(&text, &mapping).map_err(|m| fail(&Diagnostic::new(format!("{name}: {m}"))))
}

pub(super) fn fit(a: &FitArgs) -> i32 {
    let (path, json, min_n) = (a.log, a.json, a.min_n);
    let name = path.display().to_string();
    // With the scene, durations count each resource's working time only;
    // without, the log's long pauses (nights, weekends) are left out.
    let loaded = match a.scene.map(crate::scene::load_scene) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(d)) => return fail(&d),
    };
    let log = match read_log(path, a.map) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let time = loaded.as_ref().map_or_else(
        || calibrate::WorkingTime::of_log(&log),
        calibrate::WorkingTime::of_scene,
    );
    let (fittings, unpaired) = calibrate::fit_log(&log, &time, min_n);
    let mut wrote = None;
    if let Some(out) = a.out {
        let written = match (&loaded, a.scene) {
            (Some(scene), Some(scene_path)) => {
                calibrate::variant::write(scene, scene_path, out, &name, &fittings)
            }
            _ => calibrate::skeleton::write(&log, &name, &fittings),
        };
        let written = written.map_err(Diagnostic::new).and_then(|(text, n)| {
            std::fs::write(out, text)
                .map(|()| n)
                .map_err(|e| Diagnostic::new(format!("cannot write {}: {e}", out.display())))
        });
        match written {
            Ok(n) => wrote = Some(n),
            Err(d) => return fail(&d),
        }
    }
    if let Some(report) = a.report {
        let facts = crate::report::calibration::LogFacts {
            name: &name,
            events: log.events.len(),
            bad_rows: log.bad.len(),
            out_of_order: log.out_of_order,
            unknown: log.unknown.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            ends_without_start: unpaired.ends_without_start,
            starts_without_end: unpaired.starts_without_end,
            working_time: loaded.is_some(),
            pauses: time.pauses.len(),
        };
        let html = crate::report::calibration::fit_report(&facts, &fittings);
        if let Err(code) = super::write_report(report, &html) {
            return code;
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
            unknown: &log.unknown,
            state_rows: log.state_rows,
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
    if log.state_rows > 0 {
        outln!(
            "  {} rows were state changes: entering working starts a part and leaving it finishes one",
            log.state_rows
        );
    }
    if !log.unknown.is_empty() {
        outln!(
            "  names no mapping knows (rows not used; map them with --map FILE.ron): {}",
            log.unknown
                .iter()
                .map(|(n, c)| format!("{n} ({c} rows)"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
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
            "  without --scene: durations leave out the log's {} pauses of over ten minutes with no event anywhere (breaks, nights, weekends);\n  with --scene SCENE.ron they leave out each resource's own time off shift",
            time.pauses.len()
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
        "\n  {:<16} {:<26} {:>6} {:>5} {:>10}  {:<12} {:>7} {:>7}  next by AIC",
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
            "  {} {} {:>6} {:>5} {:>10}  {:<12} {:>7.3} {:>7.3}  {next}",
            pad_right(&truncate(&f.resource, 16), 16),
            pad_right(
                &truncate(
                    &match &f.product {
                        Some(p) => format!("{} of {p}", f.measure.label()),
                        None => f.measure.label().to_string(),
                    },
                    26
                ),
                26
            ),
            f.n,
            f.censored,
            duration(f.mean_s),
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
                duration(d.first_half_mean_s),
                duration(d.second_half_mean_s),
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
    match (a.out, wrote, a.scene) {
        (Some(out), Some(n), Some(_)) => outln!(
            "\nWrote {}: a Variant of the scene with the fitted distributions of {n} objects\n(check it against the log: factory-twin validate-model {} {name}).",
            out.display(),
            out.display()
        ),
        (Some(out), Some(n), None) => outln!(
            "\nWrote {}: a scene skeleton of {n} objects built from the log's routes (review it, then:\nfactory-twin validate-model {} {name}).",
            out.display(),
            out.display()
        ),
        _ => {}
    }
    if let Some(r) = a.report {
        outln!("Wrote the fit report {}", r.display());
    }
    outln!(
        "\n(Best = lowest AIC. The p-values treat the fitted parameters as known, so they are optimistic: a\nfamily with p < {REJECT} does not fit; one with a high p may still be one of several that do.)"
    );
    0
}
