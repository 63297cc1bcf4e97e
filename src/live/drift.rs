//! Is the plant still the model? Each station's cycle times, in working
//! time (shifts and breakdowns left out, as `fit` counts them), are put
//! against the scene's cycle distribution for the part's product: the
//! standardised residual z = (x − mean) / sd feeds a two-sided tabular
//! CUSUM (Page), with reference value k = 0.5 (it reacts to a shift of one
//! standard deviation) and decision limit h = 12: for normal residuals about
//! a million cycles between false alarms on each side (Siegmund's
//! approximation), because a busy station makes 3,000 cycles a week and a
//! limit of 8 (19,000) gave a false alarm every few station-weeks; a shift
//! of 1.4 standard deviations is still caught in about 15 cycles (measured
//! in docs/live.md). A station whose CUSUM crosses h is
//! flagged with the evidence: when, how many cycles since the change began
//! (the last time the CUSUM stood at 0), the mean then against the model's.

use crate::calibrate::{self, Key, Measure, log::Log};
use crate::scene::{Dist, Object, Scene};
use serde::Serialize;

/// The reference value: half the shift (in standard deviations) to catch.
pub const K: f64 = 0.5;
/// The decision limit.
pub const H: f64 = 12.0;

/// A station whose cycles left the model's range.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DriftAlarm {
    pub station: String,
    /// "slower" or "faster" than the model.
    pub direction: &'static str,
    /// When the CUSUM crossed the limit (the log's time).
    pub at_s: f64,
    /// When the change began, as the CUSUM estimates it (the cycle after it
    /// last stood at 0).
    pub since_s: f64,
    /// Cycles from that beginning to the alarm.
    pub cycles: usize,
    /// Their mean, and the model's mean for them.
    pub observed_mean_s: f64,
    pub model_mean_s: f64,
}

/// One cycle against the model.
#[derive(Clone, Copy, Debug)]
struct Cycle {
    ended_at: f64,
    secs: f64,
    model_mean: f64,
    model_sd: f64,
}

/// Each station's cycles, in time order.
fn cycles(log: &Log, scene: &Scene) -> Vec<(String, Vec<Cycle>)> {
    let time = calibrate::WorkingTime::of_scene(scene);
    let (samples, _) = calibrate::samples(log, &time);
    let mut out = Vec::new();
    for o in &scene.objects {
        let (id, default, per) = match o {
            Object::Machine(m) => (&m.id, &m.cycle, Some(&m.product_cycles)),
            Object::Assembly(a) => (&a.id, &a.cycle, None),
            _ => continue,
        };
        let dist_of = |product: Option<&String>| -> &Dist {
            product
                .and_then(|p| per.and_then(|m| m.get(p)))
                .unwrap_or(default)
        };
        // Per product where the log has them apart, else all together.
        let keys: Vec<&Key> = samples
            .keys()
            .filter(|k| k.resource == *id && k.measure == Measure::Cycle)
            .collect();
        let split = keys.iter().any(|k| k.product.is_some());
        let mut all: Vec<Cycle> = Vec::new();
        for k in keys.into_iter().filter(|k| k.product.is_some() == split) {
            let d = dist_of(k.product.as_ref());
            let s = &samples[k];
            all.extend(s.ended_at.iter().zip(&s.complete).map(|(t, x)| Cycle {
                ended_at: *t,
                secs: *x,
                model_mean: d.mean_secs(),
                model_sd: d.sd_secs(),
            }));
        }
        all.sort_by(|a, b| a.ended_at.total_cmp(&b.ended_at));
        out.push((id.clone(), all));
    }
    out
}

/// The stations whose cycles left the model's range (the first alarm of
/// each), in the order they were flagged.
pub fn check(log: &Log, scene: &Scene) -> Vec<DriftAlarm> {
    let mut alarms: Vec<DriftAlarm> = cycles(log, scene)
        .into_iter()
        .filter_map(|(id, c)| cusum(&id, &c))
        .collect();
    alarms.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    alarms
}

/// The first crossing of either side, if any. A station whose model has no
/// spread (a constant cycle) is judged against 2 % of its mean.
fn cusum(id: &str, c: &[Cycle]) -> Option<DriftAlarm> {
    // (sum, index where the current run began) for the upper and lower side.
    let (mut hi, mut lo) = ((0.0f64, 0usize), (0.0f64, 0usize));
    for (i, cy) in c.iter().enumerate() {
        let (m, sd) = (cy.model_mean, cy.model_sd);
        let z = (cy.secs - m) / sd.max(0.02 * m).max(1e-9);
        let step = |side: &mut (f64, usize), v: f64| {
            let next = side.0 + v - K;
            if next <= 0.0 {
                *side = (0.0, i + 1);
            } else {
                side.0 = next;
            }
        };
        step(&mut hi, z);
        step(&mut lo, -z);
        for (side, direction) in [(hi, "slower"), (lo, "faster")] {
            if side.0 > H {
                let run = &c[side.1..=i];
                let n = run.len() as f64;
                return Some(DriftAlarm {
                    station: id.to_string(),
                    direction,
                    at_s: cy.ended_at,
                    since_s: run.first().map_or(cy.ended_at, |r| r.ended_at),
                    cycles: run.len(),
                    observed_mean_s: run.iter().map(|r| r.secs).sum::<f64>() / n,
                    model_mean_s: run.iter().map(|r| r.model_mean).sum::<f64>() / n,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cycles of mean 100, sd 10 from a fixed sequence of residuals.
    fn steady(n: usize, shift: f64) -> Vec<Cycle> {
        (0..n)
            .map(|i| {
                // A deterministic spread of z in [-1.5, 1.5].
                let z = ((i * 7919) % 31) as f64 / 10.0 - 1.5;
                Cycle {
                    ended_at: i as f64 * 100.0,
                    secs: 100.0 + 10.0 * z + shift,
                    model_mean: 100.0,
                    model_sd: 10.0,
                }
            })
            .collect()
    }

    #[test]
    fn a_steady_station_is_not_flagged_and_a_slower_one_is_within_a_few_cycles() {
        assert_eq!(cusum("m", &steady(5000, 0.0)), None);
        let mut c = steady(300, 0.0);
        let slow: Vec<_> = steady(300, 20.0)
            .into_iter()
            .map(|c| Cycle {
                ended_at: c.ended_at + 30_000.0,
                ..c
            })
            .collect();
        c.extend(slow);
        let a = cusum("m", &c).expect("flagged");
        assert_eq!(a.direction, "slower");
        assert!(a.at_s >= 30_000.0, "not before the change: {a:?}");
        let after = c
            .iter()
            .filter(|r| r.ended_at >= 30_000.0 && r.ended_at <= a.at_s)
            .count();
        assert!(after <= 10, "{after} cycles after a 2-sd change: {a:?}");
        assert!(
            a.observed_mean_s > 115.0 && a.model_mean_s == 100.0,
            "{a:?}"
        );
        let fast: Vec<_> = steady(300, -20.0);
        assert_eq!(cusum("m", &fast).unwrap().direction, "faster");
    }
}
