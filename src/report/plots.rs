//! Plain SVG plots for the reports: lines over time, a histogram, bars with
//! interval whiskers, a band around a mean, a tornado. Every text from a
//! scene goes through [`escape`]; no scripts, no fonts or images to fetch.

use super::chart::escape;
use crate::lang::tr;
use std::fmt::Write;

/// Colours for series, in order (colour-blind safe, Okabe–Ito).
pub const SERIES_COLOURS: [&str; 6] = [
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
];

const FONT: &str = r#"font-family="Helvetica, Arial, sans-serif" font-size="12""#;

fn open(s: &mut String, w: f64, h: f64, title: &str) {
    // Titles and axis names are the report's words (translated); series
    // names, ids and units are the scene's and pass through.
    let title = &tr(title);
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" {FONT} role="img"><title>{}</title>"#,
        escape(title)
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="10" y="18" font-size="14" font-weight="bold">{}</text>"#,
        escape(title)
    );
}

/// Round tick values covering [lo, hi].
fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    // A range of nothing (every value 0) gets an axis of 0 to 1, not six
    // ticks that all read "0".
    let hi = if (hi - lo).abs() < 1e-9 * lo.abs().max(1.0) {
        lo + lo.abs().max(1.0)
    } else {
        hi
    };
    let span = (hi - lo).abs();
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= target as f64)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() * step;
    (0..=target * 2 + 2)
        .map(|k| first + k as f64 * step)
        .take_while(|v| *v <= hi + step * 1e-9)
        .collect()
}

/// A short number: 1 234 → "1.23k", 210 000 000 → "210M".
pub fn short(v: f64) -> String {
    let a = v.abs();
    let (d, suffix) = if a >= 1e9 {
        (1e9, "bn")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let x = v / d;
    let text = if x.abs() >= 100.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}{suffix}").replace('-', "−")
}

/// The plotting area of an x–y chart.
struct Frame {
    x0: f64,
    y0: f64,
    w: f64,
    h: f64,
    xmin: f64,
    xmax: f64,
    ymin: f64,
    ymax: f64,
}

impl Frame {
    fn x(&self, v: f64) -> f64 {
        self.x0 + (v - self.xmin) / (self.xmax - self.xmin).max(1e-12) * self.w
    }
    fn y(&self, v: f64) -> f64 {
        self.y0 + self.h - (v - self.ymin) / (self.ymax - self.ymin).max(1e-12) * self.h
    }

    /// Vertical grid lines at `ticks` with their labels below (the zero line darker),
    /// for charts whose rows are categories.
    fn vertical_grid(&self, s: &mut String, ticks: &[f64]) {
        for tv in ticks {
            let x = self.x(*tv);
            let _ = writeln!(
                s,
                r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="{}"/><text x="{x:.1}" y="{}" text-anchor="middle" fill="#444">{}</text>"##,
                self.y0,
                self.y0 + self.h,
                if *tv == 0.0 { "#555" } else { "#e3e3e3" },
                self.y0 + self.h + 16.0,
                short(*tv)
            );
        }
    }

    /// Axes, grid lines, tick labels and axis titles.
    fn axes(&self, s: &mut String, x_label: &str, y_label: &str) {
        for t in ticks(self.ymin, self.ymax, 5) {
            let y = self.y(t);
            let _ = writeln!(
                s,
                r##"<line x1="{}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#e3e3e3"/><text x="{}" y="{:.1}" text-anchor="end" fill="#444">{}</text>"##,
                self.x0,
                self.x0 + self.w,
                self.x0 - 6.0,
                y + 4.0,
                short(t)
            );
        }
        for t in ticks(self.xmin, self.xmax, 8) {
            let x = self.x(t);
            let _ = writeln!(
                s,
                r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="#999"/><text x="{x:.1}" y="{}" text-anchor="middle" fill="#444">{}</text>"##,
                self.y0 + self.h,
                self.y0 + self.h + 4.0,
                self.y0 + self.h + 17.0,
                short(t)
            );
        }
        let _ = writeln!(
            s,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#999"/>"##,
            self.x0, self.y0, self.w, self.h
        );
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" text-anchor="middle" fill="#333">{}</text>"##,
            self.x0 + self.w / 2.0,
            self.y0 + self.h + 34.0,
            escape(&tr(x_label))
        );
        let _ = writeln!(
            s,
            r##"<text transform="translate(14 {}) rotate(-90)" text-anchor="middle" fill="#333">{}</text>"##,
            self.y0 + self.h / 2.0,
            escape(&tr(y_label))
        );
    }
}

