//! The bottleneck experiment: relieve each resource in turn and measure what
//! it does to output.
//!
//! Whatever a detection rule says, the bottleneck is by definition the
//! resource whose relief raises output. This runs the scene once as it is
//! and once per resource with that resource relieved (a station's cycle
//! 10 % shorter, a transfer robot 10 % faster, one more operator in a
//! pool), all with common random numbers, and reports the gain in good
//! parts per hour of each with the 95 % interval of the paired differences.

use super::{Options, RunError, compare};
use crate::kpi::Estimate;
use crate::scene::{Object, RobotTask, Scene};
use serde::Serialize;

/// What relieving one resource did to output.
#[derive(Clone, Debug, Serialize)]
pub struct Relief {
    pub resource: String,
    /// "station", "transfer_robot" or "operators".
    pub kind: &'static str,
    /// The change made, in words ("cycle −10 %").
    pub change: String,
    /// Good parts per hour, relieved − as is: mean and 95 % interval of the
    /// paired differences.
    pub gain_per_hour: Estimate,
    /// The gain relative to output as is, in % (of the mean).
    pub gain_percent: f64,
    /// The interval of the gain lies above zero.
    pub raises_output: bool,
}

/// The whole experiment.
#[derive(Clone, Debug, Serialize)]
pub struct ReliefExperiment {
    /// The JSON schema's version ([`super::FORMAT_VERSION`]).
    pub format_version: u32,
    pub scene: String,
    pub replications: u32,
    pub seed: u64,
    /// Good parts per hour as the scene is.
    pub good_per_hour: Estimate,
    /// What the utilisation rule of `run` names (`None`: demand-limited).
    pub detected: Option<String>,
    /// Largest mean gain first.
    pub reliefs: Vec<Relief>,
    /// The conclusion in one sentence.
    pub verdict: String,
    /// Resources not relieved, and why (an operator who could not work).
    pub not_relieved: Vec<String>,
}

/// Relative change of a station's cycle (and a transfer robot's move time).
pub const RELIEF: f64 = 0.10;

/// The scene with `object` relieved, and the change in words; `None` for
/// objects that do no work (sources, buffers, conveyors, sinks).
pub fn relieved(scene: &Scene, index: usize) -> Option<(Scene, &'static str, String)> {
    let mut s = scene.clone();
    let factor = 1.0 - RELIEF;
    let shorter = format!("cycle −{:.0} %", RELIEF * 100.0);
    let (kind, change) = match &mut s.objects[index] {
        Object::Machine(m) => {
            m.cycle.scale(factor);
            m.product_cycles.values_mut().for_each(|d| d.scale(factor));
            ("station", shorter)
        }
        Object::Assembly(a) => {
            a.cycle.scale(factor);
            ("station", shorter)
        }
        Object::Robot(r) => match &mut r.task {
            RobotTask::Process {
                cycle,
                product_cycles,
                ..
            } => {
                cycle.scale(factor);
                product_cycles.values_mut().for_each(|d| d.scale(factor));
                ("station", shorter)
            }
            RobotTask::Transfer { speed, pick, place } => {
                *speed /= factor;
                *pick = crate::scene::Duration::Seconds(pick.secs() * factor);
                *place = crate::scene::Duration::Seconds(place.secs() * factor);
                ("transfer_robot", format!("moves −{:.0} %", RELIEF * 100.0))
            }
        },
        Object::Vehicles(v) => {
            v.speed /= factor;
            v.load = crate::scene::Duration::Seconds(v.load.secs() * factor);
            v.unload = crate::scene::Duration::Seconds(v.unload.secs() * factor);
            ("vehicles", format!("moves −{:.0} %", RELIEF * 100.0))
        }
        Object::Operators(o) => {
            if cannot_relieve(scene, index).is_some() {
                return None;
            }
            let places = super::warnings::pool_places(scene, &o.id);
            ("operators", o.add_one(places))
        }
        _ => return None,
    };
    s.name = format!("{}: {change}", s.objects[index].id());
    Some((s, kind, change))
}

/// Why one more operator in pool `index` could not change anything: no
/// station asks for the pool, or its stations have no free place for one
/// more (a third welder at a two-place weld station never works).
pub fn cannot_relieve(scene: &Scene, index: usize) -> Option<String> {
    let Object::Operators(o) = &scene.objects[index] else {
        return None;
    };
    let places = super::warnings::pool_places(scene, &o.id);
    if places == 0 {
        Some(format!("{}: no station asks for this pool", o.id))
    } else if o.smallest_crew() >= places {
        Some(format!(
            "{}: one more operator could not work: its {} operators already fill the {places} places of the stations they serve (relieve a station instead)",
            o.id,
            o.smallest_crew()
        ))
    } else {
        None
    }
}

