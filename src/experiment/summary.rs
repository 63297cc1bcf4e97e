//! The summary of many replications: every figure as mean ± 95 % interval.

use crate::kpi::reliability::{self, Pooled};
use crate::kpi::{Estimate, Histogram, RunResult, Series, StationResult, StoreResult};
use crate::scene::Scene;
use crate::sim::State;
use serde::Serialize;
use std::collections::BTreeMap;

/// Estimates a figure over replications, skipping those where it is undefined.
fn est(results: &[RunResult], f: impl Fn(&RunResult) -> Option<f64>) -> Estimate {
    let values: Vec<f64> = results
        .iter()
        .filter_map(&f)
        .filter(|v| v.is_finite())
        .collect();
    Estimate::of(&values)
}

/// Orders over replications.
#[derive(Clone, Debug, Serialize)]
pub struct OrderSummary {
    pub completed: Estimate,
    pub on_time_share: Estimate,
    pub mean_tardiness_s: Estimate,
    pub open_late: Estimate,
    /// Where lots move together: lots split by a full buffer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lots_split: Option<Estimate>,
}

/// Line-level summary.
#[derive(Clone, Debug, Serialize)]
pub struct LineSummary {
    pub good_per_hour: Estimate,
    pub good_parts: Estimate,
    pub line_oee: Estimate,
    /// The bottleneck found most often (`None` when the line was
    /// demand-limited most often), and in what share of replications.
    pub bottleneck: Option<String>,
    pub bottleneck_share: f64,
    /// "station" or "operators".
    pub bottleneck_resource: Option<&'static str>,
    /// The bottleneck's utilisation (busy share of the time it could work).
    pub bottleneck_utilisation: Estimate,
    /// Share of replications in which output followed demand (no bottleneck).
    pub demand_limited_share: f64,
    /// Arrivals turned away at timed sources (parts), and their share of all
    /// arrivals; `n` = 0 with only saturated sources.
    pub demand_turned_away: Estimate,
    pub demand_turned_away_share: Estimate,
    /// When no one resource is the bottleneck in most replications, the
    /// resources that share the limit (each named in at least a fifth of
    /// them), most often first; empty when the bottleneck is clear.
    pub shared_limit: Vec<SharedLimit>,
    /// The busiest resource found most often, demand-limited or not.
    pub busiest: Option<String>,
    pub wip: Estimate,
    pub lead_time_mean_s: Estimate,
    pub lead_time_p50_s: Estimate,
    pub lead_time_p90_s: Estimate,
    pub lead_time_p95_s: Estimate,
    pub lead_time_max_s: Estimate,
    pub scrapped: Estimate,
    pub scrap_ratio: Estimate,
    pub first_pass_yield: Estimate,
    pub energy_kwh: Estimate,
    pub energy_kwh_per_good_part: Estimate,
    pub on_time_share: Estimate,
    /// The order books' orders over replications (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders: Option<OrderSummary>,
    pub labour_hours: Estimate,
    pub labour_cost: Estimate,
    pub cost_per_good_part: Estimate,
    /// Person-hours inside unfenced robot envelopes in the window.
    pub safety_exposure_h: Estimate,
    /// |L − λW| / L, Little's law check.
    pub littles_law_gap: Estimate,
}

impl LineSummary {
    /// Whether reports mark `id` as limiting output: the bottleneck, or
    /// each resource that shares the limit.
    pub fn limits(&self, id: &str) -> bool {
        if self.shared_limit.is_empty() {
            self.bottleneck.as_deref() == Some(id)
        } else {
            self.shared_limit.iter().any(|r| r.id == id)
        }
    }
}

/// One line figure as the files name it: the row of `line.csv`.
pub struct LineFigure {
    /// Its name in `line.csv`.
    pub csv: &'static str,
    /// Its unit there ("ratio" for a fraction).
    pub unit: &'static str,
    pub value: fn(&LineSummary) -> &Estimate,
}

