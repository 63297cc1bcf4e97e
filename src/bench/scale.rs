//! Scale: large factories simulated for a year, and large scene files loaded.
//!
//! Two generated factories, both with full KPI collection:
//! - the serial line of the benchmark, N stations with buffers of 5, but
//!   with cycles of minutes (mean 5 min, 6 min at station N/2) so a year is a
//!   realistic workload; N = 10 … 10 000 shows how the cost grows;
//! - a job shop of 1 000 machines: 20 work stages of 50 machines, each with
//!   its own input buffer, four products with their own cycle times, parts
//!   routed by probability to one of three machines of the next stage (the
//!   routes are spread so every machine gets the same share of the work).
//!
//! And the load time of a 10 000-object scene: the RON text written to a
//! file, then read, parsed and validated (`load_scene`) and built into an
//! engine (`sim::build`), as `factory-twin run` does.

use super::peak_rss_mb;
use crate::kpi::{Prices, measure};
use crate::scene::{
    Buffer, Dist, Duration, Flow, FlowEdge, Machine, Object, Product, RunSettings, Scene, Sink,
    Source, load_scene,
};
use crate::sim;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

/// Seconds in a year of continuous production (365 days).
pub const YEAR_S: f64 = 365.0 * 86_400.0;

/// One large run's figures.
#[derive(Clone, Debug, Serialize)]
pub struct ScaleRun {
    pub case: String,
    /// Objects in the scene (machines, buffers, source, sink).
    pub objects: usize,
    pub stations: usize,
    /// Simulated time (seconds).
    pub horizon_s: f64,
    pub ops: u64,
    pub events: u64,
    /// Build, run and KPI measurement.
    pub wall_s: f64,
    pub ops_per_sec: f64,
    pub events_per_sec: f64,
    /// Nanoseconds of wall time per event: flat when the cost grows linearly.
    pub ns_per_event: f64,
    /// Good parts per hour.
    pub good_per_hour: f64,
    /// Peak resident memory during this run (MiB; the process peak where the
    /// kernel cannot reset it).
    pub peak_rss_mb: f64,
}

/// Loading a large scene file.
#[derive(Clone, Debug, Serialize)]
pub struct LoadRun {
    pub objects: usize,
    pub flow_edges: usize,
    pub file_bytes: usize,
    /// Read, parse and validate (median of the repeats).
    pub load_ms: f64,
    /// Build the engine from the scene (median).
    pub build_ms: f64,
    pub total_ms: f64,
}

/// A serial line of `stations` machines with cycles of minutes.
pub fn minutes_line(stations: usize, horizon: f64, seed: u64) -> Scene {
    let mut scene = super::serial_line(stations, 5, horizon, 0.0, seed);
    for o in &mut scene.objects {
        if let Object::Machine(m) = o
            && let Dist::Exponential { mean } = &mut m.cycle
        {
            // 1 s → 5 min, 1.2 s (the bottleneck) → 6 min.
            *mean = Duration::Seconds(mean.secs() * 300.0);
        }
    }
    scene.name = format!("Serial line, N = {stations}, cycles of minutes");
    scene
}

