//! Does the layout fit? Each object's footprint becomes a rapier collider
//! (a box of its footprint, 1 m high, turned by `rot`), and parry's queries
//! find what a planner checks before buying a robot cell:
//!
//! - objects that overlap (with the depth);
//! - aisles narrower than `layout.min_aisle` between objects that do not
//!   hand parts to each other;
//! - pick and place points a robot cannot reach;
//! - conveyor ends that do not meet the objects they connect;
//! - operators' walking paths (from their pool's post to the machines they
//!   serve) that cross an unfenced robot's working envelope.
//!
//! The same walking paths give the safety KPI: person-hours inside robot
//! envelopes ([`exposure_paths`]).

use crate::scene::{Object, Pos, RobotTask, Scene};
use rapier3d::geometry::{Collider, ColliderBuilder};
use rapier3d::math::{Pose, Vector};
use rapier3d::parry::query::{self, ClosestPoints};
use rapier3d::parry::shape::{Ball, Capsule, Cylinder};
use serde::Serialize;
use std::collections::HashSet;

/// The default minimum aisle (metres) between unconnected objects.
pub const DEFAULT_MIN_AISLE: f64 = 0.8;
/// The default walking speed of operators (m/s).
pub const DEFAULT_WALK_SPEED: f64 = 1.2;
/// How far a conveyor end may be from the object it meets (metres).
pub const CONVEYOR_END_TOLERANCE: f64 = 0.5;
/// Half the width of a walking person (metres).
const PERSON_RADIUS: f32 = 0.3;

/// The default footprint (width, depth) of a kind, metres.
pub fn default_footprint(o: &Object) -> Option<(f64, f64)> {
    Some(match o {
        Object::Machine(_) => (1.6, 1.2),
        Object::Assembly(_) => (2.0, 1.4),
        Object::Buffer(_) => (1.1, 0.9),
        Object::Source(_) => (1.2, 1.0),
        Object::Sink(_) => (1.3, 1.1),
        Object::Robot(r) => match r.task {
            // The base and its work table.
            RobotTask::Process { .. } => (1.0, 1.0),
            RobotTask::Transfer { .. } => (0.8, 0.8),
        },
        // A fleet's parking spot is not a fixed installation.
        Object::Conveyor(_) | Object::Operators(_) | Object::Vehicles(_) => return None,
    })
}

/// One problem found.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Violation {
    /// overlap, aisle, reach, conveyor_end, walking_path
    pub kind: &'static str,
    /// The objects involved.
    pub objects: Vec<String>,
    /// Overlap depth, clearance, distance beyond reach, gap (metres).
    pub metres: f64,
    pub message: String,
    /// Where it is on the floor plan (scene x, y in metres): the two points
    /// the measurement runs between (the same point twice for a spot). The
    /// viewer draws it there.
    pub between: [[f64; 2]; 2],
}

/// The result of `factory-twin check`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub scene: String,
    pub objects_checked: usize,
    pub min_aisle: f64,
    pub violations: Vec<Violation>,
    /// What could not be checked (e.g. a pool without a post).
    pub notes: Vec<String>,
}

fn point(p: Pos, h: f32) -> Vector {
    Vector::new(p.0 as f32, h, -(p.1 as f32))
}

/// A collider per object with a footprint (conveyors: a box along the belt).
fn collider(o: &Object) -> Option<Collider> {
    if let Object::Conveyor(c) = o {
        let (a, b) = (point(c.from, 0.5), point(c.to, 0.5));
        let len = a.distance(b).max(0.01);
        let w = c.width.unwrap_or(0.7) as f32;
        let yaw = (-(b.z - a.z)).atan2(b.x - a.x);
        return Some(
            ColliderBuilder::cuboid(len / 2.0, 0.5, w / 2.0)
                .position(Pose::new((a + b) / 2.0, Vector::new(0.0, yaw, 0.0)))
                .build(),
        );
    }
    let (w, d) = footprint(o)?;
    Some(
        ColliderBuilder::cuboid(w as f32 / 2.0, 0.5, d as f32 / 2.0)
            .position(Pose::new(
                point(o.pos()?, 0.5),
                Vector::new(0.0, (o.rot() as f32).to_radians(), 0.0),
            ))
            .build(),
    )
}

fn footprint(o: &Object) -> Option<(f64, f64)> {
    o.footprint().or_else(|| default_footprint(o))
}

