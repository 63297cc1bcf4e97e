//! `--screenshot PATH`: run the scene to a simulated time, render one frame
//! offscreen (no window, no display needed: any Vulkan, GL or Metal adapter,
//! including Mesa's software lavapipe) and write it as PNG.

use super::floor::StateLamp;
use super::{SceneLayout, ViewerPlugin, camera, insert_scene};
use crate::error::Diagnostic;
use crate::scene::Scene;
use crate::sim::SimClock;
use crate::sim::{Engine, NodeKind};
use bevy::app::SubApps;
use bevy::camera::RenderTarget;
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use std::path::Path;

/// What to render.
#[derive(Clone, Debug)]
pub struct Shot {
    /// Simulated time of the frame, seconds from Monday 00:00.
    pub at: f64,
    pub width: u32,
    pub height: u32,
    /// Straight down instead of the oblique overview.
    pub top_view: bool,
    /// With the physics preview on (belt parts as rigid bodies).
    pub physics: bool,
}

/// What a rendered frame shows where (what tests check).
#[derive(Clone, Debug, Default)]
pub struct OnScreen {
    pub stations: Vec<StationOnScreen>,
    /// Layout problem marks: kind, and pixels of nine points along the
    /// mark (those in view).
    pub marks: Vec<(&'static str, Vec<(u32, u32)>)>,
    /// Part bodies of the physics preview in the frame.
    pub bodies: usize,
}

/// Where a station's state colour appears in the picture.
#[derive(Clone, Debug)]
pub struct StationOnScreen {
    pub id: String,
    /// The state shown (as named in the reports).
    pub state: &'static str,
    /// Pixel of the middle of its coloured roof or table, if in view.
    pub pixel: Option<(u32, u32)>,
}

/// Renders `scene` at `shot.at` into a PNG at `path`, and says where each
/// station's state colour and each layout mark is in the picture.
pub fn screenshot(scene: &Scene, path: &Path, shot: &Shot) -> Result<OnScreen, Diagnostic> {
    let mut app = App::new();
    app.add_plugins(super::windowless_plugins().set(RenderPlugin {
        synchronous_pipeline_compilation: true,
        ..default()
    }));
    insert_scene(&mut app, scene)?;
    app.insert_resource(SimClock {
        target: shot.at,
        ..default()
    })
    .add_plugins(ViewerPlugin);
    app.world_mut()
        .resource_mut::<super::physics::PhysicsPreview>()
        .on = shot.physics;
    app.finish();
    app.cleanup();
    let mut apps: SubApps = std::mem::take(app.sub_apps_mut());

    let world = apps.main.world_mut();
    let image = super::render_target_image(shot.width, shot.height);
    let handle = world.resource_mut::<Assets<Image>>().add(image);
    let layout = world.resource::<SceneLayout>().clone();
    let view = if shot.top_view {
        camera::top(&layout)
    } else {
        camera::overview(&layout)
    };
    world.insert_resource(ClearColor(Color::srgb(0.80, 0.84, 0.88)));
    world.spawn((
        Camera3d::default(),
        RenderTarget::from(handle.clone()),
        IsDefaultUiCamera,
        view,
    ));

    let update = |apps: &mut SubApps| -> Result<(), Diagnostic> {
        apps.update();
        super::wait_for_gpu(apps.main.world())
    };
    // A few frames so the simulation, the UI layout and the labels settle.
    for _ in 0..3 {
        update(&mut apps)?;
    }
    let _ = std::fs::remove_file(path);
    apps.main
        .world_mut()
        .spawn(Screenshot::image(handle))
        .observe(save_to_disk(std::path::PathBuf::from(path)));
    for _ in 0..20 {
        update(&mut apps)?;
        if path.exists() {
            return Ok(on_screen(apps.main.world_mut(), shot));
        }
    }
    Err(Diagnostic::new(format!(
        "the frame was rendered but {} was not written",
        path.display()
    )))
}

fn on_screen(world: &mut World, shot: &Shot) -> OnScreen {
    let mut cameras = world.query::<(&Camera, &GlobalTransform)>();
    let Some((camera, eye)) = cameras.iter(world).next().map(|(c, g)| (c.clone(), *g)) else {
        return OnScreen::default();
    };
    let pixel = |p: Vec3| {
        camera
            .world_to_viewport(&eye, p)
            .ok()
            .filter(|p| {
                p.x >= 0.0 && p.y >= 0.0 && p.x < shot.width as f32 && p.y < shot.height as f32
            })
            .map(|p| (p.x as u32, p.y as u32))
    };
    let mut lamps = world.query::<(&StateLamp, &GlobalTransform)>();
    let engine = world.resource::<Engine>();
    let stations = lamps
        .iter(world)
        .filter(|(l, _)| l.primary)
        .filter_map(|(lamp, at)| {
            let NodeKind::Station(s) = &engine.nodes[lamp.node as usize].kind else {
                return None;
            };
            Some(StationOnScreen {
                id: engine.nodes[lamp.node as usize].id.clone(),
                state: s.state().name(),
                pixel: pixel(at.translation()),
            })
        })
        .collect();
    let mut marks = world.query::<&super::overlay::ProblemMark>();
    let marks = marks
        .iter(world)
        .map(|m| {
            let along = (0..9).filter_map(|k| pixel(m.ends[0].lerp(m.ends[1], k as f32 / 8.0)));
            (m.kind, along.collect())
        })
        .collect();
    let bodies = world
        .resource::<super::physics::PhysicsPreview>()
        .preview
        .as_ref()
        .map_or(0, |p| p.parts().len());
    OnScreen {
        stations,
        marks,
        bodies,
    }
}
