//! Is the plant still the model? Three checks per station: its cycles,
//! its repairs and how often it breaks down.
//!
//! Each station's cycle times, in working
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
//!
//! Repairs are durations like cycles: the same standardised CUSUM against
//! the scene's repair distribution ("longer" or "shorter"). Breakdowns are
//! rare events, a few a week, and a standardised residual of the working
//! time between them would never move the CUSUM for a doubled failure rate
//! (its mean drops by half a standard deviation of an exponential, exactly
//! k): they get the likelihood-ratio CUSUM of an exponential time between
//! failures (Lucas 1985) against twice the model's rate, S = max(0, S +
//! ln 2 − x/θ) with θ the model's mean, alarm above [`RATE_H`] = 6: for
//! exponential times about 3,400 failures between false alarms (a station
//! failing every 6 working hours: some 500 station-weeks), and a doubled
//! rate caught in about 30 failures (median 28; both by simulation, in
//! docs/live.md).

use crate::calibrate::{self, Key, Measure, log::Log};
use crate::scene::{Dist, Object, Scene};
use serde::Serialize;

/// The reference value: half the shift (in standard deviations) to catch.
pub const K: f64 = 0.5;
/// The decision limit.
pub const H: f64 = 12.0;
/// The failure rate the breakdown check is tuned to catch, as a multiple
/// of the model's, and its decision limit.
pub const RATE: f64 = 2.0;
pub const RATE_H: f64 = 6.0;

/// A station whose cycles left the model's range.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DriftAlarm {
    pub station: String,
    /// What left the model's range: "cycle", "repair" or "between failures".
    pub measure: &'static str,
    /// "slower" or "faster" (cycles), "longer" or "shorter" (repairs),
    /// "more often" (breakdowns).
    pub direction: &'static str,
    /// When the CUSUM crossed the limit (the log's time).
    pub at_s: f64,
    /// When the change began, as the CUSUM estimates it (the cycle after it
    /// last stood at 0).
    pub since_s: f64,
    /// Observations (cycles, repairs, working times between failures)
    /// from that beginning to the alarm.
    pub observations: usize,
    /// Their mean, and the model's mean for them (seconds).
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

/// Each station's observations of one measure against the model, in time
/// order: cycles (per product where the log has them apart), repairs and
/// working times between failures (for stations whose model fails).
fn series(log: &Log, scene: &Scene) -> Vec<(String, Measure, Vec<Cycle>)> {
    let time = calibrate::WorkingTime::of_scene(scene);
    let (samples, _) = calibrate::samples(log, &time);
    let mut out = Vec::new();
    for o in &scene.objects {
        let (id, default, per, failures) = match o {
            Object::Machine(m) => (
                &m.id,
                &m.cycle,
                Some(&m.product_cycles),
                m.failures.as_ref(),
            ),
            Object::Assembly(a) => (&a.id, &a.cycle, None, None),
            // A robot's cycle is its task's; its breakdowns are checked.
            Object::Robot(r) => {
                out.extend(failure_series(&samples, &r.id, r.failures.as_ref()));
                continue;
            }
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
            all.extend(observed(&samples[k], dist_of(k.product.as_ref())));
        }
        all.sort_by(|a, b| a.ended_at.total_cmp(&b.ended_at));
        out.push((id.clone(), Measure::Cycle, all));
        out.extend(failure_series(&samples, id, failures));
    }
    out
}

/// A station's repairs and working times between failures against its
/// model's (none when the model does not fail).
fn failure_series(
    samples: &std::collections::BTreeMap<Key, calibrate::fit::Sample>,
    id: &str,
    failures: Option<&crate::scene::Failures>,
) -> Vec<(String, Measure, Vec<Cycle>)> {
    let Some(f) = failures else {
        return Vec::new();
    };
    [
        (Measure::Repair, &f.repair),
        (Measure::BetweenFailures, &f.between),
    ]
    .into_iter()
    .filter_map(|(measure, d)| {
        let s = samples.get(&Key::new(id, measure))?;
        Some((id.to_string(), measure, observed(s, d)))
    })
    .collect()
}

/// A sample's complete observations against the model's distribution.
fn observed(s: &calibrate::fit::Sample, d: &Dist) -> Vec<Cycle> {
    s.ended_at
        .iter()
        .zip(&s.complete)
        .map(|(t, x)| Cycle {
            ended_at: *t,
            secs: *x,
            model_mean: d.mean_secs(),
            model_sd: d.sd_secs(),
        })
        .collect()
}

