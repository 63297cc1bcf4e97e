//! The engine on Bevy: the [`Engine`] is a resource, and one system drains
//! its events up to the [`SimClock`]'s target in [`SimulationSystems::Advance`].
//! Readers (the viewer's floor, motion, panels and HUD) read the `Engine`
//! resource directly, after that set: there is no per-object mirror to keep
//! in step.

use super::Engine;
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

/// The simulation's system sets inside `Update`.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum SimulationSystems {
    /// Processes the engine's events up to the clock's target. Systems that
    /// set the target (the viewer's clock, a scene reload) run before it;
    /// systems that read the engine (drawing, panels) run after it.
    Advance,
}

/// Runs an [`Engine`] resource inside a Bevy app.
pub struct SimulationPlugin;

impl Plugin for SimulationPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<SimClock>()
            .add_systems(Update, advance.in_set(SimulationSystems::Advance));
    }
}

/// Drains every event up to the clock's target in one system run.
fn advance(mut engine: ResMut<Engine>, mut clock: ResMut<SimClock>) {
    let target = clock.target;
    let cap = clock.max_events_per_update;
    clock.last_events = engine.advance_bounded(target, cap);
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
