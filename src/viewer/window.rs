//! `factory-twin view`: the factory in a window. Orbit with the left mouse
//! button, pan with the right, zoom with the wheel; click an object to
//! inspect and edit it; Space pauses, Up/Down change the speed (1× to
//! 10 000×), T toggles the top view, F focuses the selected object, Home
//! frames the whole floor, P turns the physics preview on and off, L shows
//! or hides the layout problems. Saving the scene file reloads it.
//!
//! With [`Surface::Offscreen`] the same app (3D view and panels) renders into
//! an image instead of a window, one frame after another as fast as the GPU
//! finishes them: frame rates on a machine without a display, such as a GPU
//! server.

use super::floor::Model;
use super::hud::Playback;
use super::panels::{PanelsPlugin, Selected};
use super::reload::{ReloadPlugin, SceneSource};
use super::{SceneLayout, ViewerPlugin, camera, insert_scene};
use crate::error::Diagnostic;
use crate::scene::Scene;
use crate::sim::SimClock;
use bevy::camera::RenderTarget;
use bevy::picking::mesh_picking::MeshPickingPlugin;
use bevy::prelude::*;
use bevy::render::renderer::RenderAdapterInfo;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass};
use bevy_panorbit_camera::{PanOrbitCamera, PanOrbitCameraPlugin};
use std::path::Path;

/// Events per frame at most, so the window stays responsive at any speed;
/// when the cap bites, the clock shows how far the simulation lags.
const EVENTS_PER_FRAME: u64 = 200_000;

/// Where the picture goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// A window on the display.
    Window,
    /// An image of this size in pixels, no window (needs no display).
    Offscreen { width: u32, height: u32 },
}

/// The image the offscreen surface renders into.
#[derive(Resource, Clone)]
struct OffscreenTarget(Handle<Image>);

/// For measurements and tests: leave after this many wall-clock seconds,
/// print frame statistics as JSON, optionally capture the picture first.
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

// A Bevy system: each argument is a resource it reads.
#[allow(clippy::too_many_arguments)]
fn auto_exit(
    mut commands: Commands,
    time: Res<Time<Real>>,
    engine: Res<crate::sim::Engine>,
    auto: Option<ResMut<AutoExit>>,
    offscreen: Option<Res<OffscreenTarget>>,
    adapter: Option<Res<RenderAdapterInfo>>,
    shown: Option<Res<super::live::Shown>>,
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
        let capture = match &offscreen {
            Some(target) => Screenshot::image(target.0.clone()),
            None => Screenshot::primary_window(),
        };
        commands.spawn(capture).observe(save_to_disk(path));
    }
    // With a capture pending, wait (up to 30 frames) until it is written.
    let pending =
        auto.shot.as_ref().is_some_and(|p| !p.exists()) && auto.frames < 30 + frames_at(&auto, t);
    if t >= auto.after_s && !pending {
        // The adapter says which GPU (or software renderer) drew the frames.
        let adapter = adapter.map_or(String::new(), |a| format!("{} ({:?})", a.name, a.backend));
        let mut stats = serde_json::json!({
            "frames": auto.frames,
            "wall_s": (t * 1000.0).round() / 1000.0,
            "fps": (auto.frames as f64 / t * 100.0).round() / 100.0,
            "sim_time_s": (engine.now * 10.0).round() / 10.0,
            "events": engine.events,
            "adapter": adapter,
            "offscreen": offscreen.is_some(),
        });
        if let Some(shown) = shown {
            stats["live"] = live_stats(&shown);
        }
        println!("{stats}");
        exit.write(AppExit::Success);
    }
}

/// What the live view showed last: the picture's plant time, the parts
/// drawn, each station's colour, the feed's counts and the forecasts.
fn live_stats(shown: &super::live::Shown) -> serde_json::Value {
    let p = &shown.picture;
    serde_json::json!({
        "pictures": shown.drawn,
        "plant_time_s": p.state.as_ref().map(|s| s.t),
        "parts_shown": shown.parts,
        "not_placed": shown.not_placed.len(),
        "good_today": p.so_far,
        "events": p.events,
        "lost": p.lost,
        "states": shown.states.iter().map(|(id, s)| (id.clone(), s.name())).collect::<std::collections::BTreeMap<_, _>>(),
        "reported": p.reported,
        "forecasts": p.forecasts.len(),
        "fan_points": p.fan.len(),
        "problem": shown.problem,
    })
}

