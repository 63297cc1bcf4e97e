//! Beyond one machine: an experiment split into shards that any scheduler
//! runs (Slurm job arrays, Kubernetes Indexed Jobs, GNU parallel over ssh),
//! and merged back into exactly the bytes one machine writes.
//!
//! The contract:
//! - [`Plan`]: the experiment (a `run` with replications or a `sweep`), the
//!   scene file and the SHA-256 of the scene it resolves to, the program's
//!   version and the number of jobs. A job is one replication of one scene
//!   (a sweep point); jobs are numbered in the order one machine runs and
//!   summarises them.
//! - A shard `I/N` runs the jobs `j` with `j mod N = I`. Every seed derives
//!   from the scene and the replication, never from the worker, so a job
//!   gives the same result wherever it runs.
//! - [`ShardFile`]: self-describing (the plan's and the scene's hashes, the
//!   program, `I/N`, each job's index, point, replication and seed, and its
//!   full result).
//! - [`merge`]: checks that every shard of one plan is there exactly once,
//!   from the same inputs and the same program, puts the results back in job
//!   order and summarises them with the code one machine uses.

mod files;

pub use files::{Experiment, JobResult, Plan, ShardFile};

use crate::error::Diagnostic;
use crate::experiment::{
    self, Axis, Options, Replication, RunError, Summary, Sweep, kpi_by_key, run_jobs,
};
use crate::scene::{Scene, load_scene};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The SHA-256 of a resolved scene (its canonical JSON): the same whatever
/// the file's path, spacing or comments, different for any change that
/// matters to a run.
pub fn scene_hash(scene: &Scene) -> String {
    hash(&serde_json::to_vec(scene).expect("a scene serialises"))
}

