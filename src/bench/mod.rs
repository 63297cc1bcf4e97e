//! The benchmark: the serial production line of the SimPy peer model
//! (`bench/simpy_line.py`), run on this engine with full KPI collection and,
//! when Python with SimPy is available, on SimPy in the same run.
//!
//! Work unit: station operations (service completions, warm-up included) per
//! wall-clock second, which is engine-neutral.

mod bare;
mod scale;
mod scaling;

pub use bare::{BareRun, serial_line as bare_serial_line};
pub use scale::{
    LoadRun, ScaleRun, YEAR_S, job_shop, line_ron, load_time, minutes_line, run_scene,
};
pub use scaling::{Scaling, ThreadTiming, replication_scaling};

use crate::kpi::{Prices, measure};
use crate::scene::{
    Dist, Duration, Flow, Machine, Object, Product, RunSettings, Scene, Sink, Source,
};
use crate::sim;
use serde::Serialize;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// One benchmark case: a line of `stations` stations.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Case {
    pub stations: usize,
    pub horizon: f64,
    pub warmup: f64,
}

/// The standard cases (N = 5, 50, 500), as in the SimPy peer's notes.
pub fn standard_cases(quick: bool) -> Vec<Case> {
    let f = if quick { 0.1 } else { 1.0 };
    vec![
        Case {
            stations: 5,
            horizon: 200_000.0 * f,
            warmup: 2_000.0,
        },
        Case {
            stations: 50,
            horizon: 55_000.0 * f,
            warmup: 2_000.0,
        },
        Case {
            stations: 500,
            horizon: 4_000.0 * f,
            warmup: 2_000.0,
        },
    ]
}

/// The serial line as a scene: saturated source, N exponential stations
/// (mean 1 s, 1.2 s at index N/2), buffers of `buffer` between them, a sink.
pub fn serial_line(stations: usize, buffer: u32, horizon: f64, warmup: f64, seed: u64) -> Scene {
    let mut objects = vec![Object::Source(Source {
        id: "source".into(),
        pos: (0.0, 0.0),
        footprint: None,
        rot: 0.0,
        product: Some("part".into()),
        mix: vec![],
        interarrival: None,
        due_in: None,
        limit: None,
        shift: Default::default(),
        orders: Vec::new(),
        orders_file: None,
        lots: Default::default(),
    })];
    let mut flow = Vec::new();
    let mut prev = "source".to_string();
    for i in 0..stations {
        let mean = if i == stations / 2 { 1.2 } else { 1.0 };
        if i > 0 {
            let b = format!("b{i}");
            objects.push(Object::Buffer(crate::scene::Buffer {
                id: b.clone(),
                pos: (2.0 * i as f64 - 1.0, 0.0),
                footprint: None,
                rot: 0.0,
                capacity: buffer,
                dispatch: Default::default(),
            }));
            flow.push(Flow::Pair(prev, b.clone()));
            prev = b;
        }
        let m = format!("s{i}");
        objects.push(Object::Machine(plain_machine(
            &m,
            (2.0 * i as f64, 0.0),
            Dist::Exponential {
                mean: Duration::Seconds(mean),
            },
        )));
        flow.push(Flow::Pair(prev, m.clone()));
        prev = m;
    }
    objects.push(Object::Sink(Sink {
        id: "sink".into(),
        pos: (2.0 * stations as f64, 0.0),
        footprint: None,
        rot: 0.0,
    }));
    flow.push(Flow::Pair(prev, "sink".into()));
    Scene {
        name: format!("Serial line, N = {stations}"),
        run: RunSettings {
            horizon: Duration::Seconds(horizon),
            warmup: (warmup > 0.0).then_some(Duration::Seconds(warmup)),
            seed,
            replications: 1,
            sample_every: None,
        },
        shifts: vec![],
        products: vec![Product { id: "part".into() }],
        objects,
        flow,
        economics: None,
        investment: None,
        layout: None,
    }
}

/// A one-server machine with only a cycle time (no setup, failures, scrap,
/// operator or power), as the generated benchmark factories use.
pub fn plain_machine(id: &str, pos: (f64, f64), cycle: Dist) -> Machine {
    Machine {
        id: id.to_string(),
        pos,
        footprint: None,
        rot: 0.0,
        capacity: 1,
        cycle,
        product_cycles: Default::default(),
        setup: None,
        failures: None,
        scrap: 0.0,
        operator: None,
        power_kw: None,
        maintenance: Vec::new(),
        tending: None,
        shift: Default::default(),
    }
}

/// This engine's figures for one case.
#[derive(Clone, Debug, Serialize)]
pub struct EngineFigures {
    pub ops: u64,
    pub events: u64,
    /// Median over the repeats.
    pub wall_s: f64,
    pub ops_per_sec: f64,
    pub events_per_sec: f64,
    pub throughput: f64,
    pub bottleneck_utilisation: f64,
}

/// SimPy's figures for the same case, when it could be run.
#[derive(Clone, Debug, Serialize)]
pub struct PeerFigures {
    pub engine: String,
    /// The interpreter that ran it, as given (`--python`), and its version:
    /// SimPy's speed depends on the CPython build (a release with profile
    /// guidance runs it about 1.5 times faster than a plain source build).
    pub interpreter: String,
    pub python: String,
    pub ops: u64,
    pub wall_s: f64,
    pub ops_per_sec: f64,
    pub throughput: f64,
}

