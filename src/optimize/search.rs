//! The search: a population over the design space, replications spent by
//! OCBA on the leaders, then a Kim–Nelson selection among the finalists.

use super::evaluate::{Evaluator, Key};
use super::objective::{Expr, Term};
use super::select::{KimNelson, equivalent, ocba};
use super::space::{self, Design, Variable};
use super::{
    ConvergencePoint, DesignResult, FINALISTS, Optimisation, Problem, SEARCH_REPS, SELECTION_FROM,
    SELECTION_N0, Selection, Strategy, objective_text,
};
use crate::experiment::{FORMAT_VERSION, RunError};
use crate::kpi::Estimate;
use crate::sim::rng::{Purpose, Stream};
use std::collections::HashSet;

pub(super) struct Search<'a> {
    p: &'a Problem,
    eval: Evaluator<'a>,
    rng: Stream,
    /// Designs with runs, in the order they were tried.
    designs: Vec<Design>,
    /// Search replications asked for each design.
    reps: Vec<u32>,
    tried: HashSet<Design>,
    unbuildable: Vec<(Design, String)>,
    convergence: Vec<ConvergencePoint>,
    uses_npv: bool,
    stopped: bool,
    /// Print the runs spent and the leader after each batch (stderr).
    progress: bool,
}

impl<'a> Search<'a> {
    pub fn new(p: &'a Problem, eval: Evaluator<'a>, progress: bool) -> Self {
        let uses_npv = p
            .objectives
            .iter()
            .map(|o| &o.expr)
            .chain(p.constraints.iter().map(|c| &c.expr))
            .any(|e| {
                e.terms
                    .iter()
                    .any(|(_, t)| matches!(t, Term::Npv | Term::Payback))
            });
        Search {
            p,
            eval,
            rng: Stream::new(p.scene.run.seed, 0, "optimisation search", Purpose::Mix),
            designs: Vec::new(),
            reps: Vec::new(),
            tried: HashSet::new(),
            unbuildable: Vec::new(),
            convergence: Vec::new(),
            uses_npv,
            stopped: false,
            progress,
        }
    }

    fn single(&self) -> bool {
        self.p.objectives.len() == 1
    }

    fn left(&self) -> u32 {
        self.p.budget.saturating_sub(self.eval.used)
    }

    /// Runs the search and the selection, and writes up the result.
    pub fn run(mut self) -> Result<Optimisation, RunError> {
        let explored = match self.p.strategy {
            Strategy::Adaptive => self.explore(),
            Strategy::Grid => self.grid(),
        };
        match explored {
            Err(RunError::Stopped) => self.stopped = true,
            other => other?,
        }
        if self.designs.is_empty() {
            return Err(RunError::Stopped);
        }
        let selection = if self.single() && !self.stopped && self.p.strategy == Strategy::Adaptive {
            match self.select() {
                Err(RunError::Stopped) => {
                    self.stopped = true;
                    None
                }
                other => other?,
            }
        } else {
            None
        };
        if self.progress {
            eprintln!();
        }
        Ok(self.write_up(selection))
    }

    /// The search phase, leaving a reserve for the selection.
    fn explore(&mut self) -> Result<(), RunError> {
        let space = space::size(&self.p.variables);
        let reserve = if self.single() {
            (self.p.budget * 3 / 10).max(2 * SELECTION_N0 * 2)
        } else {
            0
        };
        let search_budget = self.p.budget.saturating_sub(reserve).max(SEARCH_REPS * 2);
        let pop = ((search_budget / (SEARCH_REPS * 8)) as usize)
            .clamp(4, 24)
            .min(space as usize);
        let mut first = vec![space::nearest_to_base(&self.p.variables)];
        first.extend(space::spread(&self.p.variables, pop, &mut self.rng));
        let mut start = Vec::new();
        for d in first {
            if start.len() < pop && self.fresh(&d) {
                start.push(d);
            }
        }
        self.try_designs(start, search_budget)?;
        self.generations(pop, search_budget)?;
        // Without two feasible designs there is nothing to select among:
        // the reserve goes on searching for them instead.
        if self.single() && self.feasible_count() < 2 {
            self.generations(pop, self.p.budget)?;
        }
        Ok(())
    }

