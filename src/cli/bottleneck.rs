//! `factory-twin bottleneck`: relieve each resource in turn and measure the
//! output gained, the experiment that settles what limits output.

use super::{RepOptions, done, fail, options, run_failed, write_report};
use crate::experiment::{self, Options, ReliefExperiment};
use crate::report;
use crate::scene::{Scene, load_scene_with_inputs};
use std::path::{Path, PathBuf};

pub(super) fn bottleneck(path: &Path, reps: &RepOptions, json: bool, report: Option<&Path>) -> i32 {
    let (scene, files) = match load_scene_with_inputs(path) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let options = match options(reps, 2, false) {
        Ok(o) => o,
        Err(code) => return code,
    };
    relieve(path, &scene, &files, &options, json, report)
}

/// Runs the experiment on a loaded scene and writes what `bottleneck`
/// writes; `merge` calls it with a cluster's runs held in `options`.
pub(super) fn relieve(
    path: &Path,
    scene: &Scene,
    files: &[PathBuf],
    options: &Options,
    json: bool,
    report: Option<&Path>,
) -> i32 {
    let requested = options
        .replications
        .unwrap_or(scene.run.replications)
        .max(2);
    let e: ReliefExperiment = match experiment::relieve_each(scene, options) {
        Ok(e) => e,
        Err(e) => return run_failed(e, Some(path)),
    };
    if let Some(file) = report
        && let Err(code) =
            write_report(file, &report::relief_report(&e, &report::Inputs::of(files)))
    {
        return code;
    }
    let text = if json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&e).expect("the experiment serialises")
        )
    } else {
        report::relief(&e)
    };
    out!("{text}");
    done(e.replications, requested)
}