/// Opens the window (or the offscreen surface) and runs until it is closed;
/// `path` is watched for changes. With `live`, the floor shows the watched
/// plant's picture instead of running the scene.
pub fn view(
    path: &Path,
    scene: &Scene,
    speed: f64,
    physics: bool,
    auto: Option<AutoExit>,
    surface: Surface,
    live: Option<super::live::LiveTap>,
) -> Result<(), Diagnostic> {
    let mut app = App::new();
    match surface {
        Surface::Window => {
            app.add_plugins(DefaultPlugins.set(WindowPlugin {
                primary_window: Some(Window {
                    title: format!("factory-twin — {}", scene.name),
                    ..default()
                }),
                ..default()
            }));
        }
        Surface::Offscreen { width, height } => {
            app.add_plugins(super::windowless_plugins())
                .set_runner(offscreen_runner);
            let image = super::render_target_image(width, height);
            let handle = app.world_mut().resource_mut::<Assets<Image>>().add(image);
            app.insert_resource(OffscreenTarget(handle));
        }
    }
    insert_scene(&mut app, scene)?;
    app.insert_resource(SimClock {
        target: 0.0,
        max_events_per_update: EVENTS_PER_FRAME,
        last_events: 0,
    })
    .insert_resource(Playback {
        speed: speed.clamp(1.0, 10_000.0),
        paused: live.is_some(),
        live: live.is_some(),
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
            drive_clock.before(crate::sim::SimulationSystems::Advance),
        ),
    )
    .add_systems(EguiPrimaryContextPass, camera_yields_to_panels)
    .add_systems(Last, auto_exit);
    if let Some(auto) = auto {
        app.insert_resource(auto);
    }
    if let Some(live) = live {
        app.insert_resource(live)
            .add_plugins(super::live::LivePlugin);
    }
    app.world_mut()
        .resource_mut::<super::physics::PhysicsPreview>()
        .on = physics;
    app.run();
    Ok(())
}

/// Without winit nothing drives the frames: update, wait until the GPU has
/// finished the frame (so a frame counted is a frame drawn), and again.
fn offscreen_runner(mut app: App) -> AppExit {
    while app.plugins_state() == bevy::app::PluginsState::Adding {
        bevy::tasks::tick_global_task_pools_on_main_thread();
    }
    if app.plugins_state() != bevy::app::PluginsState::Cleaned {
        app.finish();
        app.cleanup();
    }
    loop {
        app.update();
        if let Err(d) = super::wait_for_gpu(app.world()) {
            eprint!("{d}");
            return AppExit::error();
        }
        if let Some(exit) = app.should_exit() {
            return exit;
        }
    }
}

fn spawn_camera(
    mut commands: Commands,
    layout: Res<SceneLayout>,
    offscreen: Option<Res<OffscreenTarget>>,
) {
    let (focus, distance) = camera::framing(&layout);
    let mut camera = commands.spawn((
        Camera3d::default(),
        IsDefaultUiCamera,
        camera::overview(&layout),
    ));
    match offscreen {
        // No pointer to orbit with.
        Some(target) => camera.insert(RenderTarget::from(target.0.clone())),
        None => camera.insert(PanOrbitCamera {
            focus,
            radius: Some(distance),
            ..default()
        }),
    };
}

/// Moves the simulation's target time with the wall clock × speed. Real time,
/// not Bevy's virtual time, which clamps a slow frame to 250 ms: on a software
/// renderer the run would fall behind the speed asked for without the lag
/// showing.
fn drive_clock(time: Res<Time<Real>>, playback: Res<Playback>, mut clock: ResMut<SimClock>) {
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
