//! Evaluating designs: every (design, replication) is simulated once, in
//! parallel, and its figures kept. Replication r of every design draws the
//! same random numbers (common random numbers), so differences between
//! designs are measured, not drowned, by the noise. What has been run is
//! saved to a state file after every batch: a stopped optimisation started
//! again with the same command replays its search from those results
//! (deterministic) and goes on where it stopped.

use super::space::{Design, Variable, scene_of};
use crate::error::Diagnostic;
use crate::experiment::{KPIS, Options, RunError, run_jobs};
use crate::kpi::RunResult;
use crate::scene::Scene;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The figures of one run that objectives and constraints can use.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Figures {
    /// One per [`KPIS`], in order.
    pub kpis: Vec<Option<f64>>,
    pub wip: f64,
    /// What the run's window is worth in a year, before investment:
    /// margin on good parts − labour − energy − scrap (needs `economics`).
    pub money_per_year: Option<f64>,
}

impl Figures {
    fn of(r: &RunResult, scene: &Scene) -> Self {
        let money_per_year = scene.economics.as_ref().and_then(|e| {
            let weeks = e.weeks_per_year?;
            let window_h = scene.run.horizon.secs() / 3600.0;
            let l = &r.line;
            Some(
                weeks * 168.0 / window_h
                    * (e.unit_margin * l.good_parts as f64
                        - l.labour_cost
                        - l.energy_kwh * e.energy_per_kwh
                        - l.scrapped as f64 * e.scrap_cost),
            )
        });
        Figures {
            kpis: KPIS.iter().map(|k| (k.value)(r)).collect(),
            wip: r.line.wip,
            money_per_year,
        }
    }
}

/// Which scene a run is of: a design, or the scene as given (the reference
/// an NPV is measured against).
pub type Key = Option<Design>;

/// The runs a planning optimisation wants next (`Settings::plan`).
pub type Planned = Arc<Mutex<Vec<(Key, u32)>>>;

/// One stored run, as the state file holds it.
#[derive(Serialize, Deserialize)]
struct Stored {
    design: Key,
    replication: u32,
    figures: Figures,
}

/// The state file: what identifies the problem, and every run so far.
#[derive(Serialize, Deserialize)]
struct StateFile {
    problem: String,
    runs: Vec<Stored>,
}

/// Every run so far, and the budget they used.
pub struct Evaluator<'a> {
    base: &'a Scene,
    variables: &'a [Variable],
    options: Options,
    runs: BTreeMap<(Key, u32), Figures>,
    /// Runs read from the state file and not yet asked for again.
    stored: std::collections::BTreeSet<(Key, u32)>,
    scenes: HashMap<Design, Result<Scene, String>>,
    /// Runs the search has asked for (a run asked for again is not counted twice).
    pub used: u32,
    /// Runs taken from the state file instead of simulated.
    pub resumed: u32,
    state: Option<(PathBuf, String)>,
    /// Plan instead of run (`Settings::plan`).
    pub plan: Option<Planned>,
}

impl<'a> Evaluator<'a> {
    pub fn new(base: &'a Scene, variables: &'a [Variable], options: Options) -> Self {
        Evaluator {
            base,
            variables,
            options,
            runs: BTreeMap::new(),
            stored: Default::default(),
            scenes: HashMap::new(),
            used: 0,
            resumed: 0,
            state: None,
            plan: None,
        }
    }

    /// Keeps runs in `path`, reading those a previous try of the same
    /// problem left there. `problem` identifies the problem (its inputs).
    pub fn with_state(mut self, path: PathBuf, problem: String) -> Result<Self, Diagnostic> {
        if path.exists() {
            let file = read_state(&path, &problem)?;
            for s in file.runs {
                self.stored.insert((s.design.clone(), s.replication));
                self.runs.insert((s.design, s.replication), s.figures);
            }
        }
        self.state = Some((path, problem));
        Ok(self)
    }

    /// Whether a design can be built, and why not.
    pub fn buildable(&mut self, design: &Design) -> Result<(), String> {
        self.scene(design).map(|_| ())
    }

