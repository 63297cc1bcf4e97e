//! `factory-twin plan`, `shard` and `merge`: an experiment on a cluster.

use super::{EXIT_STOPPED, fail, run_failed, write_report};
use crate::cluster::{self, Merged, Plan, ShardFile};
use crate::error::Diagnostic;
use crate::experiment::{self, Options};
use crate::report;
use std::path::{Path, PathBuf};

pub(super) fn plan(scene: &Path, ask: cluster::Ask<'_>, reps: Option<u32>, out: &Path) -> i32 {
    let plan = match cluster::plan(scene, ask, reps) {
        Ok(p) => p,
        Err(d) => return fail(&d),
    };
    let text = serde_json::to_string_pretty(&plan).expect("a plan serialises") + "\n";
    if let Err(e) = std::fs::write(out, text) {
        return fail(&Diagnostic::new(format!(
            "cannot write the plan {}: {e}",
            out.display()
        )));
    }
    let scenes = plan.jobs / plan.replications.max(1);
    let what = match &plan.experiment {
        cluster::Experiment::Run => "run".to_string(),
        cluster::Experiment::Sweep { .. } => format!("sweep of {scenes} points"),
        cluster::Experiment::Compare { roi, variants, .. } => format!(
            "{} of {} variant(s): {scenes} scenes to run, a business case's tornado reruns included",
            if *roi { "roi" } else { "compare" },
            variants.len()
        ),
        cluster::Experiment::Bottleneck => {
            format!("bottleneck experiment ({scenes} scenes: as is and each resource relieved)")
        }
        cluster::Experiment::Optimize(_) => "optimisation batch".to_string(),
    };
    outln!(
        "{}: {what} × {} replications = {} jobs. Run every shard I of N with\n  factory-twin shard {} --shard I/N --out results/\n(or in a Slurm array or a Kubernetes Indexed Job: deploy/), then\n  factory-twin merge results/shard-*.json",
        out.display(),
        plan.replications,
        plan.jobs,
        out.display()
    );
    0
}

pub(super) fn shard(
    plan_file: &Path,
    shard: Option<&str>,
    shards: Option<u32>,
    out: &Path,
    threads: Option<usize>,
) -> i32 {
    let plan = match Plan::read(plan_file) {
        Ok(p) => p,
        Err(d) => return fail(&d),
    };
    let (i, n) = match cluster::shard_index(shard, shards, |k| std::env::var(k).ok()) {
        Ok(x) => x,
        Err(d) => return fail(&d),
    };
    if threads == Some(0) {
        return fail(&Diagnostic::new("--threads must be at least 1"));
    }
    experiment::stop_on_ctrl_c();
    let options = Options {
        replications: None,
        threads,
        event_log: false,
        progress: false,
        held: None,
    };
    let file = match cluster::run_shard(&plan, plan_file, i, n, &options) {
        Ok(f) => f,
        Err(experiment::RunError::Stopped) => {
            eprintln!(
                "stopped: shard {i}/{n} not written (a shard is written whole or not at all)"
            );
            return EXIT_STOPPED;
        }
        Err(e) => return run_failed(e, Some(plan_file)),
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        return fail(&Diagnostic::new(format!(
            "cannot create {}: {e}",
            out.display()
        )));
    }
    let path = out.join(file.file_name());
    // Written aside and renamed: a worker killed mid-write leaves no shard
    // that looks whole.
    let tmp = path.with_extension("partial");
    let written = serde_json::to_vec(&file)
        .map_err(|e| e.to_string())
        .and_then(|bytes| std::fs::write(&tmp, bytes).map_err(|e| e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, &path).map_err(|e| e.to_string()));
    if let Err(e) = written {
        return fail(&Diagnostic::new(format!(
            "cannot write the shard {}: {e}",
            path.display()
        )));
    }
    eprintln!(
        "shard {i}/{n}: {} jobs written to {}",
        file.runs.len(),
        path.display()
    );
    0
}