fn legend(s: &mut String, x: f64, y: f64, names: &[(&str, &str)]) {
    let mut x = x;
    for (name, colour) in names {
        let _ = writeln!(
            s,
            r#"<rect x="{x:.1}" y="{}" width="14" height="4" fill="{colour}"/><text x="{:.1}" y="{}">{}</text>"#,
            y - 4.0,
            x + 18.0,
            y,
            escape(name)
        );
        x += 30.0 + name.chars().count() as f64 * 6.5;
    }
}

/// One line per series over a shared x axis (e.g. hours).
pub fn lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    x: &[f64],
    series: &[(&str, &[f64])],
) -> String {
    let (w, h) = (720.0, 300.0);
    let mut s = String::new();
    open(&mut s, w, h, title);
    let ys = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite());
    let ymax = ys.fold(0.0f64, f64::max);
    let ymax = ticks(0.0, ymax.max(1e-9), 5)
        .last()
        .copied()
        .unwrap_or(1.0)
        .max(ymax);
    let f = Frame {
        x0: 64.0,
        y0: 44.0,
        w: w - 90.0,
        h: h - 100.0,
        xmin: x.first().copied().unwrap_or(0.0),
        xmax: x
            .last()
            .copied()
            .unwrap_or(1.0)
            .max(x.first().copied().unwrap_or(0.0) + 1e-9),
        ymin: 0.0,
        ymax: if ymax > 0.0 { ymax } else { 1.0 },
    };
    f.axes(&mut s, x_label, y_label);
    let mut names = Vec::new();
    for (i, (name, values)) in series.iter().enumerate() {
        let colour = SERIES_COLOURS[i % SERIES_COLOURS.len()];
        let points: Vec<String> = x
            .iter()
            .zip(values.iter())
            .filter(|(_, v)| v.is_finite())
            .map(|(a, b)| format!("{:.1},{:.1}", f.x(*a), f.y(*b)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="1.8"/>"#,
            points.join(" ")
        );
        names.push((*name, colour));
    }
    legend(&mut s, 64.0, 34.0, &names);
    s.push_str("</svg>\n");
    s
}

/// A value marked on a histogram: a dashed line in the series' colour
/// with a short label ("p50").
pub struct Mark<'a> {
    pub series: usize,
    pub at: f64,
    pub label: &'a str,
}

/// Overlaid histograms of the same bins, one per series (counts as
/// shares), with percentiles or other values marked.
pub fn histogram(
    title: &str,
    x_label: &str,
    hi: f64,
    series: &[(&str, &[u64])],
    marks: &[Mark<'_>],
) -> String {
    let (w, h) = (720.0, 300.0);
    let mut s = String::new();
    open(&mut s, w, h, title);
    let shares: Vec<Vec<f64>> = series
        .iter()
        .map(|(_, c)| {
            let total = c.iter().sum::<u64>().max(1) as f64;
            c.iter().map(|&v| v as f64 / total * 100.0).collect()
        })
        .collect();
    let ymax = shares
        .iter()
        .flatten()
        .copied()
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let f = Frame {
        x0: 64.0,
        y0: 44.0,
        w: w - 90.0,
        h: h - 100.0,
        xmin: 0.0,
        xmax: hi,
        ymin: 0.0,
        ymax: ticks(0.0, ymax, 5)
            .last()
            .copied()
            .unwrap_or(ymax)
            .max(ymax),
    };
    f.axes(&mut s, x_label, "share of parts (%)");
    let k = series.len().max(1) as f64;
    let mut names = Vec::new();
    for (i, ((name, _), sh)) in series.iter().zip(&shares).enumerate() {
        let colour = SERIES_COLOURS[i % SERIES_COLOURS.len()];
        let bw = hi / sh.len().max(1) as f64;
        for (b, &v) in sh.iter().enumerate() {
            if v <= 0.0 {
                continue;
            }
            let (xa, xb) = (f.x(b as f64 * bw), f.x((b + 1) as f64 * bw));
            let slot = (xb - xa) / k;
            let _ = writeln!(
                s,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}" fill-opacity="0.85"><title>{}: {:.1} %</title></rect>"#,
                xa + slot * i as f64,
                f.y(v),
                (slot - 0.5).max(0.5),
                f.y(0.0) - f.y(v),
                escape(name),
                v
            );
        }
        names.push((*name, colour));
    }
    for (k, m) in marks.iter().enumerate() {
        if !(m.at.is_finite() && m.at >= 0.0 && m.at <= hi) {
            continue;
        }
        let colour = SERIES_COLOURS[m.series % SERIES_COLOURS.len()];
        let x = f.x(m.at);
        // Labels of marks close together step down, one line each.
        let y = f.y0 + 12.0 + 13.0 * (k % 4) as f64;
        // Right of the line, or left of it in the right half (kept inside).
        let (tx, anchor) = if x > f.x0 + f.w * 0.5 {
            (x - 3.0, "end")
        } else {
            (x + 3.0, "start")
        };
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="{tx:.1}" y="{y:.1}" text-anchor="{anchor}" fill="{colour}" font-size="11">{}</text>"##,
            f.y0,
            f.y0 + f.h,
            escape(m.label)
        );
    }
    legend(&mut s, 64.0, 34.0, &names);
    s.push_str("</svg>\n");
    s
}

