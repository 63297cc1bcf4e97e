//! The decision space: variables over scene parameters, designs as one
//! value index per variable, the scene of a design, what it costs to build,
//! and the moves the search makes between designs.

use crate::error::Diagnostic;
use crate::experiment::{Axis, plain};
use crate::scene::{Investment, Scene, Value, Variant, apply_changes, set_param, validate};
use crate::sim::rng::Stream;
use serde::Serialize;

/// A decision variable: a parameter path and the values it may take.
#[derive(Clone, Debug, Serialize)]
pub struct Variable {
    pub path: String,
    pub values: Vec<Value>,
    /// The parameter's value in the scene as given, when it is a number.
    pub base: Option<f64>,
    /// Investment per unit above the scene's value (`--cost`).
    pub cost: Option<f64>,
    /// A choice between the scene and a Variant of it (`--choose`): the
    /// values are `false` and `true`, and `true` applies the variant's
    /// changes and adds its investment.
    pub choice: Option<Choice>,
}

/// A Variant a design may take or leave.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    /// The file as given.
    pub file: String,
    #[serde(skip)]
    pub variant: Variant,
}

/// A design: for each variable, the index of its value.
pub type Design = Vec<usize>;

impl Variable {
    /// From a `--vary` spec, checked against the scene: every value must be
    /// settable.
    pub fn parse(scene: &Scene, spec: &str) -> Result<Variable, Diagnostic> {
        let axis = Axis::parse(spec).map_err(|d| {
            Diagnostic {
                message: d.message.replace("--set", "--vary"),
                ..d
            }
            .with_help("write --vary object.field=1..20 or --vary weld.operator=welders,fitters")
        })?;
        for v in &axis.values {
            let mut s = scene.clone();
            set_param(&mut s, &axis.path, v)
                .map_err(|d| d.with_context(format!("--vary {}={}", axis.path, plain(v))))?;
        }
        Ok(Variable {
            base: base_value(scene, &axis.path),
            path: axis.path,
            values: axis.values,
            cost: None,
            choice: None,
        })
    }

    /// From a `--choose NAME=VARIANT.ron` spec: take the variant or leave it.
    pub fn choose(scene: &Scene, spec: &str) -> Result<Variable, Diagnostic> {
        let (name, file) = spec.split_once('=').ok_or_else(|| {
            Diagnostic::new(format!("--choose \"{spec}\" has no `=`"))
                .with_help("write --choose robot=scenes/bracket_line_robot_weld.ron")
        })?;
        let name = name.trim();
        if name.is_empty() || name.contains('.') || name.contains(char::is_whitespace) {
            return Err(Diagnostic::new(format!(
                "--choose \"{spec}\": \"{name}\" is not a plain name (no dots or spaces)"
            )));
        }
        let variant = crate::scene::load_variant(std::path::Path::new(file.trim()))?;
        apply_changes(scene.clone(), &variant)
            .and_then(|s| validate(&s).map(|()| s))
            .map_err(|d| {
                d.with_context(format!("--choose {name}: {} on this scene", file.trim()))
            })?;
        Ok(Variable {
            path: name.to_string(),
            values: vec![Value::Bool(false), Value::Bool(true)],
            base: None,
            cost: None,
            choice: Some(Choice {
                file: file.trim().to_string(),
                variant,
            }),
        })
    }

    /// Whether a design's value of this variable costs money: a `--cost`,
    /// or a variant with an investment.
    pub fn priced(&self) -> bool {
        self.cost.is_some()
            || self
                .choice
                .as_ref()
                .is_some_and(|c| c.variant.investment.is_some())
    }

    /// The chosen variant, when this design takes it.
    pub fn taken(&self, i: usize) -> Option<&Variant> {
        match (&self.choice, &self.values[i]) {
            (Some(c), Value::Bool(true)) => Some(&c.variant),
            _ => None,
        }
    }