    /// Designs that meet every constraint by their mean.
    fn feasible_count(&self) -> usize {
        (0..self.designs.len())
            .filter(|&i| self.constraint_violation(i) == 0.0)
            .count()
    }

    /// Generations of children and OCBA steps until `search_budget` runs
    /// are spent or nothing new can be bred.
    fn generations(&mut self, pop: usize, search_budget: u32) -> Result<(), RunError> {
        loop {
            let room = search_budget.saturating_sub(self.eval.used) / self.run_cost(SEARCH_REPS);
            if room == 0 {
                break;
            }
            let children = self.children((pop / 2).max(1).min(room as usize));
            if children.is_empty() {
                break; // every design the moves reach has been tried
            }
            self.try_designs(children, search_budget)?;
            let extra = (pop as u32 / 2).min(search_budget.saturating_sub(self.eval.used) / 2);
            self.spend_on_leaders(extra)?;
            self.mark_progress();
        }
        Ok(())
    }

    /// The plain grid: as many evenly spaced values of each variable as the
    /// budget allows at [`SEARCH_REPS`] replications a point, then every
    /// point the same further replications while the budget lasts.
    fn grid(&mut self) -> Result<(), RunError> {
        let vars = &self.p.variables;
        // The reference runs NPV needs are shared by every point.
        let shared = u64::from(self.uses_npv);
        let cost = |points: usize, reps: u32| (points as u64 + shared) * u64::from(reps);
        let points = |m: usize| {
            vars.iter()
                .fold(1usize, |a, v| a.saturating_mul(m.min(v.values.len())))
        };
        let longest = vars.iter().map(|v| v.values.len()).max().unwrap_or(1);
        let mut m = 1;
        while m < longest && cost(points(m + 1), SEARCH_REPS) <= u64::from(self.p.budget) {
            m += 1;
        }
        let axes: Vec<Vec<usize>> = vars.iter().map(|v| spaced(v.values.len(), m)).collect();
        let mut grid: Vec<Design> = vec![Vec::new()];
        for axis in &axes {
            grid = grid
                .into_iter()
                .flat_map(|d| {
                    axis.iter().map(move |&i| {
                        let mut d = d.clone();
                        d.push(i);
                        d
                    })
                })
                .collect();
        }
        let fresh: Vec<Design> = grid.into_iter().filter(|d| self.fresh(d)).collect();
        self.try_designs(fresh, self.p.budget)?;
        // The rest of the budget: one more replication for every point, round after round.
        let n = self.designs.len() as u32;
        let rounds = self.left() / (n + u32::from(self.uses_npv)).max(1);
        if rounds > 0 && n > 0 {
            let mut jobs = Vec::new();
            for i in 0..self.designs.len() {
                let from = self.reps[i];
                self.reps[i] += rounds;
                jobs.extend(self.jobs(i, from..from + rounds));
            }
            self.eval.run(&jobs)?;
            self.mark_progress();
        }
        Ok(())
    }

    /// Runs per replication of a design: its own, and the scene as given's
    /// when NPV compares with it (an upper bound: those are shared).
    fn run_cost(&self, reps: u32) -> u32 {
        reps * if self.uses_npv { 2 } else { 1 }
    }

    /// Whether a design is new and can be built (an unbuildable one is
    /// noted with its reason).
    fn fresh(&mut self, d: &Design) -> bool {
        if !self.tried.insert(d.clone()) {
            return false;
        }
        // A constraint on the design alone (its variables, its investment)
        // is judged before anything runs: no runs go to a design it rules out.
        let ruled_out = self.p.constraints.iter().find(|c| {
            c.expr
                .terms
                .iter()
                .all(|(_, t)| matches!(t, Term::Variable(_) | Term::Investment))
                && c.violation(self.fixed_value(&c.expr, d)) > 0.0
        });
        if let Some(c) = ruled_out {
            self.unbuildable
                .push((d.clone(), format!("it breaks \"{}\"", c.text)));
            return false;
        }
        match self.eval.buildable(d) {
            Ok(()) => true,
            Err(why) => {
                self.unbuildable.push((d.clone(), why));
                false
            }
        }
    }

