//! The scene behind the window: the file it came from, edits made in the
//! inspector, hot reload when the file is saved (a bad file shows its error
//! and the last good scene stays), and restarting the engine with the result.

use super::SceneLayout;
use crate::scene::{Change, Scene, Value, Variant, load_scene, set_param, validate};
use crate::sim::SimClock;
use bevy::prelude::*;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One parameter changed in the inspector.
#[derive(Clone, Debug)]
pub struct Edit {
    pub path: String,
    pub value: Value,
}

/// Where the running scene comes from and what was changed.
#[derive(Resource)]
pub struct SceneSource {
    pub path: Option<PathBuf>,
    /// The scene as last loaded without error.
    pub base: Option<Scene>,
    /// What runs: the base with the edits.
    pub current: Scene,
    pub edits: Vec<Edit>,
    pub error: Option<String>,
    pub message: Option<String>,
    /// Rebuild the engine from `current` at the next frame.
    pub restart: bool,
    started_edit: bool,
    modified: Option<SystemTime>,
    checked: f64,
}

impl SceneSource {
    pub fn new(path: Option<PathBuf>, scene: Scene) -> Self {
        let modified = path.as_deref().and_then(modified);
        Self {
            path,
            base: Some(scene.clone()),
            current: scene,
            edits: Vec::new(),
            error: None,
            message: None,
            restart: false,
            started_edit: false,
            modified,
            checked: 0.0,
        }
    }

    /// The base with every edit applied and validated.
    pub fn edited(&self) -> Result<Scene, String> {
        let mut s = self.base.clone().ok_or("no scene loaded")?;
        for e in &self.edits {
            set_param(&mut s, &e.path, &e.value).map_err(|d| d.to_string())?;
        }
        validate(&s).map_err(|d| d.to_string())?;
        Ok(s)
    }

    /// Adds edits (a later value for the same parameter replaces the earlier)
    /// and restarts with them, or keeps the scene and says why not.
    pub fn apply_edits(&mut self, new: Vec<Edit>) {
        let before = self.edits.clone();
        for e in new {
            self.edits.retain(|x| x.path != e.path);
            self.edits.push(e);
        }
        match self.edited() {
            Ok(s) => {
                self.current = s;
                self.restart = true;
                self.started_edit = true;
                self.message = None;
            }
            Err(m) => {
                self.edits = before;
                self.error = Some(m);
            }
        }
    }

    /// Whether an edit was applied since the last call.
    pub fn take_started_edit(&mut self) -> bool {
        std::mem::take(&mut self.started_edit)
    }

    /// Writes the edits as a variant of the scene file, next to it.
    pub fn save_variant(&self) -> Result<PathBuf, String> {
        let path = self.path.as_deref().ok_or("the scene has no file")?;
        let stem = path
            .file_stem()
            .map_or("scene".into(), |s| s.to_string_lossy().to_string());
        let out = path.with_file_name(format!("{stem}_edited.ron"));
        let variant = Variant {
            base: path
                .file_name()
                .map_or(String::new(), |f| f.to_string_lossy().to_string()),
            name: format!(
                "{} (edited)",
                self.base.as_ref().map_or("scene", |b| b.name.as_str())
            ),
            changes: self
                .edits
                .iter()
                .map(|e| Change::Set(e.path.clone(), e.value.clone()))
                .collect(),
            investment: None,
        };
        let body = ron::ser::to_string_pretty(&variant, ron::ser::PrettyConfig::default())
            .map_err(|e| e.to_string())?;
        let text = format!(
            "// Edited in `factory-twin view`: the changes made in the inspector.\n// Compare: factory-twin compare {} {}\nVariant{body}\n",
            path.display(),
            out.display()
        );
        std::fs::write(&out, text).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        Ok(out)
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

pub struct ReloadPlugin;

impl Plugin for ReloadPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            Update,
            (watch_file, restart)
                .chain()
                .before(crate::sim::SimulationSystems::Advance)
                .before(super::floor::build_floor),
        );
    }
}

/// Reloads the scene when its file changes (checked twice a second).
fn watch_file(time: Res<Time<Real>>, mut source: ResMut<SceneSource>) {
    let now = time.elapsed_secs_f64();
    if now - source.checked < 0.5 {
        return;
    }
    source.checked = now;
    let Some(path) = source.path.clone() else {
        return;
    };
    let m = modified(&path);
    if m.is_none() || m == source.modified {
        return;
    }
    source.modified = m;
    match load_scene(&path) {
        Ok(scene) => {
            source.base = Some(scene);
            match source.edited() {
                Ok(s) => source.current = s,
                Err(e) => {
                    source.edits.clear();
                    source.current = source.base.clone().expect("just set");
                    source.message = Some(format!("edits dropped: {e}"));
                }
            }
            source.error = None;
            source.restart = true;
        }
        Err(d) => source.error = Some(d.to_string()),
    }
}

/// Rebuilds the engine from the current scene; the new run then catches up
/// to the clock's target (where the view was, or where a jump sends it).
fn restart(mut commands: Commands, mut source: ResMut<SceneSource>, mut clock: ResMut<SimClock>) {
    if !std::mem::take(&mut source.restart) {
        return;
    }
    match crate::sim::build(&source.current, 0) {
        Ok(engine) => {
            // The new run catches up to where the clock is (or was sent).
            clock.target = clock.target.min(engine.end_time());
            commands.insert_resource(engine);
            commands.insert_resource(SceneLayout(source.current.clone()));
        }
        Err(d) => source.error = Some(d.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str) -> (SceneSource, PathBuf) {
        let dir = std::env::temp_dir().join(format!("ft-reload-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("line.ron");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(root.join("scenes/bracket_line.ron"), &path).unwrap();
        let scene = load_scene(&path).unwrap();
        (SceneSource::new(Some(path.clone()), scene), dir)
    }

    #[test]
    fn edits_apply_restart_and_a_bad_one_is_refused() {
        let (mut s, dir) = source("edits");
        s.apply_edits(vec![Edit {
            path: "b1.capacity".into(),
            value: Value::Number(12.0),
        }]);
        assert!(s.restart && s.take_started_edit() && s.error.is_none());
        let b1 = |scene: &Scene| match scene.objects.iter().find(|o| o.id() == "b1") {
            Some(crate::scene::Object::Buffer(b)) => b.capacity,
            _ => panic!("b1 is a buffer"),
        };
        assert_eq!(b1(&s.current), 12);
        // Zero capacity is refused by validation: the scene and the edits stay.
        s.apply_edits(vec![Edit {
            path: "b1.capacity".into(),
            value: Value::Number(0.0),
        }]);
        assert!(s.error.is_some());
        assert_eq!(s.edits.len(), 1);
        assert_eq!(b1(&s.current), 12);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_saved_variant_loads_into_the_edited_scene() {
        let (mut s, dir) = source("save");
        s.apply_edits(vec![
            Edit {
                path: "weld.capacity".into(),
                value: Value::Number(3.0),
            },
            Edit {
                path: "welders.count".into(),
                value: Value::Number(3.0),
            },
        ]);
        let file = s.save_variant().unwrap();
        assert_eq!(file, dir.join("line_edited.ron"));
        let mut loaded = load_scene(&file).unwrap_or_else(|d| {
            panic!(
                "{d}\n{}",
                std::fs::read_to_string(&file).unwrap_or_default()
            )
        });
        assert_eq!(loaded.name, "Bracket line (manual welding) (edited)");
        loaded.name = s.current.name.clone();
        assert_eq!(loaded, s.current);
        std::fs::remove_dir_all(dir).ok();
    }
}