/// One row of a whisker chart.
pub struct WhiskerRow<'a> {
    pub label: &'a str,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub colour: &'a str,
}

/// Horizontal bars with 95 % interval whiskers, a zero line where the range
/// crosses it.
pub fn whisker_bars(title: &str, unit: &str, rows: &[WhiskerRow<'_>]) -> String {
    let row_h = 26.0;
    let label_w = 230.0;
    let (w, h) = (720.0, 80.0 + row_h * rows.len() as f64);
    let mut s = String::new();
    open(&mut s, w, h, title);
    let finite = rows
        .iter()
        .flat_map(|r| [r.low, r.high, r.mean])
        .filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let t = ticks(lo, hi, 6);
    let hi = t.last().copied().unwrap_or(hi).max(hi);
    let f = Frame {
        x0: label_w,
        y0: 34.0,
        w: w - label_w - 30.0,
        h: row_h * rows.len() as f64,
        xmin: t.first().copied().unwrap_or(lo).min(lo),
        xmax: t.last().copied().unwrap_or(hi).max(hi),
        ymin: 0.0,
        ymax: 1.0,
    };
    f.vertical_grid(&mut s, &t);
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" text-anchor="middle" fill="#333">{}</text>"##,
        f.x0 + f.w / 2.0,
        f.y0 + f.h + 34.0,
        escape(unit)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = f.y0 + i as f64 * row_h;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + 17.0,
            escape(r.label)
        );
        if !r.mean.is_finite() {
            continue;
        }
        let (a, b) = (f.x(0.0f64.clamp(f.xmin, f.xmax)), f.x(r.mean));
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{}" fill="{}" fill-opacity="0.8"><title>{}: {} [{}, {}]</title></rect>"#,
            a.min(b),
            y + 5.0,
            (b - a).abs().max(1.0),
            row_h - 10.0,
            r.colour,
            escape(r.label),
            short(r.mean),
            short(r.low),
            short(r.high)
        );
        if r.high > r.low {
            let (xl, xh, yc) = (f.x(r.low), f.x(r.high), y + row_h / 2.0);
            let _ = writeln!(
                s,
                r##"<path d="M{xl:.1} {:.1}V{:.1}M{xl:.1} {yc:.1}H{xh:.1}M{xh:.1} {:.1}V{:.1}" stroke="#222" stroke-width="1.4" fill="none"/>"##,
                yc - 6.0,
                yc + 6.0,
                yc - 6.0,
                yc + 6.0
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// One point of a [`band`]: a mean and its interval at x.
#[derive(Clone, Copy, Debug)]
pub struct BandPoint {
    pub x: f64,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// A mean line with a shaded interval band over x (e.g. cumulative cash flow
/// by year), and the zero line.
pub fn band(title: &str, x_label: &str, y_label: &str, points: &[BandPoint]) -> String {
    let (w, h) = (720.0, 320.0);
    let mut s = String::new();
    open(&mut s, w, h, title);
    let (lo, hi) = points
        .iter()
        .flat_map(|p| [p.low, p.high])
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let t = ticks(lo, hi.max(lo + 1e-9), 6);
    let f = Frame {
        x0: 70.0,
        y0: 44.0,
        w: w - 100.0,
        h: h - 100.0,
        xmin: points.first().map_or(0.0, |p| p.x),
        xmax: points
            .last()
            .map_or(1.0, |p| p.x)
            .max(points.first().map_or(0.0, |p| p.x) + 1e-9),
        ymin: t.first().copied().unwrap_or(lo).min(lo),
        ymax: t.last().copied().unwrap_or(hi).max(hi),
    };
    f.axes(&mut s, x_label, y_label);
    let upper: Vec<String> = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", f.x(p.x), f.y(p.high)))
        .collect();
    let lower: Vec<String> = points
        .iter()
        .rev()
        .map(|p| format!("{:.1},{:.1}", f.x(p.x), f.y(p.low)))
        .collect();
    let _ = writeln!(
        s,
        r##"<polygon points="{} {}" fill="#0072b2" fill-opacity="0.18" stroke="none"/>"##,
        upper.join(" "),
        lower.join(" ")
    );
    if f.ymin < 0.0 && f.ymax > 0.0 {
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#333" stroke-dasharray="4 3"/>"##,
            f.x0,
            f.x0 + f.w,
            y = f.y(0.0)
        );
    }
    let mean: Vec<String> = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", f.x(p.x), f.y(p.mean)))
        .collect();
    let _ = writeln!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#0072b2" stroke-width="2.2"/>"##,
        mean.join(" ")
    );
    for p in points {
        let _ = writeln!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#0072b2"><title>{}: {} [{}, {}]</title></circle>"##,
            f.x(p.x),
            f.y(p.mean),
            short(p.x),
            short(p.mean),
            short(p.low),
            short(p.high)
        );
    }
    legend(
        &mut s,
        70.0,
        34.0,
        &[
            ("mean", "#0072b2"),
            ("95 % interval of the mean", "#b3d1e7"),
        ],
    );
    s.push_str("</svg>\n");
    s
}