/// SHA-256 of some bytes, in hex.
pub fn hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Which shard this worker is: `--shard I/N`, else the scheduler's index
/// (`SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_COUNT`, or Kubernetes'
/// `JOB_COMPLETION_INDEX` with `--shards N`).
pub fn shard_index(
    shard: Option<&str>,
    shards: Option<u32>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(u32, u32), Diagnostic> {
    let help = "give --shard I/N, or run under a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with --shards N)";
    let number = |what: &str, v: &str| {
        v.trim().parse::<u32>().map_err(|_| {
            Diagnostic::new(format!("{what} \"{v}\" is not a whole number")).with_help(help)
        })
    };
    let (i, n) = if let Some(spec) = shard {
        let (i, n) = spec.split_once('/').ok_or_else(|| {
            Diagnostic::new(format!("--shard \"{spec}\" is not I/N")).with_help(help)
        })?;
        (number("--shard", i)?, number("--shard", n)?)
    } else if let Some(i) = env("SLURM_ARRAY_TASK_ID") {
        // --shards wins: an array that reruns only some shards
        // (--array=5,17) has a task count of its own, not the plan's.
        let n = match shards {
            Some(n) => n,
            None => {
                let n = env("SLURM_ARRAY_TASK_COUNT").ok_or_else(|| {
                    Diagnostic::new("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
                        .with_help(help)
                })?;
                number("SLURM_ARRAY_TASK_COUNT", &n)?
            }
        };
        return checked(number("SLURM_ARRAY_TASK_ID", &i)?, n, help);
    } else if let Some(i) = env("JOB_COMPLETION_INDEX") {
        let n = shards.ok_or_else(|| {
            Diagnostic::new("JOB_COMPLETION_INDEX is set: give the number of shards with --shards N (the Job's completions)")
                .with_help(help)
        })?;
        (number("JOB_COMPLETION_INDEX", &i)?, n)
    } else {
        return Err(Diagnostic::new("which shard is this?").with_help(help));
    };
    if let Some(s) = shards
        && s != n
    {
        return Err(Diagnostic::new(format!(
            "--shards {s} but --shard says {n} shards"
        )));
    }
    checked(i, n, help)
}

fn checked(i: u32, n: u32, help: &str) -> Result<(u32, u32), Diagnostic> {
    if n == 0 || i >= n {
        return Err(Diagnostic::new(format!(
            "shard {i}/{n}: the index must be below the count (0 ≤ I < N)"
        ))
        .with_help(help));
    }
    Ok((i, n))
}

/// The scene of a plan, checked against the plan's hash.
fn plan_scene(plan: &Plan, plan_file: &Path) -> Result<Scene, Diagnostic> {
    let path = PathBuf::from(&plan.scene);
    let mut scene = load_scene(&path)?;
    scene.run.seed = plan.seed;
    let hash = scene_hash(&scene);
    if hash != plan.scene_sha256 {
        return Err(Diagnostic::new(format!(
            "{} has changed since the plan was made (its scene hashes to {}, the plan says {})",
            plan.scene,
            &hash[..12],
            &plan.scene_sha256[..12]
        ))
        .in_file(plan_file)
        .with_help(
            "make the plan again, or run the shards against the scene the plan was made from",
        ));
    }
    Ok(scene)
}

/// A job: (index of its scene, replication).
type Job = (usize, u32);

/// The scenes of a plan's experiment (one for a run, one per sweep point)
/// and its jobs in job order.
fn jobs(plan: &Plan, scene: &Scene) -> Result<(Vec<Scene>, Vec<Job>), Diagnostic> {
    let scenes: Vec<Scene> = match &plan.experiment {
        Experiment::Run => vec![scene.clone()],
        Experiment::Sweep { set, .. } => experiment::grid(scene, &axes(set)?)?
            .into_iter()
            .map(|(_, s)| s)
            .collect(),
    };
    let n = scenes.len();
    let jobs = (0..plan.replications)
        .flat_map(|r| (0..n).map(move |p| (p, r)))
        .collect();
    Ok((scenes, jobs))
}

fn axes(set: &[String]) -> Result<Vec<Axis>, Diagnostic> {
    set.iter().map(|s| Axis::parse(s)).collect()
}

/// Makes the plan of an experiment: `set` empty for a `run`.
pub fn plan(
    scene_file: &Path,
    set: &[String],
    by: &str,
    replications: Option<u32>,
) -> Result<Plan, Diagnostic> {
    let scene = load_scene(scene_file)?;
    let experiment = if set.is_empty() {
        Experiment::Run
    } else {
        let a = axes(set)?;
        kpi_by_key(by).map_err(|d| d.with_context("--by"))?;
        experiment::grid(&scene, &a)?;
        Experiment::Sweep {
            set: set.to_vec(),
            by: by.to_string(),
        }
    };
    let reps = match &experiment {
        Experiment::Run => replications.unwrap_or(scene.run.replications).max(1),
        Experiment::Sweep { .. } => replications.unwrap_or(scene.run.replications).max(2),
    };
    let mut plan = Plan {
        format_version: files::FORMAT,
        program: files::program(),
        scene: scene_file.to_string_lossy().replace('\\', "/"),
        scene_sha256: scene_hash(&scene),
        seed: scene.run.seed,
        experiment,
        replications: reps,
        jobs: 0,
    };
    plan.jobs = jobs(&plan, &scene)?.1.len() as u32;
    Ok(plan)
}

/// Runs shard `i` of `n` of a plan: its jobs in parallel on this machine.
pub fn run_shard(
    plan: &Plan,
    plan_file: &Path,
    i: u32,
    n: u32,
    options: &Options,
) -> Result<ShardFile, RunError> {
    plan.check_program().map_err(RunError::Input)?;
    let scene = plan_scene(plan, plan_file).map_err(RunError::Input)?;
    let (scenes, all) = jobs(plan, &scene).map_err(RunError::Input)?;
    let mine: Vec<(u32, Job)> = all
        .into_iter()
        .enumerate()
        .filter(|(j, _)| *j as u32 % n == i)
        .map(|(j, job)| (j as u32, job))
        .collect();
    let work: Vec<(&Scene, u32)> = mine.iter().map(|(_, (p, r))| (&scenes[*p], *r)).collect();
    let done = run_jobs(&work, options)?;
    if done.iter().any(Option::is_none) {
        // A shard is whole or it is not written: merge must never see half.
        return Err(RunError::Stopped);
    }
    let runs = mine
        .iter()
        .zip(done)
        .map(|((j, (p, r)), rep)| {
            let rep = rep.expect("checked");
            JobResult {
                job: *j,
                point: *p as u32,
                replication: *r,
                seed: scene.run.seed,
                lead_times: rep.result.lead_times.clone(),
                result: rep.result,
            }
        })
        .collect();
    Ok(ShardFile {
        format_version: files::FORMAT,
        program: files::program(),
        plan_sha256: plan.hash(),
        plan: plan.clone(),
        shard: i,
        shards: n,
        runs,
    })
}

/// What a merge gives: what `run` or `sweep` on one machine gives.
pub enum Merged {
    Run { scene: Scene, summary: Box<Summary> },
    Sweep { scene: Scene, sweep: Box<Sweep> },
}

/// Merges the shard files of one plan (the plan each carries; the first
/// names it in messages).
pub fn merge(shards: &[(PathBuf, ShardFile)]) -> Result<Merged, Diagnostic> {
    let Some((plan_file, first)) = shards.first() else {
        return Err(Diagnostic::new("no shard files to merge"));
    };
    let plan = &first.plan;
    files::check_complete(plan, plan_file, shards)?;
    let scene = plan_scene(plan, plan_file)?;
    let mut done: Vec<Option<Replication>> = (0..plan.jobs).map(|_| None).collect();
    for (_, shard) in shards {
        for run in &shard.runs {
            let mut result = run.result.clone();
            result.lead_times = run.lead_times.clone();
            done[run.job as usize] = Some(Replication { result, log: None });
        }
    }
    match &plan.experiment {
        Experiment::Run => {
            let results: Vec<_> = done
                .into_iter()
                .map(|r| r.expect("complete").result)
                .collect();
            Ok(Merged::Run {
                summary: Box::new(Summary::new(&scene, &results)),
                scene,
            })
        }
        Experiment::Sweep { set, by } => {
            let a = axes(set)?;
            let points = experiment::grid(&scene, &a)?;
            let by = kpi_by_key(by)?;
            let sweep =
                experiment::sweep_from_runs(&scene, &a, by, &points, done, plan.replications)
                    .map_err(|e| Diagnostic::new(e.to_string()))?;
            Ok(Merged::Sweep {
                scene,
                sweep: Box::new(sweep),
            })
        }
    }
}
