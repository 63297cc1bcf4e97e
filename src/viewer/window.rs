//! `factory-twin view`: the factory in a window. Orbit with the left mouse
//! button, pan with the right, zoom with the wheel; Space pauses, Up/Down
//! change the speed (1× to 10 000×), T toggles the top view, Home frames the
//! whole floor.

use super::hud::Playback;
use super::{SceneLayout, ViewerPlugin, camera, insert_scene};
use crate::error::Diagnostic;
use crate::scene::Scene;
use crate::sim::SimClock;
use bevy::prelude::*;
use bevy_panorbit_camera::{PanOrbitCamera, PanOrbitCameraPlugin};

/// Events per frame at most, so the window stays responsive at any speed;
/// when the cap bites, the clock shows how far the simulation lags.
const EVENTS_PER_FRAME: u64 = 200_000;

/// Opens the window and runs until it is closed.
pub fn view(scene: &Scene, speed: f64) -> Result<(), Diagnostic> {
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: format!("factory-twin — {}", scene.name),
            ..default()
        }),
        ..default()
    }));
    insert_scene(&mut app, scene)?;
    app.insert_resource(SimClock {
        target: 0.0,
        max_events_per_update: EVENTS_PER_FRAME,
        last_events: 0,
    })
    .insert_resource(Playback {
        speed: speed.clamp(1.0, 10_000.0),
        paused: false,
    })
    .insert_resource(ClearColor(Color::srgb(0.80, 0.84, 0.88)))
    .add_plugins((ViewerPlugin, PanOrbitCameraPlugin))
    .add_systems(Startup, spawn_camera)
    .add_systems(
        Update,
        (
            controls,
            drive_clock.before(crate::sim::SimulationSet::Advance),
        ),
    );
    app.run();
    Ok(())
}

fn spawn_camera(mut commands: Commands, layout: Res<SceneLayout>) {
    let (focus, distance) = camera::framing(&layout);
    commands.spawn((
        Camera3d::default(),
        IsDefaultUiCamera,
        camera::overview(&layout),
        PanOrbitCamera {
            focus,
            radius: Some(distance),
            ..default()
        },
    ));
}

/// Moves the simulation's target time with the wall clock × speed.
fn drive_clock(time: Res<Time>, playback: Res<Playback>, mut clock: ResMut<SimClock>) {
    if !playback.paused {
        clock.target += time.delta_secs_f64() * playback.speed;
    }
}

fn controls(
    keys: Res<ButtonInput<KeyCode>>,
    layout: Res<SceneLayout>,
    mut playback: ResMut<Playback>,
    mut cameras: Query<&mut PanOrbitCamera>,
) {
    if keys.just_pressed(KeyCode::Space) {
        playback.paused = !playback.paused;
    }
    if keys.just_pressed(KeyCode::ArrowUp) {
        playback.speed = (playback.speed * 10.0).min(10_000.0);
    }
    if keys.just_pressed(KeyCode::ArrowDown) {
        playback.speed = (playback.speed / 10.0).max(1.0);
    }
    let Ok(mut cam) = cameras.single_mut() else {
        return;
    };
    let (focus, distance) = camera::framing(&layout);
    if keys.just_pressed(KeyCode::KeyT) {
        let top = cam.target_pitch < 1.5;
        cam.target_focus = focus;
        cam.target_pitch = if top {
            std::f32::consts::FRAC_PI_2 - 0.001
        } else {
            0.6
        };
        cam.target_yaw = 0.0;
        cam.target_radius = distance * if top { 1.1 } else { 1.0 };
        cam.force_update = true;
    }
    if keys.just_pressed(KeyCode::Home) {
        cam.target_focus = focus;
        cam.target_radius = distance;
        cam.force_update = true;
    }
}
