//! `factory-twin bench`: the engine on the serial line, side by side with
//! the bare loop and SimPy.

use super::fail;
use crate::bench;
use crate::error::Diagnostic;

pub(super) fn bench_cmd(
    json: bool,
    quick: bool,
    stations: Vec<usize>,
    repeats: usize,
    python: &str,
    script: &std::path::Path,
    no_simpy: bool,
) -> i32 {
    let mut cases = bench::standard_cases(quick);
    if !stations.is_empty() {
        let f = if quick { 0.1 } else { 1.0 };
        cases = stations
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
    let mut results = Vec::new();
    for case in &cases {
        if !json {
            eprintln!("N = {} ...", case.stations);
        }
        let simpy = (!no_simpy).then_some((python, script));
        results.push(bench::run_case(case, repeats, simpy));
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&results).expect("serialises")
        );
    } else {
        outln!(
            "{:>6} {:>12} {:>12} {:>9} {:>12} {:>7} {:>12} {:>9} {:>8} {:>8} {:>8}",
            "N",
            "ops/s",
            "events/s",
            "wall s",
            "bare ops/s",
            "share",
            "SimPy ops/s",
            "vs SimPy",
            "thru",
            "bare",
            "SimPy"
        );
        for r in &results {
            let simpy_ops = r
                .simpy
                .as_ref()
                .map_or("–".into(), |p| format!("{:.0}", p.ops_per_sec));
            let simpy_thru = r
                .simpy
                .as_ref()
                .map_or("–".into(), |p| format!("{:.4}", p.throughput));
            outln!(
                "{:>6} {:>12.0} {:>12.0} {:>9.3} {:>12.0} {:>6.0}% {:>12} {:>9} {:>8.4} {:>8.4} {:>8}",
                r.case.stations,
                r.ops_per_sec,
                r.events_per_sec,
                r.wall_s,
                r.bare_loop.ops_per_sec,
                r.share_of_bare_loop * 100.0,
                simpy_ops,
                r.speedup_vs_simpy
                    .map_or("–".into(), |s| format!("{s:.0}×")),
                r.throughput,
                r.bare_loop.throughput,
                simpy_thru,
            );
        }
        if let Some(p) = results.iter().find_map(|r| r.simpy.as_ref()) {
            outln!("{}", p.origin());
        }
        for r in &results {
            if let Some(note) = &r.simpy_note {
                outln!("SimPy not run for N = {}: {note}", r.case.stations);
            }
        }
    }
    0
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
