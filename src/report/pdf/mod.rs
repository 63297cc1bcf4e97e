//! `--report FILE.pdf`: the HTML report laid out on A4 pages and written as
//! a PDF by a Rust library (krilla), with no browser at run time. The PDF is
//! made from the HTML report's own markup, so both show the same words and
//! figures: the first page that decides, the evidence, the inputs. Text is
//! real text (searchable, copyable), charts are vectors, fonts are the
//! system's, subset into the file.

mod dom;
mod fonts;
mod layout;
mod svg;

pub use fonts::{BOLD_FONT_ENV, FONT_ENV};

use dom::Element;
use fonts::Fonts;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use layout::{BOTTOM, GREY, Item, LEFT, Layout, PAGE_H, PAGE_W};

/// The PDF of an HTML report made by this crate; an error says why it
/// cannot be made (a character no font on the system has).
pub fn from_html(html: &str) -> Result<Vec<u8>, String> {
    let root = dom::parse(html);
    let title = root.find("title").map(Element::text).unwrap_or_default();
    let lang = root
        .find("html")
        .and_then(|h| h.attr("lang"))
        .unwrap_or("en")
        .to_string();
    let body = root.find("body").unwrap_or(&root);
    let all_text = format!("{title} {} 0123456789/", body.text());
    let mut fonts = Fonts::covering(&all_text, &all_text)?;
    let pages = {
        let mut layout = Layout::new(&mut fonts);
        layout.blocks(body);
        layout.pages
    };
    let mut document = Document::new();
    let count = pages.len();
    for (i, items) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid size");
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for item in items {
            draw(&mut surface, &mut fonts, item);
        }
        let footer = format!("{title}  ·  {} / {count}", i + 1);
        draw(
            &mut surface,
            &mut fonts,
            &Item::Text {
                x: LEFT,
                y: BOTTOM + 28.0,
                size: 7.0,
                bold: false,
                colour: GREY,
                text: footer,
            },
        );
        surface.finish();
        page.finish();
    }
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language(lang)
            .creator(format!("factory-twin {}", env!("CARGO_PKG_VERSION"))),
    );
    document
        .finish()
        .map_err(|e| format!("the PDF could not be written: {e:?}"))
}

/// A colour as krilla paints it.
fn paint(c: layout::Rgb) -> krilla::paint::Paint {
    rgb::Color::new(c[0], c[1], c[2]).into()
}

/// A fill of colour `c` at `opacity` (0–1).
fn fill(c: layout::Rgb, opacity: f32) -> Option<Fill> {
    Some(Fill {
        paint: paint(c),
        opacity: NormalizedF32::new(opacity.clamp(0.0, 1.0)).unwrap_or(NormalizedF32::ONE),
        rule: Default::default(),
    })
}

/// Text on one line, its baseline starting at (x, y), each run of
/// characters in the face that has them.
fn line_of_text(
    surface: &mut Surface,
    fonts: &mut Fonts,
    (x, y): (f32, f32),
    size: f32,
    bold: bool,
    colour: layout::Rgb,
    text: &str,
) {
    surface.set_fill(fill(colour, 1.0));
    surface.set_stroke(None);
    let mut x = x;
    for seg in fonts.segments(text, bold) {
        surface.draw_glyphs(
            Point::from_xy(x, y),
            &seg.glyphs,
            seg.font.clone(),
            &seg.text,
            size,
            false,
        );
        x += seg.width * size;
    }
}

fn draw(surface: &mut Surface, fonts: &mut Fonts, item: &Item) {
    match item {
        Item::Text {
            x,
            y,
            size,
            bold,
            colour,
            text,
        } => line_of_text(surface, fonts, (*x, *y), *size, *bold, *colour, text),
        Item::Rect { x, y, w, h, colour } => {
            let mut b = PathBuilder::new();
            if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                b.push_rect(r);
            }
            if let Some(path) = b.finish() {
                surface.set_fill(fill(*colour, 1.0));
                surface.set_stroke(None);
                surface.draw_path(&path);
            }
        }
        Item::Line {
            x1,
            y1,
            x2,
            y2,
            colour,
        } => {
            let mut b = PathBuilder::new();
            b.move_to(*x1, *y1);
            b.line_to(*x2, *y2);
            if let Some(path) = b.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: paint(*colour),
                    width: 0.6,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Item::Svg { x, y, scale, svg } => svg::draw(surface, fonts, svg, *x, *y, *scale),
    }
}