/// Runs the experiment: the scene as it is against each resource relieved.
pub fn relieve_each(scene: &Scene, options: &Options) -> Result<ReliefExperiment, RunError> {
    let variants: Vec<(Scene, &'static str, String, String)> = (0..scene.objects.len())
        .filter_map(|i| {
            relieved(scene, i).map(|(s, k, c)| (s, k, c, scene.objects[i].id().to_string()))
        })
        .collect();
    let scenes: Vec<Scene> = variants.iter().map(|v| v.0.clone()).collect();
    let c = compare(scene, &scenes, options)?;
    let base = &c.scenarios[0];
    let good = base.line.good_per_hour;
    let mut reliefs: Vec<Relief> = variants
        .iter()
        .zip(&c.variants)
        .map(|((_, kind, change, id), v)| {
            let k = v
                .kpis
                .iter()
                .find(|k| k.key == "good_per_hour")
                .expect("good_per_hour is always compared");
            let d = k.difference;
            Relief {
                resource: id.clone(),
                kind,
                change: change.clone(),
                gain_per_hour: d,
                gain_percent: if good.mean > 0.0 {
                    d.mean / good.mean * 100.0
                } else {
                    0.0
                },
                // Significant and worth having: a gain under half a percent
                // is no practical gain, however tight its interval.
                raises_output: d.half_width.is_some_and(|h| d.mean - h > 0.0)
                    && !super::sweep::negligible(d.mean, good.mean),
            }
        })
        .collect();
    reliefs.sort_by(|a, b| b.gain_per_hour.mean.total_cmp(&a.gain_per_hour.mean));
    let detected = base.line.bottleneck.clone();
    let shared: Vec<&str> = base
        .line
        .shared_limit
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    let verdict = verdict(
        &reliefs,
        detected.as_deref(),
        &shared,
        base.line.demand_limited_share,
    );
    Ok(ReliefExperiment {
        not_relieved: (0..scene.objects.len())
            .filter_map(|i| cannot_relieve(scene, i))
            .collect(),
        format_version: super::FORMAT_VERSION,
        scene: scene.name.clone(),
        replications: c.replications,
        seed: c.seed,
        good_per_hour: good,
        detected,
        reliefs,
        verdict,
    })
}

/// The conclusion: which relief raises output, and whether `run`'s
/// bottleneck agrees.
fn verdict(
    reliefs: &[Relief],
    detected: Option<&str>,
    shared: &[&str],
    demand_limited: f64,
) -> String {
    let raising: Vec<&Relief> = reliefs.iter().filter(|r| r.raises_output).collect();
    let Some(top) = raising.first() else {
        return if demand_limited > 0.5 {
            "No single relief raises output measurably: the line is demand-limited, it makes what arrives."
                .into()
        } else {
            "No single relief raises output measurably at these replications: run more, or the limit is shared by several resources."
                .into()
        };
    };
    let gain = |r: &Relief| {
        format!(
            "{:+.2} ± {:.2} good parts/h ({:+.1} %)",
            r.gain_per_hour.mean,
            r.gain_per_hour.half_width.unwrap_or(0.0),
            r.gain_percent
        )
    };
    // Relievers whose gain cannot be told apart from the top one's share the limit.
    let tied: Vec<&&Relief> = raising[1..]
        .iter()
        .filter(|r| r.gain_per_hour.high() >= top.gain_per_hour.low())
        .collect();
    let mut t = if tied.is_empty() {
        format!(
            "Relieving {} ({}) raises output most: {}.",
            top.resource,
            top.change,
            gain(top)
        )
    } else {
        let others: Vec<String> = tied
            .iter()
            .map(|r| format!("{} ({})", r.resource, gain(r)))
            .collect();
        format!(
            "Relieving {} ({}) or {} raises output about as much: the limit is shared.",
            top.resource,
            gain(top),
            others.join(", ")
        )
    };
    match detected {
        _ if !shared.is_empty() => t.push_str(&format!(
            " `run` finds the limit shared by {}.",
            shared.join(" and ")
        )),
        Some(d) if d == top.resource => {
            t.push_str(&format!(" It is the bottleneck `run` names ({d})."))
        }
        Some(d) => {
            let d_raises = raising.iter().any(|r| r.resource == d);
            t.push_str(&format!(
                " `run` names {d} the bottleneck{}.",
                if d_raises {
                    ", whose relief raises output too"
                } else {
                    ", but relieving it does not raise output measurably"
                }
            ))
        }
        None => t.push_str(" `run` found the line demand-limited in most replications."),
    }
    t
}
