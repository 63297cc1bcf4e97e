//! Optimisation: the best design over a space of scene parameters, against
//! any KPI, a cost expression or the business case (NPV), under constraints,
//! with a stated confidence.
//!
//! The search ([`search`]) spends a budget of simulation runs: designs
//! spread over the space, then generations of children of the best (a
//! population method), each new design run a few replications with common
//! random numbers, and after each generation further replications given to
//! the leading designs by OCBA. With one objective, the leaders then go to a
//! Kim–Nelson selection on fresh replications ([`select`]), which names the
//! best with probability ≥ 1 − α of being the best of the finalists or
//! within the indifference zone δ of it, and lists the finalists that are
//! equivalent within ±δ. With several objectives the result is the Pareto
//! front of the designs tried.
//!
//! Decisions depend only on the runs' results, never on timing: the same
//! seed gives the same designs, runs and pick whatever the thread count, and
//! a stopped optimisation resumes from its state file to the same end.

mod evaluate;
pub mod objective;
mod search;
pub mod select;
pub mod space;
mod variant;
mod verdict;

pub use evaluate::{Figures, Planned, add_runs};
pub use objective::{Constraint, Objective, Term, parse_constraint, parse_objective};
pub use space::{Design, Variable};
pub use variant::best_variant;

use crate::error::Diagnostic;
use crate::experiment::{Options, RunError};
use crate::kpi::Estimate;
use crate::scene::{Scene, Value};
use serde::Serialize;
use std::path::PathBuf;

/// What to optimise.
#[derive(Clone, Debug)]
pub struct Problem {
    pub scene: Scene,
    pub variables: Vec<Variable>,
    pub objectives: Vec<Objective>,
    pub constraints: Vec<Constraint>,
    /// Simulation runs (one replication of one design) to spend in all.
    pub budget: u32,
    /// δ in the objective's unit; `None`: 0.5 % of the leader's mean.
    pub indifference: Option<f64>,
    /// 1 − α of the selection.
    pub confidence: f64,
    /// Years an investment is spread over in `npv`.
    pub life_years: Option<f64>,
    /// How to spend the budget.
    pub strategy: Strategy,
}

/// How the budget is spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Strategy {
    /// The population search, OCBA and the Kim–Nelson selection.
    #[default]
    Adaptive,
    /// A plain grid: evenly spaced values of every variable, every point
    /// the same replications, the best mean (a baseline to measure the
    /// search against).
    Grid,
}

/// How to run it.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub threads: Option<usize>,
    /// Keep every run here and resume from it.
    pub state: Option<PathBuf>,
    /// Print a line on stderr after each batch.
    pub progress: bool,
    /// Plan instead of run: the runs of the first batch the state file
    /// does not hold are put here (for a cluster's shards) and the search
    /// stops there; runs read from the state file count as its own.
    pub plan: Option<Planned>,
}

/// Replications the search gives each new design.
pub const SEARCH_REPS: u32 = 3;
/// First-stage replications of the selection (Kim–Nelson's n₀).
pub const SELECTION_N0: u32 = 5;
/// The selection's replications are numbered from here: fresh random
/// numbers, independent of those the search used to pick the finalists.
pub const SELECTION_FROM: u32 = 1_000_000;
/// At most this many finalists go to the selection.
pub const FINALISTS: usize = 5;

/// One evaluated design.
#[derive(Clone, Debug, Serialize)]
pub struct DesignResult {
    pub settings: Vec<(String, Value)>,
    pub label: String,
    /// Replications of the search (the selection's are in [`Selection`]).
    pub replications: u32,
    /// One per objective, over the search's replications.
    pub objectives: Vec<Estimate>,
    /// One per constraint.
    pub constraints: Vec<Estimate>,
    /// Every constraint met by its mean.
    pub feasible: bool,
    /// Gross investment over the scene as given (`--cost`), when priced.
    pub investment: Option<f64>,
    /// Non-dominated rank: 0 for the Pareto front (the best designs with one objective).
    pub rank: u32,
}

