//! The floor: a concrete slab with a 1 m grid, sun and fill light, and one
//! model per scene object, built from primitives so nothing is loaded from
//! disk. Each model carries a [`Model`] component pointing at its engine node.

use super::{SceneLayout, bounds, world};
use crate::scene::{Object, RobotTask};
use crate::sim::Engine;
use bevy::prelude::*;

/// Everything the floor builder spawned at the top level: despawned (with
/// its children) when the scene is rebuilt.
#[derive(Component, Debug, Clone, Copy)]
pub struct FloorItem;

/// A model of an engine node (its index in `Engine::nodes`).
#[derive(Component, Debug, Clone, Copy)]
pub struct Model {
    pub node: u32,
}

/// The part of a model that shows the station's state by its colour.
#[derive(Component, Debug, Clone, Copy)]
pub struct StateLamp {
    pub node: u32,
    /// The largest coloured surface of the model (its roof), as opposed to a beacon.
    pub primary: bool,
}

/// One vehicle of a fleet, driven by [`super::motion`] to where the engine
/// has it.
#[derive(Component, Debug, Clone, Copy)]
pub struct Vehicle {
    pub node: u32,
    pub index: usize,
}

/// The joints of a robot arm, turned by [`super::motion`].
#[derive(Component, Debug, Clone, Copy)]
pub struct RobotJoint {
    pub node: u32,
    /// 0: the turntable (yaw), 1: the upper arm (pitch).
    pub axis: u8,
    /// The robot's base on the floor and its `rot` (radians), to aim the arm.
    pub base: Vec3,
    pub rot: f32,
}

/// A conveyor's belt ends (world, at belt height), where parts ride.
#[derive(Component, Debug, Clone, Copy)]
pub struct Belt {
    pub from: Vec3,
    pub to: Vec3,
}

/// Where an operator pool's people stand when idle.
#[derive(Component, Debug, Clone)]
pub struct OperatorHome {
    pub pool: u32,
    pub pos: Vec3,
}

/// Shared meshes and materials, made once.
#[derive(Resource)]
pub struct Palette {
    pub part: Handle<Mesh>,
    pub part_material: Handle<StandardMaterial>,
    pub operator: Handle<Mesh>,
    pub operator_material: Handle<StandardMaterial>,
    /// One material per state, in `State::ALL` order.
    pub states: Vec<Handle<StandardMaterial>>,
}

pub struct FloorPlugin;

impl Plugin for FloorPlugin {
    fn build(&self, app: &mut App) {
        // Built when the layout arrives and again whenever it is replaced.
        app.add_systems(
            Update,
            build_floor
                .run_if(resource_changed::<SceneLayout>)
                .before(crate::sim::SimulationSystems::Advance),
        );
    }
}

/// "#2e9d48" → Color.
pub fn hex(s: &str) -> Color {
    Srgba::hex(s).map_or(Color::WHITE, Color::from)
}

pub fn build_floor(
    mut commands: Commands,
    old: Query<Entity, With<FloorItem>>,
    layout: Res<SceneLayout>,
    engine: Res<Engine>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    for e in &old {
        commands.entity(e).despawn();
    }
    let scene = &layout.0;
    let mats = Materials::new(&mut materials);
    let palette = palette(&mut meshes, &mut materials);
    let centre = floor_and_grid(&mut commands, &mut meshes, &mats, bounds(scene));
    lights(&mut commands, centre);
    let mut kit = Kit {
        commands: &mut commands,
        meshes: &mut meshes,
        mats: &mats,
        palette: &palette,
    };
    for object in &scene.objects {
        let node = engine
            .nodes
            .iter()
            .position(|n| n.id == object.id())
            .map(|i| i as u32);
        match (object, node) {
            (Object::Operators(o), _) => operator_home(kit.commands, &engine, o),
            (Object::Machine(m), Some(node)) => kit.machine(node, m),
            (Object::Assembly(a), Some(node)) => kit.assembly(node, a),
            (Object::Robot(r), Some(node)) => kit.robot(node, r),
            (Object::Buffer(b), Some(node)) => kit.buffer(node, b),
            (Object::Conveyor(c), Some(node)) => kit.conveyor(node, c),
            (Object::Source(s), Some(node)) => kit.source(node, s),
            (Object::Sink(s), Some(node)) => kit.sink(node, s),
            (Object::Vehicles(v), Some(node)) => kit.vehicles(node, v),
            (other, None) => unreachable!("\"{}\" is a flow object, so a node", other.id()),
        }
    }
    commands.insert_resource(palette);
}