pub(super) fn merge(
    paths: &[PathBuf],
    json: bool,
    report_file: Option<&Path>,
    csv: Option<&Path>,
) -> i32 {
    let mut shards = Vec::with_capacity(paths.len());
    for p in paths {
        match ShardFile::read(p) {
            Ok(s) => shards.push((p.clone(), s)),
            Err(d) => return fail(&d),
        }
    }
    let merged = match cluster::merge(&shards) {
        Ok(m) => m,
        Err(d) => return fail(&d),
    };
    let scene_file = PathBuf::from(&shards[0].1.plan.scene);
    let merged = match merged {
        Merged::Held { plan, held } => return merge_held(&plan, held, json, report_file, csv),
        Merged::Optimized { state, added, held } => {
            eprintln!(
                "{added} runs added to the optimisation's state file {} ({held} runs in it): run the same `optimize … --state {} --plan PLAN.json` again for its next batch, or its result",
                state.display(),
                state.display()
            );
            return 0;
        }
        other => other,
    };
    let files = match crate::scene::load_scene_with_inputs(&scene_file) {
        Ok((_, f)) => f,
        Err(d) => return fail(&d),
    };
    match merged {
        Merged::Run { summary, .. } => {
            if let Some(dir) = csv
                && let Err(e) = report::write_csv(&summary, dir, false)
            {
                return fail(&Diagnostic::new(format!(
                    "cannot write CSV files into {}: {e}",
                    dir.display()
                )));
            }
            let inputs = report::Inputs::of(&files);
            if let Some(file) = report_file
                && let Err(code) = write_report(file, &report::run_report(&summary, None, &inputs))
            {
                return code;
            }
            if json {
                out!("{}", report::json(&summary));
            } else {
                out!("{}", report::terminal(&summary));
            }
        }
        Merged::Held { .. } | Merged::Optimized { .. } => unreachable!("handled above"),
        Merged::Sweep { scene, sweep } => {
            if let Some(dir) = csv
                && let Err(e) = report::write_sweep_csv(&sweep, dir, false)
            {
                return fail(&Diagnostic::new(format!(
                    "cannot write CSV files into {}: {e}",
                    dir.display()
                )));
            }
            let warmup = scene.run.warmup.map_or(0.0, |w| w.secs());
            let inputs = report::Inputs::of(&files).with_window(warmup, scene.run.horizon.secs());
            if let Some(file) = report_file
                && let Err(code) = write_report(file, &report::sweep_report(&sweep, &inputs))
            {
                return code;
            }
            if json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&sweep).expect("serialises")
                );
            } else {
                out!("{}", report::sweep(&sweep));
            }
        }
    }
    0
}

/// A compare, `roi` or bottleneck experiment from a cluster's runs: the
/// experiment's own code on one machine, every run taken from the shards.
fn merge_held(
    plan: &Plan,
    held: experiment::Held,
    json: bool,
    report_file: Option<&Path>,
    csv: Option<&Path>,
) -> i32 {
    let options = Options {
        replications: Some(plan.replications),
        threads: None,
        event_log: false,
        progress: false,
        held: Some(std::sync::Arc::new(held)),
    };
    let mut paths = vec![PathBuf::from(&plan.scene)];
    if let cluster::Experiment::Compare { variants, .. } = &plan.experiment {
        paths.extend(variants.iter().map(PathBuf::from));
    }
    let (scenes, files) = match super::compare::load(&paths) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match &plan.experiment {
        cluster::Experiment::Compare { roi, .. } => {
            let out = super::Files {
                csv,
                report: report_file,
                xlsx: None,
                csv_bom: false,
            };
            super::compare::compare_scenes(&paths, &scenes, &files, &options, json, out, *roi)
        }
        _ => super::bottleneck::relieve(&paths[0], &scenes[0], &files, &options, json, report_file),
    }
}
