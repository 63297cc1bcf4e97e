//! The benchmark: the serial production line of the peer models
//! (`bench/simpy_line.py` states it), run on this engine with full KPI
//! collection, on a bare hand-written loop, and on the peer engines that
//! are installed (SimPy, Cimba, NeXosim: [`peers`]) in the same run.
//!
//! Work unit: station operations (service completions, warm-up included) per
//! wall-clock second, which is engine-neutral.

mod bare;
mod peers;
mod scale;
mod scaling;

pub use bare::{BareRun, LineKpis, serial_line as bare_serial_line};
pub use peers::{PEERS, Peer, PeerFigures, PeerResult, PeerSetup, cpu_name, run_peer};
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
    /// The bare loop keeping the engine's KPIs by hand ([`LineKpis`]).
    pub bare_loop_with_kpis: BareFigures,
    /// factory-twin ops/s ÷ that loop's ops/s.
    pub share_of_bare_loop_with_kpis: f64,
    pub ops_per_sec: f64,
    pub events_per_sec: f64,
    pub throughput: f64,
    pub wall_s: f64,
    pub peak_rss_mb: f64,
    /// Every peer asked for, in the order asked.
    pub peers: Vec<PeerResult>,
}

impl CaseResult {
    /// A peer's result, if it was asked for.
    pub fn peer(&self, name: &str) -> Option<&PeerResult> {
        self.peers.iter().find(|p| p.peer == name)
    }
}

/// The whole benchmark: the machine and every case.
#[derive(Clone, Debug, Serialize)]
pub struct BenchRun {
    /// The processor as `lscpu` names it.
    pub cpu: String,
    pub cores: usize,
    pub repeats: usize,
    pub cases: Vec<CaseResult>,
}

/// Runs one case `repeats` times on this engine (KPIs measured each time).
pub fn run_engine(case: &Case, repeats: usize, seed: u64) -> EngineFigures {
    let scene = serial_line(case.stations, 5, case.horizon, case.warmup, seed);
    // The engine is handed out, so dropping it is not timed.
    let (wall, (engine, result)) = median_wall(repeats, || {
        let engine = sim::build(&scene, 0).expect("the benchmark scene is valid");
        let mut engine = sim::run_in_app(engine);
        let result = measure(&mut engine, 0, Prices::default()).expect("invariants hold");
        (engine, result)
    });
    let (ops, events) = (engine.completions, engine.events);
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
    time_bare(repeats, || {
        bare::serial_line(case.stations, 5, case.horizon, case.warmup, seed)
    })
}

/// Runs the bare loop keeping the engine's KPIs ([`LineKpis`]) `repeats`
/// times; median wall time.
pub fn run_bare_with_kpis(case: &Case, repeats: usize, seed: u64) -> BareFigures {
    time_bare(repeats, || {
        let mut kpis = LineKpis::new(case.stations);
        let run = bare::serial_line_recorded(
            case.stations,
            5,
            case.horizon,
            case.warmup,
            seed,
            &mut kpis,
        );
        kpis.close(case.horizon + case.warmup);
        // Kept, as the engine's are: the optimiser may not drop them.
        std::hint::black_box(&kpis);
        run
    })
}

/// Times `run` `repeats` times: the loop's figures at the median wall time.
fn time_bare(repeats: usize, run: impl FnMut() -> BareRun) -> BareFigures {
    let (wall, r) = median_wall(repeats, run);
    BareFigures {
        ops: r.ops,
        wall_s: wall,
        ops_per_sec: r.ops as f64 / wall,
        throughput: r.throughput,
    }
}

/// Runs `run` `repeats` times (at least once): the median wall time and
/// the last run's result.
fn median_wall<T>(repeats: usize, mut run: impl FnMut() -> T) -> (f64, T) {
    let mut walls = Vec::new();
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let r = run();
        walls.push(start.elapsed().as_secs_f64());
        last = Some(r);
    }
    walls.sort_by(f64::total_cmp);
    (walls[walls.len() / 2], last.expect("at least one repeat"))
}

/// Runs a case on this engine, the bare loop and each peer asked for
/// (`Err` in `peers`: why that peer cannot run here).
pub fn run_case(
    case: &Case,
    repeats: usize,
    peers: &[Result<Peer, (String, String)>],
) -> CaseResult {
    let seed = 12345;
    let ours = run_engine(case, repeats, seed);
    let bare = run_bare(case, repeats, seed);
    let with_kpis = run_bare_with_kpis(case, repeats, seed);
    let peers = peers
        .iter()
        .map(|p| match p {
            Ok(peer) => match run_peer(peer, case, seed, repeats) {
                Ok(f) => PeerResult {
                    peer: peer.name,
                    factory_twin_over_peer: Some(ours.ops_per_sec / f.ops_per_sec),
                    figures: Some(f),
                    note: None,
                },
                Err(e) => PeerResult {
                    peer: peer.name,
                    figures: None,
                    factory_twin_over_peer: None,
                    note: Some(e),
                },
            },
            Err((name, why)) => PeerResult {
                peer: PEERS
                    .iter()
                    .find(|p| *p == name)
                    .copied()
                    .unwrap_or("unknown"),
                figures: None,
                factory_twin_over_peer: None,
                note: Some(why.clone()),
            },
        })
        .collect();
    CaseResult {
        case: *case,
        ops_per_sec: ours.ops_per_sec,
        events_per_sec: ours.events_per_sec,
        throughput: ours.throughput,
        wall_s: ours.wall_s,
        peak_rss_mb: peak_rss_mb(),
        peers,
        share_of_bare_loop: ours.ops_per_sec / bare.ops_per_sec,
        share_of_bare_loop_with_kpis: ours.ops_per_sec / with_kpis.ops_per_sec,
        bare_loop: bare,
        bare_loop_with_kpis: with_kpis,
        factory_twin: ours,
    }
}
