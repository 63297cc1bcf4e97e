//! What moves: station colours follow their state, parts ride the belts
//! (interpolated between events from the belt's speed), wait in buffer racks
//! and sit in machines; robot arms turn towards where they work; operators
//! stand at the machines they serve, or at their post when idle.

use super::floor::{Belt, Model, OperatorHome, Palette, RobotJoint, StateLamp};
use super::world;
use crate::sim::{Engine, NodeKind, State, StationKind};
use bevy::prelude::*;

pub struct MotionPlugin;

impl Plugin for MotionPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Crowd>().add_systems(
            Update,
            (colour_states, place_parts, turn_robots, place_operators)
                .after(crate::sim::SimulationSet::Mirror),
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

fn station_state(engine: &Engine, node: u32) -> Option<State> {
    match &engine.nodes[node as usize].kind {
        NodeKind::Station(s) => Some(s.state()),
        _ => None,
    }
}

fn colour_states(
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
                for k in 0..b.queue.len().min(36) {
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
                let (first, step) = match s.kind {
                    StationKind::RobotCell => (Vec3::new(0.75, 0.76, 0.0), Vec3::X * 0.3),
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

fn place_operators(
    mut commands: Commands,
    engine: Res<Engine>,
    palette: Res<Palette>,
    homes: Query<&OperatorHome>,
    models: Query<(&Model, &Transform), Without<OperatorMarker>>,
    mut crowd: ResMut<Crowd>,
    mut people: Query<(&mut Transform, &mut Visibility), With<OperatorMarker>>,
) {
    let mut at: Vec<Vec3> = Vec::new();
    let mut busy = vec![0u32; engine.pools.len()];
    for (model, transform) in &models {
        if let NodeKind::Station(s) = &engine.nodes[model.node as usize].kind
            && let Some(pool) = s.operator
        {
            let n = engine.operators_at(model.node);
            busy[pool as usize] += n;
            for k in 0..n {
                let local = Vec3::new(-0.5 + 0.7 * k as f32, 0.82, 1.05);
                at.push(transform.transform_point(local));
            }
        }
    }
    for home in &homes {
        let pool = &engine.pools[home.pool as usize];
        if !pool.on_shift {
            continue;
        }
        let idle = pool.count.saturating_sub(busy[home.pool as usize]);
        for k in 0..idle.min(20) {
            at.push(home.pos + Vec3::new(0.7 * k as f32, 0.82, 0.0));
        }
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
