//! The physics preview in the 3D view (see [`crate::physics`]): with it on,
//! the parts on the belts are rapier bodies that ride, queue at the belt ends
//! and drop into catch trays, and the engine advances in lock-step with the
//! physics, at most [`MAX_SPEED`]× real time. P (or the Playback panel)
//! turns it on and off; `view --physics` starts with it on.

use super::floor::Palette;
use super::hud::Playback;
use super::{SceneLayout, motion};
use crate::physics::{BeltPreview, PART_HALF, STEP, TRAY_LENGTH};
use crate::sim::{Engine, SimClock};
use bevy::prelude::*;

/// Playback speed at most while the preview runs (60 physics steps per
/// simulated second must keep up with the frame rate).
pub const MAX_SPEED: f64 = 10.0;
/// A jump further than this (simulated seconds) restarts the preview where
/// the engine lands instead of stepping all the way.
const MAX_CATCH_UP: f64 = 20.0;

pub struct PhysicsPreviewPlugin;

impl Plugin for PhysicsPreviewPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<PhysicsPreview>()
            .add_systems(
                Update,
                (toggle, drive)
                    .chain()
                    .before(crate::sim::SimulationSystems::Advance),
            )
            .add_systems(
                Update,
                draw.after(crate::sim::SimulationSystems::Advance)
                    .before(motion::place_parts),
            );
    }
}

/// Whether the preview is on, and its world.
#[derive(Resource, Default)]
pub struct PhysicsPreview {
    pub on: bool,
    pub preview: Option<BeltPreview>,
    /// Trays drawn for the current preview.
    trays_drawn: bool,
    bodies: Vec<Entity>,
}

impl PhysicsPreview {
    /// On, with a world: the belts' parts are drawn from it.
    pub fn showing(&self) -> bool {
        self.on && self.preview.is_some()
    }
}

/// Drawn catch trays.
#[derive(Component)]
struct TrayItem;

/// A part body on screen.
#[derive(Component)]
pub struct PhysicsPart;

fn toggle(keys: Option<Res<ButtonInput<KeyCode>>>, mut physics: ResMut<PhysicsPreview>) {
    if keys.is_some_and(|k| k.just_pressed(KeyCode::KeyP)) {
        physics.on = !physics.on;
    }
}

/// Steps the engine and the preview together up to the clock's target.
fn drive(
    mut physics: ResMut<PhysicsPreview>,
    mut engine: ResMut<Engine>,
    layout: Res<SceneLayout>,
    clock: Res<SimClock>,
    playback: Option<ResMut<Playback>>,
) {
    if !physics.on || layout.is_changed() {
        if physics.preview.take().is_some() {
            physics.trays_drawn = false;
        }
        if !physics.on {
            return;
        }
    }
    if let Some(mut p) = playback
        && p.speed > MAX_SPEED
    {
        p.speed = MAX_SPEED;
    }
    let target = clock.target.min(engine.end_time());
    // The engine moved on without the preview (a restart, a reload, a
    // jump): start again from where it is.
    let stale = physics
        .preview
        .as_ref()
        .is_none_or(|p| engine.now < p.time() - 1e-9 || engine.now > p.time() + STEP + 1e-9);
    if stale {
        if target > engine.now + MAX_CATCH_UP {
            physics.preview = None; // let the engine get there first
            physics.trays_drawn = false;
            return;
        }
        physics.preview = Some(BeltPreview::new(&layout.0, &engine));
        physics.trays_drawn = false;
    }
    if let Some(p) = physics.preview.as_mut() {
        p.advance(&mut engine, target);
    }
}

fn draw(
    mut commands: Commands,
    mut physics: ResMut<PhysicsPreview>,
    palette: Option<Res<Palette>>,
    trays: Query<Entity, With<TrayItem>>,
    mut parts: Query<(&mut Transform, &mut Visibility), With<PhysicsPart>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let Some(palette) = palette else { return };
    let physics = &mut *physics;
    if !physics.trays_drawn {
        for e in &trays {
            commands.entity(e).despawn();
        }
        if let Some(p) = &physics.preview {
            let metal = materials.add(StandardMaterial {
                base_color: Color::srgb(0.30, 0.55, 0.35),
                perceptual_roughness: 0.6,
                ..default()
            });
            for t in p.trays() {
                let yaw = (-t.dir.z).atan2(t.dir.x);
                let rot = Quat::from_rotation_y(yaw);
                let floor = t.floor;
                let parts = [
                    (Vec3::ZERO, Vec3::new(TRAY_LENGTH, 0.04, t.width)),
                    (
                        Vec3::new(TRAY_LENGTH / 2.0, 0.12, 0.0),
                        Vec3::new(0.04, 0.24, t.width),
                    ),
                    (
                        Vec3::new(0.0, 0.12, t.width / 2.0),
                        Vec3::new(TRAY_LENGTH, 0.24, 0.04),
                    ),
                    (
                        Vec3::new(0.0, 0.12, -t.width / 2.0),
                        Vec3::new(TRAY_LENGTH, 0.24, 0.04),
                    ),
                ];
                for (offset, size) in parts {
                    commands.spawn((
                        TrayItem,
                        Mesh3d(meshes.add(Cuboid::from_size(size))),
                        MeshMaterial3d(metal.clone()),
                        Transform::from_translation(floor + rot * offset).with_rotation(rot),
                    ));
                }
            }
        }
        physics.trays_drawn = true;
    }
    let bodies = physics
        .preview
        .as_ref()
        .filter(|_| physics.on)
        .map(BeltPreview::parts)
        .unwrap_or_default();
    for (i, (at, rot)) in bodies.iter().enumerate() {
        let transform = Transform::from_translation(*at).with_rotation(*rot);
        if let Some(&e) = physics.bodies.get(i)
            && let Ok((mut t, mut v)) = parts.get_mut(e)
        {
            *t = transform;
            *v = Visibility::Inherited;
        } else if i >= physics.bodies.len() {
            let e = commands
                .spawn((
                    PhysicsPart,
                    Mesh3d(meshes.add(Cuboid::from_size(PART_HALF * 2.0))),
                    MeshMaterial3d(palette.part_material.clone()),
                    transform,
                ))
                .id();
            physics.bodies.push(e);
        }
    }
    for &e in physics.bodies.iter().skip(bodies.len()) {
        if let Ok((_, mut v)) = parts.get_mut(e) {
            *v = Visibility::Hidden;
        }
    }
}
