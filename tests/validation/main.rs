//! Validation of the engine against queueing theory, in one test binary.
//!
//! Every case builds a scene from RON text, runs independent replications
//! through the library API (`experiment::run_all`) and compares the mean over
//! replications with an exact value. The tolerance of every comparison is
//! stated and derived from the run itself:
//!
//! ```text
//! |mean − exact| ≤ 3 · SE + bias
//! ```
//!
//! where SE is the standard error of the mean over the independent
//! replications and `bias` is a small, stated, non-statistical term that is
//! justified case by case (0 unless a comment says otherwise). The 95 %
//! intervals printed next to each figure use Student's t with n − 1 degrees of
//! freedom.
//!
//! Every run also checks two laws that hold whatever the model:
//!
//! - Little's law, L = λ W, from `RunResult.line.littles_law`;
//! - the utilisation law, working share = throughput × mean process time /
//!   servers, at every station that all parts pass.
//!
//! Cases (see `docs/validation.md` for formulas, sources and the last results):
//!
//! - `queues`: M/M/1, M/M/c (Erlang C), a tandem Jackson line;
//! - `lines`: exponential lines with finite buffers and blocking after service:
//!   the two-machine closed form and longer lines solved as Markov chains;
//! - `unreliable`: a single unreliable machine, a transfer line without
//!   buffers (Buzacott), an unreliable two-machine line with a buffer;
//! - `optimise`: the optimiser against exact answers (buffer allocation by the
//!   Markov chain, M/M/c staffing by Erlang C) and two designs within the
//!   indifference zone;
//! - `ctmc`: the Markov-chain builder and solver used as the reference, with
//!   its own unit tests against closed forms.
//!
//! Run with `cargo test --no-default-features --test validation -- --nocapture`
//! to see the tables.

#[path = "../common/mod.rs"]
mod common;
mod ctmc;
mod lines;
mod optimise;
mod queues;
mod unreliable;

pub use common::{mean_se, run, scene};
use factory_twin::kpi::{RunResult, t_975};

/// Throughput of good parts, parts per second.
pub fn throughput(r: &RunResult) -> f64 {
    r.line.good_per_hour / 3600.0
}

/// One station's description for the utilisation law: (index in
/// `RunResult.stations`, mean process time in seconds, servers).
#[derive(Clone, Copy)]
pub struct StationLaw {
    pub index: usize,
    pub mean_cycle: f64,
    pub servers: u32,
}

/// Collects the comparisons of one case, prints them as a Markdown table and
/// fails the test (after printing everything) if any is out of tolerance.
pub struct Report {
    case: String,
    rows: Vec<String>,
    failures: Vec<String>,
}