/// One tornado bar: the figure with the assumption at its low and high setting.
pub struct TornadoRow<'a> {
    pub label: &'a str,
    pub low_setting: &'a str,
    pub high_setting: &'a str,
    pub at_low: f64,
    pub at_high: f64,
}

/// A tornado chart around `centre` (the figure as entered), largest swing on top.
pub fn tornado(title: &str, unit: &str, centre: f64, rows: &[TornadoRow<'_>]) -> String {
    let row_h = 30.0;
    let label_w = 200.0;
    let (w, h) = (720.0, 90.0 + row_h * rows.len() as f64);
    let mut s = String::new();
    open(&mut s, w, h, title);
    let (lo, hi) = rows
        .iter()
        .flat_map(|r| [r.at_low, r.at_high])
        .chain([centre])
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let pad = ((hi - lo) * 0.08).max(1e-9);
    let t = ticks(lo - pad, hi + pad, 6);
    let f = Frame {
        x0: label_w,
        y0: 40.0,
        w: w - label_w - 40.0,
        h: row_h * rows.len() as f64,
        xmin: t.first().copied().unwrap_or(lo).min(lo - pad),
        xmax: t.last().copied().unwrap_or(hi).max(hi + pad),
        ymin: 0.0,
        ymax: 1.0,
    };
    f.vertical_grid(&mut s, &t);
    for (i, r) in rows.iter().enumerate() {
        let y = f.y0 + i as f64 * row_h;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + 19.0,
            escape(&tr(r.label))
        );
        for (v, setting, colour) in [
            (r.at_low, tr(r.low_setting), "#d55e00"),
            (r.at_high, tr(r.high_setting), "#0072b2"),
        ] {
            let (a, b) = (f.x(centre), f.x(v));
            let _ = writeln!(
                s,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{}" fill="{colour}" fill-opacity="0.8"><title>{} {}: {}</title></rect>"#,
                a.min(b),
                y + 5.0,
                (b - a).abs().max(1.0),
                row_h - 10.0,
                escape(r.label),
                escape(&setting),
                short(v)
            );
            let anchor = if b < a { "end" } else { "start" };
            let dx = if b < a { -4.0 } else { 4.0 };
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" font-size="11" fill="#333">{}</text>"##,
                b + dx,
                y + 19.0,
                escape(&setting)
            );
        }
    }
    let _ = writeln!(
        s,
        r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="#222" stroke-width="1.5"/><text x="{x:.1}" y="{}" text-anchor="middle" fill="#222">as entered: {}</text>"##,
        f.y0 - 4.0,
        f.y0 + f.h + 4.0,
        f.y0 - 8.0,
        short(centre),
        x = f.x(centre)
    );
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" text-anchor="middle" fill="#333">{}</text>"##,
        f.x0 + f.w / 2.0,
        f.y0 + f.h + 36.0,
        escape(unit)
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 10.0, 5), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let t = ticks(-3.2e8, 5.1e8, 6);
        assert!(
            t.first().unwrap() >= &-3.2e8 && t.last().unwrap() <= &5.1e8,
            "{t:?}"
        );
        assert!(t.contains(&0.0));
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(210_000_000.0), "210M");
        assert_eq!(short(-1_500_000.0), "−1.5M");
        assert_eq!(short(12_345.0), "12.3k");
        assert_eq!(short(7.25), "7.25");
        assert_eq!(short(0.0), "0");
    }
}

