//! `factory-twin view`: the factory in a window. Orbit with the left mouse
//! button, pan with the right, zoom with the wheel; click an object to
//! inspect and edit it; Space pauses, Up/Down change the speed (1× to
//! 10 000×), T toggles the top view, F focuses the selected object, Home
//! frames the whole floor, P turns the physics preview on and off, L shows
//! or hides the layout problems. Saving the scene file reloads it.

use super::floor::Model;
use super::hud::Playback;
use super::panels::{PanelsPlugin, Selected};
use super::reload::{ReloadPlugin, SceneSource};
use super::{SceneLayout, ViewerPlugin, camera, insert_scene};
use crate::error::Diagnostic;
use crate::scene::Scene;
use crate::sim::SimClock;
use bevy::picking::mesh_picking::MeshPickingPlugin;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass};
use bevy_panorbit_camera::{PanOrbitCamera, PanOrbitCameraPlugin};
use std::path::Path;

/// Events per frame at most, so the window stays responsive at any speed;
/// when the cap bites, the clock shows how far the simulation lags.
const EVENTS_PER_FRAME: u64 = 200_000;

/// For measurements and tests: leave after this many wall-clock seconds,
/// print frame statistics as JSON, optionally capture the window first.
#[derive(Resource, Clone, Debug, Default)]
pub struct AutoExit {
    pub after_s: f64,
    pub shot: Option<std::path::PathBuf>,
    frames: u64,
    shot_taken: bool,
}

impl AutoExit {
    pub fn new(after_s: f64, shot: Option<std::path::PathBuf>) -> Self {
        Self {
            after_s,
            shot,
            ..default()
        }
    }
}

/// Frames counted when the exit time came (an estimate from the mean rate).
fn frames_at(auto: &AutoExit, t: f64) -> u64 {
    (auto.frames as f64 * (auto.after_s / t.max(1e-9)).min(1.0)) as u64
}

fn auto_exit(
    mut commands: Commands,
    time: Res<Time<Real>>,
    engine: Res<crate::sim::Engine>,
    auto: Option<ResMut<AutoExit>>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(mut auto) = auto else { return };
    auto.frames += 1;
    let t = time.elapsed_secs_f64();
    if let Some(path) = auto.shot.clone()
        && !auto.shot_taken
        && t >= auto.after_s
    {
        auto.shot_taken = true;
        let _ = std::fs::remove_file(&path);
        commands
            .spawn(Screenshot::primary_window())
            .observe(save_to_disk(path));
    }
    // With a capture pending, wait (up to 30 frames) until it is written.
    let pending =
        auto.shot.as_ref().is_some_and(|p| !p.exists()) && auto.frames < 30 + frames_at(&auto, t);
    if t >= auto.after_s && !pending {
        println!(
            "{{\"frames\": {}, \"wall_s\": {t:.3}, \"fps\": {:.2}, \"sim_time_s\": {:.1}, \"events\": {}}}",
            auto.frames,
            auto.frames as f64 / t,
            engine.now,
            engine.events
        );
        exit.write(AppExit::Success);
    }
}

/// Opens the window and runs until it is closed; `path` is watched for changes.
pub fn view(
    path: &Path,
    scene: &Scene,
    speed: f64,
    physics: bool,
    auto: Option<AutoExit>,
) -> Result<(), Diagnostic> {
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
    .insert_resource(SceneSource::new(Some(path.to_path_buf()), scene.clone()))
    .add_plugins((
        ViewerPlugin,
        PanOrbitCameraPlugin,
        MeshPickingPlugin,
        EguiPlugin::default(),
        PanelsPlugin,
        ReloadPlugin,
    ))
    .add_systems(Startup, spawn_camera)
    .add_systems(
        Update,
        (
            controls,
            drive_clock.before(crate::sim::SimulationSet::Advance),
        ),
    )
    .add_systems(EguiPrimaryContextPass, camera_yields_to_panels)
    .add_systems(Last, auto_exit);
    if let Some(auto) = auto {
        app.insert_resource(auto);
    }
    app.world_mut()
        .resource_mut::<super::physics::PhysicsPreview>()
        .on = physics;
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

/// Mouse drags over a panel move the panel, not the camera.
fn camera_yields_to_panels(
    mut contexts: EguiContexts,
    mut cameras: Query<&mut PanOrbitCamera>,
) -> Result {
    let busy = contexts.ctx_mut()?.egui_wants_pointer_input();
    for mut cam in &mut cameras {
        cam.enabled = !busy;
    }
    Ok(())
}

fn controls(
    keys: Res<ButtonInput<KeyCode>>,
    layout: Res<SceneLayout>,
    selected: Res<Selected>,
    models: Query<(&Model, &GlobalTransform)>,
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
    if keys.just_pressed(KeyCode::KeyF)
        && let Some(node) = selected.0
        && let Some((_, at)) = models.iter().find(|(m, _)| m.node == node)
    {
        cam.target_focus = at.translation();
        cam.target_radius = 6.0;
        cam.force_update = true;
    }
    if keys.just_pressed(KeyCode::Home) {
        cam.target_focus = focus;
        cam.target_radius = distance;
        cam.force_update = true;
    }
}
