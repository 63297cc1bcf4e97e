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
        if stations.contains(&0) {
            return fail(&Diagnostic::new(
                "--stations takes line lengths of at least 1",
            ));
        }
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
        for r in &results {
            if let Some(note) = &r.simpy_note {
                outln!("SimPy not run for N = {}: {note}", r.case.stations);
            }
        }
    }
    0
}

/// `bench --scaling`: replications against worker threads.
pub(super) fn scaling_cmd(json: bool, quick: bool, repeats: usize) -> i32 {
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
    let reps = if quick { 10 } else { 40 };
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
            1
        }
    }
}
