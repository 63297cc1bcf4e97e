//! Integration tests of the engine and the command line, in one binary (each
//! test binary links Bevy, so they share one).
//!
//! - `bad_input`: every kind of bad scene gives a clear message and exit code 2, and
//!   hundreds of random edits of the bundled scenes never panic;
//! - `cli`: bundled scenes run, JSON parses, output is deterministic;
//! - `conclusions`: the bottleneck (and the relief experiment), pooled MTBF, compare verdicts;
//! - `fast_paths`: the engine's shortcuts change no result (bundled scenes, generated factories);
//! - `timing`: conveyors, transfer robots and shifts take exactly the time the scene says;
//! - `queueing`: quick checks against closed-form queueing results;
//! - `calibration`: `fit` recovers a bundled scene's cycle distributions from its event log;
//! - `pdf`: the PDF report read back with poppler: no blank page, the first page decides;
//! - `korean`: reports and the terminal in Korean, money in 억 and 만, names unchanged;
//! - `layout`: `check` finds each kind of layout violation; the safety KPI;
//! - `random_factories`: hundreds of generated scenes keep the invariants and run deterministically;
//! - `scenarios`: compare, sweep, the business case, the HTML report, Ctrl-C;
//! - `snapshots`: the JSON of every bundled scene and the random streams, pinned byte for byte;
//! - `view`: the 3D view rendered offscreen (with the `viewer` feature);
//! - `workbook`: the Excel workbook read back holds the JSON's figures; names survive
//!   every format;
//! - `shadow`: a run from a plant's state, and the forecast's coverage of the day;
//! - `cluster`: `plan`, `shard`, `merge` byte for byte as one machine; Slurm (a real
//!   single-node cluster), Kubernetes' index, GNU parallel; missing and doubled shards named;
//! - `optimise`: `optimize` from the command line: the pick as a Variant that runs, stop and
//!   resume to the same end, bad input named;
//! - `live`, `opcua`: the plant on the wire, served and monitored over a real
//!   mosquitto broker and OPC UA, read by independent clients (paho-mqtt, asyncua);
//! - `crews`, `changeovers`, `maintenance`, `tending`, `skills`, `vehicles`, `orders`:
//!   the plant features, timed by hand.

mod bad_input;
mod calibration;
mod changeovers;
mod cli;
mod cluster;
#[path = "../common/mod.rs"]
mod common;
mod conclusions;
mod crews;
mod fast_paths;
mod korean;
mod kpis;
mod layout;
mod live;
mod maintenance;
mod opcua;
mod optimise;
mod orders;
mod pdf;
mod queueing;
mod random_factories;
mod scenarios;
mod shadow;
mod skills;
mod snapshots;
mod tending;
mod timing;
mod vehicles;
mod view;
mod workbook;

pub use common::{mean_se, run, scene};
use factory_twin::kpi::RunResult;
use factory_twin::scene::Scene;

/// The times (s) of `event` at `object` in a log from [`run_logged`].
pub fn event_times(
    log: &[(f64, String, u64, &'static str)],
    object: &str,
    event: &str,
) -> Vec<f64> {
    log.iter()
        .filter(|r| r.1 == object && r.3 == event)
        .map(|r| r.0)
        .collect()
}

/// As [`event_times`], in minutes.
pub fn event_minutes(
    log: &[(f64, String, u64, &'static str)],
    object: &str,
    event: &str,
) -> Vec<f64> {
    event_times(log, object, event)
        .into_iter()
        .map(|t| t / 60.0)
        .collect()
}

/// Text with its line breaks and indentation as single spaces: the
/// terminal wraps prose at 100 columns, and a test asks for the words.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs one replication with its event log.
pub fn run_logged(scene: &Scene) -> (RunResult, Vec<(f64, String, u64, &'static str)>) {
    let engine = factory_twin::sim::build_logged(scene, 0).expect("builds");
    let mut engine = factory_twin::sim::run_in_app(engine);
    let result =
        factory_twin::kpi::measure(&mut engine, 0, Default::default()).expect("invariants hold");
    let log = engine
        .log
        .take()
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.time,
                engine.nodes[r.node as usize].id.clone(),
                r.part,
                r.event.name(),
            )
        })
        .collect();
    (result, log)
}
