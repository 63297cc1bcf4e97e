//! Warnings where the model cannot do what the user asked, or a figure
//! needs a caveat: more operators than places to work, a buffer that never
//! filled (a bigger one changes nothing), an object that ignores the line's
//! shifts, a warm-up too short for the line to settle.
//!
//! They are said beside the figures (terminal, JSON, HTML), never instead
//! of them: each is a fact about this scene and these replications.

use crate::kpi::RunResult;
use crate::scene::{Object, Scene};

/// Places (servers) of the stations that need an operator from `pool`, to
/// work, as setters or as drivers, and of those of the pools it helps: at
/// most this many of its operators can work at once.
pub fn pool_places(scene: &Scene, pool: &str) -> u32 {
    let helped: u32 = scene
        .objects
        .iter()
        .filter_map(|o| match o {
            Object::Operators(p) if p.id == pool => Some(&p.helps),
            _ => None,
        })
        .flatten()
        .map(|h| own_places(scene, h))
        .sum();
    own_places(scene, pool) + helped
}

/// The places of the stations and carriers that name `pool` themselves.
fn own_places(scene: &Scene, pool: &str) -> u32 {
    let named = |p: &Option<String>| p.as_deref() == Some(pool);
    let setter = |s: &Option<crate::scene::Setup>| s.as_ref().is_some_and(|s| named(&s.operator));
    scene
        .objects
        .iter()
        .filter_map(|s| match s {
            Object::Machine(m) if named(&m.operator) || setter(&m.setup) => Some(m.capacity),
            Object::Assembly(a) if named(&a.operator) => Some(a.capacity),
            Object::Robot(r) => match &r.task {
                crate::scene::RobotTask::Process { setup, .. }
                    if named(&r.operator) || setter(setup) =>
                {
                    Some(1)
                }
                crate::scene::RobotTask::Transfer { .. } if named(&r.operator) => Some(1),
                _ => None,
            },
            Object::Vehicles(v) if named(&v.operator) => Some(v.count),
            _ => None,
        })
        .sum()
}

/// Scene facts that hold before anything runs.
pub fn scene_warnings(scene: &Scene) -> Vec<String> {
    let mut out = Vec::new();
    for o in &scene.objects {
        if let Object::Operators(pool) = o {
            let places = pool_places(scene, &pool.id);
            if pool.largest_crew() > places {
                out.push(format!(
                    "operator pool \"{}\" has {} operators, but the stations that need them have {places} place{}: at most {places} work at once, the others only add labour cost",
                    pool.id,
                    pool.largest_crew(),
                    if places == 1 { "" } else { "s" }
                ));
            }
        }
    }
    if let Some(w) = partial_weeks(scene) {
        out.push(w);
    }
    if !scene.shifts.is_empty() {
        // A pool with crews follows the crews' shifts.
        let pool_has_shift = |id: &Option<String>| {
            id.as_ref().is_some_and(|id| {
                scene.objects.iter().any(|o| match o {
                    Object::Operators(p) if &p.id == id => {
                        !p.shift.is_empty() || !p.crews.is_empty()
                    }
                    _ => false,
                })
            })
        };
        for o in &scene.objects {
            let unbound = match o {
                Object::Source(s) => s.shift.is_empty(),
                Object::Machine(m) => m.shift.is_empty() && !pool_has_shift(&m.operator),
                Object::Assembly(a) => a.shift.is_empty() && !pool_has_shift(&a.operator),
                Object::Robot(r) => r.shift.is_empty() && !pool_has_shift(&r.operator),
                Object::Vehicles(v) => v.shift.is_empty() && !pool_has_shift(&v.operator),
                _ => false,
            };
            if unbound {
                out.push(format!(
                    "\"{}\" follows no shift: it works around the clock while the line's shifts stop the others (give it `shift:` if that is not meant)",
                    o.id()
                ));
            }
        }
    }
    out
}

/// With shifts, a measured window that is not a whole number of weeks
/// weighs some weekdays more than others: per-hour figures then depend on
/// where the window starts and ends (100 h from Tuesday holds four day
/// shifts and no weekend; a week holds five shifts and a weekend).
fn partial_weeks(scene: &Scene) -> Option<String> {
    const WEEK_H: f64 = 168.0;
    let hours = scene.run.horizon.secs() / 3600.0;
    let weeks = hours / WEEK_H;
    let whole = (weeks - weeks.round()).abs() < 1e-6 && weeks.round() >= 1.0;
    (!scene.shifts.is_empty() && !whole).then(|| {
        format!(
            "the measured window is {hours:.1} h, not a whole number of weeks: with shifts, figures per hour (good parts per hour, energy, labour) depend on which days and hours it covers; measure whole weeks (horizon: Hours(168) or Days(7), or a multiple) to compare with a plant's weekly figures"
        )
    })
}