/// The best objective value found against the runs spent.
#[derive(Clone, Debug, Serialize)]
pub struct ConvergencePoint {
    pub runs: u32,
    pub best: f64,
    pub design: usize,
}

/// The ranking-and-selection step and what it can claim.
#[derive(Clone, Debug, Serialize)]
pub struct Selection {
    /// Indices into the designs.
    pub finalists: Vec<usize>,
    /// δ, in the objective's unit.
    pub indifference: f64,
    pub confidence: f64,
    pub n0: u32,
    /// Fresh replications each finalist got.
    pub replications: Vec<u32>,
    /// Each finalist's objective over its fresh replications.
    pub estimates: Vec<Estimate>,
    pub chosen: usize,
    /// Finalists not eliminated when the procedure ended.
    pub survivors: Vec<usize>,
    /// Finalists equivalent to the chosen within ±δ (90 % interval of the
    /// paired difference inside it): equally acceptable.
    pub equivalent: Vec<usize>,
    /// The procedure ended (one survivor, or its region closed) within the
    /// budget: the stated confidence holds.
    pub settled: bool,
    pub statement: String,
}

/// The whole optimisation.
#[derive(Clone, Debug, Serialize)]
pub struct Optimisation {
    pub format_version: u32,
    pub scene: String,
    pub seed: u64,
    pub variables: Vec<Variable>,
    /// "max: npv", in order.
    pub objectives: Vec<String>,
    pub objective_units: Vec<String>,
    pub constraints: Vec<String>,
    pub budget: u32,
    pub runs_used: u32,
    /// Runs read back from the state file rather than simulated.
    pub runs_resumed: u32,
    pub space_size: u64,
    /// Every design evaluated, best first (by rank, then the first objective).
    pub designs: Vec<DesignResult>,
    /// Designs that cannot be built, and why.
    pub unbuildable: Vec<(String, String)>,
    pub convergence: Vec<ConvergencePoint>,
    pub selection: Option<Selection>,
    /// The design to build: the selection's pick, else the best by mean.
    pub best: Option<usize>,
    pub currency: Option<String>,
    pub strategy: Strategy,
    pub notes: Vec<String>,
}

impl Problem {
    /// Checks what the objectives and constraints need from the scene.
    pub fn check(&self) -> Result<(), Diagnostic> {
        if self.variables.is_empty() {
            return Err(Diagnostic::new("an optimisation needs at least one --vary"));
        }
        if self.objectives.is_empty() {
            return Err(Diagnostic::new("an optimisation needs an --objective"));
        }
        if !(0.5..1.0).contains(&self.confidence) {
            return Err(Diagnostic::new(format!(
                "--confidence {} is not between 0.5 and 1 (e.g. 0.95)",
                self.confidence
            )));
        }
        if self
            .indifference
            .is_some_and(|d| d.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater))
        {
            return Err(Diagnostic::new("--indifference must be above 0"));
        }
        let relative = matches!(
            self.objectives[0].expr.terms.as_slice(),
            [(c, Term::Kpi(_) | Term::Wip)] if *c > 0.0
        );
        if self.objectives.len() == 1 && !relative && self.indifference.is_none() {
            // 0.5 % of a level makes sense; of an NPV against the scene as
            // given (0 for the scene itself) or of a sum of costs it does not.
            return Err(Diagnostic::new(format!(
                "--objective \"{}\": say which difference matters with --indifference",
                self.objectives[0].expr.text
            ))
            .with_help("e.g. --indifference 1000000 for an NPV in KRW: designs closer than that are equally good"));
        }
        let min_budget = 4 * SEARCH_REPS;
        if self.budget < min_budget {
            return Err(Diagnostic::new(format!(
                "--budget {} is too small: at least {min_budget} runs",
                self.budget
            )));
        }
        let uses = |t: &Term| {
            self.objectives
                .iter()
                .map(|o| &o.expr)
                .chain(self.constraints.iter().map(|c| &c.expr))
                .any(|e| e.terms.iter().any(|(_, x)| x == t))
        };
        if uses(&Term::Npv) || uses(&Term::Payback) {
            let e = self.scene.economics.as_ref();
            if e.and_then(|e| e.weeks_per_year).is_none()
                || e.and_then(|e| e.discount_rate).is_none()
            {
                return Err(Diagnostic::new(format!(
                    "npv and payback need the scene's economics with weeks_per_year and discount_rate; \"{}\" has none",
                    self.scene.name
                ))
                .with_help("add economics: (currency: \"KRW\", unit_margin: ..., energy_per_kwh: ..., scrap_cost: ..., discount_rate: 0.06, weeks_per_year: 48)"));
            }
            if self.life_years.is_none() {
                return Err(Diagnostic::new(
                    "npv and payback need the years an investment serves: give --life YEARS",
                ));
            }
        }
        if (uses(&Term::Npv) || uses(&Term::Payback) || uses(&Term::Investment))
            && !self.variables.iter().any(Variable::priced)
        {
            return Err(Diagnostic::new(
                "npv and investment need what a design costs: give --cost PATH=AMOUNT per unit of a variable, or --choose a variant with an investment",
            )
            .with_help("e.g. --cost b1.capacity=300000 (per buffer place above the scene's)"));
        }
        for v in self.variables.iter().filter(|v| v.cost.is_some()) {
            if v.base.is_none() {
                return Err(Diagnostic::new(format!(
                    "--cost {}: the scene has no number for {} to measure the rise from",
                    v.path, v.path
                )));
            }
        }
        Ok(())
    }

    /// What the runs in a state file depend on: see [`fingerprint`].
    fn fingerprint(&self) -> String {
        fingerprint(&self.scene, &self.variables)
    }
}

