//! The report's charts drawn into the PDF as vector graphics. The charts
//! are the HTML report's own SVG, so this reads the part of SVG they use:
//! rect, line, polyline, polygon, circle, path (M, L, H, V, Z), and text
//! with its anchor, size, weight and a translate/rotate transform.

use super::dom::{Element, Node};
use super::fonts::Fonts;
use super::layout::{Rgb, length};
use krilla::geom::{Path, PathBuilder, Rect, Transform};
use krilla::paint::{Stroke, StrokeDash};
use krilla::surface::Surface;

/// What an element inherits from its parents.
#[derive(Clone)]
struct Paint {
    fill: Option<Rgb>,
    fill_opacity: f32,
    stroke: Option<Rgb>,
    stroke_width: f32,
    dash: Option<Vec<f32>>,
    font_size: f32,
    bold: bool,
    anchor: String,
}

/// The chart's size, for lengths given in percent.
struct Frame {
    width: f32,
    height: f32,
}

/// Draws `svg` with its top-left corner at (x, y), its pixels scaled.
pub(crate) fn draw(
    surface: &mut Surface,
    fonts: &mut Fonts,
    svg: &Element,
    x: f32,
    y: f32,
    scale: f32,
) {
    let frame = Frame {
        width: length(svg.attr("width")).unwrap_or(600.0),
        height: length(svg.attr("height")).unwrap_or(300.0),
    };
    let root = Paint {
        fill: Some([0, 0, 0]),
        fill_opacity: 1.0,
        stroke: None,
        stroke_width: 1.0,
        dash: None,
        font_size: 16.0,
        bold: false,
        anchor: "start".into(),
    };
    surface.push_transform(&Transform::from_row(scale, 0.0, 0.0, scale, x, y));
    let paint = inherit(svg, &root);
    children(surface, fonts, svg, &paint, &frame);
    surface.pop();
}

fn children(surface: &mut Surface, fonts: &mut Fonts, e: &Element, paint: &Paint, frame: &Frame) {
    for child in e.elements() {
        let p = inherit(child, paint);
        match child.name.as_str() {
            "g" | "svg" => children(surface, fonts, child, &p, frame),
            "rect" => {
                let x = num(child, "x", frame.width);
                let y = num(child, "y", frame.height);
                let w = num(child, "width", frame.width);
                let h = num(child, "height", frame.height);
                if let Some(r) = Rect::from_xywh(x, y, w, h) {
                    let mut b = PathBuilder::new();
                    b.push_rect(r);
                    shape(surface, b.finish(), &p);
                }
            }
            "line" => {
                let mut b = PathBuilder::new();
                b.move_to(
                    num(child, "x1", frame.width),
                    num(child, "y1", frame.height),
                );
                b.line_to(
                    num(child, "x2", frame.width),
                    num(child, "y2", frame.height),
                );
                let p = Paint { fill: None, ..p };
                shape(surface, b.finish(), &p);
            }
            "polyline" | "polygon" => {
                let pts = numbers(child.attr("points").unwrap_or(""));
                let mut b = PathBuilder::new();
                for (i, xy) in pts.chunks_exact(2).enumerate() {
                    if i == 0 {
                        b.move_to(xy[0], xy[1]);
                    } else {
                        b.line_to(xy[0], xy[1]);
                    }
                }
                if child.name == "polygon" {
                    b.close();
                }
                shape(surface, b.finish(), &p);
            }
            "circle" => {
                let (cx, cy) = (
                    num(child, "cx", frame.width),
                    num(child, "cy", frame.height),
                );
                let r = num(child, "r", frame.width);
                shape(surface, circle(cx, cy, r), &p);
            }
            "path" => shape(surface, path(child.attr("d").unwrap_or("")), &p),
            "text" => text(surface, fonts, child, &p),
            _ => {}
        }
    }
}

/// Fills and strokes a path as the paint says.
fn shape(surface: &mut Surface, path: Option<Path>, p: &Paint) {
    let Some(path) = path else {
        return;
    };
    surface.set_fill(p.fill.and_then(|c| super::fill(c, p.fill_opacity)));
    surface.set_stroke(p.stroke.map(|c| {
        Stroke {
            paint: super::paint(c),
            width: p.stroke_width,
            dash: p
                .dash
                .clone()
                .map(|array| StrokeDash { array, offset: 0.0 }),
            ..Stroke::default()
        }
    }));
    surface.draw_path(&path);
    surface.set_stroke(None);
}

