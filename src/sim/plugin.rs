//! The engine on Bevy: one entity per scene object, a system that drains
//! events up to the target time, and a system that mirrors each object's
//! state onto its entity for the viewer and other consumers.

use super::{Engine, NodeKind, State};
use bevy::prelude::*;

/// How far the simulation should run, set by whoever drives it (the headless
/// runner: the end of the horizon; the viewer: wall clock × speed).
#[derive(Resource, Debug, Clone)]
pub struct SimClock {
    pub target: f64,
    /// Events processed per update at most (keeps a viewer responsive).
    pub max_events_per_update: u64,
    /// Events processed in the last update.
    pub last_events: u64,
}

impl Default for SimClock {
    fn default() -> Self {
        Self {
            target: 0.0,
            max_events_per_update: u64::MAX,
            last_events: 0,
        }
    }
}

/// A scene object as an entity.
#[derive(Component, Debug, Clone)]
pub struct SceneObject {
    /// Index into the engine's nodes.
    pub node: u32,
    pub id: String,
}

/// The live state of an object, mirrored from the engine after each advance.
#[derive(Component, Debug, Clone, Default, PartialEq)]
pub struct ObjectState {
    /// For stations: the state shown (colour in the viewer).
    pub state: Option<State>,
    /// Parts held (in process, waiting, on the belt).
    pub parts: u32,
}

/// Order of the simulation systems inside `Update`.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum SimulationSet {
    Advance,
    Mirror,
}

/// Runs an [`Engine`] resource inside a Bevy app.
pub struct SimulationPlugin;

impl Plugin for SimulationPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<SimClock>()
            .configure_sets(
                Update,
                (SimulationSet::Advance, SimulationSet::Mirror).chain(),
            )
            .add_systems(Startup, spawn_objects)
            .add_systems(Update, advance.in_set(SimulationSet::Advance))
            .add_systems(Update, mirror.in_set(SimulationSet::Mirror));
    }
}

fn spawn_objects(mut commands: Commands, engine: Res<Engine>) {
    spawn_object_entities(&mut commands, &engine);
}

/// One [`SceneObject`] entity per engine node (again after the engine is
/// replaced, e.g. when the viewer reloads the scene).
pub fn spawn_object_entities(commands: &mut Commands, engine: &Engine) {
    for (i, node) in engine.nodes.iter().enumerate() {
        commands.spawn((
            SceneObject {
                node: i as u32,
                id: node.id.clone(),
            },
            ObjectState::default(),
        ));
    }
}

/// Drains every event up to the clock's target in one system run.
fn advance(mut engine: ResMut<Engine>, mut clock: ResMut<SimClock>) {
    let target = clock.target;
    let cap = clock.max_events_per_update;
    clock.last_events = engine.advance_bounded(target, cap);
}

fn mirror(engine: Res<Engine>, mut objects: Query<(&SceneObject, &mut ObjectState)>) {
    for (object, mut state) in &mut objects {
        let new = match &engine.nodes[object.node as usize].kind {
            NodeKind::Station(s) => ObjectState {
                state: Some(s.state()),
                parts: {
                    let mut v = Vec::new();
                    s.held_parts(&mut v);
                    v.len() as u32
                },
            },
            NodeKind::Buffer(b) => ObjectState {
                state: None,
                parts: b.queue.len() as u32,
            },
            NodeKind::Conveyor(c) => ObjectState {
                state: None,
                parts: c.parts.len() as u32,
            },
            _ => ObjectState::default(),
        };
        state.set_if_neq(new);
    }
}

/// Runs `engine` to the end of its horizon inside a headless Bevy app and
/// hands it back.
pub fn run_in_app(engine: Engine) -> Engine {
    run_in_app_until(engine, || false).expect("never stopped")
}

/// Events per app update when a run can be stopped: small enough that a
/// stop request is seen within milliseconds, large enough that the update
/// itself costs nothing measurable.
const EVENTS_PER_CHECK: u64 = 200_000;

/// Like [`run_in_app`], but asks `stop` between updates and gives up (returns
/// `None`) as soon as it says so.
pub fn run_in_app_until(engine: Engine, stop: impl Fn() -> bool) -> Option<Engine> {
    let end = engine.end_time();
    let mut app = App::new();
    app.insert_resource(engine)
        .insert_resource(SimClock {
            target: end,
            max_events_per_update: EVENTS_PER_CHECK,
            ..default()
        })
        .add_plugins(SimulationPlugin);
    loop {
        if stop() {
            return None;
        }
        app.update();
        if app.world().resource::<SimClock>().last_events < EVENTS_PER_CHECK {
            break;
        }
    }
    app.world_mut().remove_resource::<Engine>()
}
