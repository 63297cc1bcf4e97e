//! What moves: station colours follow their state, parts ride the belts
//! (interpolated between events from the belt's speed), wait in buffer racks
//! and sit in machines; robot arms turn towards where they work; vehicles
//! drive where the engine has them (their travel is the model's); operators
//! walk to the machines they serve and back to their post when idle.
//!
//! The walking drawn is the view's: unless a pool has `walks: true` (then
//! the model counts the walk too), the engine hands an operator to a machine
//! at once, and the figure walks there at [`WALK_SPEED`] in simulated time,
//! so at 1× a walk across the floor takes seconds and at high speed people
//! are simply where they work.

use super::floor::{Belt, Model, OperatorHome, Palette, RobotJoint, StateLamp, Vehicle};
use super::world;
use crate::sim::{Engine, NodeKind, State, StationKind};
use bevy::prelude::*;

pub struct MotionPlugin;

impl Plugin for MotionPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Crowd>()
            .init_resource::<Teams>()
            .add_systems(
                Update,
                (
                    colour_states,
                    place_parts,
                    turn_robots,
                    drive_vehicles,
                    place_operators,
                )
                    .after(crate::sim::SimulationSystems::Advance),
            );
    }
}

/// Reused entities for parts and operators, shown or hidden each frame, so a
/// busy floor costs no spawning.
#[derive(Resource, Default)]
pub struct Crowd {
    parts: Vec<Entity>,
    operators: Vec<Entity>,
}

/// Parts currently drawn (for tests and the HUD).
#[derive(Component)]
pub struct PartMarker;

#[derive(Component)]
pub struct OperatorMarker;

/// Walking speed of the operators drawn, metres per simulated second.
pub const WALK_SPEED: f32 = 1.4;
/// A simulated step longer than this (a jump, a restart, a high speed)
/// puts everyone straight where they belong.
const WALK_MAX_STEP: f64 = 30.0;

/// Where each pool's people are drawn now, and the simulated time of that.
#[derive(Resource, Default)]
pub struct Teams {
    pools: Vec<Vec<Vec3>>,
    at_time: f64,
}

/// Moves the people of one team towards `targets` for `dt` simulated
/// seconds; afterwards `team[i]` is the person heading for `targets[i]`.
/// Someone already at a target keeps it; the other targets go to the
/// nearest person left. People without a target leave (off shift); targets
/// without a person get one who appears there (on shift).
pub fn walk(team: &mut Vec<Vec3>, targets: &[Vec3], dt: f64) {
    const THERE: f32 = 1e-3;
    let mut free: Vec<Option<Vec3>> = team.drain(..).map(Some).collect();
    let mut chosen: Vec<Option<Vec3>> = targets
        .iter()
        .map(|t| {
            let i = free
                .iter()
                .position(|p| p.is_some_and(|p| p.distance(*t) < THERE))?;
            free[i].take()
        })
        .collect();
    for (slot, t) in chosen.iter_mut().zip(targets) {
        if slot.is_none() {
            let nearest = free
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.map(|p| (i, p.distance_squared(*t))))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i);
            *slot = Some(nearest.and_then(|i| free[i].take()).unwrap_or(*t));
        }
    }
    let teleport = !(0.0..=WALK_MAX_STEP).contains(&dt);
    let reach = WALK_SPEED * dt as f32;
    team.extend(chosen.into_iter().zip(targets).map(|(p, t)| {
        let p = p.unwrap_or(*t);
        let gap = *t - p;
        if teleport || gap.length() <= reach {
            *t
        } else {
            p + gap.normalize() * reach
        }
    }));
}

fn station_state(engine: &Engine, node: u32) -> Option<State> {
    match &engine.nodes[node as usize].kind {
        NodeKind::Station(s) => Some(s.state()),
        _ => None,
    }
}

