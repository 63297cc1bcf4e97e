//! `factory-twin bottleneck`: relieve each resource in turn and measure the
//! output gained, the experiment that settles what limits output.

use super::{RepOptions, done, fail, options, run_failed, write_report};
use crate::experiment::{self, ReliefExperiment};
use crate::report;
use crate::scene::load_scene_with_inputs;
use std::path::Path;

pub(super) fn bottleneck(path: &Path, reps: &RepOptions, json: bool, report: Option<&Path>) -> i32 {
    let (scene, files) = match load_scene_with_inputs(path) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let options = match options(reps, 2, false) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let requested = reps.reps.unwrap_or(scene.run.replications).max(2);
    let e: ReliefExperiment = match experiment::relieve_each(&scene, &options) {
        Ok(e) => e,
        Err(e) => return run_failed(e, Some(path)),
    };
    if let Some(file) = report
        && let Err(code) = write_report(
            file,
            &report::relief_report(&e, &report::Inputs::of(&files)),
        )
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
