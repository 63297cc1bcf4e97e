//! The command line: `run`, `bench`. Each command returns its exit code.

use crate::bench;
use crate::error::{Diagnostic, EXIT_USER_ERROR};
use crate::experiment::{self, Options, RunError, Summary};
use crate::report;
use crate::scene::load_scene;
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;

/// A digital twin of a factory floor: simulate a scene, read its KPIs.
#[derive(Parser, Debug)]
#[command(name = "factory-twin", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scene and report its KPIs.
    Run {
        /// Scene or variant file (.ron).
        scene: PathBuf,
        /// Print the summary as JSON on stdout instead of tables.
        #[arg(long)]
        json: bool,
        /// Replications (default: the scene's `run.replications`).
        #[arg(long)]
        reps: Option<u32>,
        /// Worker threads for replications (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Override the scene's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Also write the tables as CSV files into this folder.
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
        /// Write the event log (time, object, part, event) as CSV.
        #[arg(long, value_name = "FILE")]
        events: Option<PathBuf>,
        /// Write a chart of the time each station spends in each state (SVG).
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
    },
    /// Compare scenarios (a base and its variants) with paired replications.
    Compare {
        /// The base scene, then one or more variants or other scenes.
        #[arg(required = true, num_args = 2..)]
        scenes: Vec<PathBuf>,
        /// Replications per scenario (at least 2; default: the base's `run.replications`).
        #[arg(long)]
        reps: Option<u32>,
        /// Worker threads.
        #[arg(long)]
        threads: Option<usize>,
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Benchmark the engine on the serial line, side by side with SimPy.
    Bench {
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Shorter runs (a tenth of the horizon), for a quick look.
        #[arg(long)]
        quick: bool,
        /// Line lengths to run (default 5,50,500).
        #[arg(long, value_delimiter = ',')]
        stations: Vec<usize>,
        /// Repeats per case; the median wall time is reported.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Python interpreter with SimPy installed.
        #[arg(long, default_value = "python3")]
        python: String,
        /// The SimPy peer script.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/simpy_line.py"))]
        simpy_script: PathBuf,
        /// Skip the SimPy side.
        #[arg(long)]
        no_simpy: bool,
    },
}

/// Runs the parsed command line and returns the process exit code.
pub fn main_with(cli: Cli) -> i32 {
    match cli.command {
        Command::Run {
            scene,
            json,
            reps,
            threads,
            seed,
            csv,
            events,
            chart,
        } => run(
            scene,
            json,
            reps,
            threads,
            seed,
            Outputs { csv, events, chart },
        ),
        Command::Compare {
            scenes,
            reps,
            threads,
            json,
        } => compare_cmd(&scenes, reps, threads, json),
        Command::Bench {
            json,
            quick,
            stations,
            repeats,
            python,
            simpy_script,
            no_simpy,
        } => bench_cmd(
            json,
            quick,
            stations,
            repeats,
            &python,
            &simpy_script,
            no_simpy,
        ),
    }
}

fn fail(d: &Diagnostic) -> i32 {
    eprint!("{d}");
    EXIT_USER_ERROR
}

/// Files `run` writes besides its report.
struct Outputs {
    csv: Option<PathBuf>,
    events: Option<PathBuf>,
    chart: Option<PathBuf>,
}

fn run(
    path: PathBuf,
    json: bool,
    reps: Option<u32>,
    threads: Option<usize>,
    seed: Option<u64>,
    out: Outputs,
) -> i32 {
    let Outputs { csv, events, chart } = out;
    let mut scene = match load_scene(&path) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    if let Some(s) = seed {
        scene.run.seed = s;
    }
    if reps == Some(0) {
        return fail(&Diagnostic::new("--reps must be at least 1"));
    }
    if threads == Some(0) {
        return fail(&Diagnostic::new("--threads must be at least 1"));
    }
    // A progress bar only where a person watches (stderr is a terminal).
    let options = Options {
        replications: reps,
        threads,
        event_log: events.is_some(),
        progress: std::io::stderr().is_terminal(),
    };
    let runs = match experiment::run_all(&scene, &options) {
        Ok(r) => r,
        Err(RunError::Input(d)) => return fail(&d.in_file(&path)),
        Err(e @ RunError::Internal(_)) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let results: Vec<_> = runs.iter().map(|r| r.result.clone()).collect();
    let summary = Summary::new(&scene, &results);
    if let Some(dir) = &csv
        && let Err(e) = report::write_csv(&summary, dir)
    {
        return fail(&Diagnostic::new(format!(
            "cannot write CSV files into {}: {e}",
            dir.display()
        )));
    }
    if let Some(file) = &events {
        let ids = crate::sim::build(&scene, 0)
            .map(|e| e.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>());
        let ids = match ids {
            Ok(ids) => ids,
            Err(d) => return fail(&d),
        };
        if let Err(e) = report::write_events(file, &ids, &runs) {
            return fail(&Diagnostic::new(format!(
                "cannot write the event log {}: {e}",
                file.display()
            )));
        }
    }
    if let Some(file) = &chart
        && let Err(e) = std::fs::write(file, report::state_chart(&summary))
    {
        return fail(&Diagnostic::new(format!(
            "cannot write the chart {}: {e}",
            file.display()
        )));
    }
    let text = if json {
        report::json(&summary)
    } else {
        report::terminal(&summary)
    };
    print!("{text}");
    0
}

fn compare_cmd(paths: &[PathBuf], reps: Option<u32>, threads: Option<usize>, json: bool) -> i32 {
    if reps.is_some_and(|r| r < 2) {
        return fail(&Diagnostic::new(
            "--reps must be at least 2: a paired interval needs two replications",
        ));
    }
    let mut scenes = Vec::new();
    for path in paths {
        match load_scene(path) {
            Ok(s) => scenes.push(s),
            Err(d) => return fail(&d),
        }
    }
    let options = Options {
        replications: reps,
        threads,
        event_log: false,
        progress: std::io::stderr().is_terminal(),
    };
    match experiment::compare(&scenes[0], &scenes[1..], &options) {
        Ok(c) if json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&c).expect("the comparison serialises")
            );
            0
        }
        Ok(c) => {
            print!("{}", report::comparison(&c));
            0
        }
        Err(RunError::Input(d)) => fail(&d),
        Err(e @ RunError::Internal(_)) => {
            eprintln!("{e}");
            1
        }
    }
}

fn bench_cmd(
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
        println!(
            "{}",
            serde_json::to_string_pretty(&results).expect("serialises")
        );
    } else {
        println!(
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
            println!(
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
                println!("SimPy not run for N = {}: {note}", r.case.stations);
            }
        }
    }
    0
}