/// A collider-space point back on the floor plan (scene x, y).
fn plan(v: Vector) -> [f64; 2] {
    [f64::from(v.x), -f64::from(v.z)]
}

/// The point of an object's outline nearest to a floor point.
fn nearest_on(c: &Collider, p: Pos) -> [f64; 2] {
    plan(
        c.shape()
            .project_point(c.position(), point(p, 0.5), false)
            .point,
    )
}

/// Distance from a floor point to an object's collider (0 inside).
fn distance_to(c: &Collider, p: Pos) -> f64 {
    let ball = Ball::new(0.001);
    query::distance(
        c.position(),
        c.shape(),
        &Pose::from_translation(point(p, 0.5)),
        &ball,
    )
    .map_or(f64::INFINITY, f64::from)
}

fn pairs_connected(scene: &Scene) -> HashSet<(String, String)> {
    let mut set = HashSet::new();
    for f in &scene.flow {
        let e = f.edge();
        let mut add = |a: &str, b: &str| {
            set.insert((a.to_string(), b.to_string()));
            set.insert((b.to_string(), a.to_string()));
        };
        add(&e.from, &e.to);
        if let Some(v) = &e.via {
            add(v, &e.from);
            add(v, &e.to);
        }
    }
    set
}

/// A walking path from a pool's post to a station it serves.
#[derive(Clone, Debug)]
pub struct WalkingPath {
    pub pool: String,
    pub station: String,
    pub from: Pos,
    pub to: Pos,
}

/// Every operator pool's walking paths (pools without a `pos` have none).
pub fn walking_paths(scene: &Scene) -> (Vec<WalkingPath>, Vec<String>) {
    let mut paths = Vec::new();
    let mut notes = Vec::new();
    for o in &scene.objects {
        let Object::Operators(pool) = o else { continue };
        let served: Vec<&Object> = scene
            .objects
            .iter()
            .filter(|s| match s {
                Object::Machine(m) => m.operator.as_deref() == Some(pool.id.as_str()),
                Object::Assembly(a) => a.operator.as_deref() == Some(pool.id.as_str()),
                _ => false,
            })
            .collect();
        match pool.pos {
            Some(from) => paths.extend(served.iter().filter_map(|s| {
                Some(WalkingPath {
                    pool: pool.id.clone(),
                    station: s.id().to_string(),
                    from,
                    to: s.pos()?,
                })
            })),
            None if !served.is_empty() => notes.push(format!(
                "operators \"{}\" have no `pos`: their walking paths are not checked",
                pool.id
            )),
            None => {}
        }
    }
    (paths, notes)
}

/// Length (metres) of the segment a→b inside the circle (centre, radius).
pub fn chord(a: Pos, b: Pos, centre: Pos, radius: f64) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (fx, fy) = (a.0 - centre.0, a.1 - centre.1);
    let qa = dx * dx + dy * dy;
    if qa <= 0.0 {
        return 0.0;
    }
    let qb = 2.0 * (fx * dx + fy * dy);
    let qc = fx * fx + fy * fy - radius * radius;
    let disc = qb * qb - 4.0 * qa * qc;
    if disc <= 0.0 {
        return 0.0;
    }
    let s = disc.sqrt();
    let t0 = ((-qb - s) / (2.0 * qa)).clamp(0.0, 1.0);
    let t1 = ((-qb + s) / (2.0 * qa)).clamp(0.0, 1.0);
    (t1 - t0) * qa.sqrt()
}

/// A walking path through an unfenced robot's envelope, for the safety KPI.
#[derive(Clone, Debug, PartialEq)]
pub struct ExposurePath {
    pub station: String,
    pub robot: String,
    /// Seconds inside the envelope per trip there and back.
    pub seconds_inside: f64,
}

/// Walking paths that cross unfenced robot envelopes, with the time inside.
pub fn exposure_paths(scene: &Scene) -> Vec<ExposurePath> {
    let layout = scene.layout.clone().unwrap_or_default();
    let speed = layout.walk_speed.unwrap_or(DEFAULT_WALK_SPEED);
    let (paths, _) = walking_paths(scene);
    let mut out = Vec::new();
    for r in scene.objects.iter().filter_map(|o| match o {
        Object::Robot(r) => Some(r),
        _ => None,
    }) {
        if layout.fenced.contains(&r.id) {
            continue;
        }
        for p in &paths {
            let inside = chord(p.from, p.to, r.pos, r.reach + f64::from(PERSON_RADIUS));
            if inside > 0.0 {
                out.push(ExposurePath {
                    station: p.station.clone(),
                    robot: r.id.clone(),
                    seconds_inside: 2.0 * inside / speed,
                });
            }
        }
    }
    out
}