/// The plain materials of the models.
struct Materials {
    concrete: Handle<StandardMaterial>,
    line: Handle<StandardMaterial>,
    major: Handle<StandardMaterial>,
    steel: Handle<StandardMaterial>,
    dark: Handle<StandardMaterial>,
    body: Handle<StandardMaterial>,
    orange: Handle<StandardMaterial>,
    belt: Handle<StandardMaterial>,
    wood: Handle<StandardMaterial>,
    bin: Handle<StandardMaterial>,
    /// A robot's reach on the floor, see-through.
    reach: Handle<StandardMaterial>,
}

impl Materials {
    fn new(materials: &mut Assets<StandardMaterial>) -> Self {
        let mut mat = |c: Color, rough: f32| {
            materials.add(StandardMaterial {
                base_color: c,
                perceptual_roughness: rough,
                ..default()
            })
        };
        Self {
            concrete: mat(Color::srgb(0.72, 0.73, 0.74), 0.9),
            line: mat(Color::srgb(0.58, 0.60, 0.62), 0.9),
            major: mat(Color::srgb(0.45, 0.47, 0.50), 0.9),
            steel: mat(Color::srgb(0.42, 0.47, 0.54), 0.5),
            dark: mat(Color::srgb(0.16, 0.17, 0.19), 0.6),
            body: mat(Color::srgb(0.83, 0.85, 0.88), 0.45),
            orange: mat(Color::srgb(0.95, 0.55, 0.12), 0.4),
            belt: mat(Color::srgb(0.12, 0.12, 0.13), 0.8),
            wood: mat(Color::srgb(0.66, 0.50, 0.32), 0.9),
            bin: mat(Color::srgb(0.20, 0.40, 0.70), 0.6),
            reach: materials.add(StandardMaterial {
                base_color: Color::srgba(0.95, 0.55, 0.12, 0.18),
                alpha_mode: AlphaMode::Blend,
                ..default()
            }),
        }
    }
}

/// The meshes and materials that move or change: parts, operators, and one
/// glowing material per state.
fn palette(meshes: &mut Assets<Mesh>, materials: &mut Assets<StandardMaterial>) -> Palette {
    let states = crate::sim::State::ALL
        .iter()
        .map(|s| {
            let colour = hex(s.colour());
            materials.add(StandardMaterial {
                base_color: colour,
                emissive: LinearRgba::from(colour) * 0.35,
                perceptual_roughness: 0.5,
                ..default()
            })
        })
        .collect();
    Palette {
        part: meshes.add(Cuboid::new(0.22, 0.12, 0.22)),
        part_material: materials.add(StandardMaterial {
            base_color: Color::srgb(0.80, 0.82, 0.86),
            metallic: 0.6,
            perceptual_roughness: 0.35,
            ..default()
        }),
        operator: meshes.add(Capsule3d::new(0.22, 1.2)),
        operator_material: materials.add(Color::srgb(0.15, 0.35, 0.75)),
        states,
    }
}

