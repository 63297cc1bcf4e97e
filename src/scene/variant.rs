//! Variants: a base scene plus a short list of changes, so that "what if we
//! put a robot at welding?" is a small, reviewable diff.

use super::{Dist, Duration, Failures, Flow, Object, RobotTask, Scene};
use crate::error::{Diagnostic, did_you_mean};
use serde::{Deserialize, Serialize};

/// A process change described against a base scene.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The base scene file, relative to this file's folder.
    pub base: String,
    /// Name of the variant (replaces the base's name).
    pub name: String,
    pub changes: Vec<Change>,
    /// What the change costs (used by the business case).
    #[serde(default)]
    pub investment: Option<Investment>,
}

/// The money side of a variant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Investment {
    /// Total capital cost; may be left out when `items` lists it.
    #[serde(default)]
    pub capex: Option<f64>,
    /// The capital cost by item (robot, integration, fences, training ...).
    #[serde(default)]
    pub items: Vec<(String, f64)>,
    #[serde(default)]
    pub subsidy: Option<Subsidy>,
    pub life_years: f64,
    #[serde(default)]
    pub maintenance_per_year: f64,
    #[serde(default)]
    pub residual_value: f64,
}

impl Investment {
    /// The gross capital cost: `capex`, or the sum of `items`.
    pub fn gross(&self) -> f64 {
        self.capex
            .unwrap_or_else(|| self.items.iter().map(|(_, v)| v).sum())
    }

    /// The subsidy granted: `rate × gross`, at most `cap`.
    pub fn subsidy_amount(&self) -> f64 {
        self.subsidy
            .as_ref()
            .map_or(0.0, |s| (s.rate * self.gross()).min(s.cap))
    }

    /// What the company pays itself: gross − subsidy.
    pub fn net(&self) -> f64 {
        self.gross() - self.subsidy_amount()
    }
}

/// A public subsidy: a share of the investment, up to a cap.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subsidy {
    pub rate: f64,
    pub cap: f64,
}

/// One change to the base scene.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Change {
    /// Replace the object with this id by another (its flow edges stay).
    Replace(String, Object),
    /// Set one parameter, e.g. `Set("b1.capacity", 10)` or `Set("weld.cycle.mean", 36)`
    /// (times in seconds).
    Set(String, Value),
    /// Add a new object.
    Add(Object),
    /// Remove an object and the flow edges that touch it.
    Remove(String),
    /// Add a flow edge.
    AddFlow(Flow),
    /// Remove the flow edge from one object to another.
    RemoveFlow(String, String),
    /// Change the run settings' horizon.
    SetHorizon(Duration),
    /// Add a shift (a night shift, a Saturday overtime shift) that objects
    /// and crews of the variant can then name.
    AddShift(super::Shift),
}

/// A parameter value in a `Set` change.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Number(f64),
    Text(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::Text(t) => write!(f, "\"{t}\""),
        }
    }
}

/// Applies a variant's changes to its base.
pub fn apply_changes(mut scene: Scene, variant: &Variant) -> Result<Scene, Diagnostic> {
    scene.name = variant.name.clone();
    if variant.investment.is_some() {
        scene.investment = variant.investment.clone();
    }
    for change in &variant.changes {
        match change {
            Change::Replace(id, object) => {
                let slot = find(&mut scene, id)?;
                *slot = object.clone();
                let new_id = object.id().to_string();
                if new_id != *id {
                    rename_references(&mut scene, id, &new_id);
                }
            }
            Change::Set(path, value) => set_param(&mut scene, path, value)?,
            Change::Add(object) => scene.objects.push(object.clone()),
            Change::Remove(id) => {
                find(&mut scene, id)?;
                scene.objects.retain(|o| o.id() != id);
                scene.flow.retain(|f| {
                    let e = f.edge();
                    e.from != *id && e.to != *id && e.via.as_deref() != Some(id)
                });
            }
            Change::AddFlow(flow) => scene.flow.push(flow.clone()),
            Change::RemoveFlow(from, to) => {
                let before = scene.flow.len();
                scene.flow.retain(|f| {
                    let e = f.edge();
                    !(e.from == *from && e.to == *to)
                });
                if scene.flow.len() == before {
                    return Err(Diagnostic::new(format!(
                        "RemoveFlow: there is no flow edge (\"{from}\", \"{to}\") in the base scene"
                    )));
                }
            }
            Change::SetHorizon(h) => scene.run.horizon = *h,
            Change::AddShift(shift) => {
                if scene.shifts.iter().any(|s| s.id == shift.id) {
                    return Err(Diagnostic::new(format!(
                        "`AddShift`: the base already has a shift \"{}\"",
                        shift.id
                    ))
                    .with_help("give the new shift another id"));
                }
                scene.shifts.push(shift.clone());
            }
        }
    }
    Ok(scene)
}