/// Runs every layout check on a (valid) scene.
pub fn check(scene: &Scene) -> Report {
    let layout = scene.layout.clone().unwrap_or_default();
    let min_aisle = layout.min_aisle.unwrap_or(DEFAULT_MIN_AISLE);
    let connected = pairs_connected(scene);
    let objects: Vec<(&Object, Collider)> = scene
        .objects
        .iter()
        .filter_map(|o| Some((o, collider(o)?)))
        .collect();
    let mut violations = Vec::new();
    let mut notes = Vec::new();

    // Overlaps and aisles, pair by pair.
    for (i, (a, ca)) in objects.iter().enumerate() {
        for (b, cb) in &objects[i + 1..] {
            let (ia, ib) = (a.id().to_string(), b.id().to_string());
            let linked = connected.contains(&(ia.clone(), ib.clone()));
            // A robot stands among the stations it serves, a conveyor's ends
            // sit on the stations it links: those may touch.
            let touching_allowed = linked
                && (matches!(a, Object::Conveyor(_) | Object::Robot(_))
                    || matches!(b, Object::Conveyor(_) | Object::Robot(_)));
            let contact = query::contact(ca.position(), ca.shape(), cb.position(), cb.shape(), 0.0)
                .ok()
                .flatten();
            if let Some(c) = contact.filter(|c| c.dist < -1e-3) {
                if !touching_allowed {
                    let depth = -f64::from(c.dist);
                    violations.push(Violation {
                        kind: "overlap",
                        objects: vec![ia, ib],
                        metres: depth,
                        between: [plan(c.point1), plan(c.point2)],
                        message: format!(
                            "\"{}\" and \"{}\" overlap by {depth:.2} m",
                            a.id(),
                            b.id()
                        ),
                    });
                }
                continue;
            }
            if linked {
                continue;
            }
            let gap = query::distance(ca.position(), ca.shape(), cb.position(), cb.shape())
                .map_or(f64::INFINITY, f64::from);
            if gap < min_aisle - 1e-6 {
                let between = match query::closest_points(
                    ca.position(),
                    ca.shape(),
                    cb.position(),
                    cb.shape(),
                    min_aisle as f32,
                ) {
                    Ok(ClosestPoints::WithinMargin(p, q)) => [plan(p), plan(q)],
                    _ => [
                        plan(ca.position().translation),
                        plan(cb.position().translation),
                    ],
                };
                violations.push(Violation {
                    kind: "aisle",
                    objects: vec![ia, ib],
                    metres: gap,
                    between,
                    message: format!(
                        "only {gap:.2} m between \"{}\" and \"{}\" (minimum aisle {min_aisle} m)",
                        a.id(),
                        b.id()
                    ),
                });
            }
        }
    }

    let find = |id: &str| objects.iter().find(|(o, _)| o.id() == id);
    // Robots: every point they pick from or place to within reach.
    for o in &scene.objects {
        let Object::Robot(r) = o else { continue };
        let mut ends: Vec<(String, &'static str)> = Vec::new();
        for f in &scene.flow {
            let e = f.edge();
            match r.task {
                RobotTask::Transfer { .. } if e.via.as_deref() == Some(r.id.as_str()) => {
                    ends.push((e.from.clone(), "picks from"));
                    ends.push((e.to.clone(), "places into"));
                }
                RobotTask::Process { .. } if e.to == r.id => {
                    ends.push((e.from.clone(), "picks from"))
                }
                RobotTask::Process { .. } if e.from == r.id => {
                    ends.push((e.to.clone(), "places into"))
                }
                _ => {}
            }
        }
        for (id, verb) in ends {
            let Some((_, c)) = find(&id) else { continue };
            let d = distance_to(c, r.pos);
            if d > r.reach + 1e-6 {
                violations.push(Violation {
                    kind: "reach",
                    objects: vec![r.id.clone(), id.clone()],
                    metres: d - r.reach,
                    between: [[r.pos.0, r.pos.1], nearest_on(c, r.pos)],
                    message: format!(
                        "robot \"{}\" {verb} \"{id}\", {d:.2} m away: {:.2} m beyond its reach of {} m",
                        r.id,
                        d - r.reach,
                        r.reach
                    ),
                });
            }
        }
    }

    // Conveyor ends on the objects they connect.
    for o in &scene.objects {
        let Object::Conveyor(c) = o else { continue };
        for f in &scene.flow {
            let e = f.edge();
            if e.via.is_some() {
                continue; // a transfer robot bridges the gap
            }
            let (other, end, which) = if e.to == c.id {
                (e.from.clone(), c.from, "start")
            } else if e.from == c.id {
                (e.to.clone(), c.to, "end")
            } else {
                continue;
            };
            let Some((obj, col)) = find(&other) else {
                continue;
            };
            if matches!(obj, Object::Conveyor(_)) && which == "start" {
                continue; // belt to belt: reported once, from the upstream belt's end
            }
            if matches!(obj, Object::Conveyor(_)) {
                // Belt to belt: the ends must meet.
                let other_end = match obj {
                    Object::Conveyor(n) if which == "start" => n.to,
                    Object::Conveyor(n) => n.from,
                    _ => end,
                };
                let meets = ((other_end.0 - end.0).powi(2) + (other_end.1 - end.1).powi(2)).sqrt();
                if meets > CONVEYOR_END_TOLERANCE {
                    violations.push(Violation {
                        kind: "conveyor_end",
                        objects: vec![c.id.clone(), other.clone()],
                        metres: meets,
                        between: [[end.0, end.1], [other_end.0, other_end.1]],
                        message: format!("the {which} of conveyor \"{}\" is {meets:.2} m from conveyor \"{other}\"", c.id),
                    });
                }
                continue;
            }
            let gap = distance_to(col, end);
            if gap > CONVEYOR_END_TOLERANCE {
                violations.push(Violation {
                    kind: "conveyor_end",
                    objects: vec![c.id.clone(), other.clone()],
                    metres: gap,
                    between: [[end.0, end.1], nearest_on(col, end)],
                    message: format!(
                        "the {which} of conveyor \"{}\" is {gap:.2} m from \"{other}\" (at most {CONVEYOR_END_TOLERANCE} m)",
                        c.id
                    ),
                });
            }
        }
    }

    // Walking paths through unfenced robot envelopes: a person (a capsule
    // along the path) against the envelope (a cylinder of the reach).
    let (paths, path_notes) = walking_paths(scene);
    notes.extend(path_notes);
    for o in &scene.objects {
        let Object::Robot(r) = o else { continue };
        if layout.fenced.contains(&r.id) {
            continue;
        }
        let envelope = Cylinder::new(1.0, r.reach as f32);
        let at = Pose::from_translation(point(r.pos, 1.0));
        for p in &paths {
            let person = Capsule::new(point(p.from, 1.0), point(p.to, 1.0), PERSON_RADIUS);
            if query::intersection_test(&Pose::IDENTITY, &person, &at, &envelope).unwrap_or(false) {
                let inside = chord(p.from, p.to, r.pos, r.reach + f64::from(PERSON_RADIUS));
                violations.push(Violation {
                    kind: "walking_path",
                    objects: vec![p.pool.clone(), p.station.clone(), r.id.clone()],
                    metres: inside,
                    between: [[p.from.0, p.from.1], [p.to.0, p.to.1]],
                    message: format!(
                        "operators \"{}\" walking to \"{}\" cross {inside:.2} m of robot \"{}\"'s working envelope, which has no fence",
                        p.pool, p.station, r.id
                    ),
                });
            }
        }
    }
    Report {
        scene: scene.name.clone(),
        objects_checked: objects.len(),
        min_aisle,
        violations,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chord_of_a_line_through_a_circle() {
        // Through the centre: the diameter.
        assert!((chord((-5.0, 0.0), (5.0, 0.0), (0.0, 0.0), 2.0) - 4.0).abs() < 1e-12);
        // Offset by 1 from the centre of a radius-2 circle: 2√3.
        assert!(
            (chord((-5.0, 1.0), (5.0, 1.0), (0.0, 0.0), 2.0) - 2.0 * 3f64.sqrt()).abs() < 1e-12
        );
        // Ending inside: only the part inside counts.
        assert!((chord((-5.0, 0.0), (0.0, 0.0), (0.0, 0.0), 2.0) - 2.0).abs() < 1e-12);
        assert_eq!(chord((-5.0, 3.0), (5.0, 3.0), (0.0, 0.0), 2.0), 0.0);
    }
}