#[cfg(test)]
mod axis_tests {
    use super::*;

    /// A KPI that is 0 in every scenario draws an axis from 0 to 1, not six
    /// ticks that all read "0".
    #[test]
    fn a_zero_kpi_has_a_readable_axis() {
        let rows = [
            WhiskerRow {
                label: "base",
                mean: 0.0,
                low: 0.0,
                high: 0.0,
                colour: SERIES_COLOURS[0],
            },
            WhiskerRow {
                label: "variant",
                mean: 0.0,
                low: 0.0,
                high: 0.0,
                colour: SERIES_COLOURS[1],
            },
        ];
        let svg = whisker_bars("scrap", "%", &rows);
        assert_eq!(svg.matches(">0</text>").count(), 1, "{svg}");
        assert!(svg.contains(">1</text>"), "{svg}");
        assert_eq!(ticks(5.0, 5.0, 5).first(), Some(&5.0));
    }

    #[test]
    fn percentiles_are_marked_on_a_histogram() {
        let counts = [5u64, 10, 3, 1];
        let svg = histogram(
            "lead time",
            "min",
            40.0,
            &[("base", &counts)],
            &[Mark {
                series: 0,
                at: 12.0,
                label: "p50 12 min",
            }],
        );
        assert!(svg.contains("stroke-dasharray") && svg.contains("p50 12 min"));
    }
}