    fn number(&self, i: usize) -> Option<f64> {
        match self.values[i] {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Whether the values are numbers in increasing order (a range), so a
    /// small step is a small change.
    fn ordered(&self) -> bool {
        self.values
            .windows(2)
            .all(|w| matches!((&w[0], &w[1]), (Value::Number(a), Value::Number(b)) if a < b))
    }
}

/// A parameter's value in the scene, read from the scene's own
/// serialisation: `id.field` for a number directly on the object.
fn base_value(scene: &Scene, path: &str) -> Option<f64> {
    let (id, field) = path.split_once('.')?;
    let object = scene.objects.iter().find(|o| o.id() == id)?;
    let json = serde_json::to_value(object).ok()?;
    let fields = json.as_object()?.values().next()?;
    fields.get(field)?.as_f64()
}

/// The settings of a design, "b1.capacity=5, welders.count=2".
pub fn label(variables: &[Variable], design: &Design) -> String {
    settings(variables, design)
        .iter()
        .map(|(p, v)| format!("{p}={}", plain(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn settings(variables: &[Variable], design: &Design) -> Vec<(String, Value)> {
    variables
        .iter()
        .zip(design)
        .map(|(v, &i)| (v.path.clone(), v.values[i].clone()))
        .collect()
}

/// The scene of a design; an error says why the design cannot be built
/// (e.g. more operators than places), which makes it infeasible, not fatal.
pub fn scene_of(base: &Scene, variables: &[Variable], design: &Design) -> Result<Scene, String> {
    let mut s = base.clone();
    // Variants first, so a parameter varied on top of one is the design's.
    for (v, &i) in variables.iter().zip(design) {
        if let Some(variant) = v.taken(i) {
            let name = s.name.clone();
            s = apply_changes(s, variant).map_err(|d| d.message)?;
            s.name = name;
        }
    }
    for (v, &i) in variables.iter().zip(design) {
        if v.choice.is_none() {
            set_param(&mut s, &v.path, &v.values[i]).map_err(|d| d.message)?;
        }
    }
    validate(&s).map_err(|d| d.message)?;
    Ok(s)
}

/// The value of variable `k` in a design, as a number (NaN for a text).
pub fn variable_value(variables: &[Variable], design: &Design, k: usize) -> f64 {
    variables[k].number(design[k]).unwrap_or(f64::NAN)
}

/// Gross investment of a design: each priced variable's cost per unit times
/// its rise over the scene's value (a lower value saves nothing).
pub fn gross_investment(variables: &[Variable], design: &Design) -> f64 {
    variables
        .iter()
        .zip(design)
        .filter_map(|(v, &i)| match v.taken(i) {
            Some(variant) => variant.investment.as_ref().map(Investment::gross),
            None => Some(v.cost? * (v.number(i)? - v.base?).max(0.0)),
        })
        // From +0.0: a float `sum()` starts at −0.0, which JSON would show.
        .fold(0.0, |a, b| a + b)
}

/// The investments of the variants a design takes.
pub fn taken_investments<'a>(
    variables: &'a [Variable],
    design: &'a Design,
) -> impl Iterator<Item = &'a Investment> + 'a {
    variables
        .iter()
        .zip(design)
        .filter_map(|(v, &i)| v.taken(i)?.investment.as_ref())
}

/// How many designs the space holds (saturating).
pub fn size(variables: &[Variable]) -> u64 {
    variables
        .iter()
        .fold(1u64, |a, v| a.saturating_mul(v.values.len() as u64))
}

/// The design nearest to the scene as given: each variable at its value in
/// the scene, or the nearest value of the range.
pub fn nearest_to_base(variables: &[Variable]) -> Design {
    variables
        .iter()
        .map(|v| match v.base {
            Some(b) => (0..v.values.len())
                .min_by(|&i, &j| {
                    let d = |k: usize| v.number(k).map_or(f64::INFINITY, |n| (n - b).abs());
                    d(i).total_cmp(&d(j))
                })
                .unwrap_or(0),
            None => 0,
        })
        .collect()
}

/// `n` designs spread over the space: a Latin hypercube over the value
/// indices (each variable's range cut in `n` strata, one design in each).
pub fn spread(variables: &[Variable], n: usize, rng: &mut Stream) -> Vec<Design> {
    let columns: Vec<Vec<usize>> = variables
        .iter()
        .map(|v| {
            let mut strata: Vec<usize> = (0..n).collect();
            shuffle(&mut strata, rng);
            strata
                .into_iter()
                .map(|s| {
                    let x = (s as f64 + rng.uniform()) / n as f64;
                    ((x * v.values.len() as f64) as usize).min(v.values.len() - 1)
                })
                .collect()
        })
        .collect();
    (0..n)
        .map(|j| columns.iter().map(|c| c[j]).collect())
        .collect()
}

fn shuffle(v: &mut [usize], rng: &mut Stream) {
    for i in (1..v.len()).rev() {
        let j = pick(rng, i + 1);
        v.swap(i, j);
    }
}

/// A uniform index below `n`.
pub fn pick(rng: &mut Stream, n: usize) -> usize {
    ((rng.uniform() * n as f64) as usize).min(n.saturating_sub(1))
}

/// A child of two designs: each variable from either parent, then at least
/// one variable moved (a step or two along a range, any other value of a
/// choice).
pub fn child(variables: &[Variable], a: &Design, b: &Design, rng: &mut Stream) -> Design {
    let mut c: Design = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| if rng.uniform() < 0.5 { x } else { y })
        .collect();
    let d = variables.len();
    let forced = pick(rng, d);
    for (k, v) in variables.iter().enumerate() {
        let n = v.values.len();
        if n < 2 || (k != forced && rng.uniform() >= 1.0 / d as f64) {
            continue;
        }
        c[k] = if v.ordered() && rng.uniform() < 0.85 {
            let far = rng.uniform() >= 0.7;
            let step = 1 + pick(rng, if far { 3 } else { 1 });
            if rng.uniform() < 0.5 {
                c[k].saturating_sub(step)
            } else {
                (c[k] + step).min(n - 1)
            }
        } else {
            let other = pick(rng, n - 1);
            if other >= c[k] { other + 1 } else { other }
        };
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(n: usize) -> Variable {
        Variable {
            path: "b.capacity".into(),
            values: (0..n).map(|i| Value::Number(i as f64)).collect(),
            base: Some(2.0),
            cost: Some(10.0),
            choice: None,
        }
    }

    #[test]
    fn a_spread_covers_every_stratum_and_children_stay_in_range() {
        let vars = [var(10), var(10)];
        let mut rng = Stream::new(1, 0, "test", crate::sim::rng::Purpose::Mix);
        let designs = spread(&vars, 10, &mut rng);
        for k in 0..2 {
            let mut seen: Vec<usize> = designs.iter().map(|d| d[k]).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..10).collect::<Vec<_>>());
        }
        for _ in 0..1000 {
            let c = child(&vars, &designs[0], &designs[1], &mut rng);
            assert!(c.iter().all(|&i| i < 10));
        }
        assert_eq!(gross_investment(&vars, &vec![5, 1]), 30.0);
        assert_eq!(nearest_to_base(&vars), vec![2, 2]);
        assert_eq!(size(&vars), 100);
    }
}