pub(crate) fn colour_states(
    engine: Res<Engine>,
    palette: Res<Palette>,
    mut lamps: Query<(&StateLamp, &mut MeshMaterial3d<StandardMaterial>)>,
) {
    for (lamp, mut material) in &mut lamps {
        if let Some(state) = station_state(&engine, lamp.node) {
            let wanted = &palette.states[state as usize];
            if material.0 != *wanted {
                material.0 = wanted.clone();
            }
        }
    }
}

/// Shows `positions.len()` entities from `pool` (spawning more if needed) at
/// these positions and hides the rest.
fn show<M: Component>(
    commands: &mut Commands,
    pool: &mut Vec<Entity>,
    positions: &[Vec3],
    query: &mut Query<(&mut Transform, &mut Visibility), With<M>>,
    spawn: impl Fn(&mut Commands, Vec3) -> Entity,
) {
    for (i, p) in positions.iter().enumerate() {
        if let Some(&e) = pool.get(i)
            && let Ok((mut t, mut v)) = query.get_mut(e)
        {
            t.translation = *p;
            *v = Visibility::Inherited;
        } else if i >= pool.len() {
            pool.push(spawn(commands, *p));
        }
    }
    for &e in pool.iter().skip(positions.len()) {
        if let Ok((_, mut v)) = query.get_mut(e) {
            *v = Visibility::Hidden;
        }
    }
}

pub fn place_parts(
    mut commands: Commands,
    engine: Res<Engine>,
    physics: Option<Res<super::physics::PhysicsPreview>>,
    palette: Res<Palette>,
    models: Query<(&Model, &Transform, Option<&Belt>), Without<PartMarker>>,
    mut crowd: ResMut<Crowd>,
    mut parts: Query<(&mut Transform, &mut Visibility), With<PartMarker>>,
) {
    let mut at: Vec<Vec3> = Vec::new();
    for (model, transform, belt) in &models {
        let node = &engine.nodes[model.node as usize];
        match &node.kind {
            NodeKind::Conveyor(c) => {
                // With the physics preview on, its bodies are the belt's parts.
                if let Some(belt) = belt.filter(|_| !physics.as_ref().is_some_and(|p| p.showing()))
                {
                    at.extend(
                        c.positions(engine.now)
                            .into_iter()
                            .map(|f| belt.from.lerp(belt.to, f as f32)),
                    );
                }
            }
            NodeKind::Buffer(b) => {
                // Two shelves of 3 × 3; more parts than that stack up on top.
                for k in 0..(b.level() as usize).min(36) {
                    let (shelf, cell) = (k / 9, k % 9);
                    let local = Vec3::new(
                        -0.32 + 0.32 * (cell % 3) as f32,
                        0.23 + 0.4 * shelf as f32,
                        -0.26 + 0.26 * (cell / 3) as f32,
                    );
                    at.push(transform.transform_point(local));
                }
            }
            NodeKind::Station(s) => {
                let mut held = Vec::new();
                s.held_parts(&mut held);
                // On a robot cell's table; on top of a machine or an assembly station.
                let (first, step) = match &s.kind {
                    StationKind::RobotCell => (Vec3::new(0.75, 0.76, 0.0), Vec3::X * 0.3),
                    // A part on board rides on its vehicle's deck.
                    StationKind::Transfer {
                        fleet: true,
                        carriers,
                        ..
                    } => {
                        for (server, c) in s.servers.iter().zip(carriers) {
                            let placing = c.job.is_some_and(|j| !j.to_pick);
                            let in_hand = server.part != crate::sim::part::NO_PART && placing;
                            // Parts on board stack up on the deck.
                            let n = c.cargo.len() + usize::from(in_hand);
                            for k in 0..n.min(6) {
                                at.push(docked(c, engine.now) + Vec3::Y * (0.5 + 0.3 * k as f32));
                            }
                        }
                        continue;
                    }
                    StationKind::Transfer { .. } => continue,
                    _ => (Vec3::new(-0.55, 1.35, -0.3), Vec3::X * 0.37),
                };
                for k in 0..held.len().min(4) {
                    at.push(transform.transform_point(first + step * k as f32));
                }
            }
            _ => {}
        }
    }
    let (mesh, material) = (palette.part.clone(), palette.part_material.clone());
    let crowd = &mut *crowd;
    show(&mut commands, &mut crowd.parts, &at, &mut parts, |c, p| {
        c.spawn((
            PartMarker,
            Mesh3d(mesh.clone()),
            MeshMaterial3d(material.clone()),
            Transform::from_translation(p),
            Visibility::Inherited,
        ))
        .id()
    });
}

