//! Is this model the plant? The log's period is replayed with the model over
//! replications (the same length of time, starting at the same time of the
//! week so shifts line up), and each figure the log can tell — throughput,
//! WIP, lead-time median and 90th percentile, each resource's share of time
//! in each state — is put beside the model's 95 % prediction interval for
//! one period of that length: the range in which the plant's figure should
//! lie if the model is right.
//!
//! With many figures, a few fall outside their 95 % range by chance alone
//! (one in twenty). The verdict therefore uses the family-wise range
//! (Bonferroni: 1 − 0.05/m for m figures): a figure outside it is a
//! mismatch; one only outside its own 95 % range is reported as "outside,
//! could be chance".

use super::fit::mean;
use super::mapping::Group;
use super::observed::Period;
use super::special::t_quantile;
use crate::experiment::{self, Options, RunError};
use crate::kpi::RunResult;
use crate::scene::{Duration, Scene};
use serde::Serialize;

/// One week in seconds: shift calendars repeat weekly.
const WEEK_S: f64 = 7.0 * 86_400.0;

/// How one figure of the log compares with the model's.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// "good_per_hour", "wip", "lead_time_p50", "lead_time_p90" or a state
    /// ("working", …) of `resource`.
    pub figure: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub unit: &'static str,
    /// The log's value (the mean over its periods when it has several).
    pub log: f64,
    /// The model's mean and its 95 % prediction interval for the log's value.
    pub model: f64,
    pub low: f64,
    pub high: f64,
    /// The family-wise interval the verdict uses.
    pub wide_low: f64,
    pub wide_high: f64,
    pub inside: bool,
    /// Outside even the family-wise interval: a mismatch.
    pub mismatch: bool,
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Validation {
    /// Periods in the log and their mean length.
    pub periods: usize,
    pub period_s: f64,
    pub replications: usize,
    pub checks: Vec<Check>,
    /// Resources in the log the model does not have, and the reverse.
    pub only_in_log: Vec<String>,
    pub only_in_model: Vec<String>,
    /// The log's lead times (every period), for the report's chart.
    #[serde(skip)]
    pub log_lead_times: Vec<f64>,
    /// The model's lead-time percentiles per replication (p50, p90).
    #[serde(skip)]
    pub model_lead_p50: Vec<f64>,
}

impl Validation {
    /// Figures outside their 95 % range.
    pub fn outside(&self) -> usize {
        self.checks.iter().filter(|c| !c.inside).count()
    }

    /// The figures that do not match (outside the family-wise range).
    pub fn mismatches(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| c.mismatch).collect()
    }

    /// The model matches: no figure outside the family-wise range.
    pub fn matches(&self) -> bool {
        self.mismatches().is_empty()
    }

    /// The resources with a mismatch, in order of first appearance.
    pub fn stations_off(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self.mismatches() {
            if let Some(r) = c.resource.as_deref().filter(|r| !out.contains(r)) {
                out.push(r);
            }
        }
        out
    }
}

/// The scene set to replay the log's period: the same length, starting at
/// the same time of the week (when the scene has shifts). A log that began
/// with the line empty is replayed from empty (the model runs from time 0
/// and is measured from the log's start time); otherwise after at least the
/// scene's own warm-up, as a plant that was running when its log began.
pub fn replay_scene(scene: &Scene, periods: &[Period]) -> Scene {
    let mut s = scene.clone();
    let n = periods.len().max(1) as f64;
    let length = periods.iter().map(Period::length_s).sum::<f64>() / n;
    s.run.horizon = Duration::Seconds(length.max(1.0));
    s.run.sample_every = None;
    let empty = !periods.is_empty() && periods.iter().all(|p| p.started_empty);
    let warmup = if empty {
        0.0
    } else {
        s.run.warmup.map_or(0.0, Duration::secs)
    };
    let start = if s.shifts.is_empty() {
        0.0
    } else {
        periods
            .first()
            .map_or(0.0, |p| p.begin_s.rem_euclid(WEEK_S))
    };
    let weeks = ((warmup - start) / WEEK_S).ceil().max(0.0);
    let at = if s.shifts.is_empty() && !empty {
        warmup
    } else {
        start + weeks * WEEK_S
    };
    s.run.warmup = Some(Duration::Seconds(at));
    s
}