fn text(surface: &mut Surface, fonts: &mut Fonts, e: &Element, p: &Paint) {
    let content: String = e
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::Element(_) => None,
        })
        .collect();
    let content = content.trim();
    if content.is_empty() {
        return;
    }
    let width = fonts.width(content, p.bold) * p.font_size;
    let mut x = e.attr("x").and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let y = e.attr("y").and_then(|v| v.parse().ok()).unwrap_or(0.0);
    x -= match p.anchor.as_str() {
        "middle" => width / 2.0,
        "end" => width,
        _ => 0.0,
    };
    let transforms = e.attr("transform").map(transform).unwrap_or_default();
    for t in &transforms {
        surface.push_transform(t);
    }
    let colour = p.fill.unwrap_or([0, 0, 0]);
    super::line_of_text(surface, fonts, (x, y), p.font_size, p.bold, colour, content);
    for _ in &transforms {
        surface.pop();
    }
}

/// The paint of `e`: its own attributes over its parent's.
fn inherit(e: &Element, parent: &Paint) -> Paint {
    let mut p = parent.clone();
    if let Some(v) = e.attr("fill") {
        p.fill = colour(v);
    }
    if let Some(v) = e.attr("fill-opacity").and_then(|v| v.parse().ok()) {
        p.fill_opacity = v;
    }
    if let Some(v) = e.attr("stroke") {
        p.stroke = colour(v);
    }
    if let Some(v) = e.attr("stroke-width").and_then(|v| length(Some(v))) {
        p.stroke_width = v;
    }
    if let Some(v) = e.attr("stroke-dasharray") {
        let array = numbers(v);
        p.dash = (!array.is_empty()).then_some(array);
    }
    if let Some(v) = e.attr("font-size").and_then(|v| length(Some(v))) {
        p.font_size = v;
    }
    if let Some(v) = e.attr("font-weight") {
        p.bold = v == "bold" || v.parse::<u32>().is_ok_and(|w| w >= 600);
    }
    if let Some(v) = e.attr("text-anchor") {
        p.anchor = v.to_string();
    }
    p
}

/// A length attribute; percentages of `whole`.
fn num(e: &Element, key: &str, whole: f32) -> f32 {
    match e.attr(key) {
        Some(v) if v.trim().ends_with('%') => {
            v.trim().trim_end_matches('%').parse::<f32>().unwrap_or(0.0) * whole / 100.0
        }
        v => length(v).unwrap_or(0.0),
    }
}

/// Numbers separated by spaces or commas.
fn numbers(s: &str) -> Vec<f32> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter_map(|t| t.parse().ok())
        .collect()
}

/// "#rgb", "#rrggbb", a few names; "none" is no paint.
fn colour(v: &str) -> Option<Rgb> {
    let v = v.trim();
    let hex = |s: &str| u8::from_str_radix(s, 16).ok();
    match v {
        "none" | "transparent" => None,
        "white" => Some([255, 255, 255]),
        "black" | "currentColor" => Some([0, 0, 0]),
        "red" => Some([255, 0, 0]),
        "green" => Some([0, 128, 0]),
        "blue" => Some([0, 0, 255]),
        "grey" | "gray" => Some([128, 128, 128]),
        _ => match v.strip_prefix('#') {
            Some(h) if h.len() == 6 => Some([hex(&h[0..2])?, hex(&h[2..4])?, hex(&h[4..6])?]),
            Some(h) if h.len() == 3 => {
                let d = |i: usize| hex(&h[i..=i]).map(|x| x * 17);
                Some([d(0)?, d(1)?, d(2)?])
            }
            _ => Some([0, 0, 0]),
        },
    }
}

/// "translate(a b) rotate(r)" as transforms to apply in order.
fn transform(v: &str) -> Vec<Transform> {
    let mut out = Vec::new();
    for part in v.split(')') {
        let Some((name, args)) = part.split_once('(') else {
            continue;
        };
        let a = numbers(args);
        match (name.trim(), a.as_slice()) {
            ("translate", [x, y]) => out.push(Transform::from_translate(*x, *y)),
            ("translate", [x]) => out.push(Transform::from_translate(*x, 0.0)),
            ("rotate", [r]) => out.push(Transform::from_rotate(*r)),
            ("scale", [s]) => out.push(Transform::from_scale(*s, *s)),
            _ => {}
        }
    }
    out
}

