//! `factory-twin bench`: the engine on the serial line, side by side with
//! the bare loop and the peer engines (SimPy, Cimba, NeXosim).

use super::fail;
use crate::bench;
use crate::error::Diagnostic;

/// What `bench` (the serial line) is asked to do.
pub(super) struct BenchArgs {
    pub json: bool,
    pub quick: bool,
    pub stations: Vec<usize>,
    pub repeats: usize,
    pub horizon: Option<f64>,
    pub peers: Vec<String>,
    pub setup: bench::PeerSetup,
}

pub(super) fn bench_cmd(a: BenchArgs) -> i32 {
    let mut cases = bench::standard_cases(a.quick);
    if !a.stations.is_empty() {
        let f = if a.quick { 0.1 } else { 1.0 };
        cases = a
            .stations
            .iter()
            .map(|&n| {
                cases
                    .iter()
                    .find(|c| c.stations == n)
                    .copied()
                    .unwrap_or(bench::Case {
                        stations: n,
                        horizon: (2e6 / n as f64) * f,
                        warmup: 2_000.0,
                    })
            })
            .collect();
    }
    if let Some(h) = a.horizon {
        for c in &mut cases {
            c.horizon = h;
        }
    }
    for name in &a.peers {
        if !bench::PEERS.contains(&name.as_str()) {
            return fail(
                &Diagnostic::new(format!("--peers: no peer \"{name}\""))
                    .with_help(format!("peers: {}", bench::PEERS.join(", "))),
            );
        }
    }
    let peers: Vec<Result<bench::Peer, (String, String)>> = a
        .peers
        .iter()
        .map(|n| a.setup.peer(n).map_err(|why| (n.clone(), why)))
        .collect();
    let mut results = Vec::new();
    for case in &cases {
        if !a.json {
            eprintln!("N = {} ...", case.stations);
        }
        results.push(bench::run_case(case, a.repeats, &peers));
    }
    let run = bench::BenchRun {
        cpu: bench::cpu_name(),
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        repeats: a.repeats,
        cases: results,
    };
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&run).expect("serialises")
        );
    } else {
        out!("{}", table(&run, &a.peers));
    }
    0
}

/// The table: this engine, the bare loop and each peer, ops/s and ratios.
fn table(run: &bench::BenchRun, peers: &[String]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = write!(
        s,
        "{:>6} {:>12} {:>12} {:>9} {:>12} {:>7} {:>12} {:>7}",
        "N", "ops/s", "events/s", "wall s", "bare ops/s", "share", "+KPIs ops/s", "share"
    );
    for p in peers {
        let _ = write!(s, " {:>13} {:>8}", format!("{p} ops/s"), format!("vs {p}"));
    }
    let _ = writeln!(s, " {:>8} {:>8}", "thru", "bare");
    for r in &run.cases {
        let _ = write!(
            s,
            "{:>6} {:>12.0} {:>12.0} {:>9.3} {:>12.0} {:>6.0}% {:>12.0} {:>6.0}%",
            r.case.stations,
            r.ops_per_sec,
            r.events_per_sec,
            r.wall_s,
            r.bare_loop.ops_per_sec,
            r.share_of_bare_loop * 100.0,
            r.bare_loop_with_kpis.ops_per_sec,
            r.share_of_bare_loop_with_kpis * 100.0
        );
        for p in peers {
            let pr = r.peer(p);
            let ops = pr
                .and_then(|x| x.figures.as_ref())
                .map_or("–".into(), |f| format!("{:.0}", f.ops_per_sec));
            let ratio = pr
                .and_then(|x| x.factory_twin_over_peer)
                .map_or("–".into(), |x| format!("{x:.1}×"));
            let _ = write!(s, " {ops:>13} {ratio:>8}");
        }
        let _ = writeln!(s, " {:>8.4} {:>8.4}", r.throughput, r.bare_loop.throughput);
    }
    let _ = writeln!(
        s,
        "CPU: {} ({} cores); medians of {} runs; share: factory-twin's ops/s ÷ the bare loop's, \
         alone and keeping the engine's KPIs by hand (+KPIs); \"vs P\": factory-twin's ops/s ÷ P's",
        run.cpu, run.cores, run.repeats
    );
    for p in peers {
        if let Some(f) = run
            .cases
            .iter()
            .find_map(|r| r.peer(p).and_then(|x| x.figures.as_ref()))
        {
            let _ = writeln!(s, "{p}: {}", f.origin());
        }
        for r in &run.cases {
            if let Some(note) = r.peer(p).and_then(|x| x.note.as_ref()) {
                let _ = writeln!(s, "{p} not run for N = {}: {note}", r.case.stations);
            }
        }
    }
    s
}