    /// Runs new designs their first replications.
    fn try_designs(&mut self, new: Vec<Design>, limit: u32) -> Result<(), RunError> {
        let mut jobs = Vec::new();
        // The reference runs (NPV) of replications 0..SEARCH_REPS are shared.
        let shared = if self.uses_npv { SEARCH_REPS } else { 0 };
        for (added, d) in (0u32..).zip(new) {
            if self.eval.used + (added + 1) * SEARCH_REPS + shared > limit
                && !self.designs.is_empty()
            {
                break;
            }
            let i = self.designs.len();
            self.designs.push(d);
            self.reps.push(SEARCH_REPS);
            jobs.extend(self.jobs(i, 0..SEARCH_REPS));
        }
        let r = self.eval.run(&jobs);
        self.mark_progress();
        r
    }

    /// Jobs for design i's replications, with the reference runs NPV needs.
    fn jobs(&self, i: usize, reps: std::ops::Range<u32>) -> Vec<(Key, u32)> {
        let mut jobs = Vec::new();
        for r in reps {
            jobs.push((Some(self.designs[i].clone()), r));
            if self.uses_npv {
                jobs.push((None, r));
            }
        }
        jobs
    }

    /// Up to `want` new designs bred from the leaders.
    fn children(&mut self, want: usize) -> Vec<Design> {
        let order = self.order();
        let pool: Vec<usize> = order.iter().copied().take(12.max(want)).collect();
        let mut out: Vec<Design> = Vec::new();
        let mut tries = 0;
        while out.len() < want && tries < 200 * want {
            tries += 1;
            let a = self.tournament(&pool);
            let b = self.tournament(&pool);
            let (da, db) = (self.designs[a].clone(), self.designs[b].clone());
            let c = space::child(&self.p.variables, &da, &db, &mut self.rng);
            if self.fresh(&c) {
                out.push(c);
            }
        }
        if out.is_empty() {
            // The moves found nothing new near the leaders: anywhere new will do.
            for _ in 0..200 * want {
                let c: Design = self
                    .p
                    .variables
                    .iter()
                    .map(|v| space::pick(&mut self.rng, v.values.len()))
                    .collect();
                if self.fresh(&c) {
                    out.push(c);
                    break;
                }
            }
        }
        out
    }

    /// The better-ranked of two designs drawn from the pool.
    fn tournament(&mut self, pool: &[usize]) -> usize {
        let a = space::pick(&mut self.rng, pool.len());
        let b = space::pick(&mut self.rng, pool.len());
        pool[a.min(b)]
    }

