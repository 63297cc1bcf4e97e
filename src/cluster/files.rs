//! The plan and shard files, and the checks `merge` makes before it trusts
//! them: one plan, one program, every shard exactly once, every job once.

use crate::error::Diagnostic;
use crate::kpi::{Histogram, RunResult};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The version of the plan and shard files.
pub const FORMAT: u32 = 1;

/// "factory-twin 0.1.0": shards and merge must be the same program (a
/// different engine may give different results for the same seed).
pub fn program() -> String {
    format!("factory-twin {}", env!("CARGO_PKG_VERSION"))
}

/// The experiment a plan splits.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Experiment {
    /// `run`: the scene's replications.
    Run,
    /// `sweep`: a grid of `--set` axes, the best by a KPI.
    Sweep { set: Vec<String>, by: String },
    /// `compare` (`roi` when `roi`): the scene against each variant file
    /// with common random numbers, and the business case of every variant
    /// that has one, the reruns of its tornado included.
    Compare {
        variants: Vec<String>,
        /// SHA-256 of each resolved variant.
        variants_sha256: Vec<String>,
        roi: bool,
    },
    /// `bottleneck`: the scene as it is and with each resource relieved.
    Bottleneck,
    /// One batch of an optimisation: the runs `optimize --plan` found it
    /// needs next; merged into its state file (see `crate::optimize`).
    Optimize(super::OptimizeBatch),
}

impl Experiment {
    /// The experiment's command, as a user knows it.
    pub fn name(&self) -> &'static str {
        match self {
            Experiment::Run => "run",
            Experiment::Sweep { .. } => "sweep",
            Experiment::Compare { roi: true, .. } => "roi",
            Experiment::Compare { .. } => "compare",
            Experiment::Bottleneck => "bottleneck",
            Experiment::Optimize(_) => "optimisation batch",
        }
    }
}

/// What every shard runs a part of.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    pub format_version: u32,
    pub program: String,
    /// The scene file as given (relative to where the commands run).
    pub scene: String,
    /// SHA-256 of the resolved scene (with `seed`).
    pub scene_sha256: String,
    pub seed: u64,
    pub experiment: Experiment,
    /// Replications of the scene, or of every sweep point.
    pub replications: u32,
    /// Jobs in all: replications × points.
    pub jobs: u32,
}

impl Plan {
    /// The plan's own hash: shards of the same plan carry it.
    pub fn hash(&self) -> String {
        let json = serde_json::to_vec(self).expect("a plan serialises");
        super::hex(&Sha256::digest(&json))
    }

    pub fn check_program(&self) -> Result<(), Diagnostic> {
        if self.program != program() {
            return Err(Diagnostic::new(format!(
                "the plan was made by {}, this is {}: every shard and the merge must be the same program",
                self.program,
                program()
            )));
        }
        Ok(())
    }

    /// Reads a plan file.
    pub fn read(path: &Path) -> Result<Plan, Diagnostic> {
        let plan: Plan = read_json(path, "plan")?;
        if plan.format_version != FORMAT {
            return Err(Diagnostic::new(format!(
                "plan format {} (this program reads {FORMAT})",
                plan.format_version
            ))
            .in_file(path));
        }
        Ok(plan)
    }
}

/// One job's result in a shard file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobResult {
    /// The job's index in the plan.
    pub job: u32,
    /// The sweep point (0 for a run).
    pub point: u32,
    pub replication: u32,
    /// The scene's seed: with the replication and the objects' names it
    /// makes every random stream of the job.
    pub seed: u64,
    pub result: RunResult,
    /// The lead-time histogram (not part of a run's JSON, needed to merge
    /// lead-time percentiles).
    pub lead_times: Histogram,
}

/// What a shard writes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardFile {
    pub format_version: u32,
    pub program: String,
    /// The plan this shard is part of, whole: a shard file says what it is.
    pub plan: Plan,
    pub plan_sha256: String,
    pub shard: u32,
    pub shards: u32,
    pub runs: Vec<JobResult>,
}