/// The floor slab around the scene's bounds with a 4 m margin, and a grid
/// every metre (darker every 5 m). Returns the floor's centre.
fn floor_and_grid(
    commands: &mut Commands,
    meshes: &mut Assets<Mesh>,
    mats: &Materials,
    (x0, y0, x1, y1): (f32, f32, f32, f32),
) -> Vec3 {
    let margin = 4.0;
    let (w, d) = (x1 - x0 + 2.0 * margin, y1 - y0 + 2.0 * margin);
    let centre = world((((x0 + x1) / 2.0) as f64, ((y0 + y1) / 2.0) as f64), 0.0);
    commands.spawn((
        FloorItem,
        Mesh3d(meshes.add(Cuboid::new(w, 0.1, d))),
        MeshMaterial3d(mats.concrete.clone()),
        Transform::from_translation(centre - Vec3::Y * 0.05),
    ));
    let line = |i: i32| {
        if i % 5 == 0 {
            mats.major.clone()
        } else {
            mats.line.clone()
        }
    };
    let thin_x = meshes.add(Cuboid::new(0.02, 0.004, d));
    let gx0 = (x0 - margin).floor() as i32;
    for i in 0..=w.ceil() as i32 {
        let x = gx0 + i;
        commands.spawn((
            FloorItem,
            Mesh3d(thin_x.clone()),
            MeshMaterial3d(line(x)),
            Transform::from_xyz(x as f32, 0.002, centre.z),
        ));
    }
    let thin_z = meshes.add(Cuboid::new(w, 0.004, 0.02));
    let gy0 = (y0 - margin).floor() as i32;
    for j in 0..=d.ceil() as i32 {
        let y = gy0 + j;
        commands.spawn((
            FloorItem,
            Mesh3d(thin_z.clone()),
            MeshMaterial3d(line(y)),
            Transform::from_xyz(centre.x, 0.002, -(y as f32)),
        ));
    }
    centre
}

/// A high sun with shadows, and a soft fill from the other side.
fn lights(commands: &mut Commands, centre: Vec3) {
    commands.spawn((
        FloorItem,
        DirectionalLight {
            illuminance: 9_000.0,
            shadow_maps_enabled: true,
            ..default()
        },
        Transform::from_xyz(centre.x - 10.0, 20.0, centre.z + 14.0).looking_at(centre, Vec3::Y),
    ));
    commands.spawn((
        FloorItem,
        DirectionalLight {
            illuminance: 2_500.0,
            ..default()
        },
        Transform::from_xyz(centre.x + 12.0, 10.0, centre.z - 10.0).looking_at(centre, Vec3::Y),
    ));
    commands.insert_resource(GlobalAmbientLight {
        brightness: 350.0,
        ..default()
    });
}

/// Where an operator pool with a `pos` stands when idle.
fn operator_home(commands: &mut Commands, engine: &Engine, o: &crate::scene::Operators) {
    let pool = engine
        .pools
        .iter()
        .position(|p| p.id == o.id)
        .map(|i| i as u32);
    if let (Some(pool), Some(pos)) = (pool, o.pos) {
        commands.spawn((
            FloorItem,
            OperatorHome {
                pool,
                pos: world(pos, 0.0),
            },
            Transform::default(),
            Visibility::default(),
        ));
    }
}

/// What every model is built with.
struct Kit<'k, 'w, 's> {
    commands: &'k mut Commands<'w, 's>,
    meshes: &'k mut Assets<Mesh>,
    mats: &'k Materials,
    palette: &'k Palette,
}

/// The floor transform of an object at `pos`, turned by `rot` degrees.
fn placed(pos: (f64, f64), rot: f64) -> Transform {
    Transform::from_translation(world(pos, 0.0))
        .with_rotation(Quat::from_rotation_y((rot as f32).to_radians()))
}

