//! `factory-twin optimize`: the best design over scene parameters.

use super::{EXIT_STOPPED, fail, run_failed, write_file, write_report};
use crate::cluster;
use crate::error::Diagnostic;
use crate::experiment;
use crate::optimize::{self, Problem, Settings, parse_constraint, parse_objective};
use crate::report;
use crate::scene::load_scene_with_inputs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The command line of `optimize`.
pub(super) struct Args<'a> {
    pub scene: &'a Path,
    pub vary: &'a [String],
    pub choose: &'a [String],
    pub objectives: &'a [String],
    pub constraints: &'a [String],
    pub costs: &'a [String],
    pub budget: u32,
    pub life: Option<f64>,
    pub indifference: Option<f64>,
    pub confidence: f64,
    pub state: Option<PathBuf>,
    pub plan: Option<&'a Path>,
    pub variant: Option<&'a Path>,
    pub strategy: optimize::Strategy,
    pub threads: Option<usize>,
    pub json: bool,
    pub report: Option<&'a Path>,
}

pub(super) fn optimize(a: Args<'_>) -> i32 {
    let (scene, files) = match load_scene_with_inputs(a.scene) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let problem = match problem(&a, scene) {
        Ok(p) => p,
        Err(d) => return fail(&d),
    };
    if a.threads == Some(0) {
        return fail(&Diagnostic::new("--threads must be at least 1"));
    }
    experiment::stop_on_ctrl_c();
    let wanted = a.plan.map(|_| Arc::new(Mutex::new(Vec::new())));
    let settings = Settings {
        threads: a.threads,
        state: a.state.clone(),
        progress: std::io::stderr().is_terminal() && wanted.is_none(),
        plan: wanted.clone(),
    };
    let result = optimize::optimise(&problem, &settings);
    if let (Some(file), Some(wanted)) = (a.plan, wanted) {
        let runs = std::mem::take(&mut *wanted.lock().expect("not poisoned"));
        if !runs.is_empty() {
            return write_batch(&a, &problem, file, runs);
        }
        eprintln!(
            "the state file holds every run the optimisation needs: its result follows ({} not written)",
            file.display()
        );
    }
    let o = match result {
        Ok(o) => o,
        Err(e) => return run_failed(e, Some(a.scene)),
    };
    if let Some(file) = a.variant {
        match optimize::best_variant(&o, &problem, a.scene, file) {
            Some(text) => {
                if let Err(code) = write_file(file, "variant", &text) {
                    return code;
                }
            }
            None => eprintln!(
                "--variant: no single best design ({}); {} not written",
                if o.objectives.len() > 1 {
                    "several objectives give a front"
                } else {
                    "none meets the constraints"
                },
                file.display()
            ),
        }
    }
    let warmup = problem.scene.run.warmup.map_or(0.0, |w| w.secs());
    let inputs = report::Inputs::of(&files).with_window(warmup, problem.scene.run.horizon.secs());
    if let Some(file) = a.report
        && let Err(code) = write_report(file, &report::optimisation_report(&o, &inputs))
    {
        return code;
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&o).expect("serialises"));
    } else {
        out!("{}", report::optimisation(&o));
    }
    if experiment::stop_requested() {
        eprintln!("stopped: the output covers the runs that finished");
        return EXIT_STOPPED;
    }
    0
}

/// The next batch's runs as a plan for a cluster's shards.
fn write_batch(
    a: &Args<'_>,
    problem: &Problem,
    file: &Path,
    runs: Vec<(Option<optimize::Design>, u32)>,
) -> i32 {
    let state = a.state.as_ref().expect("--plan requires --state");
    let batch = cluster::OptimizeBatch {
        vary: a.vary.to_vec(),
        choose: a.choose.to_vec(),
        state: state.to_string_lossy().replace('\\', "/"),
        problem: optimize::fingerprint(&problem.scene, &problem.variables),
        runs,
    };
    let plan = cluster::batch_plan(a.scene, &problem.scene, batch);
    let text = serde_json::to_string_pretty(&plan).expect("a plan serialises") + "\n";
    if let Err(code) = write_file(file, "plan", &text) {
        return code;
    }
    // On stderr: stdout is for the result, when it comes (scripts keep it).
    eprintln!(
        "{}: the optimisation's next {} runs. Run every shard I of N with\n  factory-twin shard {} --shard I/N --out DIR\nthen add them to {} with\n  factory-twin merge DIR/shard-*.json\nand run this command again for the next batch (or, when none is left, the result).",
        file.display(),
        plan.jobs,
        file.display(),
        state.display()
    );
    0
}

/// The problem from the command line, every name checked.
fn problem(a: &Args<'_>, scene: crate::scene::Scene) -> Result<Problem, Diagnostic> {
    let mut variables = optimize::variables(&scene, a.vary, a.choose)?;
    for c in a.costs {
        let (path, amount) = c.split_once('=').ok_or_else(|| {
            Diagnostic::new(format!("--cost \"{c}\" has no `=`"))
                .with_help("write --cost b1.capacity=300000")
        })?;
        let amount: f64 = amount
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                Diagnostic::new(format!(
                    "--cost \"{c}\": \"{}\" is not an amount",
                    amount.trim()
                ))
            })?;
        let v = variables
            .iter_mut()
            .find(|v| v.path == path.trim())
            .ok_or_else(|| {
                Diagnostic::new(format!(
                    "--cost \"{c}\": \"{}\" is not one of the --vary variables",
                    path.trim()
                ))
            })?;
        v.cost = Some(amount);
    }
    let names: Vec<String> = variables.iter().map(|v| v.path.clone()).collect();
    let objectives = a
        .objectives
        .iter()
        .map(|o| parse_objective(o, &names).map_err(|d| d.with_context("--objective")))
        .collect::<Result<Vec<_>, _>>()?;
    let constraints = a
        .constraints
        .iter()
        .map(|c| parse_constraint(c, &names).map_err(|d| d.with_context("--constraint")))
        .collect::<Result<Vec<_>, _>>()?;
    let life_years = a.life.or_else(|| {
        scene.investment.as_ref().map(|i| i.life_years).or_else(|| {
            variables
                .iter()
                .find_map(|v| Some(v.choice.as_ref()?.variant.investment.as_ref()?.life_years))
        })
    });
    if a.life
        .is_some_and(|l| l.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater))
    {
        return Err(Diagnostic::new("--life must be above 0 years"));
    }
    let p = Problem {
        scene,
        variables,
        objectives,
        constraints,
        budget: a.budget,
        indifference: a.indifference,
        confidence: a.confidence,
        life_years,
        strategy: a.strategy,
    };
    p.check()?;
    Ok(p)
}
