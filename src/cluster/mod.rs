//! Beyond one machine: an experiment split into shards that any scheduler
//! runs (Slurm job arrays, Kubernetes Indexed Jobs, GNU parallel over ssh),
//! and merged back into exactly the bytes one machine writes.
//!
//! The contract:
//! - [`Plan`]: the experiment (a `run` with replications, a `sweep`, a
//!   `compare` or `roi`, a `bottleneck` experiment, or one batch of an
//!   `optimize`), the scene file and the SHA-256 of the scene it resolves
//!   to, the program's version and the number of jobs. A job is one
//!   replication of one scene (a sweep point, a variant, a relieved
//!   resource, a tornado's rerun, a design); jobs are numbered in the order
//!   one machine runs them.
//! - A shard `I/N` runs the jobs `j` with `j mod N = I`. Every seed derives
//!   from the scene and the replication, never from the worker, so a job
//!   gives the same result wherever it runs.
//! - [`ShardFile`]: self-describing (the plan's and the scene's hashes, the
//!   program, `I/N`, each job's index, point, replication and seed, and its
//!   full result).
//! - [`merge`]: checks that every shard of one plan is there exactly once,
//!   from the same inputs and the same program, puts the results back in job
//!   order and summarises them with the code one machine uses: a run and a
//!   sweep directly, a compare, `roi` or bottleneck experiment by running
//!   that experiment's own code with the shards' runs held for it
//!   ([`experiment::Held`]), an optimisation batch by adding its runs to the
//!   optimisation's state file, from which `optimize` goes on.

mod files;

pub use files::{Experiment, JobResult, Plan, ShardFile};

use crate::error::Diagnostic;
use crate::experiment::{
    self, Axis, Held, Options, Replication, RunError, Summary, Sweep, kpi_by_key, run_jobs,
};
use crate::scene::{Scene, load_scene};
use serde::{Deserialize, Serialize};
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

/// The scenes of a plan's experiment (one for a run, one per sweep point,
/// the compared or relieved scenes and a business case's reruns, an
/// optimisation batch's designs) and its jobs in job order.
fn jobs(plan: &Plan, scene: &Scene) -> Result<(Vec<Scene>, Vec<Job>), Diagnostic> {
    if let Experiment::Optimize(batch) = &plan.experiment {
        return batch_jobs(batch, scene);
    }
    let scenes: Vec<Scene> = match &plan.experiment {
        Experiment::Run => vec![scene.clone()],
        Experiment::Sweep { set, .. } => experiment::grid(scene, &axes(set)?)?
            .into_iter()
            .map(|(_, s)| s)
            .collect(),
        Experiment::Compare {
            variants,
            variants_sha256,
            ..
        } => compare_scenes(scene, &load_variants(variants, variants_sha256)?)?,
        Experiment::Bottleneck => {
            let relieved = (0..scene.objects.len()).filter_map(|i| experiment::relieved(scene, i));
            compare_scenes(scene, &relieved.map(|r| r.0).collect::<Vec<_>>())?
        }
        Experiment::Optimize(_) => unreachable!("handled above"),
    };
    let n = scenes.len();
    let jobs = (0..plan.replications)
        .flat_map(|r| (0..n).map(move |p| (p, r)))
        .collect();
    Ok((scenes, jobs))
}

/// What `compare` runs (the base, each variant with the base's seed for
/// common random numbers) and what the business case of each variant that
/// has one reruns for its tornado, with the same replications.
fn compare_scenes(base: &Scene, variants: &[Scene]) -> Result<Vec<Scene>, Diagnostic> {
    let mut scenes = vec![base.clone()];
    for v in variants {
        let mut v = v.clone();
        v.run.seed = base.run.seed;
        scenes.push(v);
    }
    for v in variants {
        if crate::economics::check_inputs(base, v).is_ok() {
            scenes.extend(crate::economics::tornado_scenes(base, v)?);
        }
    }
    Ok(scenes)
}

/// The variant files of a compare plan, each checked against its hash.
pub fn load_variants(paths: &[String], hashes: &[String]) -> Result<Vec<Scene>, Diagnostic> {
    paths
        .iter()
        .zip(hashes)
        .map(|(path, want)| {
            let v = load_scene(Path::new(path))?;
            let hash = scene_hash(&v);
            if &hash != want {
                return Err(Diagnostic::new(format!(
                    "{path} has changed since the plan was made (it hashes to {}, the plan says {})",
                    &hash[..12],
                    &want[..12.min(want.len())]
                ))
                .with_help("make the plan again, or run against the files the plan was made from"));
            }
            Ok(v)
        })
        .collect()
}

/// One batch of an optimisation: what `optimize --plan` found it needs
/// next. Shards rebuild each design's scene from the variables; `merge`
/// adds the runs to the state file, from which `optimize` goes on.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OptimizeBatch {
    /// The `--vary` and `--choose` of the optimisation (choices' variant
    /// files relative to where the commands run).
    pub vary: Vec<String>,
    pub choose: Vec<String>,
    /// The state file the runs go into.
    pub state: String,
    /// What the runs depend on (the scene, the variables, the program):
    /// the state file and every worker must agree.
    pub problem: String,
    /// (design, an index into each variable's values, or none for the
    /// scene as given; replication), in job order.
    pub runs: Vec<(Option<Vec<usize>>, u32)>,
}