impl Report {
    pub fn new(case: &str) -> Self {
        Self {
            case: case.to_string(),
            rows: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// Compares the mean of `values` (one per replication) with `exact`:
    /// |mean − exact| ≤ 3 SE + `bias`.
    pub fn compare(&mut self, quantity: &str, values: &[f64], exact: f64, bias: f64) {
        let n = values.len();
        let (m, se) = mean_se(values);
        let tol = 3.0 * se + bias;
        let half = t_975(n - 1) * se;
        let dev = m - exact;
        let ok = dev.abs() <= tol && m.is_finite();
        let prec = precision(exact.abs().max(m.abs()), se);
        let row = format!(
            "| {} | {} | {:.p$} ± {:.p$} | {:.p$} | {:+.2} | {:.p$} | {} |",
            self.case,
            quantity,
            m,
            half,
            exact,
            if se > 0.0 { dev / se } else { 0.0 },
            tol,
            if ok { "ok" } else { "**FAIL**" },
            p = prec,
        );
        self.rows.push(row);
        if !ok {
            self.failures.push(format!(
                "{}: {quantity}: measured {m} (SE {se}, n = {n}), exact {exact}, \
                 deviation {dev} = {:.2} SE, tolerance 3 SE + {bias} = {tol}",
                self.case,
                dev / se
            ));
        }
    }

    /// A figure shown for reference but not tested, because it is an exact
    /// function of a figure tested in another row (e.g. Wq = W − 1/μ, or
    /// blocked = 1 − working at a first station that never starves): testing
    /// it again would only repeat the same comparison.
    pub fn info(&mut self, quantity: &str, values: &[f64], exact: f64, same_as: &str) {
        let n = values.len();
        let (m, se) = mean_se(values);
        let half = t_975(n - 1) * se;
        let prec = precision(exact.abs().max(m.abs()), se);
        self.rows.push(format!(
            "| {} | {} | {:.p$} ± {:.p$} | {:.p$} | {:+.2} | | not tested: {same_as} |",
            self.case,
            quantity,
            m,
            half,
            exact,
            if se > 0.0 { (m - exact) / se } else { 0.0 },
            p = prec,
        ));
    }

    /// A plain assertion that is not a statistical comparison.
    pub fn require(&mut self, what: &str, ok: bool, detail: String) {
        if !ok {
            self.failures
                .push(format!("{}: {what} does not hold: {detail}", self.case));
        }
    }

    /// Little's law and the utilisation law on every replication.
    ///
    /// Little's law. The engine counts, for the observation window of length
    /// T, L = ∫ WIP dt / T, λ = departures / T and W = their mean time in the
    /// system within the window. Parts in the system when the window opens are
    /// counted from its start on both sides, so the identity is exact except
    /// for the parts still inside when the window closes:
    /// L − λW = (Σ their ages within the window) / T ≥ 0. In steady state that
    /// edge term has expectation λ E[W²] / (2T) (the mean total age of the
    /// parts present). The test bounds E[W²] by the square of the longest lead
    /// time seen (the sample second moment cannot exceed it), so:
    /// every L − λW ≥ −1e−9 L, and mean(L − λW) ≤ 3 SE + mean(λ max²) / (2T).
    ///
    /// Utilisation law. working share − X × mean cycle / servers has mean 0 up
    /// to the cycles cut by the two ends of the window (at most one per
    /// server at each end, expected length ≤ one mean cycle for the
    /// distributions used here): bias 2 · mean cycle / T.
    pub fn laws(&mut self, runs: &[RunResult], stations: &[StationLaw]) {
        let t = runs[0].observed_s;
        let d: Vec<f64> = runs
            .iter()
            .map(|r| {
                let ll = &r.line.littles_law;
                ll.wip - ll.throughput_per_s * ll.time_in_system_s
            })
            .collect();
        for (r, d) in runs.iter().zip(&d) {
            self.require(
                "Little's law (edge term ≥ 0)",
                *d >= -1e-9 * r.line.littles_law.wip,
                format!(
                    "replication {}: L = {}, λW = {}",
                    r.replication,
                    r.line.littles_law.wip,
                    r.line.littles_law.throughput_per_s * r.line.littles_law.time_in_system_s
                ),
            );
        }
        let edge = runs
            .iter()
            .map(|r| {
                let max = r.line.lead_time_s.max.unwrap_or(0.0);
                r.line.littles_law.throughput_per_s * max * max / (2.0 * t)
            })
            .sum::<f64>()
            / runs.len() as f64;
        let wip = runs.iter().map(|r| r.line.wip).sum::<f64>() / runs.len() as f64;
        self.compare(&format!("Little: L − λW (L = {wip:.4})"), &d, 0.0, edge);
        let worst = runs
            .iter()
            .filter_map(|r| r.line.littles_law.relative_gap)
            .fold(0.0, f64::max);
        self.rows.push(format!(
            "| {} | Little: largest relative gap │L − λW│/L | {worst:.1e} | | | | |",
            self.case
        ));
        for s in stations {
            let id = runs[0].stations[s.index].id.clone();
            let d: Vec<f64> = runs
                .iter()
                .map(|r| {
                    r.stations[s.index].states.working
                        - throughput(r) * s.mean_cycle / f64::from(s.servers)
                })
                .collect();
            self.compare(
                &format!("utilisation law {id}: working − X·m/c"),
                &d,
                0.0,
                2.0 * s.mean_cycle / t,
            );
        }
    }

    /// Prints the table and fails if any comparison failed.
    pub fn finish(self) {
        let mut out = String::new();
        out.push_str(&format!("\n### {}\n\n", self.case));
        out.push_str(
            "| case | quantity | measured (95 % CI) | exact | (mean − exact)/SE | tolerance 3 SE + bias | |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for r in &self.rows {
            out.push_str(r);
            out.push('\n');
        }
        eprintln!("{out}");
        assert!(
            self.failures.is_empty(),
            "{} comparison(s) out of tolerance:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// Decimal places enough to show the standard error's leading two digits.
fn precision(scale: f64, se: f64) -> usize {
    let reference = if se > 0.0 {
        se
    } else {
        scale.max(1e-12) * 1e-6
    };
    let digits = (-reference.log10()).ceil() as i64 + 1;
    digits.clamp(1, 12) as usize
}

/// The RON text of a serial line: a source (saturated when `interarrival` is
/// `None`), then stations with the given cycle (and failure) text, with a
/// buffer of the given capacity between consecutive stations (0: connected
/// directly), then a sink. Stations are named `m1`, `m2`, …; buffers `b1`, ….
/// `first_buffer`: a buffer between the source and the first station.
pub struct LineSpec<'a> {
    pub name: &'a str,
    pub seed: u64,
    pub horizon_s: f64,
    pub warmup_s: f64,
    pub interarrival: Option<&'a str>,
    pub first_buffer: Option<u32>,
    /// (cycle distribution, capacity, failures) per station.
    pub stations: Vec<(String, u32, Option<String>)>,
    pub buffers: Vec<u32>,
}

impl LineSpec<'_> {
    pub fn ron(&self) -> String {
        let src = match self.interarrival {
            Some(ia) => {
                format!(r#"Source(id: "src", pos: (0, 0), product: "p", interarrival: {ia})"#)
            }
            None => r#"Source(id: "src", pos: (0, 0), product: "p")"#.to_string(),
        };
        let mut objects = vec![src];
        let mut flow = Vec::new();
        let mut prev = "src".to_string();
        if let Some(b) = self.first_buffer {
            objects.push(format!(r#"Buffer(id: "b0", pos: (1, 0), capacity: {b})"#));
            flow.push(format!(r#"("{prev}", "b0")"#));
            prev = "b0".into();
        }
        for (i, (cycle, cap, failures)) in self.stations.iter().enumerate() {
            let id = format!("m{}", i + 1);
            let f = failures
                .as_ref()
                .map(|f| format!(", failures: {f}"))
                .unwrap_or_default();
            objects.push(format!(
                r#"Machine(id: "{id}", pos: ({}, 0), capacity: {cap}, cycle: {cycle}{f})"#,
                2 * i + 2
            ));
            flow.push(format!(r#"("{prev}", "{id}")"#));
            prev = id;
            if i + 1 < self.stations.len() {
                let b = self.buffers[i];
                if b > 0 {
                    let bid = format!("b{}", i + 1);
                    objects.push(format!(
                        r#"Buffer(id: "{bid}", pos: ({}, 0), capacity: {b})"#,
                        2 * i + 3
                    ));
                    flow.push(format!(r#"("{prev}", "{bid}")"#));
                    prev = bid;
                }
            }
        }
        objects.push(r#"Sink(id: "out", pos: (100, 0))"#.to_string());
        flow.push(format!(r#"("{prev}", "out")"#));
        format!(
            r#"Scene(name: "{}", run: (horizon: Seconds({}), warmup: Seconds({}), seed: {}),
    products: [Product(id: "p")],
    objects: [
        {}
    ],
    flow: [{}])"#,
            self.name,
            self.horizon_s,
            self.warmup_s,
            self.seed,
            objects.join(",\n        "),
            flow.join(", ")
        )
    }
}

/// `Exponential(mean: Seconds(m))`.
pub fn exp(mean: f64) -> String {
    format!("Exponential(mean: Seconds({mean}))")
}

/// Exponential failures: `(between: Exponential(MTTF), repair: Exponential(MTTR))`.
pub fn exp_failures(mttf: f64, mttr: f64) -> String {
    format!("(between: {}, repair: {})", exp(mttf), exp(mttr))
}
