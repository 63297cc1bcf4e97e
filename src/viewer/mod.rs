//! The 3D digital twin: the factory floor built from the scene, driven by the
//! same [`Engine`](crate::sim::Engine) the headless runs use. The viewer has
//! no simulation logic of its own: it only reads the engine's state.
//!
//! - [`floor`]: the floor, the grid, the lights and one model per object;
//! - [`motion`]: state colours, parts on belts and in buffers, robots, operators;
//! - [`hud`]: id labels, the state legend and the simulated clock;
//! - [`camera`]: the overview and the top view;
//! - [`window`]: `factory-twin view`, the interactive window, with
//!   [`panels`] (egui: playback, live KPIs, inspector) and [`reload`]
//!   (edits, hot reload);
//! - [`live`]: `view --live`, the floor showing a watched plant's state
//!   and the forecast panel;
//! - [`screenshot`]: `--screenshot`, one frame rendered offscreen.

pub(crate) mod camera;
pub(crate) mod floor;
pub(crate) mod hud;
pub(crate) mod live;
pub(crate) mod motion;
pub(crate) mod overlay;
pub(crate) mod panels;
pub(crate) mod physics;
pub(crate) mod reload;
pub mod screenshot;
pub(crate) mod window;

use crate::scene::{Object, Pos, Scene};
use crate::sim::{Engine, SimulationPlugin};
use bevy::prelude::*;

/// The scene the engine was built from (positions, sizes, ids).
#[derive(Resource, Clone)]
pub struct SceneLayout(pub Scene);

/// A floor position (metres, x right, y away from the viewer) in the world.
pub fn world(p: Pos, height: f32) -> Vec3 {
    Vec3::new(p.0 as f32, height, -(p.1 as f32))
}

/// Everything the 3D view needs besides a camera: the engine, the floor and
/// its models, motion and the on-screen overlays.
pub struct ViewerPlugin;

impl Plugin for ViewerPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins((
            SimulationPlugin,
            floor::FloorPlugin,
            motion::MotionPlugin,
            hud::HudPlugin,
            overlay::OverlayPlugin,
            physics::PhysicsPreviewPlugin,
        ));
    }
}

/// The floor's extent: (min x, min y, max x, max y) over every object, in metres.
pub fn bounds(scene: &Scene) -> (f32, f32, f32, f32) {
    let mut b = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    let mut add = |p: Pos| {
        b.0 = b.0.min(p.0 as f32);
        b.1 = b.1.min(p.1 as f32);
        b.2 = b.2.max(p.0 as f32);
        b.3 = b.3.max(p.1 as f32);
    };
    for o in &scene.objects {
        match o {
            Object::Conveyor(c) => {
                add(c.from);
                add(c.to);
            }
            other => {
                if let Some(p) = other.pos() {
                    add(p);
                }
            }
        }
    }
    if b.0 > b.2 { (0.0, 0.0, 1.0, 1.0) } else { b }
}

/// Inserts the engine (built for replication 0) and the layout into `app`.
pub fn insert_scene(app: &mut App, scene: &Scene) -> Result<(), crate::error::Diagnostic> {
    let engine: Engine = crate::sim::build(scene, 0)?;
    app.insert_resource(engine)
        .insert_resource(SceneLayout(scene.clone()));
    Ok(())
}

/// An image a camera can render into (offscreen frames and screenshots).
pub fn render_target_image(width: u32, height: u32) -> Image {
    use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat, TextureUsages};
    let mut image = Image::new_uninit(
        Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        TextureFormat::Rgba8UnormSrgb,
        bevy::asset::RenderAssetUsages::RENDER_WORLD,
    );
    image.texture_descriptor.usage |= TextureUsages::RENDER_ATTACHMENT;
    image
}

/// Bevy's plugins without a window or winit: rendering into images only.
pub fn windowless_plugins() -> bevy::app::PluginGroupBuilder {
    DefaultPlugins
        .set(WindowPlugin {
            primary_window: None,
            exit_condition: bevy::window::ExitCondition::DontExit,
            ..default()
        })
        .disable::<bevy::winit::WinitPlugin>()
}

/// Waits until the GPU has finished the frames submitted so far (an
/// offscreen frame counts, or is read back, only once it is drawn).
pub fn wait_for_gpu(world: &World) -> Result<(), crate::error::Diagnostic> {
    let Some(device) = world.get_resource::<bevy::render::renderer::RenderDevice>() else {
        return Ok(()); // no renderer yet
    };
    device
        .wgpu_device()
        .poll(bevy::render::render_resource::PollType::Wait {
            submission_index: None,
            timeout: None,
        })
        .map(|_| ())
        .map_err(|e| {
            crate::error::Diagnostic::new(format!("the GPU did not finish the frame: {e}"))
        })
}