/// An optimisation batch's scenes (one per design) and jobs (one per run).
fn batch_jobs(batch: &OptimizeBatch, scene: &Scene) -> Result<(Vec<Scene>, Vec<Job>), Diagnostic> {
    let variables = crate::optimize::variables(scene, &batch.vary, &batch.choose)?;
    let problem = crate::optimize::fingerprint(scene, &variables);
    if problem != batch.problem {
        return Err(Diagnostic::new(
            "the optimisation's scene or variables are not those the batch was planned for (a file changed since)",
        )
        .with_help("plan the batch again with `optimize … --plan`"));
    }
    let mut keys: Vec<&Option<Vec<usize>>> = Vec::new();
    let mut scenes = Vec::new();
    let mut jobs = Vec::new();
    for (key, r) in &batch.runs {
        let p = match keys.iter().position(|k| *k == key) {
            Some(p) => p,
            None => {
                scenes.push(match key {
                    Some(d) => crate::optimize::space::scene_of(scene, &variables, d)
                        .map_err(Diagnostic::new)?,
                    None => scene.clone(),
                });
                keys.push(key);
                scenes.len() - 1
            }
        };
        jobs.push((p, *r));
    }
    Ok((scenes, jobs))
}

fn axes(set: &[String]) -> Result<Vec<Axis>, Diagnostic> {
    set.iter().map(|s| Axis::parse(s)).collect()
}

/// The experiment a plan is asked for.
pub enum Ask<'a> {
    Run,
    Sweep { set: &'a [String], by: &'a str },
    Compare { variants: &'a [PathBuf], roi: bool },
    Bottleneck,
}

/// Makes the plan of an experiment.
pub fn plan(
    scene_file: &Path,
    ask: Ask<'_>,
    replications: Option<u32>,
) -> Result<Plan, Diagnostic> {
    let scene = load_scene(scene_file)?;
    let path_text = |p: &Path| p.to_string_lossy().replace('\\', "/");
    let experiment = match ask {
        Ask::Run => Experiment::Run,
        Ask::Sweep { set, by } => {
            let a = axes(set)?;
            kpi_by_key(by).map_err(|d| d.with_context("--by"))?;
            experiment::grid(&scene, &a)?;
            Experiment::Sweep {
                set: set.to_vec(),
                by: by.to_string(),
            }
        }
        Ask::Compare { variants, roi } => {
            let mut hashes = Vec::new();
            for v in variants {
                let variant = load_scene(v)?;
                // `roi` needs a business case for every variant, as on one machine.
                if roi {
                    crate::economics::check_inputs(&scene, &variant).map_err(|d| {
                        let file = if d.message.contains("base scene") {
                            scene_file
                        } else {
                            v.as_path()
                        };
                        d.in_file(file)
                    })?;
                }
                hashes.push(scene_hash(&variant));
            }
            Experiment::Compare {
                variants: variants.iter().map(|p| path_text(p)).collect(),
                variants_sha256: hashes,
                roi,
            }
        }
        Ask::Bottleneck => Experiment::Bottleneck,
    };
    let reps = match &experiment {
        Experiment::Run => replications.unwrap_or(scene.run.replications).max(1),
        _ => replications.unwrap_or(scene.run.replications).max(2),
    };
    let mut plan = Plan {
        format_version: files::FORMAT,
        program: files::program(),
        scene: path_text(scene_file),
        scene_sha256: scene_hash(&scene),
        seed: scene.run.seed,
        experiment,
        replications: reps,
        jobs: 0,
    };
    plan.jobs = jobs(&plan, &scene)?.1.len() as u32;
    Ok(plan)
}

/// The plan of an optimisation batch (`optimize --plan`).
pub fn batch_plan(scene_file: &Path, scene: &Scene, batch: OptimizeBatch) -> Plan {
    Plan {
        format_version: files::FORMAT,
        program: files::program(),
        scene: scene_file.to_string_lossy().replace('\\', "/"),
        scene_sha256: scene_hash(scene),
        seed: scene.run.seed,
        jobs: batch.runs.len() as u32,
        // Each run names its own replication.
        replications: 1,
        experiment: Experiment::Optimize(batch),
    }
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
                seed: scenes[*p].run.seed,
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

/// What a merge gives: what `run` or `sweep` on one machine gives, the
/// runs a compare, `roi` or bottleneck experiment asks for, or the runs an
/// optimisation batch added to its state file.
pub enum Merged {
    Run {
        scene: Scene,
        summary: Box<Summary>,
    },
    Sweep {
        scene: Scene,
        sweep: Box<Sweep>,
    },
    /// The experiment's scenes as given (the base first, then any variant
    /// files) and every run of the plan, held for the experiment's code.
    Held {
        plan: Box<Plan>,
        held: Held,
    },
    Optimized {
        state: PathBuf,
        added: usize,
        held: usize,
    },
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
        Experiment::Compare { .. } | Experiment::Bottleneck => {
            let (scenes, jobs) = jobs(plan, &scene)?;
            let hashes: Vec<String> = scenes.iter().map(scene_hash).collect();
            let mut held = Held::default();
            for ((p, r), run) in jobs.into_iter().zip(done) {
                held.insert(hashes[p].clone(), r, run.expect("complete").result);
            }
            Ok(Merged::Held {
                plan: Box::new(plan.clone()),
                held,
            })
        }
        Experiment::Optimize(batch) => {
            let (scenes, jobs) = jobs(plan, &scene)?;
            let runs = batch
                .runs
                .iter()
                .zip(jobs)
                .zip(done)
                .map(|(((design, _), (p, r)), run)| {
                    (design.clone(), r, run.expect("complete").result, &scenes[p])
                })
                .collect::<Vec<_>>();
            let state = PathBuf::from(&batch.state);
            let (added, held) = crate::optimize::add_runs(&state, &batch.problem, runs)?;
            Ok(Merged::Optimized { state, added, held })
        }
    }
}