    /// Further replications for the leading designs: OCBA with one
    /// objective, the least replicated of the front with several.
    fn spend_on_leaders(&mut self, extra: u32) -> Result<(), RunError> {
        if extra == 0 {
            return Ok(());
        }
        let order = self.order();
        // Only designs that could be the pick: feasible, the objective defined.
        let leaders: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| {
                self.constraint_violation(i) == 0.0
                    && self
                        .p
                        .objectives
                        .iter()
                        .all(|o| mean(&self.values(&o.expr, i)).is_finite())
            })
            .take(10)
            .collect();
        if leaders.is_empty() {
            return Ok(());
        }
        let give: Vec<u32> = if self.single() {
            let sign = if self.p.objectives[0].maximise {
                1.0
            } else {
                -1.0
            };
            let stats: Vec<(f64, f64)> = leaders
                .iter()
                .map(|&i| {
                    let v = self.values(&self.p.objectives[0].expr, i);
                    (sign * mean(&v), sd(&v))
                })
                .collect();
            let means: Vec<f64> = stats.iter().map(|s| s.0).collect();
            let sds: Vec<f64> = stats.iter().map(|s| s.1).collect();
            let counts: Vec<u32> = leaders.iter().map(|&i| self.reps[i]).collect();
            ocba(&means, &sds, &counts, extra)
        } else {
            let ranks = self.ranks();
            let front: Vec<usize> = (0..leaders.len())
                .filter(|&k| ranks[leaders[k]] == 0)
                .collect();
            let mut give = vec![0u32; leaders.len()];
            for _ in 0..extra {
                if let Some(&k) = front
                    .iter()
                    .min_by_key(|&&k| (self.reps[leaders[k]] + give[k], k))
                {
                    give[k] += 1;
                }
            }
            give
        };
        let mut jobs = Vec::new();
        for (&i, &g) in leaders.iter().zip(&give) {
            let from = self.reps[i];
            self.reps[i] += g;
            jobs.extend(self.jobs(i, from..from + g));
        }
        self.eval.run(&jobs)
    }

    /// Design i's value of `expr` in each of its search replications.
    fn values(&self, expr: &Expr, i: usize) -> Vec<f64> {
        (0..self.reps[i])
            .map(|r| self.value(expr, &self.designs[i], r))
            .collect()
    }

    /// The value of an expression in one run of a design.
    fn value(&self, expr: &Expr, d: &Design, r: u32) -> f64 {
        let Some(f) = self.eval.figures(&Some(d.clone()), r) else {
            return f64::NAN;
        };
        expr.terms
            .iter()
            .map(|(c, t)| {
                c * match t {
                    Term::Kpi(k) => f.kpis[*k].unwrap_or(f64::NAN),
                    Term::Wip => f.wip,
                    Term::Investment => self.net_investment(d),
                    Term::Variable(k) => space::variable_value(&self.p.variables, d, *k),
                    Term::Npv => self.npv(d, f.money_per_year, r),
                    Term::Payback => self.payback(d, f.money_per_year, r),
                }
            })
            .sum()
    }

    /// The value of an expression over a design's variables and investment.
    fn fixed_value(&self, expr: &Expr, d: &Design) -> f64 {
        expr.terms
            .iter()
            .map(|(c, t)| {
                c * match t {
                    Term::Investment => self.net_investment(d),
                    Term::Variable(k) => space::variable_value(&self.p.variables, d, *k),
                    _ => f64::NAN,
                }
            })
            .sum()
    }

    /// Investment over the scene as given, net of the subsidy: the
    /// scene's, or else that of a variant the design takes (one rate and
    /// one cap for the whole project, as programmes grant it per company).
    fn net_investment(&self, d: &Design) -> f64 {
        let gross = space::gross_investment(&self.p.variables, d);
        let subsidy = self
            .p
            .scene
            .investment
            .as_ref()
            .and_then(|i| i.subsidy.as_ref())
            .or_else(|| {
                space::taken_investments(&self.p.variables, d).find_map(|i| i.subsidy.as_ref())
            })
            .map_or(0.0, |s| (s.rate * gross).min(s.cap));
        gross - subsidy
    }

    /// The cash flows of a design against the scene as given in replication
    /// r, year 0 to the life: the net investment, then each year the money
    /// difference less the taken variants' maintenance, their residual value
    /// in the last year. With the discount rate; `None` without the base run.
    fn flows(&self, d: &Design, money: Option<f64>, r: u32) -> Option<(Vec<f64>, f64)> {
        let base = self.eval.figures(&None, r).and_then(|f| f.money_per_year)?;
        let m = money?;
        let rate = self
            .p
            .scene
            .economics
            .as_ref()
            .and_then(|e| e.discount_rate)
            .unwrap_or(0.0);
        let life = self.p.life_years.unwrap_or(0.0);
        let (maintenance, residual) = space::taken_investments(&self.p.variables, d)
            .fold((0.0, 0.0), |(m, r), i| {
                (m + i.maintenance_per_year, r + i.residual_value)
            });
        // Whole years, as `roi` counts an investment's life.
        let years = (life as usize).max(1);
        let mut flows = vec![-self.net_investment(d)];
        flows.extend((0..years).map(|_| m - base - maintenance));
        *flows.last_mut().expect("a year at least") += residual;
        Some((flows, rate))
    }

    /// Years to pay back in replication r, restricted to the life; not a
    /// number for a design that invests nothing (nothing to pay back: it
    /// must not win by doing nothing).
    fn payback(&self, d: &Design, money: Option<f64>, r: u32) -> f64 {
        if self.net_investment(d) <= 0.0 {
            return f64::NAN;
        }
        let life = self.p.life_years.unwrap_or(0.0);
        self.flows(d, money, r).map_or(f64::NAN, |(flows, _)| {
            crate::economics::finance::payback_years(&flows).map_or(life, |y| y.min(life))
        })
    }

    /// NPV against the scene as given in replication r: the cash flows
    /// above, discounted (`roi`'s formula: the same figure for the written
    /// Variant).
    fn npv(&self, d: &Design, money: Option<f64>, r: u32) -> f64 {
        self.flows(d, money, r).map_or(f64::NAN, |(flows, rate)| {
            crate::economics::finance::npv(rate, &flows)
        })
    }

    fn constraint_violation(&self, i: usize) -> f64 {
        self.p
            .constraints
            .iter()
            .map(|c| c.violation(mean(&self.values(&c.expr, i))))
            .sum()
    }

    /// Non-dominated rank of each design on the objectives' means (feasible
    /// designs first; infeasible ones ranked after every feasible one).
    fn ranks(&self) -> Vec<u32> {
        let n = self.designs.len();
        let signed: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                self.p
                    .objectives
                    .iter()
                    .map(|o| {
                        let m = mean(&self.values(&o.expr, i));
                        let m = if o.maximise { m } else { -m };
                        if m.is_nan() { f64::NEG_INFINITY } else { m }
                    })
                    .collect()
            })
            .collect();
        let feasible: Vec<bool> = (0..n)
            .map(|i| self.constraint_violation(i) == 0.0)
            .collect();
        let mut rank = vec![u32::MAX; n];
        let mut level = 0;
        // Feasible designs by non-dominated fronts; the infeasible ones all
        // after them, in one rank, where `order` sorts them by how far they
        // break the constraints (Deb's rule): the search breeds from the
        // nearest to feasible, not from the best objective far outside.
        let mut left: Vec<usize> = (0..n).filter(|&i| feasible[i]).collect();
        {
            while !left.is_empty() {
                let front: Vec<usize> = left
                    .iter()
                    .copied()
                    .filter(|&i| !left.iter().any(|&j| dominates(&signed[j], &signed[i])))
                    .collect();
                for &i in &front {
                    rank[i] = level;
                }
                left.retain(|i| !front.contains(i));
                level += 1;
            }
        }
        for i in (0..n).filter(|&i| !feasible[i]) {
            rank[i] = level;
        }
        rank
    }

    /// Designs best first: by rank, then the first objective (then the
    /// constraint violation for infeasible ones), then the order tried.
    fn order(&self) -> Vec<usize> {
        let ranks = self.ranks();
        let o = &self.p.objectives[0];
        let key: Vec<(f64, f64)> = (0..self.designs.len())
            .map(|i| {
                let m = mean(&self.values(&o.expr, i));
                let m = if o.maximise { m } else { -m };
                (
                    self.constraint_violation(i),
                    if m.is_nan() { f64::NEG_INFINITY } else { m },
                )
            })
            .collect();
        let mut order: Vec<usize> = (0..self.designs.len()).collect();
        order.sort_by(|&a, &b| {
            ranks[a]
                .cmp(&ranks[b])
                .then(key[a].0.total_cmp(&key[b].0))
                .then(key[b].1.total_cmp(&key[a].1))
                .then(a.cmp(&b))
        });
        order
    }

    fn mark_progress(&mut self) {
        let Some(&best) = self.order().first() else {
            return;
        };
        let v = mean(&self.values(&self.p.objectives[0].expr, best));
        if self.progress {
            eprint!(
                "\roptimising: {}/{} runs, {} designs; leader {} ({} {}){}",
                self.eval.used,
                self.p.budget,
                self.designs.len(),
                space::label(&self.p.variables, &self.designs[best]),
                self.p.objectives[0].expr.text,
                super::verdict::short(v),
                " ".repeat(8)
            );
        }
        self.convergence.push(ConvergencePoint {
            runs: self.eval.used,
            best: v,
            design: best,
        });
    }

    /// Kim–Nelson among the leading feasible designs, on fresh replications.
    fn select(&mut self) -> Result<Option<Selection>, RunError> {
        let order = self.order();
        let ranks = self.ranks();
        let feasible: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| {
                // A design whose objective is undefined (a payback with
                // nothing invested) cannot be the pick.
                self.constraint_violation(i) == 0.0
                    && ranks[i] != u32::MAX
                    && mean(&self.values(&self.p.objectives[0].expr, i)).is_finite()
            })
            .collect();
        let per = |k: usize| (k as u32 + u32::from(self.uses_npv)) * SELECTION_N0;
        let mut k = feasible.len().min(FINALISTS);
        while k >= 2 && per(k) > self.left() {
            k -= 1;
        }
        if k < 2 {
            return Ok(None);
        }
        let finalists: Vec<usize> = feasible[..k].to_vec();
        let o = self.p.objectives[0].clone();
        let sign = if o.maximise { 1.0 } else { -1.0 };
        let mut counts = vec![SELECTION_N0; k];
        let mut jobs = Vec::new();
        for &i in &finalists {
            jobs.extend(self.jobs(i, SELECTION_FROM..SELECTION_FROM + SELECTION_N0));
        }
        self.eval.run(&jobs)?;
        let fresh = |s: &Self, i: usize, n: u32| -> Vec<f64> {
            (SELECTION_FROM..SELECTION_FROM + n)
                .map(|r| sign * s.value(&o.expr, &s.designs[i], r))
                .collect()
        };
        let first: Vec<Vec<f64>> = finalists
            .iter()
            .map(|&i| fresh(self, i, SELECTION_N0))
            .collect();
        // By default a difference under 0.5 % of the finalists' largest
        // value does not matter, fixed from the search's replications so the
        // selection's own data do not set its zone.
        let scale = finalists
            .iter()
            .map(|&i| mean(&self.values(&o.expr, i)).abs())
            .fold(0.0, f64::max);
        let delta = self
            .p
            .indifference
            .unwrap_or_else(|| (crate::experiment::NEGLIGIBLE * scale).max(1e-9));
        let mut kn = KimNelson::new(&first, delta, 1.0 - self.p.confidence);
        let mut stage = SELECTION_N0 as usize;
        let means_at = |s: &Self, stage: usize, counts: &[u32]| -> Vec<f64> {
            finalists
                .iter()
                .enumerate()
                .map(|(f, &i)| mean(&fresh(s, i, (stage as u32).min(counts[f]))))
                .collect()
        };
        kn.screen(&means_at(self, stage, &counts), stage);
        while !kn.done(stage) {
            let each = kn.survivors.len() as u32 + u32::from(self.uses_npv);
            let block = (self.left() / each).min(4);
            if block == 0 {
                break; // out of budget: not settled
            }
            let mut jobs = Vec::new();
            for &f in &kn.survivors {
                let from = SELECTION_FROM + counts[f];
                counts[f] += block;
                jobs.extend(self.jobs(finalists[f], from..from + block));
            }
            self.eval.run(&jobs)?;
            if self.progress {
                eprint!(
                    "\rselecting: {}/{} runs, {} of {k} finalists left after {} fresh replications{}",
                    self.eval.used,
                    self.p.budget,
                    kn.survivors.len(),
                    stage,
                    " ".repeat(20)
                );
            }
            for s in stage + 1..=stage + block as usize {
                kn.screen(&means_at(self, s, &counts), s);
                stage = s;
                if kn.done(stage) {
                    break;
                }
            }
        }
        let settled = kn.done(stage);
        let final_means = means_at(self, stage, &counts);
        let chosen = kn.pick(&final_means);
        let all: Vec<Vec<f64>> = finalists
            .iter()
            .enumerate()
            .map(|(f, &i)| fresh(self, i, counts[f]))
            .collect();
        let equivalent_to: Vec<usize> = (0..k)
            .filter(|&f| f != chosen && equivalent(&all[f], &all[chosen], delta))
            .collect();
        Ok(Some(Selection {
            indifference: delta,
            confidence: self.p.confidence,
            n0: SELECTION_N0,
            estimates: all
                .iter()
                .map(|v| Estimate::of(&v.iter().map(|x| sign * x).collect::<Vec<_>>()))
                .collect(),
            replications: counts,
            statement: String::new(),
            chosen,
            survivors: kn.survivors.clone(),
            equivalent: equivalent_to,
            settled,
            finalists,
        }))
    }

    /// The result, designs best first; indices are remapped to that order.
    fn write_up(self, selection: Option<Selection>) -> Optimisation {
        let order = self.order();
        let ranks = self.ranks();
        let mut position = vec![0usize; self.designs.len()];
        for (pos, &i) in order.iter().enumerate() {
            position[i] = pos;
        }
        let priced = self.p.variables.iter().any(Variable::priced);
        let designs: Vec<DesignResult> = order
            .iter()
            .map(|&i| {
                let d = &self.designs[i];
                let est = |e: &Expr| Estimate::of(&self.values(e, i));
                let constraints: Vec<Estimate> =
                    self.p.constraints.iter().map(|c| est(&c.expr)).collect();
                DesignResult {
                    settings: space::settings(&self.p.variables, d),
                    label: space::label(&self.p.variables, d),
                    replications: self.reps[i],
                    objectives: self.p.objectives.iter().map(|o| est(&o.expr)).collect(),
                    feasible: self.constraint_violation(i) == 0.0,
                    constraints,
                    investment: priced.then(|| space::gross_investment(&self.p.variables, d)),
                    rank: if ranks[i] == u32::MAX { 0 } else { ranks[i] },
                }
            })
            .collect();
        let selection = selection.map(|mut s| {
            s.finalists = s.finalists.iter().map(|&i| position[i]).collect();
            s
        });
        let best = match &selection {
            Some(s) => Some(s.finalists[s.chosen]),
            // Several objectives have a front, not a best.
            None if self.single() => designs
                .first()
                .filter(|d| d.feasible && d.objectives[0].mean.is_finite())
                .map(|_| 0),
            None => None,
        };
        let currency = self.p.scene.economics.as_ref().map(|e| e.currency.clone());
        let mut out = Optimisation {
            format_version: FORMAT_VERSION,
            scene: self.p.scene.name.clone(),
            seed: self.p.scene.run.seed,
            variables: self.p.variables.clone(),
            objectives: self.p.objectives.iter().map(objective_text).collect(),
            objective_units: self
                .p
                .objectives
                .iter()
                .map(|o| match o.expr.terms.as_slice() {
                    [(_, Term::Npv | Term::Investment)] => currency.clone().unwrap_or_default(),
                    [(_, Term::Payback)] => "years".into(),
                    _ => o.unit.to_string(),
                })
                .collect(),
            constraints: self.p.constraints.iter().map(|c| c.text.clone()).collect(),
            budget: self.p.budget,
            runs_used: self.eval.used,
            runs_resumed: self.eval.resumed,
            space_size: space::size(&self.p.variables),
            unbuildable: self
                .unbuildable
                .iter()
                .map(|(d, why)| (space::label(&self.p.variables, d), why.clone()))
                .collect(),
            convergence: self
                .convergence
                .iter()
                .map(|c| ConvergencePoint {
                    design: position[c.design],
                    ..c.clone()
                })
                .collect(),
            designs,
            selection,
            best,
            currency,
            strategy: self.p.strategy,
            notes: Vec::new(),
        };
        super::verdict::explain(&mut out, self.p, self.stopped);
        out
    }
}

/// `m` indices spread evenly over `0..n`, both ends included.
fn spaced(n: usize, m: usize) -> Vec<usize> {
    let m = m.min(n).max(1);
    if m == 1 {
        return vec![(n - 1) / 2];
    }
    let mut out: Vec<usize> = (0..m)
        .map(|k| ((k * (n - 1)) as f64 / (m - 1) as f64).round() as usize)
        .collect();
    out.dedup();
    out
}

/// `a` is at least as good as `b` everywhere and better somewhere (larger is better).
fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x >= y) && a.iter().zip(b).any(|(x, y)| x > y)
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.iter().sum::<f64>() / v.len() as f64
}

fn sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}