impl ShardFile {
    pub fn read(path: &Path) -> Result<ShardFile, Diagnostic> {
        read_json(path, "shard")
    }

    /// `shard-0007-of-0064.json`: sorts in shard order.
    pub fn file_name(&self) -> String {
        format!("shard-{:04}-of-{:04}.json", self.shard, self.shards)
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path, what: &str) -> Result<T, Diagnostic> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::new(format!("cannot read the {what} file: {e}")).in_file(path))?;
    serde_json::from_str(&text).map_err(|e| {
        let mut d = Diagnostic::new(format!("not a {what} file: {e}")).in_file(path);
        d.position = Some((e.line(), e.column()));
        d
    })
}

/// Every shard of the plan exactly once, from the same inputs and program,
/// and every job exactly once.
pub fn check_complete(
    plan: &Plan,
    plan_file: &Path,
    shards: &[(PathBuf, ShardFile)],
) -> Result<(), Diagnostic> {
    plan.check_program()?;
    let Some((first_path, first)) = shards.first() else {
        return Err(Diagnostic::new("no shard files to merge"));
    };
    let n = first.shards;
    for (path, s) in shards {
        if s.shards == 0 || s.shard >= s.shards {
            return Err(Diagnostic::new(format!(
                "{}: shard {}/{} is not a shard (0 ≤ I < N)",
                path.display(),
                s.shard,
                s.shards
            )));
        }
    }
    let hash = plan.hash();
    let mut seen: Vec<Option<&Path>> = vec![None; n as usize];
    for (path, s) in shards {
        let name = format!("shard {}/{} ({})", s.shard, s.shards, path.display());
        if s.program != plan.program {
            return Err(Diagnostic::new(format!(
                "{name} was run by {}, the plan by {}",
                s.program, plan.program
            )));
        }
        if s.plan_sha256 != hash || s.plan.hash() != hash {
            return Err(Diagnostic::new(format!(
                "{name} is of another plan than the first shard, {} (another scene, seed, experiment, replications or program)",
                plan_file.display()
            ))
            .with_help("merge only the shards of this plan; rerun that shard with this plan"));
        }
        if s.shards != n {
            return Err(Diagnostic::new(format!(
                "{name} is one of {} shards, {} one of {n}: the shards were cut differently",
                s.shards,
                first_path.display()
            )));
        }
        match seen[s.shard as usize] {
            Some(other) => {
                return Err(Diagnostic::new(format!(
                    "shard {}/{n} is there twice: {} and {}",
                    s.shard,
                    other.display(),
                    path.display()
                ))
                .with_help("keep one of them"));
            }
            None => seen[s.shard as usize] = Some(path),
        }
    }
    let missing: Vec<u32> = (0..n).filter(|&i| seen[i as usize].is_none()).collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|i| format!("{i}/{n}")).collect();
        return Err(Diagnostic::new(format!(
            "{} of {n} shards missing: {}",
            missing.len(),
            list.join(", ")
        ))
        .with_help(format!(
            "run only those again with the plan these shards come from (the {} of {}), e.g. factory-twin shard plan.json --shard {}/{n} --out DIR, then merge all",
            plan.experiment.name(),
            plan.scene,
            missing[0]
        )));
    }
    let mut jobs = vec![false; plan.jobs as usize];
    for (path, s) in shards {
        for run in &s.runs {
            let j = run.job as usize;
            let ok = j < jobs.len() && run.job % n == s.shard && !jobs[j];
            if !ok {
                return Err(Diagnostic::new(format!(
                    "{}: job {} does not belong in shard {}/{n} or is there twice",
                    path.display(),
                    run.job,
                    s.shard
                )));
            }
            jobs[j] = true;
        }
    }
    if let Some(j) = jobs.iter().position(|done| !done) {
        return Err(Diagnostic::new(format!(
            "job {j} (shard {}/{n}) has no result: that shard file is incomplete",
            j as u32 % n
        )));
    }
    Ok(())
}
