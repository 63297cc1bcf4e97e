//! `cargo bench`: the serial-line benchmark (N = 5, 50, 500) on this engine,
//! the bare hand-written event loop (the ceiling on this machine) and, when
//! `.venv-bench/bin/python` has SimPy, the SimPy peer, all in one run.
//!
//! The same figures come from `factory-twin bench --json`; see
//! docs/performance.md for the table and how to read it.

use factory_twin::bench::{run_case, standard_cases};
use std::path::Path;

fn main() {
    // `cargo bench -- --quick` shortens the runs; other arguments are ignored.
    let quick = std::env::args().any(|a| a == "--quick");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join(".venv-bench/bin/python");
    let script = root.join("bench/simpy_line.py");
    let python = python.to_string_lossy().to_string();
    let simpy = Path::new(&python)
        .exists()
        .then_some((python.as_str(), script.as_path()));
    if simpy.is_none() {
        eprintln!("SimPy side skipped: no .venv-bench (see bench/README.md)");
    }
    println!(
        "{:>5} {:>14} {:>14} {:>8} {:>14} {:>10}",
        "N", "ops/s", "bare ops/s", "share", "SimPy ops/s", "vs SimPy"
    );
    let mut peer = None;
    for case in standard_cases(quick) {
        let r = run_case(&case, 3, simpy);
        peer = peer.or_else(|| r.simpy.clone());
        println!(
            "{:>5} {:>14.0} {:>14.0} {:>7.0}% {:>14} {:>10}",
            case.stations,
            r.ops_per_sec,
            r.bare_loop.ops_per_sec,
            r.share_of_bare_loop * 100.0,
            r.simpy
                .as_ref()
                .map_or("–".into(), |p| format!("{:.0}", p.ops_per_sec)),
            r.speedup_vs_simpy
                .map_or("–".into(), |s| format!("{s:.0}×")),
        );
    }
    // The peer's speed depends on the CPython build: say which one ran it.
    if let Some(p) = peer {
        println!("{}", p.origin());
    }
}
