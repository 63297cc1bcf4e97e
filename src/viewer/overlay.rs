//! Layout problems on the floor: what `factory-twin check` finds, drawn
//! where it is. Overlapping objects get a red outline round their
//! footprints; a narrow aisle, a pick point out of reach, a conveyor end that
//! misses its station and a walking path through an unfenced robot envelope
//! get a coloured strip between the two points the check measured. The
//! check runs again whenever the scene is (re)loaded; L shows or hides it.

use super::{SceneLayout, world};
use crate::layout::{self, Violation};
use bevy::prelude::*;

pub struct OverlayPlugin;

impl Plugin for OverlayPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<LayoutProblems>().add_systems(
            Update,
            (
                mark_problems.run_if(resource_changed::<SceneLayout>),
                toggle_marks,
            )
                .chain(),
        );
    }
}

/// The last check's findings (the panel lists them) and whether they show.
#[derive(Resource, Debug)]
pub struct LayoutProblems {
    pub violations: Vec<Violation>,
    pub shown: bool,
}

impl Default for LayoutProblems {
    fn default() -> Self {
        Self {
            violations: Vec::new(),
            shown: true,
        }
    }
}

/// A piece of a problem's drawing, with the problem's kind.
#[derive(Component, Debug)]
pub struct ProblemMark {
    pub kind: &'static str,
    /// The ends of the mark on the floor (a disc: the same point twice).
    pub ends: [Vec3; 2],
}

/// Colour per kind of problem (the panel uses the same).
pub fn kind_colour(kind: &str) -> Color {
    match kind {
        "overlap" => Color::srgb(0.86, 0.10, 0.12),
        "aisle" => Color::srgb(1.0, 0.50, 0.0),
        "reach" => Color::srgb(0.80, 0.10, 0.60),
        "conveyor_end" => Color::srgb(0.50, 0.15, 0.80),
        _ => Color::srgb(0.95, 0.05, 0.05), // walking_path
    }
}

const STRIP_WIDTH: f32 = 0.14;
/// Just above the floor grid, so the marks are never hidden by it.
const LIFT: f32 = 0.03;

fn mark_problems(
    mut commands: Commands,
    layout: Res<SceneLayout>,
    old: Query<Entity, With<ProblemMark>>,
    mut problems: ResMut<LayoutProblems>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    for e in &old {
        commands.entity(e).despawn();
    }
    let scene = &layout.0;
    problems.violations = layout::check(scene).violations;
    let visibility = if problems.shown {
        Visibility::Inherited
    } else {
        Visibility::Hidden
    };
    let disc = meshes.add(Cylinder::new(0.2, 0.02));
    for v in &problems.violations {
        let material = materials.add(StandardMaterial {
            base_color: kind_colour(v.kind),
            unlit: true,
            ..default()
        });
        let mut strip = |commands: &mut Commands, a: Vec3, b: Vec3| {
            let len = a.distance(b);
            let mid = (a + b) / 2.0;
            if len < 0.01 {
                return;
            }
            let yaw = (-(b.z - a.z)).atan2(b.x - a.x);
            commands.spawn((
                ProblemMark {
                    kind: v.kind,
                    ends: [a, b],
                },
                Mesh3d(meshes.add(Cuboid::new(len, 0.02, STRIP_WIDTH))),
                MeshMaterial3d(material.clone()),
                Transform::from_translation(mid).with_rotation(Quat::from_rotation_y(yaw)),
                visibility,
            ));
        };
        if v.kind == "overlap" {
            // The overlap is under the models: outline both footprints.
            for id in &v.objects {
                let Some(o) = scene.objects.iter().find(|o| o.id() == id) else {
                    continue;
                };
                let (Some(pos), Some((w, d))) = (
                    o.pos(),
                    o.footprint().or_else(|| layout::default_footprint(o)),
                ) else {
                    continue;
                };
                let rot = Quat::from_rotation_y((o.rot() as f32).to_radians());
                let centre = world(pos, LIFT);
                let (hw, hd) = (w as f32 / 2.0 + 0.1, d as f32 / 2.0 + 0.1);
                let corners = [(-hw, -hd), (hw, -hd), (hw, hd), (-hw, hd)]
                    .map(|(x, z)| centre + rot * Vec3::new(x, 0.0, z));
                for k in 0..4 {
                    strip(&mut commands, corners[k], corners[(k + 1) % 4]);
                }
            }
            continue;
        }
        let [p, q] = v.between;
        let (a, b) = (world((p[0], p[1]), LIFT), world((q[0], q[1]), LIFT));
        strip(&mut commands, a, b);
        for end in [a, b] {
            commands.spawn((
                ProblemMark {
                    kind: v.kind,
                    ends: [end, end],
                },
                Mesh3d(disc.clone()),
                MeshMaterial3d(material.clone()),
                Transform::from_translation(end),
                visibility,
            ));
        }
    }
}

fn toggle_marks(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    mut problems: ResMut<LayoutProblems>,
    mut marks: Query<&mut Visibility, With<ProblemMark>>,
) {
    if keys.is_some_and(|k| k.just_pressed(KeyCode::KeyL)) {
        problems.shown = !problems.shown;
        for mut v in &mut marks {
            *v = if problems.shown {
                Visibility::Inherited
            } else {
                Visibility::Hidden
            };
        }
    }
}