    fn scene(&mut self, design: &Design) -> Result<&Scene, String> {
        let (base, variables) = (self.base, self.variables);
        self.scenes
            .entry(design.clone())
            .or_insert_with(|| scene_of(base, variables, design))
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn figures(&self, key: &Key, replication: u32) -> Option<&Figures> {
        self.runs.get(&(key.clone(), replication))
    }

    /// Runs every (key, replication) not yet run, in parallel; results are
    /// stored whatever the thread count in the same way. `Err(Stopped)`
    /// when a stop request cut the batch short (what finished is kept).
    pub fn run(&mut self, jobs: &[(Key, u32)]) -> Result<(), RunError> {
        let mut todo: Vec<(Key, u32)> = Vec::new();
        for job in jobs {
            // A run already made in this optimisation (the reference run
            // that several designs' NPV share) is not counted again.
            if todo.contains(job) || self.runs.contains_key(job) && !self.stored.contains(job) {
                continue;
            }
            self.used += 1;
            if self.stored.remove(job) {
                // A cluster's runs are the optimisation's own, not a resume.
                if self.plan.is_none() {
                    self.resumed += 1;
                }
            } else {
                todo.push(job.clone());
            }
        }
        if let Some(plan) = &self.plan
            && !todo.is_empty()
        {
            // Planning: these are the batch's runs for the shards; stop here.
            plan.lock().expect("not poisoned").extend(todo);
            return Err(RunError::Stopped);
        }
        for (key, _) in &todo {
            if let Some(d) = key {
                self.scene(d).map_err(|m| {
                    RunError::Internal(format!("a design that cannot be built was run: {m}"))
                })?;
            }
        }
        let scenes: Vec<(&Scene, u32)> = todo
            .iter()
            .map(|(key, r)| {
                let scene = match key {
                    Some(d) => self.scenes[d].as_ref().expect("checked above"),
                    None => self.base,
                };
                (scene, *r)
            })
            .collect();
        let done = run_jobs(&scenes, &self.options)?;
        let mut stopped = false;
        let mut fresh = Vec::new();
        for ((key, r), result) in todo.iter().zip(done) {
            match result {
                Some(rep) => fresh.push(((key.clone(), *r), rep.result)),
                None => stopped = true,
            }
        }
        for ((key, r), result) in fresh {
            let scene = match &key {
                Some(d) => self.scenes[d].as_ref().expect("built"),
                None => self.base,
            };
            let f = Figures::of(&result, scene);
            self.runs.insert((key, r), f);
        }
        self.save()?;
        if stopped {
            return Err(RunError::Stopped);
        }
        Ok(())
    }

    fn save(&self) -> Result<(), RunError> {
        let Some((path, problem)) = &self.state else {
            return Ok(());
        };
        let file = StateFile {
            problem: problem.clone(),
            runs: self
                .runs
                .iter()
                .map(|((design, replication), figures)| Stored {
                    design: design.clone(),
                    replication: *replication,
                    figures: figures.clone(),
                })
                .collect(),
        };
        write_state(path, &file).map_err(RunError::Input)
    }
}

/// Reads a state file, refused when its runs are of another problem.
fn read_state(path: &Path, problem: &str) -> Result<StateFile, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::new(format!(
            "cannot read the state file {}: {e}",
            path.display()
        ))
    })?;
    let file: StateFile = serde_json::from_str(&text).map_err(|e| {
        Diagnostic::new(format!(
            "{}: not an optimisation state file ({e}, line {}, column {})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    if file.problem != problem {
        return Err(Diagnostic::new(format!(
            "the state file {} holds runs of another scene, other variables or another program version: its runs would not be this problem's",
            path.display()
        ))
        .with_help("give another --state file, or delete this one to start afresh"));
    }
    Ok(file)
}

fn write_state(path: &Path, file: &StateFile) -> Result<(), Diagnostic> {
    let text = serde_json::to_string(file).expect("serialises");
    // Written aside and renamed: a stop mid-write never leaves half a file.
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            Diagnostic::new(format!(
                "cannot write the state file {}: {e}",
                path.display()
            ))
        })
}

/// Adds runs made elsewhere (a cluster's shards of an optimisation batch)
/// to the state file of `problem` (made if there is none yet), each as the
/// figures the optimisation keeps: what it would have kept had it run them
/// itself. Returns the runs added and the runs the file now holds.
pub fn add_runs(
    path: &Path,
    problem: &str,
    runs: Vec<(Key, u32, RunResult, &Scene)>,
) -> Result<(usize, usize), Diagnostic> {
    let mut file = if path.exists() {
        read_state(path, problem)?
    } else {
        StateFile {
            problem: problem.to_string(),
            runs: Vec::new(),
        }
    };
    let mut all: BTreeMap<(Key, u32), Figures> = file
        .runs
        .drain(..)
        .map(|s| ((s.design, s.replication), s.figures))
        .collect();
    let before = all.len();
    for (key, r, result, scene) in runs {
        all.insert((key, r), Figures::of(&result, scene));
    }
    let added = all.len() - before;
    file.runs = all
        .into_iter()
        .map(|((design, replication), figures)| Stored {
            design,
            replication,
            figures,
        })
        .collect();
    let held = file.runs.len();
    write_state(path, &file)?;
    Ok((added, held))
}