/// Runs the model over `reps` replications of the log's period and compares.
pub fn validate(
    scene: &Scene,
    periods: &[Period],
    reps: u32,
    progress: bool,
) -> Result<Validation, RunError> {
    let replay = replay_scene(scene, periods);
    let runs = experiment::run_all(
        &replay,
        &Options {
            replications: Some(reps.max(2)),
            progress,
            ..Options::default()
        },
    )?;
    let results: Vec<RunResult> = runs.into_iter().map(|r| r.result).collect();
    Ok(compare(scene, periods, &results))
}

/// The log's periods against the model's replications.
pub fn compare(scene: &Scene, periods: &[Period], runs: &[RunResult]) -> Validation {
    let k = periods.len().max(1);
    let mut rows: Vec<Row> = Vec::new();
    let mut line = |figure, unit, log: Vec<Option<f64>>, model: Vec<Option<f64>>| {
        let log: Vec<f64> = log.into_iter().flatten().collect();
        let model: Vec<f64> = model.into_iter().flatten().collect();
        if log.len() == k && model.len() >= 2 {
            rows.push(Row {
                figure,
                resource: None,
                unit,
                log: mean(&log),
                model,
            });
        }
    };
    line(
        "good_per_hour",
        "parts/h",
        periods.iter().map(Period::good_per_hour).collect(),
        runs.iter().map(|r| Some(r.line.good_per_hour)).collect(),
    );
    line(
        "wip",
        "parts",
        periods.iter().map(|p| p.wip).collect(),
        runs.iter().map(|r| Some(r.line.wip)).collect(),
    );
    let log_lead: Vec<f64> = periods
        .iter()
        .flat_map(|p| p.lead_times.iter().copied())
        .collect();
    for (figure, q) in [("lead_time_p50", 0.5), ("lead_time_p90", 0.9)] {
        line(
            figure,
            "s",
            periods
                .iter()
                .map(|p| (p.lead_times.len() >= 10).then(|| quantile(&p.lead_times, q)))
                .collect(),
            runs.iter()
                .map(|r| {
                    if q == 0.5 {
                        r.line.lead_time_s.p50
                    } else {
                        r.line.lead_time_s.p90
                    }
                })
                .collect(),
        );
    }
    // States of each resource both know.
    let log_resources: Vec<&String> = periods.iter().flat_map(|p| p.shares.keys()).collect();
    let model_ids: Vec<&str> = runs
        .first()
        .map(|r| r.stations.iter().map(|s| s.id.as_str()).collect())
        .unwrap_or_default();
    let mut only_in_log: Vec<String> = Vec::new();
    for r in &log_resources {
        if !model_ids.contains(&r.as_str()) && !only_in_log.contains(r) {
            only_in_log.push((*r).clone());
        }
    }
    let only_in_model: Vec<String> = model_ids
        .iter()
        .filter(|id| !log_resources.iter().any(|r| r == id))
        .filter(|id| {
            scene.objects.iter().any(|o| {
                o.id() == **id
                    && matches!(
                        o,
                        crate::scene::Object::Machine(_) | crate::scene::Object::Assembly(_)
                    )
            })
        })
        .map(|s| s.to_string())
        .collect();
    for (i, station) in model_ids.iter().enumerate() {
        if !log_resources.iter().any(|r| r == station) {
            continue;
        }
        for (g_i, g) in Group::ALL.iter().enumerate() {
            let log: Vec<f64> = periods
                .iter()
                .filter_map(|p| p.shares.get(*station).map(|s| s[g_i]))
                .collect();
            let model: Vec<f64> = runs.iter().map(|r| g.of(&r.stations[i].states)).collect();
            // A state neither side has tells nothing.
            if log.iter().chain(&model).all(|v| v.abs() < 1e-9) || log.is_empty() {
                continue;
            }
            rows.push(Row {
                figure: g.key(),
                resource: Some(station.to_string()),
                unit: "share",
                log: mean(&log),
                model,
            });
        }
    }
    let m = rows.len().max(1) as f64;
    let checks = rows
        .into_iter()
        .map(|r| {
            let (log, share) = (r.log, r.unit == "share");
            let (mu, low, high) = prediction(&r.model, k, 0.05, share);
            let (_, wide_low, wide_high) = prediction(&r.model, k, 0.05 / m, share);
            // Below the precision the figures are shown in (0.1 % of the
            // period, 0.1 % of the value) a difference is no mismatch: a
            // share the calendar fixes has no spread in the model, and the
            // log's periods differ from it in the fifth decimal.
            let within = |lo: f64, hi: f64| {
                let slack = if share { 5e-4 } else { 1e-3 * mu.abs() };
                log >= lo - slack && log <= hi + slack
            };
            Check {
                figure: r.figure,
                resource: r.resource,
                unit: r.unit,
                log,
                model: mu,
                low,
                high,
                wide_low,
                wide_high,
                inside: within(low, high),
                mismatch: !within(wide_low, wide_high),
            }
        })
        .collect();
    Validation {
        periods: periods.len(),
        period_s: periods.iter().map(Period::length_s).sum::<f64>() / k as f64,
        replications: runs.len(),
        checks,
        only_in_log,
        only_in_model,
        log_lead_times: log_lead,
        model_lead_p50: runs.iter().filter_map(|r| r.line.lead_time_s.p50).collect(),
    }
}