impl Kit<'_, '_, '_> {
    /// Spawns a model of `node` at `at` and builds its parts with `parts`.
    fn model(
        &mut self,
        node: u32,
        at: Transform,
        parts: impl FnOnce(&mut ChildSpawnerCommands, &mut Assets<Mesh>, &Materials, &Palette),
    ) {
        let (meshes, mats, palette) = (&mut *self.meshes, self.mats, self.palette);
        self.commands
            .spawn((FloorItem, Model { node }, at, Visibility::default()))
            .with_children(|p| parts(p, meshes, mats, palette));
    }

    /// A fleet: its parking bay marked on the floor, and each vehicle (a
    /// low cart with a mast) as its own entity that drives about.
    fn vehicles(&mut self, node: u32, v: &crate::scene::Vehicles) {
        let bay = (v.count as f32 * 1.3).max(1.3);
        self.model(node, placed(v.pos, 0.0), |p, meshes, mats, _| {
            p.spawn((
                Mesh3d(cube(meshes, bay, 0.01, 1.2)),
                MeshMaterial3d(mats.line.clone()),
                Transform::from_xyz(0.0, 0.006, 0.0),
            ));
        });
        for index in 0..v.count as usize {
            let (meshes, mats) = (&mut *self.meshes, self.mats);
            self.commands
                .spawn((
                    FloorItem,
                    Vehicle { node, index },
                    placed(v.pos, 0.0),
                    Visibility::default(),
                ))
                .with_children(|p| {
                    p.spawn((
                        Mesh3d(cube(meshes, 1.1, 0.3, 0.75)),
                        MeshMaterial3d(mats.orange.clone()),
                        Transform::from_xyz(0.0, 0.2, 0.0),
                    ));
                    p.spawn((
                        Mesh3d(cube(meshes, 0.12, 0.9, 0.6)),
                        MeshMaterial3d(mats.dark.clone()),
                        Transform::from_xyz(-0.5, 0.75, 0.0),
                    ));
                });
        }
    }

    fn machine(&mut self, node: u32, m: &crate::scene::Machine) {
        let places = m.capacity.min(4);
        self.model(node, placed(m.pos, m.rot), |p, meshes, mats, palette| {
            // The state shows on the whole roof panel and on a beacon.
            let size = Vec3::new(1.6, 1.1, 1.2);
            body_with_roof(p, meshes, &mats.body, &palette.states[0], node, size, 0.12);
            p.spawn((
                StateLamp {
                    node,
                    primary: false,
                },
                Mesh3d(meshes.add(Cylinder::new(0.09, 0.35))),
                MeshMaterial3d(palette.states[0].clone()),
                Transform::from_xyz(0.62, 1.4, 0.42),
            ));
            p.spawn((
                Mesh3d(cube(meshes, 0.5, 0.7, 0.05)),
                MeshMaterial3d(mats.dark.clone()),
                Transform::from_xyz(-0.3, 0.7, 0.62),
            ));
            // One fixture on the roof per place (up to four).
            for i in 0..places {
                p.spawn((
                    Mesh3d(cube(meshes, 0.3, 0.06, 0.3)),
                    MeshMaterial3d(mats.steel.clone()),
                    Transform::from_xyz(-0.55 + 0.37 * i as f32, 1.26, -0.3),
                ));
            }
        });
    }

    fn assembly(&mut self, node: u32, a: &crate::scene::Assembly) {
        self.model(node, placed(a.pos, a.rot), |p, meshes, mats, palette| {
            let size = Vec3::new(2.0, 0.9, 1.4);
            body_with_roof(p, meshes, &mats.body, &palette.states[0], node, size, 0.1);
            p.spawn((
                Mesh3d(cube(meshes, 0.1, 0.8, 1.2)),
                MeshMaterial3d(mats.steel.clone()),
                Transform::from_xyz(-0.7, 1.4, 0.0),
            ));
        });
    }

    fn robot(&mut self, node: u32, r: &crate::scene::Robot) {
        let transfer = matches!(r.task, RobotTask::Transfer { .. });
        let joint = |axis| RobotJoint {
            node,
            axis,
            base: world(r.pos, 0.0),
            rot: (r.rot as f32).to_radians(),
        };
        let reach = r.reach as f32;
        self.model(node, placed(r.pos, r.rot), |p, meshes, mats, palette| {
            // The reach, drawn on the floor as a thin disc.
            p.spawn((
                Mesh3d(meshes.add(Cylinder::new(reach, 0.01))),
                MeshMaterial3d(mats.reach.clone()),
                Transform::from_xyz(0.0, 0.006, 0.0),
            ));
            p.spawn((
                Mesh3d(meshes.add(Cylinder::new(0.35, 0.3))),
                MeshMaterial3d(mats.dark.clone()),
                Transform::from_xyz(0.0, 0.15, 0.0),
            ));
            if !transfer {
                // The cell's work table shows its state.
                p.spawn((
                    StateLamp {
                        node,
                        primary: true,
                    },
                    Mesh3d(cube(meshes, 1.0, 0.7, 0.8)),
                    MeshMaterial3d(palette.states[0].clone()),
                    Transform::from_xyz(0.9, 0.35, 0.0),
                ));
            }
            p.spawn((
                StateLamp {
                    node,
                    primary: transfer,
                },
                Mesh3d(meshes.add(Cylinder::new(0.07, 0.3))),
                MeshMaterial3d(palette.states[0].clone()),
                Transform::from_xyz(-0.45, 0.45, -0.3),
            ));
            p.spawn((
                joint(0),
                Transform::from_xyz(0.0, 0.3, 0.0),
                Visibility::default(),
            ))
            .with_children(|base| {
                base.spawn((
                    Mesh3d(meshes.add(Cylinder::new(0.25, 0.35))),
                    MeshMaterial3d(mats.orange.clone()),
                    Transform::from_xyz(0.0, 0.17, 0.0),
                ));
                base.spawn((
                    joint(1),
                    Transform::from_xyz(0.0, 0.4, 0.0),
                    Visibility::default(),
                ))
                .with_children(|arm| robot_arm(arm, meshes, mats, reach));
            });
        });
    }

    fn buffer(&mut self, node: u32, b: &crate::scene::Buffer) {
        self.model(node, placed(b.pos, b.rot), |p, meshes, mats, _| {
            for (x, z) in [(-0.5, -0.4), (0.5, -0.4), (-0.5, 0.4), (0.5, 0.4)] {
                p.spawn((
                    Mesh3d(cube(meshes, 0.06, 1.0, 0.06)),
                    MeshMaterial3d(mats.orange.clone()),
                    Transform::from_xyz(x, 0.5, z),
                ));
            }
            for y in [0.15, 0.55] {
                p.spawn((
                    Mesh3d(cube(meshes, 1.06, 0.04, 0.86)),
                    MeshMaterial3d(mats.steel.clone()),
                    Transform::from_xyz(0.0, y, 0.0),
                ));
            }
        });
    }

    fn conveyor(&mut self, node: u32, c: &crate::scene::Conveyor) {
        let (a, b) = (world(c.from, 0.0), world(c.to, 0.0));
        let len = a.distance(b).max(0.1);
        let dir = (b - a).normalize_or(Vec3::X);
        let at = Transform::from_translation((a + b) / 2.0)
            .with_rotation(Quat::from_rotation_arc(Vec3::X, dir));
        let (meshes, mats) = (&mut *self.meshes, self.mats);
        self.commands
            .spawn((
                FloorItem,
                Model { node },
                Belt {
                    from: world(c.from, 0.82),
                    to: world(c.to, 0.82),
                },
                at,
                Visibility::default(),
            ))
            .with_children(|p| {
                p.spawn((
                    Mesh3d(cube(meshes, len, 0.08, 0.6)),
                    MeshMaterial3d(mats.belt.clone()),
                    Transform::from_xyz(0.0, 0.72, 0.0),
                ));
                for z in [-0.33, 0.33] {
                    p.spawn((
                        Mesh3d(cube(meshes, len, 0.12, 0.05)),
                        MeshMaterial3d(mats.steel.clone()),
                        Transform::from_xyz(0.0, 0.74, z),
                    ));
                }
                // Legs every 1.5 m at most, both ends included.
                let legs = (len / 1.5).ceil() as i32;
                for i in 0..=legs {
                    let x = -len / 2.0 + len * i as f32 / legs.max(1) as f32;
                    for z in [-0.28, 0.28] {
                        p.spawn((
                            Mesh3d(cube(meshes, 0.05, 0.7, 0.05)),
                            MeshMaterial3d(mats.steel.clone()),
                            Transform::from_xyz(x, 0.35, z),
                        ));
                    }
                }
            });
    }

    fn source(&mut self, node: u32, s: &crate::scene::Source) {
        self.model(node, placed(s.pos, s.rot), |p, meshes, mats, _| {
            // A pallet with a stack of blanks.
            p.spawn((
                Mesh3d(cube(meshes, 1.2, 0.15, 1.0)),
                MeshMaterial3d(mats.wood.clone()),
                Transform::from_xyz(0.0, 0.075, 0.0),
            ));
            for i in 0..5 {
                p.spawn((
                    Mesh3d(cube(meshes, 1.0, 0.06, 0.8)),
                    MeshMaterial3d(mats.steel.clone()),
                    Transform::from_xyz(0.0, 0.18 + 0.07 * i as f32, 0.0),
                ));
            }
        });
    }

    fn sink(&mut self, node: u32, s: &crate::scene::Sink) {
        self.model(node, placed(s.pos, s.rot), |p, meshes, mats, _| {
            // An open bin: a floor and four walls.
            p.spawn((
                Mesh3d(cube(meshes, 1.3, 0.08, 1.1)),
                MeshMaterial3d(mats.bin.clone()),
                Transform::from_xyz(0.0, 0.04, 0.0),
            ));
            for (x, z, sx, sz) in [
                (0.0, -0.53, 1.3, 0.05),
                (0.0, 0.53, 1.3, 0.05),
                (-0.63, 0.0, 0.05, 1.1),
                (0.63, 0.0, 0.05, 1.1),
            ] {
                p.spawn((
                    Mesh3d(cube(meshes, sx, 0.6, sz)),
                    MeshMaterial3d(mats.bin.clone()),
                    Transform::from_xyz(x, 0.3, z),
                ));
            }
        });
    }
}

