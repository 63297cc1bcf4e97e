//! Parameter sweeps: a grid over scene parameters (`b1.capacity=2,5,10`,
//! `weld.capacity=1..3`), every point replicated with common random numbers,
//! and the best setting by a chosen KPI, with whether it beats the runner-up.

use super::compare::{KPIS, Kpi, pair_up, paired_difference};
use super::{Options, RunError, run_jobs};
use crate::error::Diagnostic;
use crate::kpi::{Estimate, RunResult};
use crate::scene::{Scene, Value, set_param, validate};
use serde::Serialize;

/// One parameter and the values it takes.
#[derive(Clone, Debug, Serialize)]
pub struct Axis {
    pub path: String,
    pub values: Vec<Value>,
}

impl Axis {
    /// Parses `path=v1,v2,...`, `path=a..b` (whole numbers, inclusive) or
    /// `path=a..b:step`.
    pub fn parse(spec: &str) -> Result<Axis, Diagnostic> {
        let help = "write --set object.field=1,2,5 or --set object.field=1..4 or =0.5..2:0.5";
        let (path, values) = spec.split_once('=').ok_or_else(|| {
            Diagnostic::new(format!("--set \"{spec}\" has no `=`")).with_help(help)
        })?;
        let path = path.trim();
        if !path.contains('.') || path.starts_with('.') || path.ends_with('.') {
            return Err(Diagnostic::new(format!(
                "--set \"{spec}\": \"{path}\" is not object.field"
            ))
            .with_help(help));
        }
        let bad = |what: &str| Diagnostic::new(format!("--set \"{spec}\": {what}")).with_help(help);
        let values = if let Some((a, rest)) = values.split_once("..") {
            let (b, step) = match rest.split_once(':') {
                Some((b, s)) => (b, Some(s)),
                None => (rest, None),
            };
            let num = |t: &str| {
                t.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(&format!("\"{t}\" is not a number")))
            };
            let (a, b) = (num(a)?, num(b)?);
            let step = match step {
                Some(s) => num(s)?,
                None if a.fract() == 0.0 && b.fract() == 0.0 => 1.0,
                None => return Err(bad("a range of fractions needs a step, e.g. 0.5..2:0.5")),
            };
            if step.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || b < a {
                return Err(bad("a range goes up from its start with a positive step"));
            }
            let n = ((b - a) / step + 1e-9).floor() as usize + 1;
            if n > 1000 {
                return Err(bad(&format!("{n} values; at most 1000 per parameter")));
            }
            (0..n)
                .map(|k| Value::Number(round(a + k as f64 * step)))
                .collect()
        } else {
            values
                .split(',')
                .map(|t| {
                    let t = t.trim();
                    if t.is_empty() {
                        Err(bad("an empty value"))
                    } else if let Ok(v) = t.parse::<f64>() {
                        Ok(Value::Number(v))
                    } else if let Ok(b) = t.parse::<bool>() {
                        Ok(Value::Bool(b))
                    } else {
                        Ok(Value::Text(t.to_string()))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(Axis {
            path: path.to_string(),
            values,
        })
    }
}

/// Rounds away the binary noise of `a + k·step` (0.1 + 0.2 → 0.3).
fn round(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

/// One grid point: its settings and every KPI over the replications.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    pub settings: Vec<(String, Value)>,
    pub kpis: Vec<PointKpi>,
    /// Where this setting cannot take effect (more operators than places,
    /// a buffer that never fills) and other caveats of its runs.
    pub warnings: Vec<String>,
    /// The resource whose OEE the line OEE is (the bottleneck, or the
    /// busiest resource when demand-limited), most often over replications.
    pub paced_by: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PointKpi {
    pub key: &'static str,
    pub kpi: &'static str,
    pub unit: &'static str,
    pub estimate: Estimate,
}

impl SweepPoint {
    /// "b1.capacity=5, weld.capacity=2"
    pub fn label(&self) -> String {
        self.settings
            .iter()
            .map(|(p, v)| format!("{p}={}", plain(v)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn kpi(&self, key: &str) -> Option<&PointKpi> {
        self.kpis.iter().find(|k| k.key == key)
    }
}

/// The warnings about the objects a grid point sets: where the setting
/// cannot take effect.
fn setting_warnings(
    scene: &Scene,
    settings: &[(String, Value)],
    runs: &[RunResult],
) -> Vec<String> {
    let ids: Vec<String> = settings
        .iter()
        .filter_map(|(p, _)| p.split_once('.').map(|(id, _)| format!("\"{id}\"")))
        .collect();
    super::warnings::scene_warnings(scene)
        .into_iter()
        .chain(super::warnings::store_warnings(runs))
        .filter(|w| ids.iter().any(|id| w.contains(id.as_str())))
        .collect()
}

/// A value as typed on the command line (no quotes around text).
pub fn plain(v: &Value) -> String {
    match v {
        Value::Text(t) => t.clone(),
        other => other.to_string(),
    }
}

/// The winner and how sure we are of it.
#[derive(Clone, Debug, Serialize)]
pub struct Best {
    pub point: usize,
    pub label: String,
    pub estimate: Estimate,
    /// The runner-up and the paired difference best − runner-up.
    pub runner_up: Option<(usize, String, Estimate)>,
    /// The winner's lead over the runner-up is significant at 95 %.
    pub significant: bool,
    /// The lead is under half a percent: no practical difference.
    pub negligible: bool,
}

/// The whole sweep.
#[derive(Clone, Debug, Serialize)]
pub struct Sweep {
    /// The JSON schema's version ([`super::FORMAT_VERSION`]).
    pub format_version: u32,
    pub scene: String,
    pub seed: u64,
    pub replications: u32,
    pub replications_requested: u32,
    pub axes: Vec<Axis>,
    /// The KPI the best setting is chosen by.
    pub by: &'static str,
    pub by_name: &'static str,
    pub by_unit: &'static str,
    pub higher_is_better: bool,
    pub points: Vec<SweepPoint>,
    pub best: Option<Best>,
    /// The scene's currency, for the cost KPIs' unit.
    pub currency: Option<String>,
    /// What the table cannot say by itself: line OEEs of different
    /// resources, settings that change nothing.
    pub notes: Vec<String>,
}

/// A difference under this share of the value is no practical difference,
/// however significant common random numbers make it.
pub const NEGLIGIBLE: f64 = 0.005;

/// `difference` is under [`NEGLIGIBLE`] of `value`.
pub fn negligible(difference: f64, value: f64) -> bool {
    difference.abs() < NEGLIGIBLE * value.abs()
}

/// The resource named most often as pacing the line in these runs.
fn paced_by(runs: &[RunResult]) -> Option<String> {
    super::summary::shares(super::summary::pacing(runs))
        .into_iter()
        .next()
        .map(|(id, _)| id)
}

/// The notes a sweep's table needs: line OEE of different resources, and a
/// grid whose settings do not move the chosen KPI.
fn sweep_notes(
    points: &[SweepPoint],
    runs: &[Vec<RunResult>],
    by: &Kpi,
    ranked: &[(usize, f64)],
) -> Vec<String> {
    let mut notes = Vec::new();
    let mut paced: Vec<&str> = points
        .iter()
        .filter_map(|p| p.paced_by.as_deref())
        .collect();
    paced.sort_unstable();
    paced.dedup();
    if paced.len() > 1 {
        notes.push(format!(
            "line_oee is the OEE of the resource that paces the line, which differs between settings ({}): compare output, not line OEE, across them",
            paced.join(", ")
        ));
    }
    // Within one setting, replications paced by different resources make
    // its line OEE an average of different things (and its interval wide).
    let mixed: Vec<String> = points
        .iter()
        .zip(runs)
        .filter(|(_, rs)| super::summary::shares(super::summary::pacing(rs)).len() > 1)
        .map(|(p, _)| p.label())
        .collect();
    if !mixed.is_empty() {
        notes.push(format!(
            "at {}, the resource that paces the line differs between replications: line_oee there averages the OEEs of different resources",
            mixed.join("; ")
        ));
    }
    if let (Some(&(best, _)), Some(&(worst, _))) = (ranked.first(), ranked.last())
        && best != worst
    {
        let values = |rs: &[RunResult]| rs.iter().map(by.value).collect::<Vec<_>>();
        let d = paired_difference(&values(&runs[worst]), &values(&runs[best]));
        let base = ranked.last().map_or(0.0, |r| r.1.abs());
        let unclear = d.half_width.is_none_or(|h| d.mean.abs() <= h);
        if unclear && !negligible(d.mean, base) {
            // A large mean difference with a wide interval is noise or too
            // few replications, not "nothing changes".
            notes.push(crate::lang::trf(
                "best against worst, {kpi} differs by {difference} {unit} ({n} replications): the interval includes 0, so these replications cannot tell the settings apart; run more (--reps)",
                &[
                    ("kpi", &crate::lang::tr(by.name)),
                    ("difference", &crate::report::words::signed_estimate(&d)),
                    ("unit", &by.difference_unit()),
                    ("n", &d.n),
                ],
            ));
        } else if unclear || negligible(d.mean, base) {
            notes.push(crate::lang::trf(
                "no setting changes {kpi} by more than {limit} % (best against worst: {difference} {unit}): what these settings change does not limit it here",
                &[
                    ("kpi", &crate::lang::tr(by.name)),
                    ("limit", &(NEGLIGIBLE * 100.0)),
                    ("difference", &crate::report::words::signed_estimate(&d)),
                    ("unit", &by.difference_unit()),
                ],
            ));
        }
    }
    notes
}

/// The KPI with this key, or a message listing the keys.
pub fn kpi_by_key(key: &str) -> Result<&'static Kpi, Diagnostic> {
    KPIS.iter().find(|k| k.key == key).ok_or_else(|| {
        let keys: Vec<&str> = KPIS.iter().map(|k| k.key).collect();
        let d = Diagnostic::new(format!("there is no KPI \"{key}\""));
        match crate::error::did_you_mean(key, keys.iter().copied()) {
            Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
            None => d.with_help(format!("KPIs: {}", keys.join(", "))),
        }
    })
}

/// A grid point's settings and the scene with them applied.
pub type GridPoint = (Vec<(String, Value)>, Scene);

/// The grid's scenes, one per combination of values (the last axis varies fastest).
pub fn grid(scene: &Scene, axes: &[Axis]) -> Result<Vec<GridPoint>, Diagnostic> {
    let mut points = vec![(Vec::new(), scene.clone())];
    for axis in axes {
        let mut next = Vec::new();
        for (settings, s) in &points {
            for v in &axis.values {
                let mut s: Scene = s.clone();
                set_param(&mut s, &axis.path, v)
                    .map_err(|d| d.with_context(format!("--set {}={}", axis.path, plain(v))))?;
                let mut settings: Vec<(String, Value)> = settings.clone();
                settings.push((axis.path.clone(), v.clone()));
                next.push((settings, s));
            }
        }
        points = next;
    }
    for (settings, s) in &points {
        let label = settings
            .iter()
            .map(|(p, v)| format!("{p}={}", plain(v)))
            .collect::<Vec<_>>()
            .join(", ");
        validate(s).map_err(|d| d.with_context(format!("with {label}")))?;
    }
    Ok(points)
}

/// Runs every grid point with the same replications (common random numbers)
/// and picks the best by `by`.
pub fn sweep(
    scene: &Scene,
    axes: &[Axis],
    by: &'static Kpi,
    options: &Options,
) -> Result<Sweep, RunError> {
    if axes.is_empty() {
        return Err(RunError::Input(Diagnostic::new(
            "a sweep needs at least one --set",
        )));
    }
    let points = grid(scene, axes).map_err(RunError::Input)?;
    let requested = sweep_replications(scene, options);
    let jobs = sweep_jobs(&points, requested);
    let done = run_jobs(&jobs, options)?;
    sweep_from_runs(scene, axes, by, &points, done, requested)
}

/// Replications of every sweep point: `--reps`, else the scene's; at least 2.
pub fn sweep_replications(scene: &Scene, options: &Options) -> u32 {
    options
        .replications
        .unwrap_or(scene.run.replications)
        .max(2)
}

/// A sweep's jobs in the order they run and are summarised: replication
/// by replication, every point within one (so replication r of every
/// point is the r-th block).
pub fn sweep_jobs(points: &[GridPoint], replications: u32) -> Vec<(&Scene, u32)> {
    (0..replications)
        .flat_map(|r| points.iter().map(move |(_, s)| (s, r)))
        .collect()
}

/// The sweep from its jobs' results, in the order of [`sweep_jobs`] (a job
/// a stop cut short is `None`): what one machine computes, and what `merge`
/// computes from shard files.
pub fn sweep_from_runs(
    scene: &Scene,
    axes: &[Axis],
    by: &'static Kpi,
    points: &[GridPoint],
    done: Vec<Option<super::Replication>>,
    requested: u32,
) -> Result<Sweep, RunError> {
    let runs = pair_up(done, points.len());
    if runs[0].len() < 2 {
        return Err(RunError::Stopped);
    }
    let values = |rs: &[RunResult], kpi: &Kpi| rs.iter().map(kpi.value).collect::<Vec<_>>();
    let sweep_points: Vec<SweepPoint> = points
        .iter()
        .zip(&runs)
        .map(|((settings, point_scene), rs)| SweepPoint {
            warnings: setting_warnings(point_scene, settings, rs),
            paced_by: paced_by(rs),
            settings: settings.clone(),
            kpis: KPIS
                .iter()
                .map(|k| PointKpi {
                    key: k.key,
                    kpi: k.name,
                    unit: k.unit,
                    estimate: Estimate::of(
                        &values(rs, k).into_iter().flatten().collect::<Vec<_>>(),
                    ),
                })
                .collect(),
        })
        .collect();
    // Rank by the mean of the chosen KPI; points where it is undefined drop out.
    let mut ranked: Vec<(usize, f64)> = sweep_points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let m = p.kpi(by.key)?.estimate.mean;
            m.is_finite().then_some((i, m))
        })
        .collect();
    ranked.sort_by(|a, b| {
        let o = a.1.total_cmp(&b.1);
        if by.higher_is_better { o.reverse() } else { o }
    });
    let best = ranked.first().map(|&(i, _)| {
        let runner_up = ranked.get(1).map(|&(j, _)| {
            let d = paired_difference(&values(&runs[j], by), &values(&runs[i], by));
            (j, sweep_points[j].label(), d)
        });
        let significant = runner_up
            .as_ref()
            .is_some_and(|(_, _, d)| d.half_width.is_some_and(|h| d.mean.abs() > h));
        let negligible = runner_up
            .as_ref()
            .is_some_and(|(_, _, d)| negligible(d.mean, ranked[0].1));
        Best {
            negligible,
            point: i,
            label: sweep_points[i].label(),
            estimate: sweep_points[i].kpi(by.key).expect("ranked").estimate,
            runner_up,
            significant,
        }
    });
    Ok(Sweep {
        format_version: super::FORMAT_VERSION,
        scene: scene.name.clone(),
        seed: scene.run.seed,
        replications: runs[0].len() as u32,
        replications_requested: requested,
        axes: axes.to_vec(),
        by: by.key,
        by_name: by.name,
        by_unit: by.unit,
        higher_is_better: by.higher_is_better,
        notes: sweep_notes(&sweep_points, &runs, by, &ranked),
        points: sweep_points,
        best,
        currency: scene.economics.as_ref().map(|e| e.currency.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(a: &Axis) -> Vec<f64> {
        a.values
            .iter()
            .map(|v| match v {
                Value::Number(n) => *n,
                other => panic!("{other}"),
            })
            .collect()
    }

    #[test]
    fn axes_parse_lists_ranges_and_steps() {
        assert_eq!(
            nums(&Axis::parse("b1.capacity=2,5,10").unwrap()),
            [2.0, 5.0, 10.0]
        );
        assert_eq!(
            nums(&Axis::parse("weld.capacity=1..3").unwrap()),
            [1.0, 2.0, 3.0]
        );
        assert_eq!(
            nums(&Axis::parse("weld.cycle.mean=0.1..0.4:0.1").unwrap()),
            [0.1, 0.2, 0.3, 0.4]
        );
        let a = Axis::parse("weld.operator=welders,fitters").unwrap();
        assert_eq!(a.values[1], Value::Text("fitters".into()));
    }

    #[test]
    fn bad_axes_say_why() {
        for bad in [
            "b1.capacity",
            "capacity=1,2",
            "b1.capacity=3..1",
            "b1.capacity=1.5..2",
            "b1.capacity=1,,2",
        ] {
            let e = Axis::parse(bad).unwrap_err();
            assert!(e.message.contains(bad), "{bad}: {}", e.message);
        }
    }
}