/// A circle as four cubic arcs.
fn circle(cx: f32, cy: f32, r: f32) -> Option<Path> {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    let mut b = PathBuilder::new();
    b.move_to(cx + r, cy);
    b.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    b.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    b.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    b.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    b.close();
    b.finish()
}

/// A step of a path.
#[derive(Debug, PartialEq)]
enum Op {
    Move(f32, f32),
    Line(f32, f32),
    Close,
}

/// Path data as a path.
fn path(d: &str) -> Option<Path> {
    let ops = path_ops(d);
    if !ops.iter().any(|o| matches!(o, Op::Line(..))) {
        return None;
    }
    let mut b = PathBuilder::new();
    for op in ops {
        match op {
            Op::Move(x, y) => b.move_to(x, y),
            Op::Line(x, y) => b.line_to(x, y),
            Op::Close => b.close(),
        }
    }
    b.finish()
}

/// The words of path data: commands and numbers ("M10-5" is M, 10, -5).
fn path_tokens(d: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut number = String::new();
    for c in d.chars() {
        let command = c.is_ascii_alphabetic() && c != 'e' && c != 'E';
        let starts_number = c == '-' && !number.is_empty() && !number.ends_with(['e', 'E']);
        if (command || c.is_whitespace() || c == ',' || starts_number) && !number.is_empty() {
            tokens.push(std::mem::take(&mut number));
        }
        if command {
            tokens.push(c.to_string());
        } else if !c.is_whitespace() && c != ',' {
            number.push(c);
        }
    }
    if !number.is_empty() {
        tokens.push(number);
    }
    tokens
}

/// Path data with M, L, H, V and Z (absolute or relative) as steps.
fn path_ops(d: &str) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (0.0f32, 0.0f32);
    let mut command = 'M';
    let mut args: Vec<f32> = Vec::new();
    for t in path_tokens(d) {
        let Ok(v) = t.parse::<f32>() else {
            command = t.chars().next().unwrap_or('M');
            args.clear();
            if command.eq_ignore_ascii_case(&'z') {
                ops.push(Op::Close);
            }
            continue;
        };
        args.push(v);
        let (ox, oy) = if command.is_ascii_lowercase() {
            (x, y)
        } else {
            (0.0, 0.0)
        };
        match command.to_ascii_uppercase() {
            'M' | 'L' if args.len() == 2 => {
                (x, y) = (ox + args[0], oy + args[1]);
                if command.eq_ignore_ascii_case(&'m') {
                    ops.push(Op::Move(x, y));
                    // Further pairs after a move are lines.
                    command = if command == 'm' { 'l' } else { 'L' };
                } else {
                    ops.push(Op::Line(x, y));
                }
                args.clear();
            }
            'H' => {
                x = ox + v;
                ops.push(Op::Line(x, y));
                args.clear();
            }
            'V' => {
                y = oy + v;
                ops.push(Op::Line(x, y));
                args.clear();
            }
            _ => {}
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_transforms_read_as_written() {
        assert_eq!(colour("#0072b2"), Some([0, 0x72, 0xb2]));
        assert_eq!(colour("#fff"), Some([255, 255, 255]));
        assert_eq!(colour("none"), None);
        assert_eq!(transform("translate(14 120) rotate(-90)").len(), 2);
        assert_eq!(numbers("1,2 3.5 -4"), [1.0, 2.0, 3.5, -4.0]);
    }

    #[test]
    fn paths_with_moves_and_axis_lines_are_drawn() {
        use Op::*;
        assert_eq!(
            path_ops("M10 20V30M10 25H40m30-5v10z"),
            [
                Move(10.0, 20.0),
                Line(10.0, 30.0),
                Move(10.0, 25.0),
                Line(40.0, 25.0),
                Move(70.0, 20.0),
                Line(70.0, 30.0),
                Close
            ]
        );
        assert!(path("M1 1").is_none());
    }
}