/// A robot's upper arm, forearm and tool, sized by its reach.
fn robot_arm(
    arm: &mut ChildSpawnerCommands,
    meshes: &mut Assets<Mesh>,
    mats: &Materials,
    reach: f32,
) {
    let upper = (reach * 0.55).clamp(0.5, 1.4);
    arm.spawn((
        Mesh3d(cube(meshes, 0.2, upper, 0.2)),
        MeshMaterial3d(mats.orange.clone()),
        Transform::from_xyz(0.0, upper / 2.0, 0.0),
    ));
    let fore = (reach * 0.5).clamp(0.4, 1.2);
    arm.spawn((
        Mesh3d(cube(meshes, fore, 0.16, 0.16)),
        MeshMaterial3d(mats.orange.clone()),
        Transform::from_xyz(fore / 2.0, upper, 0.0),
    ));
    arm.spawn((
        Mesh3d(cube(meshes, 0.12, 0.25, 0.12)),
        MeshMaterial3d(mats.dark.clone()),
        Transform::from_xyz(fore, upper - 0.15, 0.0),
    ));
}

fn cube(meshes: &mut Assets<Mesh>, x: f32, y: f32, z: f32) -> Handle<Mesh> {
    meshes.add(Cuboid::new(x, y, z))
}

/// A station's body standing on the floor, and on top of it the roof panel
/// that shows the station's state.
fn body_with_roof(
    p: &mut ChildSpawnerCommands,
    meshes: &mut Assets<Mesh>,
    body: &Handle<StandardMaterial>,
    lamp: &Handle<StandardMaterial>,
    node: u32,
    size: Vec3,
    roof: f32,
) {
    p.spawn((
        Mesh3d(meshes.add(Cuboid::from_size(size))),
        MeshMaterial3d(body.clone()),
        Transform::from_xyz(0.0, size.y / 2.0, 0.0),
    ));
    p.spawn((
        StateLamp {
            node,
            primary: true,
        },
        Mesh3d(meshes.add(Cuboid::new(size.x + 0.02, roof, size.z + 0.02))),
        MeshMaterial3d(lamp.clone()),
        Transform::from_xyz(0.0, size.y + roof / 2.0, 0.0),
    ));
}