/// Points every reference to `old` (flow ends, `via`, `operator` of any
/// station or carrier, a setup's setter pool, a pool's `helps`) at `new`.
fn rename_references(scene: &mut Scene, old: &str, new: &str) {
    let rename = |s: &mut String| {
        if s == old {
            *s = new.to_string();
        }
    };
    for flow in &mut scene.flow {
        let mut e = flow.edge();
        rename(&mut e.from);
        rename(&mut e.to);
        if let Some(v) = e.via.as_mut() {
            rename(v);
        }
        *flow = if e.product.is_none() && e.weight.is_none() && e.via.is_none() {
            Flow::Pair(e.from, e.to)
        } else {
            Flow::Edge(e)
        };
    }
    for object in &mut scene.objects {
        match object {
            Object::Machine(m) => {
                m.operator.iter_mut().for_each(rename);
                if let Some(s) = &mut m.setup {
                    s.operator.iter_mut().for_each(rename);
                }
            }
            Object::Robot(r) => {
                r.operator.iter_mut().for_each(rename);
                if let super::RobotTask::Process { setup: Some(s), .. } = &mut r.task {
                    s.operator.iter_mut().for_each(rename);
                }
            }
            Object::Assembly(a) => a.operator.iter_mut().for_each(rename),
            Object::Vehicles(v) => v.operator.iter_mut().for_each(rename),
            Object::Operators(p) => p.helps.iter_mut().for_each(rename),
            _ => {}
        }
    }
}

fn find<'a>(scene: &'a mut Scene, id: &str) -> Result<&'a mut Object, Diagnostic> {
    let ids: Vec<String> = scene.objects.iter().map(|o| o.id().to_string()).collect();
    match scene.objects.iter_mut().find(|o| o.id() == id) {
        Some(o) => Ok(o),
        None => Err(unknown_object(id, &ids)),
    }
}

fn unknown_object(id: &str, ids: &[String]) -> Diagnostic {
    let d = Diagnostic::new(format!("there is no object \"{id}\" in the scene"));
    match did_you_mean(id, ids.iter().map(String::as_str)) {
        Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
        None => d,
    }
}