/// What the runs of an optimisation depend on: the scene (its content, by
/// hash, seed included), the variables (a choice by its variant's content)
/// and the program. Not the budget, δ, objectives or constraints: a run's
/// figures do not depend on them, so a state file serves a rerun with a
/// larger budget or another δ.
pub fn fingerprint(scene: &Scene, variables: &[Variable]) -> String {
    let vars: Vec<String> = variables
        .iter()
        .map(|v| {
            let choice = v.choice.as_ref().map_or(String::new(), |c| {
                let json = serde_json::to_vec(&c.variant).expect("a variant serialises");
                format!(" choosing {}", crate::cluster::hash(&json))
            });
            format!("{}={:?}{choice}", v.path, v.values)
        })
        .collect();
    format!(
        "scene {} | {} | factory-twin {}",
        crate::cluster::scene_hash(scene),
        vars.join("; "),
        env!("CARGO_PKG_VERSION"),
    )
}

/// The decision variables of `--vary` and `--choose`, every name checked.
pub fn variables(
    scene: &Scene,
    vary: &[String],
    choose: &[String],
) -> Result<Vec<Variable>, Diagnostic> {
    let mut variables = vary
        .iter()
        .map(|v| Variable::parse(scene, v))
        .collect::<Result<Vec<_>, _>>()?;
    for c in choose {
        variables.push(Variable::choose(scene, c)?);
    }
    Ok(variables)
}

/// "max: npv", "min: 20*welders.count + wip".
pub fn objective_text(o: &Objective) -> String {
    format!(
        "{}: {}",
        if o.maximise { "max" } else { "min" },
        o.expr.text
    )
}

/// Runs the optimisation.
pub fn optimise(problem: &Problem, settings: &Settings) -> Result<Optimisation, RunError> {
    problem.check().map_err(RunError::Input)?;
    let options = Options {
        replications: None,
        threads: settings.threads,
        event_log: false,
        progress: false,
        held: None,
    };
    let mut eval = evaluate::Evaluator::new(&problem.scene, &problem.variables, options);
    eval.plan = settings.plan.clone();
    if let Some(path) = &settings.state {
        eval = eval
            .with_state(path.clone(), problem.fingerprint())
            .map_err(RunError::Input)?;
    }
    search::Search::new(problem, eval, settings.progress).run()
}
