//! Integration tests of the engine and the command line, in one binary (each
//! test binary links Bevy, so they share one).
//!
//! - `bad_input`: every kind of bad scene gives a clear message and exit code 2;
//! - `cli`: bundled scenes run, JSON parses, output is deterministic;
//! - `timing`: conveyors, transfer robots and shifts take exactly the time the scene says;
//! - `queueing`: quick checks against closed-form queueing results.

mod bad_input;
mod cli;
mod kpis;
mod queueing;
mod timing;

use factory_twin::experiment::{self, Options};
use factory_twin::kpi::RunResult;
use factory_twin::scene::{Scene, parse_scene_str};

/// Parses scene text, panicking with the diagnostic if it is invalid.
pub fn scene(text: &str) -> Scene {
    parse_scene_str(text).unwrap_or_else(|d| panic!("test scene is invalid:\n{d}"))
}

/// Runs every replication of `scene` and returns the per-replication results.
pub fn run(scene: &Scene, reps: u32) -> Vec<RunResult> {
    experiment::run_all(
        scene,
        &Options {
            replications: Some(reps),
            threads: None,
            event_log: false,
            progress: false,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .into_iter()
    .map(|r| r.result)
    .collect()
}

/// Runs one replication with its event log.
pub fn run_logged(scene: &Scene) -> (RunResult, Vec<(f64, String, u64, &'static str)>) {
    let mut engine = factory_twin::sim::build(scene, 0).expect("builds");
    engine.log = Some(Vec::new());
    let mut engine = factory_twin::sim::run_in_app(engine);
    let result =
        factory_twin::kpi::measure(&mut engine, 0, Default::default()).expect("invariants hold");
    let log = engine
        .log
        .take()
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.time,
                engine.nodes[r.node as usize].id.clone(),
                r.part,
                r.event.name(),
            )
        })
        .collect();
    (result, log)
}

/// Mean and standard error over replications.
pub fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}
