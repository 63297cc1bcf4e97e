//! Replications: run a scene N times with independent random streams, in
//! parallel, and summarise every figure with a 95 % confidence interval.
//! Results are collected in replication order, so the output is identical
//! whatever the number of threads. A stop request ([`request_stop`], or
//! Ctrl-C once [`stop_on_ctrl_c`] is installed) ends the work early; what
//! finished is still returned.

mod compare;
mod held;
mod relief;
mod summary;
mod sweep;
pub mod warnings;

pub use compare::{
    Comparison, KPIS, Kpi, KpiComparison, VariantComparison, compare, paired_difference,
};
pub use held::Held;
pub use relief::{RELIEF, Relief, ReliefExperiment, relieve_each, relieved};
pub use summary::{
    LINE_FIGURES, LineFigure, LineSummary, PoolSummary, StationSummary, StoreSummary, Summary,
    VehicleSummary,
};
pub use sweep::{
    Axis, Best, GridPoint, NEGLIGIBLE, PointKpi, Sweep, SweepPoint, grid, kpi_by_key, plain, sweep,
    sweep_from_runs, sweep_jobs, sweep_replications,
};

use crate::error::Diagnostic;
use crate::kpi::{Prices, RunResult, measure};
use crate::scene::Scene;
use crate::sim::{self, LogRecord};
use rayon::prelude::*;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The version of the JSON the commands print (`format_version`, first
/// field of every object): raised when a field is removed or changes its
/// meaning, so a tool reading it can tell. 2: the bottleneck over
/// stations and pools, pooled MTBF/MTTR, the business case as distributions.
pub const FORMAT_VERSION: u32 = 2;

static STOP: AtomicBool = AtomicBool::new(false);

/// Asks running experiments to stop: replications not yet started are
/// skipped, those in flight give up at their next check.
pub fn request_stop() {
    STOP.store(true, Ordering::Relaxed);
}

/// Whether a stop was requested.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Makes Ctrl-C request a stop (a second Ctrl-C still kills the process).
pub fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if stop_requested() {
            std::process::exit(130);
        }
        eprintln!("\nstopping: finishing what is done (Ctrl-C again to quit at once)");
        request_stop();
    });
}

/// How to run an experiment.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Replications; `None` takes the scene's `run.replications`.
    pub replications: Option<u32>,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Keep the event log of every replication.
    pub event_log: bool,
    /// Draw a progress bar on stderr as replications finish.
    pub progress: bool,
    /// Runs made elsewhere (a cluster's shards): taken from here instead of
    /// simulated.
    pub held: Option<std::sync::Arc<Held>>,
}

/// One replication's result and, if asked for, its event log.
pub struct Replication {
    pub result: RunResult,
    pub log: Option<Vec<LogRecord>>,
}

/// Why an experiment failed.
#[derive(Debug)]
pub enum RunError {
    /// Bad input (exit code 2).
    Input(Diagnostic),
    /// An invariant failed: a bug in the engine, reported as such.
    Internal(String),
    /// A stop was requested before anything finished.
    Stopped,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Input(d) => write!(f, "{d}"),
            RunError::Internal(m) => write!(f, "internal error (please report it): {m}"),
            RunError::Stopped => write!(f, "stopped before any replication finished"),
        }
    }
}

/// Prices for the cost KPIs from the scene's economics.
pub fn prices(scene: &Scene) -> Prices {
    scene
        .economics
        .as_ref()
        .map_or_else(Prices::default, |e| Prices {
            priced: true,
            energy_per_kwh: e.energy_per_kwh,
            scrap_cost: e.scrap_cost,
            capital_per_s: match (&scene.investment, e.discount_rate, e.weeks_per_year) {
                (Some(inv), Some(rate), Some(weeks)) if weeks > 0.0 => {
                    crate::economics::finance::equivalent_annual_cost(
                        inv.net(),
                        inv.residual_value,
                        inv.maintenance_per_year,
                        rate,
                        inv.life_years,
                    ) / (weeks * 168.0 * 3600.0)
                }
                _ => 0.0,
            },
        })
}

/// Runs replication `rep` of `scene` on the Bevy app and measures it;
/// `None` when a stop was requested first.
fn run_replication_until(
    scene: &Scene,
    rep: u32,
    event_log: bool,
) -> Result<Option<Replication>, RunError> {
    if stop_requested() {
        return Ok(None);
    }
    let build = if event_log {
        sim::build_logged
    } else {
        sim::build
    };
    let engine = build(scene, rep).map_err(RunError::Input)?;
    let Some(mut engine) = sim::run_in_app_until(engine, stop_requested) else {
        return Ok(None);
    };
    let result = measure(&mut engine, rep, prices(scene))
        .map_err(|m| RunError::Internal(format!("replication {rep} of \"{}\": {m}", scene.name)))?;
    Ok(Some(Replication {
        result,
        log: engine.log.take(),
    }))
}

/// Runs every replication (in parallel) and returns them in order. After a
/// stop request only the replications that finished are returned (an error
/// if none did).
pub fn run_all(scene: &Scene, options: &Options) -> Result<Vec<Replication>, RunError> {
    let reps = options
        .replications
        .unwrap_or(scene.run.replications)
        .max(1);
    let jobs: Vec<(&Scene, u32)> = (0..reps).map(|r| (scene, r)).collect();
    let runs = run_jobs(&jobs, options)?;
    let done: Vec<Replication> = runs.into_iter().flatten().collect();
    if done.is_empty() {
        return Err(RunError::Stopped);
    }
    Ok(done)
}

/// Runs (scene, replication) jobs on the worker pool, results in job order;
/// `None` for a job a stop request cut short.
pub(crate) fn run_jobs(
    jobs: &[(&Scene, u32)],
    options: &Options,
) -> Result<Vec<Option<Replication>>, RunError> {
    if let Some(held) = &options.held {
        return jobs
            .iter()
            .map(|&(scene, r)| held.take(scene, r).map(Some))
            .collect();
    }
    let total = jobs.len() as u32;
    let done = AtomicU32::new(0);
    let work = || {
        jobs.par_iter()
            .map(|&(scene, r)| {
                let result = run_replication_until(scene, r, options.event_log);
                if options.progress && matches!(result, Ok(Some(_))) {
                    progress_bar(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                }
                result
            })
            .collect::<Vec<_>>()
    };
    let results = match options.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| RunError::Internal(format!("cannot start {n} worker threads: {e}")))?
            .install(work),
        None => work(),
    };
    if options.progress && done.load(Ordering::Relaxed) < total {
        eprintln!();
    }
    results.into_iter().collect()
}

/// Redraws "[#####     ] 5/10 replications" on stderr.
fn progress_bar(done: u32, total: u32) {
    const WIDTH: u32 = 30;
    let filled = (done * WIDTH / total.max(1)) as usize;
    let bar = format!(
        "{}{}",
        "#".repeat(filled),
        " ".repeat(WIDTH as usize - filled)
    );
    let end = if done == total { "\n" } else { "" };
    eprint!("\r[{bar}] {done}/{total} runs{end}");
    let _ = std::io::stderr().flush();
}

/// Runs the replications and summarises them.
pub fn replicate(scene: &Scene, options: &Options) -> Result<Summary, RunError> {
    let runs = run_all(scene, options)?;
    let results: Vec<RunResult> = runs.into_iter().map(|r| r.result).collect();
    Ok(Summary::from_runs(scene, results))
}