/// A histogram of observations (the share of them in each bin, %) with
/// fitted densities over it as lines, scaled to the same bins: how well a
/// family follows the data.
pub fn density_fit(
    title: &str,
    x_label: &str,
    data: &[f64],
    curves: &[(&str, &dyn Fn(f64) -> f64)],
) -> String {
    let (w, h) = (480.0, 280.0);
    let mut s = String::new();
    open(&mut s, w, h, title);
    let least = data.iter().copied().fold(f64::INFINITY, f64::min);
    let most = data.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (least, most) = if most > least {
        (least, most)
    } else {
        (least - 0.5, least + 0.5)
    };
    let bins = ((data.len() as f64).sqrt().ceil() as usize).clamp(5, 40);
    let bw = (most - least) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in data {
        counts[(((v - least) / bw) as usize).min(bins - 1)] += 1;
    }
    let n = data.len().max(1) as f64;
    let shares: Vec<f64> = counts.iter().map(|c| *c as f64 / n * 100.0).collect();
    // The axis: the data's range with a margin, from 0 when it is close.
    let margin = 0.08 * (most - least);
    let lo = if least - margin < 0.25 * (most - least) {
        0.0f64.min(least)
    } else {
        least - margin
    };
    let hi = most + margin;
    let lines: Vec<(&str, Vec<(f64, f64)>)> = curves
        .iter()
        .map(|(name, pdf)| {
            let pts = (0..=160)
                .map(|i| {
                    let x = lo + (hi - lo) * f64::from(i) / 160.0;
                    (x, pdf(x) * bw * 100.0)
                })
                .collect();
            (*name, pts)
        })
        .collect();
    let ymax = shares
        .iter()
        .copied()
        .chain(lines.iter().flat_map(|(_, c)| c.iter().map(|p| p.1)))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let f = Frame {
        x0: 64.0,
        y0: 44.0,
        w: w - 84.0,
        h: h - 100.0,
        xmin: lo,
        xmax: hi,
        ymin: 0.0,
        ymax: ymax * 1.08,
    };
    f.axes(&mut s, x_label, "share of observations (%)");
    for (i, v) in shares.iter().enumerate() {
        let (xa, xb) = (f.x(least + i as f64 * bw), f.x(least + (i + 1) as f64 * bw));
        let _ = writeln!(
            s,
            r##"<rect x="{xa:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#c8d6e5" stroke="#8aa1b8" stroke-width="0.5"/>"##,
            f.y(*v),
            (xb - xa).max(0.5),
            f.y(0.0) - f.y(*v)
        );
    }
    let mut names = vec![];
    for (i, (name, points)) in lines.iter().enumerate() {
        let colour = SERIES_COLOURS[(i + 1) % SERIES_COLOURS.len()];
        let pts: Vec<String> = points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(x, y)| format!("{:.1},{:.1}", f.x(*x), f.y(y.min(f.ymax))))
            .collect();
        let dash = if i == 0 {
            ""
        } else {
            r#" stroke-dasharray="5 3""#
        };
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
            pts.join(" ")
        );
        names.push((*name, colour));
    }
    legend(&mut s, 64.0, 34.0, &names);
    s.push_str("</svg>\n");
    s
}

