//! `factory-twin run`: one scene, its replications, every output.

use super::{RepOptions, done, fail, options, run_failed, write_file};
use crate::error::Diagnostic;
use crate::experiment::{self, Summary};
use crate::report;
use crate::scene::load_scene;
use std::path::{Path, PathBuf};

/// Files `run` writes besides its report.
pub(super) struct Outputs {
    pub csv: Option<PathBuf>,
    pub events: Option<PathBuf>,
    pub chart: Option<PathBuf>,
    pub report: Option<PathBuf>,
}

pub(super) fn run(
    path: &Path,
    reps: &RepOptions,
    json: bool,
    seed: Option<u64>,
    out: Outputs,
) -> i32 {
    let mut scene = match load_scene(path) {
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
    let runs = match experiment::run_all(&scene, &options) {
        Ok(r) => r,
        Err(e) => return run_failed(e, Some(path)),
    };
    let results: Vec<_> = runs.iter().map(|r| r.result.clone()).collect();
    let summary = Summary::new(&scene, &results);
    if let Some(dir) = &out.csv
        && let Err(e) = report::write_csv(&summary, dir)
    {
        return fail(&Diagnostic::new(format!(
            "cannot write CSV files into {}: {e}",
            dir.display()
        )));
    }
    if let Some(file) = &out.events {
        let ids = match crate::sim::build(&scene, 0) {
            Ok(e) => e.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>(),
            Err(d) => return fail(&d),
        };
        if let Err(e) = report::write_events(file, &ids, &runs) {
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
    if let Some(file) = &out.report
        && let Err(code) = write_file(file, "report", &report::run_report(&summary))
    {
        return code;
    }
    let text = if json {
        report::json(&summary)
    } else {
        report::terminal(&summary)
    };
    out!("{text}");
    done(summary.replications, requested)
}