/// The stations whose cycles, repairs or breakdowns left the model's
/// range (the first alarm of each station and measure), in the order they
/// were flagged.
pub fn check(log: &Log, scene: &Scene) -> Vec<DriftAlarm> {
    let mut alarms: Vec<DriftAlarm> = series(log, scene)
        .into_iter()
        .filter_map(|(id, measure, c)| match measure {
            Measure::BetweenFailures => rate_cusum(&id, &c),
            Measure::Repair => cusum(&id, &c, "repair", ("longer", "shorter")),
            _ => cusum(&id, &c, "cycle", ("slower", "faster")),
        })
        .collect();
    alarms.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    alarms
}

/// The first crossing of either side, if any (`words`: the upper side's
/// direction, the lower's). A station whose model has no spread (a
/// constant cycle) is judged against 2 % of its mean.
fn cusum(
    id: &str,
    c: &[Cycle],
    measure: &'static str,
    words: (&'static str, &'static str),
) -> Option<DriftAlarm> {
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
        for (side, direction) in [(hi, words.0), (lo, words.1)] {
            if side.0 > H {
                return Some(alarm(id, measure, direction, &c[side.1..=i]));
            }
        }
    }
    None
}

/// Breakdowns more often than the model's: the exponential likelihood-ratio
/// CUSUM against [`RATE`] times the model's rate.
fn rate_cusum(id: &str, c: &[Cycle]) -> Option<DriftAlarm> {
    let (mut s, mut began) = (0.0f64, 0usize);
    for (i, up) in c.iter().enumerate() {
        let next = s + RATE.ln() - (RATE - 1.0) * up.secs / up.model_mean.max(1e-9);
        if next <= 0.0 {
            (s, began) = (0.0, i + 1);
        } else {
            s = next;
        }
        if s > RATE_H {
            return Some(alarm(id, "between failures", "more often", &c[began..=i]));
        }
    }
    None
}

/// The alarm raised by the last of `run` (the observations since the
/// change began).
fn alarm(id: &str, measure: &'static str, direction: &'static str, run: &[Cycle]) -> DriftAlarm {
    let n = run.len() as f64;
    let last = run.last().expect("a run ends at the alarm");
    DriftAlarm {
        station: id.to_string(),
        measure,
        direction,
        at_s: last.ended_at,
        since_s: run[0].ended_at,
        observations: run.len(),
        observed_mean_s: run.iter().map(|r| r.secs).sum::<f64>() / n,
        model_mean_s: run.iter().map(|r| r.model_mean).sum::<f64>() / n,
    }
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
        let cycle = |c: &[Cycle]| cusum("m", c, "cycle", ("slower", "faster"));
        assert_eq!(cycle(&steady(5000, 0.0)), None);
        let mut c = steady(300, 0.0);
        let slow: Vec<_> = steady(300, 20.0)
            .into_iter()
            .map(|c| Cycle {
                ended_at: c.ended_at + 30_000.0,
                ..c
            })
            .collect();
        c.extend(slow);
        let a = cycle(&c).expect("flagged");
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
        assert_eq!(cycle(&fast).unwrap().direction, "faster");
    }

    /// Working times between failures: exponential of mean `mean` (by the
    /// inverse of a fixed low-discrepancy sequence), from time `from`.
    fn failures(n: usize, mean: f64, from: f64) -> Vec<Cycle> {
        let mut t = from;
        (0..n)
            .map(|i| {
                let u = ((i as f64 + 0.5) * 0.618_033_988_75).fract();
                let x = -mean * (1.0 - u).ln();
                t += x;
                Cycle {
                    ended_at: t,
                    secs: x,
                    model_mean: 3600.0,
                    model_sd: 3600.0,
                }
            })
            .collect()
    }

    #[test]
    fn breakdowns_twice_as_often_are_flagged_and_as_often_are_not() {
        assert_eq!(rate_cusum("m", &failures(2000, 3600.0, 0.0)), None);
        let mut c = failures(200, 3600.0, 0.0);
        let change = c.last().unwrap().ended_at;
        c.extend(failures(200, 1800.0, change));
        let a = rate_cusum("m", &c).expect("flagged");
        assert_eq!((a.measure, a.direction), ("between failures", "more often"));
        let after = c
            .iter()
            .filter(|r| r.ended_at > change && r.ended_at <= a.at_s)
            .count();
        assert!((5..=60).contains(&after), "{after} failures: {a:?}");
        assert!(a.observed_mean_s < 3000.0, "{a:?}");
    }
}