/// Sets one parameter by path `object.field[.sub]`. The settable fields are
/// listed in docs/scene-format.md; times are in seconds.
pub fn set_param(scene: &mut Scene, path: &str, value: &Value) -> Result<(), Diagnostic> {
    let (id, field) = path.split_once('.').ok_or_else(|| {
        Diagnostic::new(format!("\"{path}\" is not a parameter path"))
            .with_help("write object.field, e.g. \"b1.capacity\"")
    })?;
    let object = find(scene, id)?;
    let kind = object.kind();
    let bad_field = |known: &[&str]| {
        // "an Operators pool", "a Machine".
        let article = if kind.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        let d = Diagnostic::object(
            id,
            format!("{article} {kind} has no settable parameter `{field}`"),
        );
        match did_you_mean(field, known.iter().copied()) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(format!("settable: {}", known.join(", "))),
        }
    };
    let num = || match value {
        Value::Number(n) => Ok(*n),
        other => Err(Diagnostic::object(
            id,
            format!("`{field}` takes a number, got {other}"),
        )),
    };
    let count = || {
        let n = num()?;
        if n.fract() != 0.0 || n < 0.0 || n > f64::from(u32::MAX) {
            return Err(Diagnostic::object(
                id,
                format!("`{field}` takes a whole number, got {n}"),
            ));
        }
        Ok(n as u32)
    };
    let text = || match value {
        Value::Text(t) => Ok(t.clone()),
        other => Err(Diagnostic::object(
            id,
            format!("`{field}` takes a text, got {other}"),
        )),
    };
    let mean = |dist: &mut Dist| -> Result<(), Diagnostic> {
        set_mean(dist, num()?).map_err(|m| Diagnostic::object(id, m))
    };
    match object {
        Object::Machine(m) => match field {
            "capacity" => m.capacity = count()?,
            "scrap" => m.scrap = num()?,
            "cycle.mean" => mean(&mut m.cycle)?,
            "operator" => m.operator = Some(text()?),
            "failures.between.mean" | "failures.repair.mean" => {
                mean(failure_dist(id, field, &mut m.failures)?)?
            }
            _ => {
                return Err(bad_field(&[
                    "capacity",
                    "scrap",
                    "cycle.mean",
                    "operator",
                    "failures.between.mean",
                    "failures.repair.mean",
                ]));
            }
        },
        Object::Assembly(m) => match field {
            "capacity" => m.capacity = count()?,
            "scrap" => m.scrap = num()?,
            "cycle.mean" => mean(&mut m.cycle)?,
            _ => return Err(bad_field(&["capacity", "scrap", "cycle.mean"])),
        },
        Object::Robot(r) => match (field, &mut r.task) {
            ("reach", _) => r.reach = num()?,
            ("scrap", _) => r.scrap = num()?,
            ("cycle.mean", RobotTask::Process { cycle, .. }) => mean(cycle)?,
            ("speed", RobotTask::Transfer { speed, .. }) => *speed = num()?,
            ("failures.between.mean" | "failures.repair.mean", _) => {
                mean(failure_dist(id, field, &mut r.failures)?)?
            }
            _ => {
                return Err(bad_field(&[
                    "reach",
                    "scrap",
                    "cycle.mean",
                    "speed",
                    "failures.between.mean",
                    "failures.repair.mean",
                ]));
            }
        },
        Object::Buffer(b) => match field {
            "capacity" => b.capacity = count()?,
            _ => return Err(bad_field(&["capacity"])),
        },
        Object::Conveyor(c) => match field {
            "speed" => c.speed = num()?,
            "spacing" => c.spacing = num()?,
            "accumulating" => match value {
                Value::Bool(b) => c.accumulating = *b,
                other => {
                    return Err(Diagnostic::object(
                        id,
                        format!("`accumulating` takes true or false, got {other}"),
                    ));
                }
            },
            _ => return Err(bad_field(&["speed", "spacing", "accumulating"])),
        },
        Object::Operators(o) => match field {
            "count" if !o.crews.is_empty() => {
                return Err(Diagnostic::object(
                    id,
                    "has a crew per shift, not one `count`: set `crews.<shift>`",
                ));
            }
            "count" => o.count = Some(count()?),
            "wage_per_hour" => o.wage_per_hour = num()?,
            "shift" => o.shift = crate::scene::Shifts::one(&text()?),
            crew if crew.starts_with("crews.") => {
                let shift = &crew["crews.".len()..];
                match o.crews.get_mut(shift) {
                    Some(c) => *c = count()?,
                    None => {
                        let known: Vec<&str> = o.crews.keys().map(String::as_str).collect();
                        return Err(Diagnostic::object(
                            id,
                            format!(
                                "has no crew on shift \"{shift}\" (its crews: {})",
                                known.join(", ")
                            ),
                        ));
                    }
                }
            }
            _ => {
                return Err(bad_field(&[
                    "count",
                    "wage_per_hour",
                    "shift",
                    "crews.<shift>",
                ]));
            }
        },
        Object::Source(s) => match field {
            "interarrival.mean" => {
                let d = s.interarrival.as_mut().ok_or_else(|| {
                    let why = if s.orders.is_empty() && s.orders_file.is_none() {
                        "is saturated: it has no interarrival time"
                    } else {
                        "releases the parts of its order book: it has no interarrival time"
                    };
                    Diagnostic::object(id, why)
                })?;
                mean(d)?
            }
            "limit" => s.limit = Some(u64::from(count()?)),
            _ => return Err(bad_field(&["interarrival.mean", "limit"])),
        },
        Object::Vehicles(v) => match field {
            "count" => v.count = count()?,
            "speed" => v.speed = num()?,
            "capacity" => v.capacity = count()?,
            _ => return Err(bad_field(&["count", "speed", "capacity"])),
        },
        Object::Sink(_) => return Err(bad_field(&[])),
    }
    Ok(())
}

/// The distribution a `failures.between.mean` or `failures.repair.mean` path names.
fn failure_dist<'a>(
    id: &str,
    field: &str,
    f: &'a mut Option<Failures>,
) -> Result<&'a mut Dist, Diagnostic> {
    let f = f
        .as_mut()
        .ok_or_else(|| Diagnostic::object(id, "has no `failures` to change"))?;
    Ok(if field.contains("between") {
        &mut f.between
    } else {
        &mut f.repair
    })
}

/// Rescales a distribution to a new mean (seconds), keeping its shape.
fn set_mean(dist: &mut Dist, new_mean: f64) -> Result<(), String> {
    if !(new_mean.is_finite() && new_mean > 0.0) {
        return Err(format!(
            "a mean must be a positive number of seconds, got {new_mean}"
        ));
    }
    dist.scale(new_mean / dist.mean_secs());
    Ok(())
}