/// A job shop of `stages` × `width` machines (see the module docs).
pub fn job_shop(stages: usize, width: usize, horizon: f64, seed: u64) -> Scene {
    let products = ["p1", "p2", "p3", "p4"];
    // Mean 40 min over the mix; a part every 50 / width minutes keeps the
    // machines 80 % busy.
    let cycles = [30.0, 35.0, 45.0, 50.0];
    let mut objects = vec![Object::Source(Source {
        id: "orders".into(),
        pos: (0.0, 0.0),
        rot: 0.0,
        footprint: None,
        product: None,
        mix: products.iter().map(|p| (p.to_string(), 1.0)).collect(),
        interarrival: Some(Dist::Exponential {
            mean: Duration::Minutes(50.0 / width as f64),
        }),
        due_in: None,
        limit: None,
        shift: Default::default(),
        orders: Vec::new(),
        orders_file: None,
        lots: Default::default(),
    })];
    let mut flow = Vec::new();
    let weight = |from: &str, to: String, w: f64| {
        Flow::Edge(FlowEdge {
            from: from.to_string(),
            to,
            product: None,
            weight: Some(w),
            via: None,
        })
    };
    for k in 0..stages {
        for j in 0..width {
            let (b, m) = (format!("q{k}_{j}"), format!("m{k}_{j}"));
            let pos = (4.0 * (k + 1) as f64, 3.0 * j as f64);
            objects.push(Object::Buffer(Buffer {
                id: b.clone(),
                pos: (pos.0 - 1.5, pos.1),
                rot: 0.0,
                footprint: None,
                capacity: 8,
                dispatch: Default::default(),
            }));
            objects.push(Object::Machine(Machine {
                product_cycles: products
                    .iter()
                    .zip(cycles)
                    .map(|(p, c)| {
                        let mean = Duration::Minutes(c);
                        (p.to_string(), Dist::Exponential { mean })
                    })
                    .collect::<BTreeMap<_, _>>(),
                ..super::plain_machine(
                    &m,
                    pos,
                    Dist::Exponential {
                        mean: Duration::Minutes(40.0),
                    },
                )
            }));
            flow.push(Flow::Pair(b.clone(), m.clone()));
            if k == 0 {
                flow.push(weight("orders", b, 1.0 / width as f64));
            }
            if k + 1 == stages {
                flow.push(Flow::Pair(m, "shipping".into()));
            } else {
                // Three distinct next machines; every buffer of the next
                // stage gets exactly three incoming routes.
                for step in [0, 1 + k % (width / 3).max(1), width / 2 + 1] {
                    flow.push(weight(
                        &m,
                        format!("q{}_{}", k + 1, (j + step) % width),
                        1.0 / 3.0,
                    ));
                }
            }
        }
    }
    objects.push(Object::Sink(Sink {
        id: "shipping".into(),
        pos: (4.0 * (stages + 1) as f64, 0.0),
        footprint: None,
        rot: 0.0,
    }));
    Scene {
        name: format!("Job shop, {} machines", stages * width),
        run: RunSettings {
            horizon: Duration::Seconds(horizon),
            warmup: None,
            seed,
            replications: 1,
            sample_every: None,
        },
        shifts: vec![],
        products: products
            .iter()
            .map(|p| Product { id: p.to_string() })
            .collect(),
        objects,
        flow,
        economics: None,
        investment: None,
        layout: None,
    }
}

/// Builds, runs and measures one scene once.
pub fn run_scene(case: &str, scene: &Scene) -> Result<ScaleRun, String> {
    reset_peak_rss();
    let start = Instant::now();
    let engine = sim::build(scene, 0).map_err(|d| d.to_string())?;
    let mut engine = sim::run_in_app(engine);
    let result = measure(&mut engine, 0, Prices::default()).map_err(|e| e.to_string())?;
    let wall_s = start.elapsed().as_secs_f64();
    let stations = scene
        .objects
        .iter()
        .filter(|o| matches!(o, Object::Machine(_)))
        .count();
    Ok(ScaleRun {
        case: case.to_string(),
        objects: scene.objects.len(),
        stations,
        horizon_s: scene.run.horizon.secs(),
        ops: engine.completions,
        events: engine.events,
        wall_s,
        ops_per_sec: engine.completions as f64 / wall_s,
        events_per_sec: engine.events as f64 / wall_s,
        ns_per_event: wall_s * 1e9 / engine.events.max(1) as f64,
        good_per_hour: result.line.good_per_hour,
        peak_rss_mb: peak_rss_mb(),
    })
}

