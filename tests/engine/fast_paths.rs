//! The engine's fast paths (the single-target shortcut, sole-feeder flags,
//! the early wait of a buffer's next head) are shortcuts: every bundled
//! scene and a batch of generated factories give byte-identical results
//! with them on and off ([`sim::build_without_fast_paths`]).

use factory_twin::experiment::prices;
use factory_twin::kpi::measure;
use factory_twin::scene::{Scene, load_scene, parse_scene_str};
use factory_twin::sim::{self, Engine};
use std::path::Path;

/// Every figure of replication `rep`, as JSON, with the fast paths on or off.
fn result_json(scene: &Scene, rep: u32, fast: bool) -> String {
    let build = if fast {
        sim::build
    } else {
        sim::build_without_fast_paths
    };
    let engine: Engine = build(scene, rep).unwrap_or_else(|d| panic!("{d}"));
    let mut engine = sim::run_in_app(engine);
    let result = measure(&mut engine, rep, prices(scene)).unwrap_or_else(|m| panic!("{m}"));
    // The debug form holds what JSON skips (lead-time histograms), and the
    // event count: the same events in the same order, not just the same KPIs.
    format!(
        "{}\n{:?}\nevents {}",
        serde_json::to_string(&result).unwrap(),
        result.lead_times,
        engine.events
    )
}

fn same_with_and_without(name: &str, scene: &Scene, reps: u32) {
    for rep in 0..reps {
        let (on, off) = (
            result_json(scene, rep, true),
            result_json(scene, rep, false),
        );
        assert!(
            on == off,
            "{name}, replication {rep}: the fast paths change the result:\n{}",
            first_difference(&on, &off)
        );
    }
}

fn first_difference(a: &str, b: &str) -> String {
    let i = a
        .bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = i.saturating_sub(80);
    format!(
        "with: …{}…\nwithout: …{}…",
        &a[from..(i + 80).min(a.len())],
        &b[from..(i + 80).min(b.len())]
    )
}

#[test]
fn bundled_scenes_give_the_same_result_without_the_fast_paths() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for dir in ["scenes", "scenes/training"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ron") {
                let scene = load_scene(&path).unwrap_or_else(|d| panic!("{d}"));
                same_with_and_without(&path.display().to_string(), &scene, 2);
                count += 1;
            }
        }
    }
    assert!(count >= 7, "{count} bundled scenes");
}

#[test]
fn generated_factories_give_the_same_result_without_the_fast_paths() {
    let seed = 20_261_203;
    for i in 0..150 {
        let text = super::random_factories::generate(seed, i);
        let Ok(scene) = parse_scene_str(&text) else {
            continue;
        };
        same_with_and_without(
            &format!("random factory {i} (seed {seed})\n{text}"),
            &scene,
            1,
        );
    }
}
