//! `factory-twin sweep`: a grid over scene parameters, the best setting.

use super::{
    Files, RepOptions, done, fail, options, run_failed, write_file, write_report, write_workbook,
};
use crate::error::Diagnostic;
use crate::experiment::{self, Axis, kpi_by_key};
use crate::report;
use crate::scene::load_scene_with_inputs;
use std::path::Path;

pub(super) fn sweep(
    path: &Path,
    set: &[String],
    by: &str,
    reps: &RepOptions,
    json: bool,
    chart: Option<&Path>,
    out: Files<'_>,
) -> i32 {
    let (csv, report_file) = (out.csv, out.report);
    let (scene, files) = match load_scene_with_inputs(path) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let axes = match set
        .iter()
        .map(|s| Axis::parse(s))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(a) => a,
        Err(d) => return fail(&d),
    };
    let by = match kpi_by_key(by) {
        Ok(k) => k,
        Err(d) => return fail(&d.with_context("--by")),
    };
    let options = match options(reps, 2, false) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let s = match experiment::sweep(&scene, &axes, by, &options) {
        Ok(s) => s,
        Err(e) => return run_failed(e, Some(path)),
    };
    if let Some(dir) = csv
        && let Err(e) = report::write_sweep_csv(&s, dir, out.csv_bom)
    {
        return fail(&Diagnostic::new(format!(
            "cannot write CSV files into {}: {e}",
            dir.display()
        )));
    }
    if let Some(file) = chart {
        let svg = report::html::sweep_chart(&s, &format!("{}: {} by setting", s.scene, s.by_name));
        if let Err(code) = write_file(file, "chart", &svg) {
            return code;
        }
    }
    let warmup = scene.run.warmup.map_or(0.0, |w| w.secs());
    let inputs = report::Inputs::of(&files).with_window(warmup, scene.run.horizon.secs());
    if let Some(file) = report_file
        && let Err(code) = write_report(file, &report::sweep_report(&s, &inputs))
    {
        return code;
    }
    if let Some(file) = out.xlsx
        && let Err(code) = write_workbook(file, |p| report::sweep_workbook(&s, &inputs, p))
    {
        return code;
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(&s).expect("serialises"));
    } else {
        out!("{}", report::sweep(&s));
    }
    done(s.replications, s.replications_requested)
}