/// The line's figures over replications, in the order of `line.csv` (the
/// JSON order of [`LineSummary`], names without the unit suffix).
pub const LINE_FIGURES: [LineFigure; 22] = [
    LineFigure {
        csv: "good_per_hour",
        unit: "parts/h",
        value: |l| &l.good_per_hour,
    },
    LineFigure {
        csv: "good_parts",
        unit: "parts",
        value: |l| &l.good_parts,
    },
    LineFigure {
        csv: "line_oee",
        unit: "ratio",
        value: |l| &l.line_oee,
    },
    LineFigure {
        csv: "wip",
        unit: "parts",
        value: |l| &l.wip,
    },
    LineFigure {
        csv: "lead_time_mean",
        unit: "s",
        value: |l| &l.lead_time_mean_s,
    },
    LineFigure {
        csv: "lead_time_p50",
        unit: "s",
        value: |l| &l.lead_time_p50_s,
    },
    LineFigure {
        csv: "lead_time_p90",
        unit: "s",
        value: |l| &l.lead_time_p90_s,
    },
    LineFigure {
        csv: "lead_time_p95",
        unit: "s",
        value: |l| &l.lead_time_p95_s,
    },
    LineFigure {
        csv: "lead_time_max",
        unit: "s",
        value: |l| &l.lead_time_max_s,
    },
    LineFigure {
        csv: "scrapped",
        unit: "parts",
        value: |l| &l.scrapped,
    },
    LineFigure {
        csv: "scrap_ratio",
        unit: "ratio",
        value: |l| &l.scrap_ratio,
    },
    LineFigure {
        csv: "first_pass_yield",
        unit: "ratio",
        value: |l| &l.first_pass_yield,
    },
    LineFigure {
        csv: "energy",
        unit: "kWh",
        value: |l| &l.energy_kwh,
    },
    LineFigure {
        csv: "energy_per_good_part",
        unit: "kWh/part",
        value: |l| &l.energy_kwh_per_good_part,
    },
    LineFigure {
        csv: "on_time_share",
        unit: "ratio",
        value: |l| &l.on_time_share,
    },
    LineFigure {
        csv: "demand_turned_away",
        unit: "parts",
        value: |l| &l.demand_turned_away,
    },
    LineFigure {
        csv: "demand_turned_away_share",
        unit: "ratio",
        value: |l| &l.demand_turned_away_share,
    },
    LineFigure {
        csv: "labour_hours",
        unit: "h",
        value: |l| &l.labour_hours,
    },
    LineFigure {
        csv: "labour_cost",
        unit: "currency",
        value: |l| &l.labour_cost,
    },
    LineFigure {
        csv: "cost_per_good_part",
        unit: "currency/part",
        value: |l| &l.cost_per_good_part,
    },
    LineFigure {
        csv: "safety_exposure",
        unit: "person-h",
        value: |l| &l.safety_exposure_h,
    },
    LineFigure {
        csv: "littles_law_gap",
        unit: "ratio",
        value: |l| &l.littles_law_gap,
    },
];

/// One of the resources that share a line's limit.
#[derive(Clone, Debug, Serialize)]
pub struct SharedLimit {
    pub id: String,
    /// Share of replications that name it the bottleneck.
    pub share: f64,
    /// Its utilisation (busy share of the time it could work).
    pub utilisation: Estimate,
}

/// A clear bottleneck is named in at least this share of replications.
const CLEAR_BOTTLENECK: f64 = 0.75;
/// A resource named in at least this share shares the limit.
const SHARES_THE_LIMIT: f64 = 0.2;

/// The resources that share the limit when none is named in most
/// replications (two identical machines, a machine and the robot that
/// feeds it): naming one of them would mislead.
fn shared_limit(results: &[RunResult]) -> Vec<SharedLimit> {
    let named: Vec<(String, f64)> = shares(results.iter().map(|r| r.line.bottleneck.as_deref()))
        .into_iter()
        .filter(|(_, share)| *share >= SHARES_THE_LIMIT)
        .collect();
    if named.len() < 2 || named[0].1 >= CLEAR_BOTTLENECK {
        return Vec::new();
    }
    named
        .into_iter()
        .map(|(id, share)| SharedLimit {
            utilisation: est(results, |r| utilisation_of(r, &id)),
            id,
            share,
        })
        .collect()
}

