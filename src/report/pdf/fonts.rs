//! Fonts for the PDF. None is bundled: the report uses the system's fonts,
//! the Latin one first and a Korean one for the characters it lacks, and is
//! refused with a clear message when a character it prints has no font.
//! Each face is subset into the PDF (only the glyphs used).

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable naming a font file to try first (regular).
pub const FONT_ENV: &str = "FACTORY_TWIN_FONT";
/// The environment variable naming a bold font file to try first.
pub const BOLD_FONT_ENV: &str = "FACTORY_TWIN_FONT_BOLD";

/// Regular faces looked for, in order, with the face index in a collection:
/// Latin sans-serif on Linux, macOS and Windows, then Korean ones.
const REGULAR: &[(&str, u32)] = &[
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", 0),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        0,
    ),
    ("/System/Library/Fonts/Supplemental/Arial.ttf", 0),
    ("C:\\Windows\\Fonts\\arial.ttf", 0),
    ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 1),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        1,
    ),
    ("/System/Library/Fonts/AppleSDGothicNeo.ttc", 0),
    ("C:\\Windows\\Fonts\\malgun.ttf", 0),
];

/// Bold faces looked for, in the same order.
const BOLD: &[(&str, u32)] = &[
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
    ("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf", 0),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        0,
    ),
    ("/System/Library/Fonts/Supplemental/Arial Bold.ttf", 0),
    ("C:\\Windows\\Fonts\\arialbd.ttf", 0),
    ("/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 1),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc", 1),
    ("C:\\Windows\\Fonts\\malgunbd.ttf", 0),
];

/// One font face with the glyphs looked up so far.
struct Face {
    font: Font,
    data: Arc<Vec<u8>>,
    index: u32,
    units_per_em: f32,
    /// Glyph id and advance (in em) of each character asked for.
    glyphs: HashMap<char, Option<(u32, f32)>>,
}

impl Face {
    fn load(path: &Path, index: u32) -> Option<Face> {
        let data = Arc::new(std::fs::read(path).ok()?);
        let units_per_em = {
            let font = FontRef::from_index(&data, index).ok()?;
            f32::from(
                font.metrics(Size::unscaled(), LocationRef::default())
                    .units_per_em,
            )
        };
        let font = Font::new(data.clone().into(), index)?;
        Some(Face {
            font,
            data,
            index,
            units_per_em,
            glyphs: HashMap::new(),
        })
    }

    /// The glyph and advance of `c`, if the face has it.
    fn glyph(&mut self, c: char) -> Option<(u32, f32)> {
        if let Some(g) = self.glyphs.get(&c) {
            return *g;
        }
        let found = FontRef::from_index(&self.data, self.index)
            .ok()
            .and_then(|font| {
                let id = font.charmap().map(c).filter(|g| g.to_u32() != 0)?;
                let advance = font
                    .glyph_metrics(Size::unscaled(), LocationRef::default())
                    .advance_width(id)
                    .unwrap_or(0.0);
                Some((id.to_u32(), advance / self.units_per_em))
            });
        self.glyphs.insert(c, found);
        found
    }
}

/// A run of text set in one face: what krilla draws in one call.
pub(crate) struct Segment {
    pub font: Font,
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
    /// Width in em.
    pub width: f32,
}

/// The faces a report is set in.
pub(crate) struct Fonts {
    regular: Vec<Face>,
    bold: Vec<Face>,
}

