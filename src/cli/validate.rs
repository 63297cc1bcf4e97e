//! `factory-twin validate-model SCENE LOG`: the model replays the log's
//! period over replications and each figure the log can tell is put beside
//! the model's range; a verdict and the stations that do not match. Exit 0
//! when the model matches, 1 when it does not, 2 on bad input.

use super::fail;
use super::fit::read_log;
use crate::calibrate::{self, observed, validate};
use crate::error::Diagnostic;
use crate::report::calibration::{figure_name, validate_report, value, verdict};
use crate::report::{pad_right, truncate};
use std::path::Path;

/// The command's options.
pub(super) struct ValidateArgs<'a> {
    pub scene: &'a Path,
    pub log: &'a Path,
    pub map: Option<&'a Path>,
    pub reps: u32,
    pub report: Option<&'a Path>,
    pub json: bool,
}

pub(super) fn validate_model(a: &ValidateArgs) -> i32 {
    let scene = match crate::scene::load_scene(a.scene) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let log = match read_log(a.log, a.map) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let log_name = a.log.display().to_string();
    let time = calibrate::WorkingTime::of_scene(&scene);
    let periods = observed::periods(&log, Some(&scene), &time.calendars);
    if periods.iter().all(|p| p.length_s() <= 0.0) {
        return fail(&Diagnostic::new(format!(
            "{log_name}: the log spans no time (its first and last events are at the same time)"
        )));
    }
    let v = match validate::validate(&scene, &periods, a.reps, !a.json) {
        Ok(v) => v,
        Err(e) => return super::run_failed(e, Some(a.scene)),
    };
    if let Some(report) = a.report
        && let Err(code) = super::write_report(report, &validate_report(&scene.name, &log_name, &v))
    {
        return code;
    }
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "scene": scene.name,
                "log": log_name,
                "matches": v.matches(),
                "verdict": verdict(&v),
                "stations_off": v.stations_off(),
                "validation": v,
            }))
            .expect("serialises")
        );
    } else {
        print_table(&v);
        if let Some(r) = a.report {
            outln!("Wrote the match report {}", r.display());
        }
    }
    i32::from(!v.matches())
}

fn print_table(v: &validate::Validation) {
    outln!("{}\n", verdict(v));
    outln!(
        "  {} {:>12} {:>12}  {:<27} verdict",
        pad_right("figure", 40),
        "log",
        "model",
        "model's 95 % range"
    );
    for c in &v.checks {
        let mark = if c.mismatch {
            "DOES NOT MATCH"
        } else if !c.inside {
            "outside 95 % (could be chance)"
        } else {
            "inside"
        };
        outln!(
            "  {} {:>12} {:>12}  {:<27} {mark}",
            pad_right(&truncate(&figure_name(c), 40), 40),
            value(c, c.log),
            value(c, c.model),
            format!("{} – {}", value(c, c.low), value(c, c.high)),
        );
    }
    outln!(
        "\n({} period(s) of the log against {} replications of the model over the same length of time.\nRange = the model's 95 % prediction interval for the log's figure; the verdict allows for the {} figures compared.)",
        v.periods,
        v.replications,
        v.checks.len()
    );
    if !v.only_in_log.is_empty() {
        outln!(
            "In the log but not in the model: {}",
            v.only_in_log.join(", ")
        );
    }
    if !v.only_in_model.is_empty() {
        outln!(
            "In the model but not in the log: {}",
            v.only_in_model.join(", ")
        );
    }
}