/// Facts of the replications: a warm-up too short for the line to settle.
pub fn run_warnings(scene: &Scene, runs: &[RunResult]) -> Vec<String> {
    warmup_warning(scene, runs).into_iter().collect()
}

/// Buffers that never filled in any replication: a setting of their
/// capacity above what was used cannot change anything (said in sweeps).
pub fn store_warnings(runs: &[RunResult]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(first) = runs.first() else {
        return out;
    };
    for (i, store) in first.stores.iter().enumerate() {
        let most = runs
            .iter()
            .map(|r| r.stores[i].max_content)
            .max()
            .unwrap_or(0);
        if store.kind == "buffer" && store.capacity > 1 && most < store.capacity {
            out.push(format!(
                "buffer \"{}\" never held more than {most} of its {} places in any replication: more places would change nothing here",
                store.id, store.capacity
            ));
        }
    }
    out
}

/// MSER-5 (White 1997) on the mean WIP series over replications: the
/// truncation point that minimises the standard error of the rest. A point
/// later than the warm-up, where the measured mean differs from the mean
/// after that point by more than 10 % (and more than its own noise), means
/// the line was still filling when the measurement started. Not for lines
/// that follow shifts: their WIP rises and falls with the week by design.
fn warmup_warning(scene: &Scene, runs: &[RunResult]) -> Option<String> {
    if !scene.shifts.is_empty() {
        return None;
    }
    let len = runs.iter().map(|r| r.series.wip.len()).min()?;
    let t = &runs[0].series.t_s;
    let mean: Vec<f64> = (0..len)
        .map(|k| runs.iter().map(|r| r.series.wip[k]).sum::<f64>() / runs.len() as f64)
        .collect();
    let batches: Vec<f64> = mean
        .chunks_exact(5)
        .map(|c| c.iter().sum::<f64>() / 5.0)
        .collect();
    let d = mser(&batches)?;
    let warmup = scene.run.warmup.map_or(0.0, |w| w.secs());
    // The series starts at time 0: batch d starts at sample 5d.
    let settled = if d == 0 { 0.0 } else { t[5 * d - 1] };
    let step = t.get(1).map_or(0.0, |b| b - t[0]);
    let measured: Vec<f64> = (0..len)
        .filter(|&k| t[k] > warmup)
        .map(|k| mean[k])
        .collect();
    let after = &mean[5 * d..];
    let avg = |x: &[f64]| x.iter().sum::<f64>() / x.len().max(1) as f64;
    let bias = (avg(&measured) - avg(after)).abs();
    let noise = crate::kpi::Estimate::of(&runs.iter().map(|r| r.line.wip).collect::<Vec<_>>())
        .half_width
        .unwrap_or(0.0);
    let biased = bias > 0.1 * avg(after).abs() && bias > noise;
    (settled > warmup + 5.0 * step && biased).then(|| {
        format!(
            "the WIP settles only after about {:.1} h (MSER-5 on the mean WIP over time), but the warm-up is {:.1} h: figures include the line filling up; lengthen run.warmup",
            settled / 3600.0,
            warmup / 3600.0
        )
    })
}

/// The MSER truncation point of a series (in its own units), searched over
/// the first half; `None` when the series is too short to say.
pub fn mser(x: &[f64]) -> Option<usize> {
    let n = x.len();
    if n < 10 {
        return None;
    }
    (0..n / 2)
        .map(|d| {
            let rest = &x[d..];
            let m = rest.iter().sum::<f64>() / rest.len() as f64;
            let ss: f64 = rest.iter().map(|v| (v - m).powi(2)).sum();
            (d, ss / (rest.len() as f64).powi(2))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mser_cuts_the_filling_up() {
        // Rises for 10 batches, then stays at 5 with a little noise.
        let mut x: Vec<f64> = (0..10).map(|k| k as f64 * 0.5).collect();
        x.extend((0..40).map(|k| 5.0 + if k % 2 == 0 { 0.1 } else { -0.1 }));
        let d = mser(&x).unwrap();
        assert!((9..=11).contains(&d), "{d}");
        // A stationary series needs no truncation.
        let flat: Vec<f64> = (0..40)
            .map(|k| if k % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        assert!(mser(&flat).unwrap() <= 1);
    }
}