/// `bench --scaling`: replications against worker threads.
pub(super) fn scaling_cmd(json: bool, quick: bool, repeats: usize, reps: Option<u32>) -> i32 {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut threads = vec![1];
    let mut t = 2;
    while t <= cores {
        threads.push(t);
        t *= 2;
    }
    if *threads.last().unwrap_or(&1) != cores {
        threads.push(cores);
    }
    let reps = reps.unwrap_or(if quick { 10 } else { 40 });
    match bench::replication_scaling(reps, &threads, repeats) {
        Ok(s) if json => {
            outln!("{}", serde_json::to_string_pretty(&s).expect("serialises"));
            0
        }
        Ok(s) => {
            outln!(
                "{}, {} replications, {} cores",
                s.what,
                s.replications,
                s.cores
            );
            outln!("{:>8} {:>10} {:>9}", "threads", "wall s", "speedup");
            for t in &s.timings {
                outln!("{:>8} {:>10.3} {:>8.2}×", t.threads, t.wall_s, t.speedup);
            }
            0
        }
        Err(m) => {
            eprintln!("internal error (please report it): {m}");
            crate::error::EXIT_INTERNAL
        }
    }
}

/// The scale figures: large runs and a large scene load.
#[derive(serde::Serialize)]
struct ScaleReport {
    runs: Vec<bench::ScaleRun>,
    load: bench::LoadRun,
}

/// `bench --scale`: lines of N = 10 … 10 000 stations and a 1 000-machine
/// job shop for a simulated year, and the load time of a 10 000-object scene.
pub(super) fn scale_cmd(
    json: bool,
    quick: bool,
    stations: Vec<usize>,
    chart: Option<&std::path::Path>,
) -> i32 {
    let horizon = if quick {
        bench::YEAR_S / 10.0
    } else {
        bench::YEAR_S
    };
    let lines = if stations.is_empty() {
        vec![10, 100, 1_000, 10_000]
    } else {
        stations
    };
    // Each scene is generated when its turn comes, so a run's peak memory
    // holds no other case's scene.
    let cases = lines
        .iter()
        .map(|&n| format!("line N={n}"))
        .chain(["job shop 1000".to_string()]);
    let mut runs = Vec::new();
    for name in cases {
        // Progress: these runs take seconds to minutes each.
        eprintln!("{name} ...");
        let scene = match name.strip_prefix("line N=") {
            Some(n) => bench::minutes_line(n.parse().expect("formatted above"), horizon, 12345),
            None => bench::job_shop(20, 50, horizon, 12345),
        };
        match bench::run_scene(&name, &scene) {
            Ok(r) => runs.push(r),
            Err(m) => {
                eprintln!("internal error (please report it): {m}");
                return crate::error::EXIT_INTERNAL;
            }
        }
    }
    eprintln!("load 10000 objects ...");
    let load = match bench::load_time(10_000, 5, &std::env::temp_dir()) {
        Ok(l) => l,
        Err(m) => {
            eprintln!("internal error (please report it): {m}");
            return crate::error::EXIT_INTERNAL;
        }
    };
    let report = ScaleReport { runs, load };
    if let Some(path) = chart {
        let lines: Vec<&bench::ScaleRun> = report
            .runs
            .iter()
            .filter(|r| r.case.starts_with("line"))
            .collect();
        let x: Vec<f64> = lines.iter().map(|r| (r.stations as f64).log10()).collect();
        let ns: Vec<f64> = lines.iter().map(|r| r.ns_per_event).collect();
        let svg = crate::report::plots::lines(
            &format!(
                "Wall time per event, serial line, {:.0} simulated days (flat = cost linear in events)",
                horizon / 86_400.0
            ),
            "stations, log10 N (1 = 10, 4 = 10 000)",
            "ns per event",
            &x,
            &[("serial line", &ns)],
        );
        if let Err(e) = std::fs::write(path, svg) {
            return fail(&Diagnostic::new(format!("cannot write the chart: {e}")).in_file(path));
        }
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).expect("serialises")
        );
        return 0;
    }
    outln!(
        "simulated {:.0} days each, full KPI collection",
        horizon / 86_400.0
    );
    outln!(
        "{:<16} {:>8} {:>14} {:>10} {:>12} {:>9} {:>10}",
        "case",
        "objects",
        "events",
        "wall s",
        "events/s",
        "ns/event",
        "peak MiB"
    );
    for r in &report.runs {
        outln!(
            "{:<16} {:>8} {:>14} {:>10.2} {:>12.0} {:>9.0} {:>10.1}",
            r.case,
            r.objects,
            r.events,
            r.wall_s,
            r.events_per_sec,
            r.ns_per_event,
            r.peak_rss_mb
        );
    }
    let l = &report.load;
    outln!(
        "load {} objects ({} flow edges, {:.1} MB of RON): read, parse and validate {:.0} ms, build {:.0} ms, total {:.0} ms",
        l.objects,
        l.flow_edges,
        l.file_bytes as f64 / 1e6,
        l.load_ms,
        l.build_ms,
        l.total_ms
    );
    0
}