/// A figure before it is judged: the log's value and the model's per
/// replication.
struct Row {
    figure: &'static str,
    resource: Option<String>,
    unit: &'static str,
    log: f64,
    model: Vec<f64>,
}

/// The interval in which the mean of `k` new periods falls with
/// probability 1 − `alpha`, from `x` (the model's replications): mean ±
/// t·s·√(1/k + 1/n); shares kept within 0–1, other figures above 0.
pub fn prediction(x: &[f64], k: usize, alpha: f64, share: bool) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let mu = mean(x);
    if x.len() < 2 {
        return (mu, mu, mu);
    }
    let var = x.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (n - 1.0);
    let h = t_quantile(1.0 - alpha / 2.0, n - 1.0) * (var * (1.0 / k as f64 + 1.0 / n)).sqrt();
    let hi_cap = if share { 1.0 } else { f64::INFINITY };
    (mu, (mu - h).max(0.0), (mu + h).min(hi_cap))
}

/// The `q` quantile (linear between order statistics).
fn quantile(x: &[f64], q: f64) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let at = q * (s.len() - 1) as f64;
    let (i, f) = (at.floor() as usize, at.fract());
    s[i] + (s[(i + 1).min(s.len() - 1)] - s[i]) * f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prediction_interval_is_wider_for_one_period_than_for_many() {
        let x: Vec<f64> = (0..30).map(|i| 10.0 + f64::from(i % 7) - 3.0).collect();
        let (m, lo1, hi1) = prediction(&x, 1, 0.05, false);
        let (_, lo9, hi9) = prediction(&x, 9, 0.05, false);
        assert!((m - 10.0).abs() < 0.2);
        assert!(hi1 - lo1 > 2.5 * (hi9 - lo9), "√(1+1/30) vs √(1/9+1/30)");
        let (_, wlo, whi) = prediction(&x, 1, 0.05 / 40.0, false);
        assert!(wlo < lo1 && whi > hi1, "the family-wise range is wider");
        assert_eq!(quantile(&[3.0, 1.0, 2.0], 0.5), 2.0);
    }
}
