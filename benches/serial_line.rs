//! `cargo bench`: the serial-line benchmark (N = 5, 50, 500) on this engine,
//! the bare hand-written event loop (the ceiling on this machine) and the
//! peers that are set up (bench/README.md): SimPy and Cimba in
//! `.venv-bench`, NeXosim built from `bench/nexosim_line`, all in one run.
//!
//! The same figures come from `factory-twin bench --peers simpy,cimba,nexosim
//! --json`; see docs/performance.md for the table and how to read it.

use factory_twin::bench::{PEERS, PeerSetup, cpu_name, run_case, standard_cases};
use std::path::{Path, PathBuf};

fn main() {
    // `cargo bench -- --quick` shortens the runs; other arguments are ignored.
    let quick = std::env::args().any(|a| a == "--quick");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let setup = PeerSetup {
        python: root
            .join(".venv-bench/bin/python")
            .to_string_lossy()
            .to_string(),
        simpy_script: root.join("bench/simpy_line.py"),
        cimba_script: root.join("bench/cimba_line.py"),
        nexosim: std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| root.join("bench/nexosim_line/target"), PathBuf::from)
            .join("release/nexosim_line"),
    };
    let peers: Vec<_> = PEERS
        .iter()
        .map(|p| setup.peer(p).map_err(|why| (p.to_string(), why)))
        .collect();
    print!(
        "{:>5} {:>14} {:>14} {:>8}",
        "N", "ops/s", "bare ops/s", "share"
    );
    for p in PEERS {
        print!(" {:>14} {:>9}", format!("{p} ops/s"), format!("vs {p}"));
    }
    println!();
    let mut notes = Vec::new();
    for case in standard_cases(quick) {
        let r = run_case(&case, 3, &peers);
        print!(
            "{:>5} {:>14.0} {:>14.0} {:>7.0}%",
            case.stations,
            r.ops_per_sec,
            r.bare_loop.ops_per_sec,
            r.share_of_bare_loop * 100.0
        );
        for p in &r.peers {
            let ops = p
                .figures
                .as_ref()
                .map_or("–".into(), |f| format!("{:.0}", f.ops_per_sec));
            let x = p
                .factory_twin_over_peer
                .map_or("–".into(), |x| format!("{x:.1}×"));
            print!(" {ops:>14} {x:>9}");
            if let Some(n) = &p.note {
                notes.push(format!("{} (N = {}): {n}", p.peer, case.stations));
            }
        }
        println!();
    }
    println!("CPU: {}", cpu_name());
    for n in notes {
        println!("skipped: {n}");
    }
}