/// A Q–Q plot: the observations' quantiles against the fitted family's,
/// with the line on which they would lie if the family were exact.
pub fn qq(title: &str, unit: &str, points: &[(f64, f64)]) -> String {
    let (w, h) = (300.0, 280.0);
    let mut s = String::new();
    open(&mut s, w, h, title);
    let all = points
        .iter()
        .flat_map(|(a, b)| [*a, *b])
        .filter(|v| v.is_finite());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    let (lo, hi) = if hi > lo { (lo, hi) } else { (0.0, 1.0) };
    let f = Frame {
        x0: 58.0,
        y0: 40.0,
        w: w - 76.0,
        h: h - 96.0,
        xmin: lo,
        xmax: hi,
        ymin: lo,
        ymax: hi,
    };
    f.axes(
        &mut s,
        &format!("{} ({unit})", tr("fitted quantile")),
        "observed",
    );
    let _ = writeln!(
        s,
        r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#d55e00" stroke-width="1.5"/>"##,
        f.x(lo),
        f.y(lo),
        f.x(hi),
        f.y(hi)
    );
    for (a, b) in points
        .iter()
        .filter(|(a, b)| a.is_finite() && b.is_finite())
    {
        let _ = writeln!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="2.2" fill="#0072b2" fill-opacity="0.7"/>"##,
            f.x(*a),
            f.y(*b)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// One row of a match chart: the model's range and the log's value.
pub struct MatchRow<'a> {
    pub label: &'a str,
    pub low: f64,
    pub high: f64,
    pub model: f64,
    pub log: f64,
    pub inside: bool,
}

/// Per row, the model's 95 % range as a bar with its mean, and the log's
/// value as a dot (green inside, red outside): where the plant sits in
/// what the model expects.
pub fn match_chart(title: &str, x_label: &str, rows: &[MatchRow<'_>]) -> String {
    let row_h = 22.0;
    let (w, h) = (720.0, 84.0 + row_h * rows.len() as f64);
    let mut s = String::new();
    open(&mut s, w, h, title);
    let hi = rows
        .iter()
        .flat_map(|r| [r.high, r.log])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let f = Frame {
        x0: 170.0,
        y0: 40.0,
        w: w - 200.0,
        h: row_h * rows.len() as f64,
        xmin: 0.0,
        xmax: ticks(0.0, hi, 6).last().copied().unwrap_or(hi).max(hi),
        ymin: 0.0,
        ymax: 1.0,
    };
    f.vertical_grid(&mut s, &ticks(0.0, f.xmax, 6));
    for (i, r) in rows.iter().enumerate() {
        let y = f.y0 + row_h * (i as f64 + 0.5);
        let colour = if r.inside { "#1a7f37" } else { "#c62828" };
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{}</text><rect x="{:.1}" y="{:.1}" width="{:.1}" height="10" fill="#c8d6e5"/><line x1="{m:.1}" y1="{:.1}" x2="{m:.1}" y2="{:.1}" stroke="#0072b2" stroke-width="2"/><circle cx="{:.1}" cy="{y:.1}" r="4.5" fill="{colour}"><title>{}</title></circle>"##,
            f.x0 - 8.0,
            y + 4.0,
            escape(r.label),
            f.x(r.low),
            y - 5.0,
            (f.x(r.high) - f.x(r.low)).max(1.0),
            y - 7.0,
            y + 7.0,
            f.x(r.log),
            short(r.log),
            m = f.x(r.model),
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
        f.x0 + f.w / 2.0,
        f.y0 + f.h + 34.0,
        escape(&tr(x_label))
    );
    s.push_str("</svg>\n");
    s
}

/// One point of a [`scatter`]: where it is, its vertical 95 % interval,
/// and whether it is marked (a front, the pick).
pub struct ScatterPoint {
    pub x: f64,
    pub y: f64,
    pub y_half_width: Option<f64>,
    pub marked: bool,
}

/// Points with their intervals over free axes (values may be negative);
/// marked points drawn large and joined in x order (a Pareto front, a
/// convergence path).
pub fn scatter(
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[ScatterPoint],
    join_marked: bool,
) -> String {
    let (w, h) = (720.0, 320.0);
    let mut s = String::new();
    open(&mut s, w, h, title);
    let finite: Vec<&ScatterPoint> = points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    let lo_hi = |v: &mut dyn Iterator<Item = f64>| {
        v.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        })
    };
    let (xmin, xmax) = lo_hi(&mut finite.iter().map(|p| p.x));
    let (ymin, ymax) = lo_hi(&mut finite.iter().flat_map(|p| {
        let hw = p.y_half_width.unwrap_or(0.0);
        [p.y - hw, p.y + hw]
    }));
    let pad = |a: f64, b: f64| {
        if !a.is_finite() {
            (0.0, 1.0)
        } else if b - a < 1e-12 {
            (a - 1.0, b + 1.0)
        } else {
            (a - 0.05 * (b - a), b + 0.05 * (b - a))
        }
    };
    let ((xmin, xmax), (ymin, ymax)) = (pad(xmin, xmax), pad(ymin, ymax));
    let f = Frame {
        x0: 84.0,
        y0: 44.0,
        w: w - 110.0,
        h: h - 110.0,
        xmin,
        xmax,
        ymin,
        ymax,
    };
    f.axes(&mut s, x_label, y_label);
    for p in &finite {
        let (x, y) = (f.x(p.x), f.y(p.y));
        if let Some(hw) = p.y_half_width {
            let _ = writeln!(
                s,
                r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#999"/>"##,
                f.y(p.y - hw),
                f.y(p.y + hw)
            );
        }
        let (r, colour) = if p.marked {
            (5.0, SERIES_COLOURS[1])
        } else {
            (3.0, SERIES_COLOURS[0])
        };
        let _ = writeln!(
            s,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{colour}" fill-opacity="0.8"/>"#
        );
    }
    if join_marked {
        let mut marked: Vec<&&ScatterPoint> = finite.iter().filter(|p| p.marked).collect();
        marked.sort_by(|a, b| a.x.total_cmp(&b.x));
        let line: Vec<String> = marked
            .iter()
            .map(|p| format!("{:.1},{:.1}", f.x(p.x), f.y(p.y)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"/>"#,
            line.join(" "),
            SERIES_COLOURS[1]
        );
    }
    s.push_str("</svg>\n");
    s
}
