//! Reading scene files: RON parsing with positioned errors, variants resolved
//! against their base, then semantic validation.

use super::{Scene, SceneFile, apply_changes, validate};
use crate::error::{Diagnostic, did_you_mean};
use ron::extensions::Extensions;
use std::path::{Path, PathBuf};

fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::UNWRAP_VARIANT_NEWTYPES | Extensions::IMPLICIT_SOME)
}

/// Loads and validates a scene or variant file.
pub fn load_scene(path: &Path) -> Result<Scene, Diagnostic> {
    load_with_chain(path, &mut Vec::new(), &mut Vec::new())
}

/// As [`load_scene`], with every file read: the scene or variant, the
/// bases of a variant, the order files (for a report's inputs).
pub fn load_scene_with_inputs(path: &Path) -> Result<(Scene, Vec<PathBuf>), Diagnostic> {
    let mut files = Vec::new();
    let scene = load_with_chain(path, &mut Vec::new(), &mut files)?;
    Ok((scene, files))
}

fn load_with_chain(
    path: &Path,
    chain: &mut Vec<PathBuf>,
    files: &mut Vec<PathBuf>,
) -> Result<Scene, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let what = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => e.to_string(),
        };
        Diagnostic::new(format!("cannot read the scene file: {what}")).in_file(path)
    })?;
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if chain.contains(&canonical) {
        return Err(Diagnostic::new("variant files refer to each other in a loop").in_file(path));
    }
    chain.push(canonical);
    files.push(path.to_path_buf());
    let file = parse_file(&text).map_err(|d| d.in_file(path))?;
    let scene = match file {
        SceneFile::Scene(scene) => *scene,
        SceneFile::Variant(variant) => {
            let base_path = path.parent().unwrap_or(Path::new(".")).join(&variant.base);
            let base = load_with_chain(&base_path, chain, files).map_err(|d| {
                if d.file.as_deref() == Some(base_path.as_path())
                    && d.message.starts_with("cannot read")
                {
                    Diagnostic::new(format!(
                        "the base scene \"{}\" of this variant cannot be read",
                        variant.base
                    ))
                    .in_file(path)
                    .with_help(format!(
                        "`base` is relative to the variant's folder: {}",
                        base_path.display()
                    ))
                } else {
                    d
                }
            })?;
            apply_changes(base, &variant).map_err(|d| d.locate_object(&text).in_file(path))?
        }
    };
    // Order files are relative to the file that names them (a variant's
    // own sources after its base's, which its loading read already).
    let mut scene = scene;
    let orders =
        super::orders::read_order_files(&mut scene, path.parent().unwrap_or(Path::new(".")))
            .map_err(|d| if d.file.is_none() { d.in_file(path) } else { d })?;
    files.extend(orders);
    validate(&scene).map_err(|d| d.locate_object(&text).in_file(path))?;
    Ok(scene)
}

/// Parses and validates scene text (a full scene; variants need a file to resolve their base).
pub fn parse_scene_str(text: &str) -> Result<Scene, Diagnostic> {
    match parse_file(text)? {
        SceneFile::Scene(scene) => {
            validate(&scene).map_err(|d| d.locate_object(text))?;
            Ok(*scene)
        }
        SceneFile::Variant(_) => Err(Diagnostic::new(
            "a Variant needs to be loaded from a file so its base can be found",
        )),
    }
}

/// Reads a Variant file as a list of changes (its base is not loaded):
/// what `optimize --choose` applies to the scene when the choice is taken.
pub fn load_variant(path: &Path) -> Result<super::Variant, Diagnostic> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::new(format!("cannot read the variant file: {e}")).in_file(path))?;
    match parse_file(&text).map_err(|d| d.in_file(path))? {
        SceneFile::Variant(v) => Ok(v),
        SceneFile::Scene(_) => Err(Diagnostic::new(
            "this is a Scene, not a Variant: a choice applies a Variant's changes",
        )
        .in_file(path)
        .with_help("write the change as Variant(base: ..., name: ..., changes: [...])")),
    }
}

fn parse_file(text: &str) -> Result<SceneFile, Diagnostic> {
    if text.trim().is_empty() || strip_comments(text).trim().is_empty() {
        return Err(Diagnostic::new("the scene file is empty")
            .with_help("a scene starts with `Scene(name: ..., run: ..., products: ..., objects: ..., flow: ...)`; see docs/scene-format.md"));
    }
    ron_options()
        .from_str::<SceneFile>(text)
        .map_err(|e| ron_error(text, e))
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ron_error(text: &str, e: ron::error::SpannedError) -> Diagnostic {
    use ron::Error as E;
    let (line, col) = (e.span.start.line, e.span.start.col);
    let (message, help) = match &e.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            let in_what = outer
                .as_deref()
                .map(|o| format!(" in {o}"))
                .unwrap_or_default();
            let help = suggest(found, expected, "known fields");
            (format!("unknown field `{found}`{in_what}"), Some(help))
        }
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let in_what = outer
                .as_deref()
                .map(|o| format!(" for {o}"))
                .unwrap_or_default();
            if outer.as_deref() == Some("SceneFile") {
                (
                    format!(
                        "the file holds `{found}(...)`, but a scene file must be `Scene(...)` or `Variant(...)`"
                    ),
                    None,
                )
            } else {
                let help = suggest(found, expected, "expected one of");
                (format!("unknown variant `{found}`{in_what}"), Some(help))
            }
        }
        E::MissingStructField { field, outer } => {
            let in_what = outer
                .as_deref()
                .map(|o| format!(" in {o}"))
                .unwrap_or_default();
            (format!("missing field `{field}`{in_what}"), None)
        }
        E::ExpectedNamedStructLike(_) | E::ExpectedStructLike | E::ExpectedIdentifier
            if line <= first_code_line(text) =>
        {
            (
                format!("expected a scene file: {}", e.code),
                Some("a scene file must be `Scene(...)` or `Variant(...)`".to_string()),
            )
        }
        other => (format!("syntax error: {other}"), None),
    };
    let mut d = Diagnostic::new(message).at(text, line, col);
    d.help = help;
    d
}

/// "did you mean `x`?" for a likely typo, else the list of what is known.
fn suggest(found: &str, expected: &[&str], list_label: &str) -> String {
    match did_you_mean(found, expected.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("{list_label}: {}", expected.join(", ")),
    }
}

fn first_code_line(text: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with("//")
        })
        .map_or(1, |i| i + 1)
}