impl PeerFigures {
    /// Which peer ran on which Python, for the footer of a table.
    pub fn origin(&self) -> String {
        format!(
            "SimPy: {} on Python {} ({})",
            self.engine, self.python, self.interpreter
        )
    }
}

/// The bare hand-written loop's figures (the practical ceiling).
#[derive(Clone, Debug, Serialize)]
pub struct BareFigures {
    pub ops: u64,
    pub wall_s: f64,
    pub ops_per_sec: f64,
    pub throughput: f64,
}

/// One case's result.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    pub case: Case,
    pub factory_twin: EngineFigures,
    pub bare_loop: BareFigures,
    /// factory-twin ops/s ÷ bare loop ops/s.
    pub share_of_bare_loop: f64,
    pub ops_per_sec: f64,
    pub events_per_sec: f64,
    pub throughput: f64,
    pub wall_s: f64,
    pub peak_rss_mb: f64,
    pub simpy: Option<PeerFigures>,
    /// factory-twin ops/s ÷ SimPy ops/s.
    pub speedup_vs_simpy: Option<f64>,
    /// Why SimPy was not run, if it was not.
    pub simpy_note: Option<String>,
}

/// Runs one case `repeats` times on this engine (KPIs measured each time).
pub fn run_engine(case: &Case, repeats: usize, seed: u64) -> EngineFigures {
    let scene = serial_line(case.stations, 5, case.horizon, case.warmup, seed);
    let mut walls = Vec::new();
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let engine = sim::build(&scene, 0).expect("the benchmark scene is valid");
        let mut engine = sim::run_in_app(engine);
        let result = measure(&mut engine, 0, Prices::default()).expect("invariants hold");
        walls.push(start.elapsed().as_secs_f64());
        last = Some((engine.completions, engine.events, result));
    }
    walls.sort_by(f64::total_cmp);
    let wall = walls[walls.len() / 2];
    let (ops, events, result) = last.expect("at least one repeat");
    let b = &result.stations[case.stations / 2];
    EngineFigures {
        ops,
        events,
        wall_s: wall,
        ops_per_sec: ops as f64 / wall,
        events_per_sec: events as f64 / wall,
        throughput: result.line.good_per_hour / 3600.0,
        bottleneck_utilisation: b.states.working,
    }
}

/// Runs the SimPy peer for one case; `Err` says why it could not.
pub fn run_simpy(
    python: &str,
    script: &Path,
    case: &Case,
    seed: u64,
) -> Result<PeerFigures, String> {
    if !script.exists() {
        return Err(format!("{} not found", script.display()));
    }
    let out = Command::new(python)
        .arg(script)
        .arg(case.stations.to_string())
        .arg(case.horizon.to_string())
        .args([
            "--warmup",
            &case.warmup.to_string(),
            "--seed",
            &seed.to_string(),
            "--json",
        ])
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{python} {} failed: {}",
            script.display(),
            err.lines().last().unwrap_or("")
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("SimPy output is not JSON: {e}"))?;
    let f = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| format!("SimPy output lacks `{k}`"))
    };
    Ok(PeerFigures {
        engine: v
            .get("engine")
            .and_then(|e| e.as_str())
            .unwrap_or("simpy")
            .to_string(),
        interpreter: python.to_string(),
        python: v
            .get("python")
            .and_then(|e| e.as_str())
            .unwrap_or("unknown")
            .to_string(),
        ops: f("station_ops_total")? as u64,
        wall_s: f("wall_s")?,
        ops_per_sec: f("station_ops_per_s")?,
        throughput: f("throughput")?,
    })
}

/// Peak resident memory of this process, in MiB (Linux; 0 elsewhere).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Runs the bare loop `repeats` times; median wall time.
pub fn run_bare(case: &Case, repeats: usize, seed: u64) -> BareFigures {
    let mut walls = Vec::new();
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let run = bare::serial_line(case.stations, 5, case.horizon, case.warmup, seed);
        walls.push(start.elapsed().as_secs_f64());
        last = Some(run);
    }
    walls.sort_by(f64::total_cmp);
    let wall = walls[walls.len() / 2];
    let run = last.expect("at least one repeat");
    BareFigures {
        ops: run.ops,
        wall_s: wall,
        ops_per_sec: run.ops as f64 / wall,
        throughput: run.throughput,
    }
}

/// Runs a case on this engine, the bare loop and (if asked) SimPy.
pub fn run_case(case: &Case, repeats: usize, simpy: Option<(&str, &Path)>) -> CaseResult {
    let seed = 12345;
    let ours = run_engine(case, repeats, seed);
    let bare = run_bare(case, repeats, seed);
    let (peer, note) = match simpy {
        Some((python, script)) => match run_simpy(python, script, case, seed) {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some(e)),
        },
        None => (None, Some("not requested (--no-simpy)".to_string())),
    };
    CaseResult {
        case: *case,
        ops_per_sec: ours.ops_per_sec,
        events_per_sec: ours.events_per_sec,
        throughput: ours.throughput,
        wall_s: ours.wall_s,
        peak_rss_mb: peak_rss_mb(),
        speedup_vs_simpy: peer.as_ref().map(|p| ours.ops_per_sec / p.ops_per_sec),
        simpy: peer,
        simpy_note: note,
        share_of_bare_loop: ours.ops_per_sec / bare.ops_per_sec,
        bare_loop: bare,
        factory_twin: ours,
    }
}
