//! Helpers shared by the integration-test binaries (`engine`, `validation`):
//! build a scene from RON text, run replications, summarise them.

use factory_twin::experiment::{self, Options};
use factory_twin::kpi::RunResult;
use factory_twin::scene::{Scene, parse_scene_str};

/// Parses scene text, panicking with the diagnostic and the text if it is invalid.
pub fn scene(text: &str) -> Scene {
    parse_scene_str(text).unwrap_or_else(|d| panic!("test scene is invalid:\n{d}\n{text}"))
}

/// Runs `reps` independent replications of `scene` and returns their results.
pub fn run(scene: &Scene, reps: u32) -> Vec<RunResult> {
    let options = Options {
        replications: Some(reps),
        ..Options::default()
    };
    experiment::run_all(scene, &options)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.result)
        .collect()
}

/// Mean and standard error of the mean over replications.
pub fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}