/// Each vehicle where the engine has it now, facing where it drives. It is
/// drawn docked beside the point it picks from or places at (stopping
/// [`DOCK_GAP`] short of it), not inside the rack or machine there.
fn drive_vehicles(engine: Res<Engine>, mut vehicles: Query<(&Vehicle, &mut Transform)>) {
    for (v, mut transform) in &mut vehicles {
        let Some(c) = engine.carriers(v.node).get(v.index) else {
            continue;
        };
        transform.translation = docked(c, engine.now);
        let d = world(c.at, 0.0) - world(c.leg_from, 0.0);
        if d.length_squared() > 1e-6 {
            transform.rotation = Quat::from_rotation_y((-d.z).atan2(d.x));
        }
    }
}

/// Where a vehicle is drawn at `now`: on its straight way, but never nearer
/// its pick or place point than [`DOCK_GAP`].
fn docked(c: &crate::sim::Carrier, now: f64) -> Vec3 {
    let (from, to) = (world(c.leg_from, 0.0), world(c.at, 0.0));
    let d = to - from;
    let at = world(c.position(now), 0.0);
    if d.length() > DOCK_GAP && at.distance(to) < DOCK_GAP {
        to - d.normalize() * DOCK_GAP
    } else {
        at
    }
}

/// How far from its pick or place point a vehicle is drawn to stop, metres.
const DOCK_GAP: f32 = 1.1;

