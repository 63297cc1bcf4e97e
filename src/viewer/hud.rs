//! On-screen overlays: an id label above every object, the state legend
//! (the colours of the report's charts) and the simulated clock.

use super::floor::{Model, hex};
use crate::sim::STATES;
use crate::sim::{Engine, SimClock};
use bevy::prelude::*;

pub struct HudPlugin;

impl Plugin for HudPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, spawn_overlays)
            .add_systems(
                Update,
                spawn_labels
                    .after(super::floor::build_floor)
                    .run_if(resource_changed::<super::SceneLayout>),
            )
            .add_systems(
                Update,
                (follow_labels, update_clock).after(crate::sim::SimulationSystems::Advance),
            );
    }
}

/// A label that follows a model on screen.
#[derive(Component)]
pub struct Label {
    pub model: Entity,
    pub height: f32,
}

/// The clock text.
#[derive(Component)]
pub struct Clock;

/// Speed and pause, shown by the clock (set by the window's controls).
#[derive(Resource, Debug, Clone)]
pub struct Playback {
    pub speed: f64,
    pub paused: bool,
    /// The floor shows a watched plant (`view --live`), not a run.
    pub live: bool,
}

impl Default for Playback {
    fn default() -> Self {
        Self {
            speed: 60.0,
            paused: false,
            live: false,
        }
    }
}

/// One label per model; the old ones go when the scene is rebuilt.
fn spawn_labels(
    mut commands: Commands,
    engine: Res<Engine>,
    models: Query<(Entity, &Model)>,
    old: Query<Entity, With<Label>>,
) {
    for e in &old {
        commands.entity(e).despawn();
    }
    for (entity, model) in &models {
        let id = engine.nodes[model.node as usize].id.clone();
        commands.spawn((
            Label {
                model: entity,
                height: 2.0,
            },
            Text::new(id),
            TextFont::from_font_size(13.0),
            TextColor(Color::srgb(0.08, 0.09, 0.1)),
            Node {
                position_type: PositionType::Absolute,
                padding: UiRect::axes(px(4), px(1)),
                ..default()
            },
            BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.75)),
            TextLayout::default().with_no_wrap(),
        ));
    }
}

fn spawn_overlays(mut commands: Commands) {
    commands.spawn((
        Clock,
        Text::new(""),
        TextFont::from_font_size(17.0),
        TextColor(Color::WHITE),
        Node {
            position_type: PositionType::Absolute,
            top: px(10),
            left: px(10),
            padding: UiRect::all(px(8)),
            ..default()
        },
        BackgroundColor(Color::srgba(0.05, 0.06, 0.08, 0.78)),
    ));
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                bottom: px(10),
                left: px(10),
                padding: UiRect::all(px(8)),
                column_gap: px(12),
                flex_direction: FlexDirection::Row,
                flex_wrap: FlexWrap::Wrap,
                ..default()
            },
            BackgroundColor(Color::srgba(0.05, 0.06, 0.08, 0.78)),
        ))
        .with_children(|legend| {
            for info in &STATES {
                let (name, colour) = (info.label, info.colour);
                legend
                    .spawn(Node {
                        column_gap: px(5),
                        align_items: AlignItems::Center,
                        ..default()
                    })
                    .with_children(|item| {
                        item.spawn((
                            Node {
                                width: px(14),
                                height: px(14),
                                ..default()
                            },
                            BackgroundColor(hex(colour)),
                        ));
                        item.spawn((
                            Text::new(name),
                            TextFont::from_font_size(13.0),
                            TextColor(Color::WHITE),
                        ));
                    });
            }
        });
}

/// Above this many objects, only labels near the camera are shown (a big
/// plant would otherwise be a wall of text).
const ALL_LABELS_UP_TO: usize = 60;
/// How near (metres) a label's object must be to show on a big plant.
const LABEL_DISTANCE: f32 = 22.0;

fn follow_labels(
    cameras: Query<(&Camera, &GlobalTransform), With<Camera3d>>,
    models: Query<&GlobalTransform, With<Model>>,
    mut labels: Query<(&Label, &mut Node, &ComputedNode, &mut Visibility)>,
) {
    let Some((camera, camera_transform)) = cameras.iter().next() else {
        return;
    };
    let crowded = labels.iter().len() > ALL_LABELS_UP_TO;
    let eye = camera_transform.translation();
    for (label, mut node, computed, mut visibility) in &mut labels {
        let Ok(model) = models.get(label.model) else {
            continue;
        };
        let anchor = model.translation() + Vec3::Y * label.height;
        if crowded && anchor.distance(eye) > LABEL_DISTANCE {
            *visibility = Visibility::Hidden;
            continue;
        }
        match camera.world_to_viewport(camera_transform, anchor) {
            Ok(p) => {
                let size = computed.size() * computed.inverse_scale_factor();
                node.left = px(p.x - size.x / 2.0);
                node.top = px(p.y - size.y);
                *visibility = Visibility::Inherited;
            }
            Err(_) => *visibility = Visibility::Hidden,
        }
    }
}

/// "Tue 10:32" for a time in seconds from Monday 00:00.
pub fn weekday_time(t: f64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let t = t.max(0.0);
    let day = (t / 86_400.0) as u64;
    let s = t as u64 % 86_400;
    format!(
        "{} {:02}:{:02}",
        DAYS[(day % 7) as usize],
        s / 3600,
        s % 3600 / 60
    )
}

fn update_clock(
    engine: Res<Engine>,
    clock: Res<SimClock>,
    playback: Option<Res<Playback>>,
    mut text: Query<&mut Text, With<Clock>>,
) {
    let Ok(mut text) = text.single_mut() else {
        return;
    };
    let now = engine.now;
    let end = engine.end_time();
    let phase = if now < engine.window.warmup {
        "warm-up"
    } else {
        "measuring"
    };
    let shifts: Vec<String> = engine
        .shifts
        .iter()
        .map(|s| {
            format!(
                "{} shift {}",
                s.id,
                if s.calendar.is_on(now) { "on" } else { "off" }
            )
        })
        .collect();
    let progress = if playback.as_ref().is_some_and(|p| p.live) {
        // The plant's run has no horizon; the engine's is a second long.
        "the plant's time".to_string()
    } else {
        format!("{:.1} h of {:.0} h ({phase})", now / 3600.0, end / 3600.0)
    };
    let mut line = format!(
        "{}  (day {})  |  {}\n{progress}  |  {} parts in process",
        weekday_time(now),
        (now / 86_400.0) as u64 + 1,
        if shifts.is_empty() {
            "no shifts".to_string()
        } else {
            shifts.join(", ")
        },
        engine.line.wip
    );
    if let Some(p) = playback {
        let lag = if clock.target > now + 1.0 {
            // Its own line: it would run under the playback panel. (The
            // HUD's monospace font has no middle dot.)
            format!(
                "\nbehind by {:.0} s (events capped per frame)",
                clock.target - now
            )
        } else {
            String::new()
        };
        if p.live {
            line.push_str("\nlive: the plant at its last event");
        } else {
            line.push_str(&format!(
                "\n{}  |  {} events last frame{lag}",
                if p.paused {
                    "paused".to_string()
                } else {
                    format!("speed {:.0}x", p.speed)
                },
                clock.last_events
            ));
        }
    }
    if text.0 != line {
        text.0 = line;
    }
}