/// A character is printed as a space (no glyph needed).
fn blank(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

impl Fonts {
    /// Finds faces covering every character of `regular_text` and, where it
    /// can, a bold face for `bold_text` (else bold text is set regular).
    pub(crate) fn covering(regular_text: &str, bold_text: &str) -> Result<Fonts, String> {
        let needed: BTreeSet<char> = regular_text
            .chars()
            .chain(bold_text.chars())
            .chain("0123456789 ".chars())
            .filter(|c| !blank(*c))
            .collect();
        let (regular, missing) = pick(&needed, FONT_ENV, REGULAR)?;
        if !missing.is_empty() {
            let shown: String = missing.iter().take(12).collect();
            return Err(format!(
                "the PDF needs a font with the characters \"{shown}\"{} and none of the fonts \
                 looked for has them; install one (Debian and Ubuntu: the package fonts-nanum \
                 for Korean, fonts-dejavu-core for Latin) or name a TrueType or OpenType file in \
                 {FONT_ENV}. The HTML report (--report FILE.html) needs no font",
                if missing.len() > 12 {
                    format!(" (and {} more)", missing.len() - 12)
                } else {
                    String::new()
                }
            ));
        }
        let bold_needed: BTreeSet<char> = bold_text.chars().filter(|c| !blank(*c)).collect();
        let (bold, _) = pick(&bold_needed, BOLD_FONT_ENV, BOLD)?;
        Ok(Fonts { regular, bold })
    }

    /// The faces to try for a style, in order.
    fn faces(&mut self, bold: bool) -> impl Iterator<Item = &mut Face> {
        let bold_faces = if bold { &mut self.bold[..] } else { &mut [] };
        bold_faces.iter_mut().chain(self.regular.iter_mut())
    }

    /// The face (its position in `faces(bold)`), glyph and advance of `c`.
    fn lookup(&mut self, c: char, bold: bool) -> Option<(usize, u32, f32)> {
        let c = if blank(c) { ' ' } else { c };
        self.faces(bold)
            .enumerate()
            .find_map(|(i, f)| f.glyph(c).map(|(g, a)| (i, g, a)))
    }

    /// Width of `text` in em.
    pub(crate) fn width(&mut self, text: &str, bold: bool) -> f32 {
        text.chars()
            .map(|c| self.lookup(c, bold).map_or(0.5, |(_, _, a)| a))
            .sum()
    }

    /// `text` cut into runs of one face each, glyphs placed.
    pub(crate) fn segments(&mut self, text: &str, bold: bool) -> Vec<Segment> {
        let mut out: Vec<(usize, Segment)> = Vec::new();
        for c in text.chars() {
            let Some((face, id, advance)) = self.lookup(c, bold) else {
                continue;
            };
            if out.last().is_none_or(|(f, _)| *f != face) {
                let font = self
                    .faces(bold)
                    .nth(face)
                    .expect("found above")
                    .font
                    .clone();
                out.push((
                    face,
                    Segment {
                        font,
                        text: String::new(),
                        glyphs: Vec::new(),
                        width: 0.0,
                    },
                ));
            }
            let (_, seg) = out.last_mut().expect("pushed above");
            let start = seg.text.len();
            seg.text.push(c);
            seg.glyphs.push(KrillaGlyph {
                glyph_id: GlyphId::new(id),
                text_range: start..seg.text.len(),
                x_advance: advance,
                x_offset: 0.0,
                y_offset: 0.0,
                y_advance: 0.0,
                location: None,
            });
            seg.width += advance;
        }
        out.into_iter().map(|(_, s)| s).collect()
    }
}

/// Loads candidate faces in order, each one that adds a needed character,
/// until all are covered; returns the faces and what is still missing.
/// A file named in `env` that is not a font is refused, not passed over.
fn pick(
    needed: &BTreeSet<char>,
    env: &str,
    candidates: &[(&str, u32)],
) -> Result<(Vec<Face>, Vec<char>), String> {
    let from_env = std::env::var_os(env).map(PathBuf::from);
    if let Some(path) = &from_env
        && Face::load(path, 0).is_none()
    {
        return Err(format!(
            "{env}={} cannot be read as a TrueType or OpenType font",
            path.display()
        ));
    }
    let all = from_env
        .map(|p| (p, 0))
        .into_iter()
        .chain(candidates.iter().map(|(p, i)| (PathBuf::from(p), *i)));
    let mut missing: Vec<char> = needed.iter().copied().collect();
    let mut faces = Vec::new();
    for (path, index) in all {
        if missing.is_empty() {
            break;
        }
        let Some(mut face) = Face::load(&path, index) else {
            continue;
        };
        let before = missing.len();
        missing.retain(|c| face.glyph(*c).is_none());
        if missing.len() < before {
            faces.push(face);
        }
    }
    Ok((faces, missing))
}