fn turn_robots(engine: Res<Engine>, mut joints: Query<(&RobotJoint, &mut Transform)>) {
    let t = engine.now as f32;
    for (joint, mut transform) in &mut joints {
        let working = station_state(&engine, joint.node) == Some(State::Working);
        match joint.axis {
            0 => {
                // Face the tool point (transfer) or sweep over the cell (process).
                let yaw = match engine.robot_tool(joint.node) {
                    Some(tool) => {
                        let d = world(tool, 0.0) - joint.base;
                        if d.length_squared() > 1e-6 {
                            (-d.z).atan2(d.x) - joint.rot
                        } else {
                            0.0
                        }
                    }
                    None if working => (t * 1.3).sin() * 0.6,
                    None => 0.0,
                };
                transform.rotation = Quat::from_rotation_y(yaw);
            }
            _ => {
                let pitch = if working {
                    -0.35 + (t * 2.1).sin() * 0.15
                } else {
                    -0.1
                };
                transform.rotation = Quat::from_rotation_z(pitch);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn place_operators(
    mut commands: Commands,
    engine: Res<Engine>,
    palette: Res<Palette>,
    homes: Query<&OperatorHome>,
    models: Query<(&Model, &Transform), Without<OperatorMarker>>,
    mut crowd: ResMut<Crowd>,
    mut teams: ResMut<Teams>,
    mut people: Query<(&mut Transform, &mut Visibility), With<OperatorMarker>>,
) {
    // Where each pool's people belong now: at the machines they serve, the
    // idle ones at their post (in model order, so the targets are stable).
    let mut targets: Vec<Vec<Vec3>> = vec![Vec::new(); engine.pools.len()];
    let mut stations: Vec<_> = models.iter().collect();
    stations.sort_by_key(|(m, _)| m.node);
    for (model, transform) in stations {
        if let NodeKind::Station(s) = &engine.nodes[model.node as usize].kind
            && let Some(pool) = s.operator
        {
            for k in 0..engine.operators_at(model.node) {
                let local = Vec3::new(-0.5 + 0.7 * k as f32, 0.82, 1.05);
                targets[pool as usize].push(transform.transform_point(local));
            }
        }
    }
    for home in &homes {
        let pool = &engine.pools[home.pool as usize];
        if !pool.on_shift {
            continue;
        }
        let busy = targets[home.pool as usize].len() as u32;
        let idle = pool.count.saturating_sub(busy);
        for k in 0..idle.min(20) {
            targets[home.pool as usize].push(home.pos + Vec3::new(0.7 * k as f32, 0.82, 0.0));
        }
    }
    let teams = &mut *teams;
    if teams.pools.len() != targets.len() {
        // A new or reloaded scene: everyone starts where they belong.
        teams.pools = vec![Vec::new(); targets.len()];
        teams.at_time = f64::NEG_INFINITY;
    }
    let dt = engine.now - teams.at_time;
    teams.at_time = engine.now;
    let mut at: Vec<Vec3> = Vec::new();
    for (team, targets) in teams.pools.iter_mut().zip(&targets) {
        walk(team, targets, dt);
        at.extend_from_slice(team);
    }
    let (mesh, material) = (palette.operator.clone(), palette.operator_material.clone());
    let crowd = &mut *crowd;
    show(
        &mut commands,
        &mut crowd.operators,
        &at,
        &mut people,
        |c, p| {
            c.spawn((
                OperatorMarker,
                Mesh3d(mesh.clone()),
                MeshMaterial3d(material.clone()),
                Transform::from_translation(p),
                Visibility::Inherited,
            ))
            .id()
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_walk_to_their_machine_at_walking_speed() {
        let post = Vec3::ZERO;
        let machine = Vec3::new(14.0, 0.0, 0.0);
        let mut team = vec![post, post + Vec3::X * 0.7];
        // The first is called to the machine: 1.4 m per simulated second.
        walk(&mut team, &[machine, post + Vec3::X * 0.7], 5.0);
        assert!((team[0].x - 7.0).abs() < 1e-4, "{:?}", team[0]);
        assert_eq!(team[1], post + Vec3::X * 0.7, "the idle one stays");
        // Five seconds more and he is there, and stays there.
        walk(&mut team, &[machine, post + Vec3::X * 0.7], 5.0);
        assert_eq!(team[0], machine);
        walk(&mut team, &[machine, post + Vec3::X * 0.7], 1.0);
        assert_eq!(team[0], machine);
    }

    #[test]
    fn the_person_nearest_to_a_new_job_takes_it() {
        let mut team = vec![Vec3::ZERO, Vec3::new(10.0, 0.0, 0.0)];
        // The job is next to the second person; the first stays at the post.
        walk(&mut team, &[Vec3::ZERO, Vec3::new(11.0, 0.0, 0.0)], 0.5);
        assert_eq!(team[0], Vec3::ZERO);
        assert!((team[1].x - 10.7).abs() < 1e-4, "{:?}", team[1]);
    }

    #[test]
    fn jumps_and_shift_changes_put_people_where_they_belong() {
        let mut team = vec![Vec3::ZERO];
        let far = Vec3::new(100.0, 0.0, 0.0);
        walk(&mut team, &[far], WALK_MAX_STEP + 1.0);
        assert_eq!(team, vec![far], "a long step is a jump");
        walk(&mut team, &[far, Vec3::ONE], 0.1);
        assert_eq!(
            team,
            vec![far, Vec3::ONE],
            "a new person appears at the post"
        );
        walk(&mut team, &[], 0.1);
        assert!(team.is_empty(), "off shift, everyone leaves");
        let mut team = vec![Vec3::ZERO];
        walk(&mut team, &[far], -5.0);
        assert_eq!(team, vec![far], "going back in time (a restart) is a jump");
    }
}