/// The RON text of a serial line with `objects` objects (as a user would
/// write it: one object per line, durations with units).
pub fn line_ron(objects: usize) -> String {
    // Source, sink, machines and the buffers between them: 2 × machines + 1.
    let machines = objects / 2;
    let mut s = String::with_capacity(objects * 120);
    s.push_str("// Generated: a serial line for the load-time benchmark.\nScene(\n");
    s.push_str("    name: \"Generated line\",\n");
    s.push_str("    run: (horizon: Hours(8), seed: 1),\n");
    s.push_str("    products: [Product(id: \"part\")],\n    objects: [\n");
    s.push_str("        Source(id: \"source\", pos: (0, 0), product: \"part\"),\n");
    let at = |i: usize| ((i % 100) as f64 * 4.0, (i / 100) as f64 * 4.0);
    for i in 0..machines {
        let (x, y) = at(i);
        if i > 0 {
            let _ = writeln!(
                s,
                "        Buffer(id: \"b{i}\", pos: ({:.1}, {y:.1}), capacity: 5),",
                x - 2.0
            );
        }
        let _ = writeln!(
            s,
            "        Machine(id: \"m{i}\", pos: ({x:.1}, {y:.1}), cycle: Exponential(mean: Minutes(5))),"
        );
    }
    s.push_str("        Sink(id: \"sink\", pos: (0, -4)),\n    ],\n    flow: [\n");
    let mut prev = "source".to_string();
    for i in 0..machines {
        if i > 0 {
            let _ = writeln!(s, "        (\"{prev}\", \"b{i}\"),");
            prev = format!("b{i}");
        }
        let _ = writeln!(s, "        (\"{prev}\", \"m{i}\"),");
        prev = format!("m{i}");
    }
    let _ = writeln!(s, "        (\"{prev}\", \"sink\"),\n    ],\n)");
    s
}

/// Writes a scene of about `objects` objects to `dir` and times loading it.
pub fn load_time(objects: usize, repeats: usize, dir: &Path) -> Result<LoadRun, String> {
    let text = line_ron(objects);
    let path = dir.join(format!("generated_line_{objects}.ron"));
    std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut loads = Vec::new();
    let mut builds = Vec::new();
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let scene = load_scene(&path).map_err(|d| d.to_string())?;
        loads.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        // Kept to the end of the repeat, so dropping it is not timed.
        let _engine = sim::build(&scene, 0).map_err(|d| d.to_string())?;
        builds.push(start.elapsed().as_secs_f64() * 1e3);
        last = Some(scene);
    }
    let _ = std::fs::remove_file(&path);
    let scene = last.expect("at least one repeat");
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (load_ms, build_ms) = (median(loads), median(builds));
    Ok(LoadRun {
        objects: scene.objects.len(),
        flow_edges: scene.flow.len(),
        file_bytes: text.len(),
        load_ms,
        build_ms,
        total_ms: load_ms + build_ms,
    })
}

/// Resets the kernel's peak-RSS mark, so the next reading is this run's
/// peak (Linux: writing 5 to clear_refs; elsewhere nothing happens).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::validate;

    #[test]
    fn the_generated_scenes_are_valid() {
        validate(&minutes_line(10, 3600.0, 1)).unwrap();
        let shop = job_shop(4, 6, 3600.0, 1);
        validate(&shop).unwrap();
        // Every buffer past the first stage has exactly three routes in.
        for k in 1..4 {
            for j in 0..6 {
                let to = format!("q{k}_{j}");
                let n = shop.flow.iter().filter(|f| f.edge().to == to).count();
                assert_eq!(n, 3, "{to}");
            }
        }
        let text = line_ron(100);
        let scene = crate::scene::parse_scene_str(&text).unwrap();
        assert_eq!(scene.objects.len(), 101);
    }

    #[test]
    fn a_small_job_shop_ships_what_arrives() {
        // 6 machines a stage: a part every 50 / 6 min, 7.2 an hour, machines
        // 80 % busy. Full buffers hold the orders back now and then (finite
        // buffers, blocking), so the shop ships somewhat less than arrives,
        // never more.
        let run = run_scene("shop", &job_shop(3, 6, 20.0 * 86_400.0, 7)).unwrap();
        assert!(run.ops > 7_000, "{run:?}");
        assert!(
            (5.0..7.4).contains(&run.good_per_hour),
            "{} parts an hour",
            run.good_per_hour
        );
    }
}