/// Each id named in `ids` (one entry per replication, `None` for none) with
/// the share of replications that named it; most often first, ties by id.
pub(crate) fn shares<'a>(ids: impl Iterator<Item = Option<&'a str>>) -> Vec<(String, f64)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut n = 0usize;
    for id in ids {
        n += 1;
        if let Some(id) = id {
            *counts.entry(id).or_default() += 1;
        }
    }
    let mut v: Vec<(String, f64)> = counts
        .into_iter()
        .map(|(id, k)| (id.to_string(), k as f64 / n.max(1) as f64))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The resource pacing the line in each replication (its bottleneck, or its
/// busiest resource when demand-limited): the one whose OEE is line OEE.
pub(crate) fn pacing(runs: &[RunResult]) -> impl Iterator<Item = Option<&str>> {
    runs.iter()
        .map(|r| r.line.constraint.busiest.as_ref().map(|b| b.id.as_str()))
}

/// A station over replications.
#[derive(Clone, Debug, Serialize)]
pub struct StationSummary {
    pub id: String,
    pub kind: &'static str,
    pub capacity: u32,
    pub states: BTreeMap<&'static str, Estimate>,
    pub availability: Estimate,
    pub effectiveness: Estimate,
    pub quality: Estimate,
    pub oee: Estimate,
    pub produced: Estimate,
    pub scrapped: Estimate,
    pub failures: Estimate,
    /// The station has a failure model: without one its MTBF and MTTR are
    /// not shown (there is nothing to estimate).
    pub can_fail: bool,
    /// Pooled over replications: Σ run time / Σ failures, chi-square interval.
    pub mtbf_s: Pooled,
    /// Pooled over replications: Σ down time / Σ failures.
    pub mttr_s: Pooled,
    pub setups: Estimate,
    pub energy_kwh: Estimate,
    pub mean_active_period_s: Estimate,
    /// Busy (working, setup, failed) share of the on-shift time.
    pub utilisation: Estimate,
    /// A fleet of vehicles: share of its working time driven empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_travel_share: Option<Estimate>,
    /// A fleet: each vehicle's utilisation and empty travel, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vehicles: Vec<VehicleSummary>,
}

/// One vehicle of a fleet over replications.
#[derive(Clone, Debug, Serialize)]
pub struct VehicleSummary {
    pub utilisation: Estimate,
    pub empty_travel_share: Estimate,
}

/// A buffer or conveyor over replications.
#[derive(Clone, Debug, Serialize)]
pub struct StoreSummary {
    pub id: String,
    pub kind: &'static str,
    pub capacity: u32,
    pub mean_content: Estimate,
    pub max_content: Estimate,
    pub mean_transit_s: Estimate,
}

/// An operator pool over replications.
#[derive(Clone, Debug, Serialize)]
pub struct PoolSummary {
    pub id: String,
    pub count: u32,
    pub utilisation: Estimate,
    pub paid_hours: Estimate,
    pub labour_cost: Estimate,
    /// Share of paid operator-time spent on ideal-speed work on good parts.
    pub oee: Estimate,
}

/// What a run reports: the scene, the settings and every figure.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The JSON schema's version ([`super::FORMAT_VERSION`]).
    pub format_version: u32,
    pub scene: String,
    pub seed: u64,
    pub replications: u32,
    pub warmup_s: f64,
    pub horizon_s: f64,
    pub currency: Option<String>,
    pub events: u64,
    pub line: LineSummary,
    pub stations: Vec<StationSummary>,
    pub stores: Vec<StoreSummary>,
    pub operators: Vec<PoolSummary>,
    /// Mean over replications, per sample interval.
    pub series: Series,
    /// Invariants checked in every replication (a violation aborts the run).
    pub invariants_checked: Vec<&'static str>,
    /// Where the model cannot do what was asked, or a figure needs a caveat.
    pub warnings: Vec<String>,
    /// Lead times of every replication together (for the histogram).
    #[serde(skip)]
    pub lead_times: Histogram,
    /// The individual replications.
    #[serde(skip)]
    pub runs: Vec<RunResult>,
    /// The scene's flow edges (from, to, via), for the flow diagram.
    #[serde(skip)]
    pub flow: Vec<(String, String, Option<String>)>,
}

impl Summary {
    /// The resources whose OEE the line OEE is (each replication's pacing
    /// resource), with the share of replications each paced, most first.
    pub fn paced_by(&self) -> Vec<(String, f64)> {
        shares(pacing(&self.runs))
    }

    /// Summarises replications (copies them; see [`Summary::from_runs`]).
    pub fn new(scene: &Scene, results: &[RunResult]) -> Self {
        Self::from_runs(scene, results.to_vec())
    }

