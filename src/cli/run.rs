//! `factory-twin run`: one scene, its replications, every output.

use super::{
    RepOptions, done, fail, options, run_failed, write_file, write_report, write_workbook,
};
use crate::error::Diagnostic;
use crate::experiment::{self, Summary};
use crate::report;
use crate::scene::load_scene_with_inputs;
use std::path::{Path, PathBuf};

/// Files `run` writes besides its report.
pub(super) struct Outputs {
    pub csv: Option<PathBuf>,
    pub events: Option<PathBuf>,
    pub chart: Option<PathBuf>,
    pub report: Option<PathBuf>,
    pub xlsx: Option<PathBuf>,
    /// Start CSV files with a UTF-8 byte-order mark.
    pub csv_bom: bool,
    /// Run the bottleneck experiment too.
    pub relief: bool,
}

pub(super) fn run(
    path: &Path,
    reps: &RepOptions,
    json: bool,
    seed: Option<u64>,
    out: Outputs,
) -> i32 {
    let (mut scene, files) = match load_scene_with_inputs(path) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    if let Some(s) = seed {
        scene.run.seed = s;
    }
    let options = match options(reps, 1, out.events.is_some()) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let requested = reps.reps.unwrap_or(scene.run.replications);
    if out.events.is_some()
        && let Err(code) = check_event_log_size(&scene, requested, path)
    {
        return code;
    }
    let runs = match experiment::run_all(&scene, &options) {
        Ok(r) => r,
        Err(e) => return run_failed(e, Some(path)),
    };
    let results: Vec<_> = runs.iter().map(|r| r.result.clone()).collect();
    let summary = Summary::new(&scene, &results);
    if let Some(dir) = &out.csv
        && let Err(e) = report::write_csv(&summary, dir, out.csv_bom)
    {
        return fail(&Diagnostic::new(format!(
            "cannot write CSV files into {}: {e}",
            dir.display()
        )));
    }
    if let Some(file) = &out.events {
        let (ids, products) = match crate::sim::build(&scene, 0) {
            Ok(e) => (
                e.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>(),
                e.products.clone(),
            ),
            Err(d) => return fail(&d),
        };
        if let Err(e) = report::write_events(file, &ids, &products, &runs, out.csv_bom) {
            return fail(&Diagnostic::new(format!(
                "cannot write the event log {}: {e}",
                file.display()
            )));
        }
    }
    if let Some(file) = &out.chart
        && let Err(code) = write_file(file, "chart", &report::state_chart(&summary))
    {
        return code;
    }
    let relief = if out.relief && !experiment::stop_requested() {
        let options = experiment::Options {
            event_log: false,
            ..options.clone()
        };
        match experiment::relieve_each(&scene, &options) {
            Ok(e) => Some(e),
            Err(experiment::RunError::Stopped) => None,
            Err(e) => return run_failed(e, Some(path)),
        }
    } else {
        None
    };
    let inputs = report::Inputs::of(&files);
    if let Some(file) = &out.report
        && let Err(code) = write_report(
            file,
            &report::run_report(&summary, relief.as_ref(), &inputs),
        )
    {
        return code;
    }
    if let Some(file) = &out.xlsx
        && let Err(code) = write_workbook(file, |p| report::run_workbook(&summary, &inputs, p))
    {
        return code;
    }
    let text = if json {
        report::json(&summary)
    } else {
        let mut text = report::terminal(&summary);
        if let Some(e) = &relief {
            text.push('\n');
            text.push_str(&report::relief(e));
        }
        text
    };
    out!("{text}");
    done(summary.replications, requested)
}

/// Event-log lines per engine event and bytes per line, measured on the
/// bundled scenes (2.7 to 3.5 lines, 37 to 38 bytes): rounded up.
const LINES_PER_EVENT: f64 = 3.5;
const BYTES_PER_LINE: f64 = 40.0;
/// Above this the log is not written: it would also be held in memory first.
const MAX_EVENT_LOG_BYTES: f64 = 4e9;

/// Runs replication 0 without a log to estimate the event log's size; says
/// the size on standard error when it is large, refuses (exit 2) when it
/// is too large to hold.
fn check_event_log_size(scene: &crate::scene::Scene, reps: u32, path: &Path) -> Result<(), i32> {
    let engine = crate::sim::build(scene, 0).map_err(|d| fail(&d.in_file(path)))?;
    let events = crate::sim::run_in_app(engine).events as f64;
    let lines = events * LINES_PER_EVENT * f64::from(reps.max(1));
    let bytes = lines * BYTES_PER_LINE;
    if bytes > MAX_EVENT_LOG_BYTES {
        return Err(fail(
            &Diagnostic::new(format!(
                "the event log would be about {:.1} GB ({:.0} million lines over {} replications): too large to write",
                bytes / 1e9,
                lines / 1e6,
                reps
            ))
            .with_help("write it for fewer replications (--reps 1) or a shorter run.horizon"),
        ));
    }
    if bytes > 1e8 {
        eprintln!(
            "writing an event log of about {:.0} MB ({:.1} million lines)",
            bytes / 1e6,
            lines / 1e6
        );
    }
    Ok(())
}