    /// Summarises replications, keeping them without a copy.
    pub fn from_runs(scene: &Scene, runs: Vec<RunResult>) -> Self {
        let results = runs.as_slice();
        let n_reps = results.len() as f64;
        // The verdict found most often; `None` stands for demand-limited.
        let top = most_often(results.iter().map(|r| r.line.bottleneck.as_deref()));
        let busiest = most_often(
            results
                .iter()
                .map(|r| r.line.constraint.busiest.as_ref().map(|b| b.id.as_str())),
        );
        let bottleneck = top.and_then(|(id, _)| id.map(str::to_string));
        let resource_of = |id: &str| {
            results.iter().find_map(|r| {
                r.line
                    .constraint
                    .busiest
                    .as_ref()
                    .filter(|b| b.id == id)
                    .map(|b| b.resource)
            })
        };
        let demand_limited = results
            .iter()
            .filter(|r| r.line.constraint.demand_limited)
            .count();
        let line = LineSummary {
            good_per_hour: est(results, |r| Some(r.line.good_per_hour)),
            good_parts: est(results, |r| Some(r.line.good_parts as f64)),
            line_oee: est(results, |r| r.line.line_oee),
            bottleneck_share: match (&bottleneck, top) {
                (Some(_), Some((_, k))) => k as f64 / n_reps,
                _ => 0.0,
            },
            bottleneck_resource: bottleneck.as_deref().and_then(resource_of),
            bottleneck_utilisation: match &bottleneck {
                Some(id) => est(results, |r| utilisation_of(r, id)),
                None => Estimate::of(&[]),
            },
            demand_limited_share: demand_limited as f64 / n_reps,
            shared_limit: shared_limit(results),
            demand_turned_away: est(results, |r| r.line.demand_turned_away.map(|d| d.parts)),
            demand_turned_away_share: est(results, |r| r.line.demand_turned_away.map(|d| d.share)),
            busiest: busiest.and_then(|(id, _)| id.map(str::to_string)),
            bottleneck,
            wip: est(results, |r| Some(r.line.wip)),
            lead_time_mean_s: est(results, |r| r.line.lead_time_s.mean),
            lead_time_p50_s: est(results, |r| r.line.lead_time_s.p50),
            lead_time_p90_s: est(results, |r| r.line.lead_time_s.p90),
            lead_time_p95_s: est(results, |r| r.line.lead_time_s.p95),
            lead_time_max_s: est(results, |r| r.line.lead_time_s.max),
            scrapped: est(results, |r| Some(r.line.scrapped as f64)),
            scrap_ratio: est(results, |r| Some(r.line.scrap_ratio)),
            first_pass_yield: est(results, |r| r.line.first_pass_yield),
            energy_kwh: est(results, |r| Some(r.line.energy_kwh)),
            energy_kwh_per_good_part: est(results, |r| r.line.energy_kwh_per_good_part),
            on_time_share: est(results, |r| r.line.on_time_share),
            orders: results
                .first()
                .and_then(|r| r.line.orders.as_ref())
                .map(|_| {
                    let of = |f: fn(&crate::kpi::OrderResult) -> Option<f64>| {
                        est(results, |r| r.line.orders.as_ref().and_then(f))
                    };
                    OrderSummary {
                        completed: of(|o| Some(o.completed as f64)),
                        on_time_share: of(|o| o.on_time_share),
                        mean_tardiness_s: of(|o| o.mean_tardiness_s),
                        open_late: of(|o| Some(o.open_late as f64)),
                        lots_split: results[0]
                            .line
                            .orders
                            .as_ref()
                            .and_then(|o| o.lots_split)
                            .map(|_| of(|o| o.lots_split.map(|n| n as f64))),
                    }
                }),
            labour_hours: est(results, |r| Some(r.line.labour_hours)),
            labour_cost: est(results, |r| Some(r.line.labour_cost)),
            cost_per_good_part: est(results, |r| r.line.cost_per_good_part),
            safety_exposure_h: est(results, |r| r.line.safety_exposure_h),
            littles_law_gap: est(results, |r| r.line.littles_law.relative_gap),
        };
        let first = &results[0];
        let stations = first
            .stations
            .iter()
            .enumerate()
            .map(|(i, s0)| {
                let st =
                    |f: &dyn Fn(&StationResult) -> Option<f64>| est(results, |r| f(&r.stations[i]));
                StationSummary {
                    id: s0.id.clone(),
                    kind: s0.kind,
                    capacity: s0.capacity,
                    states: State::ALL
                        .iter()
                        .map(|s| {
                            (
                                s.name(),
                                st(&|x: &StationResult| Some(x.states.to_array()[*s as usize])),
                            )
                        })
                        .collect(),
                    availability: st(&|x| x.availability),
                    effectiveness: st(&|x| x.effectiveness),
                    quality: st(&|x| x.quality),
                    oee: st(&|x| x.oee),
                    produced: st(&|x| Some(x.produced as f64)),
                    scrapped: st(&|x| Some(x.scrapped as f64)),
                    failures: st(&|x| Some(x.failures as f64)),
                    can_fail: results.iter().any(|r| r.stations[i].can_fail),
                    // Without a failure model there is no MTBF to bound.
                    mtbf_s: reliability::mtbf(
                        &results
                            .iter()
                            .filter(|r| r.stations[i].can_fail)
                            .map(|r| (r.stations[i].run_time_s, r.stations[i].failures))
                            .collect::<Vec<_>>(),
                    ),
                    mttr_s: reliability::mttr(
                        &results
                            .iter()
                            .map(|r| {
                                let s = &r.stations[i];
                                (s.repair_time_s, s.repair_time_sq_s2, s.failures)
                            })
                            .collect::<Vec<_>>(),
                    ),
                    setups: st(&|x| Some(x.setups as f64)),
                    energy_kwh: st(&|x| Some(x.energy_kwh)),
                    mean_active_period_s: st(&|x| x.mean_active_period_s),
                    utilisation: st(&|x| x.utilisation),
                    empty_travel_share: (s0.kind == "vehicles")
                        .then(|| st(&|x| x.empty_travel_share)),
                    vehicles: (0..s0.vehicles.len())
                        .map(|k| VehicleSummary {
                            utilisation: st(&|x| x.vehicles[k].utilisation),
                            empty_travel_share: st(&|x| x.vehicles[k].empty_travel_share),
                        })
                        .collect(),
                }
            })
            .collect();
        let stores = first
            .stores
            .iter()
            .enumerate()
            .map(|(i, s0)| {
                let st =
                    |f: &dyn Fn(&StoreResult) -> Option<f64>| est(results, |r| f(&r.stores[i]));
                StoreSummary {
                    id: s0.id.clone(),
                    kind: s0.kind,
                    capacity: s0.capacity,
                    mean_content: st(&|x| Some(x.mean_content)),
                    max_content: st(&|x| Some(f64::from(x.max_content))),
                    mean_transit_s: st(&|x| x.mean_transit_s),
                }
            })
            .collect();
        let operators = first
            .operators
            .iter()
            .enumerate()
            .map(|(i, p0)| PoolSummary {
                id: p0.id.clone(),
                count: p0.count,
                utilisation: est(results, |r| r.operators[i].utilisation),
                paid_hours: est(results, |r| Some(r.operators[i].paid_hours)),
                labour_cost: est(results, |r| Some(r.operators[i].labour_cost)),
                oee: est(results, |r| r.operators[i].oee),
            })
            .collect();
        let n = n_reps;
        let len = results
            .iter()
            .map(|r| r.series.t_s.len())
            .min()
            .unwrap_or(0);
        let mean_of = |f: &dyn Fn(&Series) -> &Vec<f64>| {
            (0..len)
                .map(|k| results.iter().map(|r| f(&r.series)[k]).sum::<f64>() / n)
                .collect()
        };
        let series = Series {
            t_s: first.series.t_s[..len].to_vec(),
            good_per_hour: mean_of(&|s| &s.good_per_hour),
            wip: mean_of(&|s| &s.wip),
        };
        let summary = Summary {
            format_version: super::FORMAT_VERSION,
            scene: scene.name.clone(),
            seed: scene.run.seed,
            replications: results.len() as u32,
            warmup_s: scene.run.warmup.map_or(0.0, |w| w.secs()),
            horizon_s: scene.run.horizon.secs(),
            currency: scene.economics.as_ref().map(|e| e.currency.clone()),
            events: results.iter().map(|r| r.events).sum(),
            line,
            stations,
            stores,
            operators,
            series,
            invariants_checked: vec![
                "parts entered = parts left + scrapped + consumed by assembly + WIP at the end",
                "parts held by the objects = WIP counter = live part records",
                "∫ WIP dt = the time every part spent in the system within the window (Little's law as an identity)",
                "each station server's state times sum to the observed time",
            ],
            warnings: super::warnings::scene_warnings(scene)
                .into_iter()
                .chain(super::warnings::run_warnings(scene, results))
                .collect(),
            lead_times: results.iter().fold(Histogram::default(), |mut h, r| {
                h.merge(&r.lead_times);
                h
            }),
            runs: Vec::new(),
            flow: scene
                .flow
                .iter()
                .map(|f| {
                    let e = f.edge();
                    (e.from, e.to, e.via)
                })
                .collect(),
        };
        Summary { runs, ..summary }
    }
}

/// The value seen most often and how often (ties: the first in sorted order).
fn most_often<'a>(
    values: impl Iterator<Item = Option<&'a str>>,
) -> Option<(Option<&'a str>, usize)> {
    let mut counts: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
}

/// The utilisation of the resource `id` (station or operator pool) in one replication.
fn utilisation_of(r: &RunResult, id: &str) -> Option<f64> {
    r.stations
        .iter()
        .find(|s| s.id == id)
        .and_then(|s| s.utilisation)
        .or_else(|| {
            r.operators
                .iter()
                .find(|p| p.id == id)
                .and_then(|p| p.utilisation)
        })
}
