//! The report's blocks laid out on A4 pages: headings, paragraphs, lists,
//! tables that always fit the page width (smaller type and wrapped cells
//! before anything is cut), and charts scaled to the column. The result is a
//! list of drawing items per page; `draw` turns it into PDF.

use super::dom::{Element, Node};
use super::fonts::Fonts;

/// A colour, red, green, blue.
pub(crate) type Rgb = [u8; 3];

/// A4 in PDF points.
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const LEFT: f32 = 42.0;
const RIGHT: f32 = PAGE_W - 42.0;
const TOP: f32 = 46.0;
/// The last line of text ends above this; the page footer sits below it.
pub(crate) const BOTTOM: f32 = PAGE_H - 50.0;
const WIDTH: f32 = RIGHT - LEFT;

pub(crate) const INK: Rgb = [0x22, 0x22, 0x22];
pub(crate) const GREY: Rgb = [0x66, 0x66, 0x66];
const RULE: Rgb = [0xdd, 0xdd, 0xdd];
const TINT: Rgb = [0xf4, 0xf7, 0xfb];
const BLUE: Rgb = [0x00, 0x72, 0xb2];
const GREEN: Rgb = [0x1a, 0x7f, 0x37];
const RED: Rgb = [0xc6, 0x28, 0x28];
const HEAD: Rgb = [0xf0, 0xf0, 0xf0];

/// Line height as a multiple of the type size.
const LEADING: f32 = 1.35;
/// CSS pixels to points: the HTML report's charts are drawn in pixels.
const PX: f32 = 0.75;
/// Type sizes a table tries, largest first, until its columns fit.
const TABLE_SIZES: [f32; 4] = [8.0, 7.0, 6.0, 5.0];
/// Space inside a table cell, left and right.
const CELL_PAD: f32 = 3.0;

/// One thing drawn on a page, in points from the top-left corner.
pub(crate) enum Item<'a> {
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        colour: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Rgb,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        colour: Rgb,
    },
    /// A chart, its top-left corner at (x, y), its pixels scaled by `scale`.
    Svg {
        x: f32,
        y: f32,
        scale: f32,
        svg: &'a Element,
    },
}

/// Text in one style.
#[derive(Clone, Debug)]
struct Run {
    text: String,
    bold: bool,
    colour: Rgb,
}

/// Text placed on a line, `x` from the line's start.
struct Piece {
    x: f32,
    text: String,
    bold: bool,
    colour: Rgb,
}

#[derive(Default)]
struct Line {
    pieces: Vec<Piece>,
    width: f32,
}

/// A word: text between breaks, possibly in several styles ("<b>12</b>%").
#[derive(Default)]
struct Word {
    runs: Vec<Run>,
    /// The width of each run, and of the whole word.
    widths: Vec<f32>,
    width: f32,
    space_before: bool,
    break_before: bool,
}

/// How a paragraph looks.
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    colour: Rgb,
    bold: bool,
    /// A tinted box with a blue bar on the left (summaries, business case).
    boxed: bool,
    after: f32,
}

const BODY: Style = Style {
    size: 9.5,
    colour: INK,
    bold: false,
    boxed: false,
    after: 5.0,
};

/// Pages being filled.
pub(crate) struct Layout<'a, 'f> {
    fonts: &'f mut Fonts,
    pub pages: Vec<Vec<Item<'a>>>,
    y: f32,
}

impl<'a, 'f> Layout<'a, 'f> {
    pub(crate) fn new(fonts: &'f mut Fonts) -> Self {
        Layout {
            fonts,
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn push(&mut self, item: Item<'a>) {
        self.pages.last_mut().expect("a page").push(item);
    }

    fn new_page(&mut self) {
        if !self.pages.last().expect("a page").is_empty() {
            self.pages.push(Vec::new());
        }
        self.y = TOP;
    }

    /// Starts a new page unless `h` points still fit on this one.
    fn room(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > TOP + 1.0 {
            self.new_page();
        }
    }

    /// Lays out the block-level children of `el`.
    pub(crate) fn blocks(&mut self, el: &'a Element) {
        let elements: Vec<&Element> = el.elements().collect();
        let mut next = 0;
        for node in &el.children {
            match node {
                Node::Element(e) => {
                    next += 1;
                    if matches!(e.name.as_str(), "h2" | "h3" | "h4") {
                        // A heading stays with the start of what follows it.
                        let follows = elements.get(next).map_or(0.0, |f| self.opening(f));
                        self.room(40.0 + follows);
                    }
                    self.block(e)
                }
                Node::Text(t) if !t.trim().is_empty() => {
                    let runs = vec![Run {
                        text: t.clone(),
                        bold: false,
                        colour: INK,
                    }];
                    self.paragraph(&runs, BODY, LEFT, WIDTH);
                }
                Node::Text(_) => {}
            }
        }
    }

    fn block(&mut self, e: &'a Element) {
        match e.name.as_str() {
            "head" | "title" | "style" | "script" | "meta" => {}
            "h1" => self.heading(e, 17.0, 0.0, false),
            "h2" => self.heading(e, 13.0, 12.0, true),
            "h3" | "h4" => self.heading(e, 10.5, 8.0, false),
            "p" => {
                let style = paragraph_style(e);
                self.paragraph(&runs_of(e), style, LEFT, WIDTH);
            }
            "footer" => {
                self.y += 10.0;
                let style = Style {
                    size: 7.5,
                    colour: GREY,
                    ..BODY
                };
                self.paragraph(&runs_of(e), style, LEFT, WIDTH);
            }
            "ul" | "ol" => self.list(e),
            "table" => self.table(e),
            "svg" => self.svg(e),
            "section" if e.has_class("first") => {
                self.blocks(e);
                // The first page decides; the evidence starts on the next.
                self.new_page();
            }
            _ => self.blocks(e),
        }
    }

    /// The height of the first unbreakable part of a block: a whole chart,
    /// a few lines of anything else.
    fn opening(&self, e: &Element) -> f32 {
        match e.name.as_str() {
            "svg" => {
                let w = length(e.attr("width")).unwrap_or(600.0);
                let h = length(e.attr("height")).unwrap_or(300.0);
                (h * PX.min(WIDTH / w)).min(BOTTOM - TOP - 60.0)
            }
            "div" | "section" => e.elements().next().map_or(30.0, |c| self.opening(c)),
            _ => 40.0,
        }
    }

    fn heading(&mut self, e: &Element, size: f32, before: f32, rule: bool) {
        self.room(before + size * 2.0);
        if self.y > TOP + 1.0 {
            self.y += before;
        }
        let style = Style {
            size,
            bold: true,
            after: if rule { 6.0 } else { 4.0 },
            ..BODY
        };
        let runs = runs_of(e);
        self.paragraph(&runs, style, LEFT, WIDTH);
        if rule {
            let y = self.y - 4.0;
            self.push(Item::Line {
                x1: LEFT,
                y1: y,
                x2: RIGHT,
                y2: y,
                colour: RULE,
            });
        }
    }

    fn paragraph(&mut self, runs: &[Run], style: Style, x: f32, width: f32) {
        let runs: Vec<Run> = runs
            .iter()
            .map(|r| Run {
                bold: r.bold || style.bold,
                colour: if r.colour == INK {
                    style.colour
                } else {
                    r.colour
                },
                text: r.text.clone(),
            })
            .collect();
        let pad = if style.boxed { 6.0 } else { 0.0 };
        let inner = width - 2.0 * pad - if style.boxed { 3.0 } else { 0.0 };
        let lines = self.wrap(&runs, style.size, inner);
        if lines.is_empty() {
            return;
        }
        let lh = style.size * LEADING;
        for (i, line) in lines.iter().enumerate() {
            let first = i == 0;
            let last = i + 1 == lines.len();
            let h = lh + if first { pad } else { 0.0 } + if last { pad } else { 0.0 };
            self.room(h);
            if style.boxed {
                self.push(Item::Rect {
                    x,
                    y: self.y,
                    w: width,
                    h,
                    colour: TINT,
                });
                self.push(Item::Rect {
                    x,
                    y: self.y,
                    w: 3.0,
                    h,
                    colour: BLUE,
                });
            }
            let top = self.y + if first { pad } else { 0.0 };
            let left = x + if style.boxed { 3.0 + pad } else { 0.0 };
            self.line(line, left, top, style.size);
            self.y += h;
        }
        self.y += style.after;
    }

    /// Places a wrapped line with its top at `top`.
    fn line(&mut self, line: &Line, x: f32, top: f32, size: f32) {
        let baseline = top + size * 1.0;
        for p in &line.pieces {
            self.push(Item::Text {
                x: x + p.x,
                y: baseline,
                size,
                bold: p.bold,
                colour: p.colour,
                text: p.text.clone(),
            });
        }
    }

    fn list(&mut self, e: &'a Element) {
        for li in e.elements() {
            let lines = self.wrap(&runs_of(li), BODY.size, WIDTH - 12.0);
            let lh = BODY.size * LEADING;
            for (i, line) in lines.iter().enumerate() {
                self.room(lh);
                if i == 0 {
                    self.push(Item::Text {
                        x: LEFT + 2.0,
                        y: self.y + BODY.size,
                        size: BODY.size,
                        bold: false,
                        colour: INK,
                        text: "•".into(),
                    });
                }
                self.line(line, LEFT + 12.0, self.y, BODY.size);
                self.y += lh;
            }
            self.y += 2.0;
        }
        self.y += 4.0;
    }

    fn svg(&mut self, e: &'a Element) {
        let w = length(e.attr("width")).unwrap_or(600.0);
        let h = length(e.attr("height")).unwrap_or(300.0);
        let mut scale = PX.min(WIDTH / w);
        scale = scale.min((BOTTOM - TOP) / h);
        self.room(h * scale);
        self.push(Item::Svg {
            x: LEFT,
            y: self.y,
            scale,
            svg: e,
        });
        self.y += h * scale + 8.0;
    }

    fn table(&mut self, e: &'a Element) {
        let rows = table_rows(e);
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        let numeric: Vec<bool> = (0..columns).map(|c| numeric_column(&rows, c)).collect();
        let left_aligned = |col: usize| col == 0 || !numeric[col];
        let (size, widths) = self.column_widths(&rows, columns, &numeric);
        let lh = size * LEADING;
        let header: Option<&Vec<Cell>> = rows.first().filter(|r| r.iter().all(|c| c.header));
        self.y += 2.0;
        let mut first_on_page = true;
        for (r, row) in rows.iter().enumerate() {
            let cells: Vec<Vec<Line>> = row
                .iter()
                .zip(&widths)
                .map(|(cell, w)| self.wrap(&cell.runs, size, w - 2.0 * CELL_PAD))
                .collect();
            let h = cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * lh + 4.0;
            if self.y + h > BOTTOM && !first_on_page {
                self.new_page();
                if let Some(head) = header.filter(|_| r > 0) {
                    let head_cells: Vec<Vec<Line>> = head
                        .iter()
                        .zip(&widths)
                        .map(|(cell, w)| self.wrap(&cell.runs, size, w - 2.0 * CELL_PAD))
                        .collect();
                    let hh = head_cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 4.0;
                    self.row(&head_cells, &widths, true, hh, size, &left_aligned);
                }
            }
            let is_header = row.iter().all(|c| c.header);
            self.row(&cells, &widths, is_header, h, size, &left_aligned);
            first_on_page = false;
        }
        self.y += 8.0;
    }

    fn row(
        &mut self,
        cells: &[Vec<Line>],
        widths: &[f32],
        header: bool,
        h: f32,
        size: f32,
        left_aligned: &dyn Fn(usize) -> bool,
    ) {
        let total: f32 = widths.iter().sum();
        if header {
            self.push(Item::Rect {
                x: LEFT,
                y: self.y,
                w: total,
                h,
                colour: HEAD,
            });
        }
        let mut x = LEFT;
        for (col, (lines, w)) in cells.iter().zip(widths).enumerate() {
            for (i, line) in lines.iter().enumerate() {
                let lx = if left_aligned(col) {
                    x + CELL_PAD
                } else {
                    x + w - CELL_PAD - line.width
                };
                self.line(line, lx, self.y + 2.0 + i as f32 * size * LEADING, size);
            }
            x += w;
        }
        self.y += h;
        self.push(Item::Line {
            x1: LEFT,
            y1: self.y,
            x2: LEFT + total,
            y2: self.y,
            colour: RULE,
        });
    }

    /// The type size and column widths that fit the page: each column gets
    /// its widest word, and what room is left goes to the columns whose text
    /// is longer than that, in proportion.
    fn column_widths(
        &mut self,
        rows: &[Vec<Cell>],
        columns: usize,
        numeric: &[bool],
    ) -> (f32, Vec<f32>) {
        let mut chosen = None;
        for size in TABLE_SIZES {
            let mut natural = vec![0.0f32; columns];
            let mut least = vec![0.0f32; columns];
            for row in rows {
                for (col, cell) in row.iter().enumerate() {
                    let (n, l) = self.cell_extent(&cell.runs, size);
                    natural[col] = natural[col].max(n + 2.0 * CELL_PAD);
                    least[col] = least[col].max(l + 2.0 * CELL_PAD);
                }
            }
            let fits = least.iter().sum::<f32>() <= WIDTH;
            chosen = Some((size, natural, least));
            if fits {
                break;
            }
        }
        let (size, natural, least) = chosen.expect("at least one size");
        let (sum_natural, sum_least) = (natural.iter().sum::<f32>(), least.iter().sum::<f32>());
        let widths = if sum_natural <= WIDTH {
            natural
        } else if sum_least >= WIDTH {
            // Even the smallest type cannot keep every word whole: words
            // break inside (see `wrap`) rather than run off the page.
            least.iter().map(|l| l * WIDTH / sum_least).collect()
        } else {
            // Figures keep their line where the room allows it (a value split
            // over two lines is hard to read); text columns share the rest.
            let whole: Vec<f32> = (0..columns)
                .map(|c| if numeric[c] { natural[c] } else { least[c] })
                .collect();
            let base = if whole.iter().sum::<f32>() <= WIDTH {
                whole
            } else {
                least.clone()
            };
            let spare = WIDTH - base.iter().sum::<f32>();
            let want: f32 = base.iter().zip(&natural).map(|(b, n)| n - b).sum();
            base.iter()
                .zip(&natural)
                .map(|(b, n)| {
                    if want > 0.0 {
                        b + spare * (n - b) / want
                    } else {
                        *b
                    }
                })
                .collect()
        };
        (size, widths)
    }

    /// A cell's width on one line and the width of its widest word.
    fn cell_extent(&mut self, runs: &[Run], size: f32) -> (f32, f32) {
        let words = self.words(runs, size);
        let space = self.fonts.width(" ", false) * size;
        let mut line = 0.0f32;
        let mut natural = 0.0f32;
        let mut least = 0.0f32;
        for w in &words {
            if w.break_before {
                natural = natural.max(line);
                line = 0.0;
            }
            if w.space_before && line > 0.0 {
                line += space;
            }
            line += w.width;
            least = least.max(w.width);
        }
        (natural.max(line), least)
    }

    /// Cuts runs into words, measured at `size`.
    fn words(&mut self, runs: &[Run], size: f32) -> Vec<Word> {
        let mut words = Vec::new();
        let mut word = Word::default();
        let (mut space, mut newline) = (false, false);
        for run in runs {
            for c in run.text.chars() {
                if c == '\n' || (c.is_whitespace() && c != '\u{a0}') {
                    if !word.runs.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                    // A line break from <br> only; newlines in the markup are spaces.
                    if run.text == "\n" {
                        newline = true;
                    } else {
                        space = true;
                    }
                    continue;
                }
                if word.runs.is_empty() {
                    word.space_before = space;
                    word.break_before = newline;
                    space = false;
                    newline = false;
                }
                match word.runs.last_mut() {
                    Some(r) if r.bold == run.bold && r.colour == run.colour => r.text.push(c),
                    _ => word.runs.push(Run {
                        text: c.to_string(),
                        bold: run.bold,
                        colour: run.colour,
                    }),
                }
            }
        }
        if !word.runs.is_empty() {
            words.push(word);
        }
        for w in &mut words {
            w.widths = w
                .runs
                .iter()
                .map(|r| self.fonts.width(&r.text, r.bold) * size)
                .collect();
            w.width = w.widths.iter().sum();
        }
        words
    }

    /// Breaks runs into lines no wider than `max`; a word wider than a line
    /// is cut between characters.
    fn wrap(&mut self, runs: &[Run], size: f32, max: f32) -> Vec<Line> {
        let mut lines = vec![Line::default()];
        for word in self.words(runs, size) {
            // The space is drawn in the style of the word after it.
            let bold = word.runs.first().is_some_and(|r| r.bold);
            let space = self.fonts.width(" ", bold) * size;
            let current = lines.last().expect("a line");
            let gap = if word.space_before && current.width > 0.0 {
                space
            } else {
                0.0
            };
            if word.break_before || (current.width > 0.0 && current.width + gap + word.width > max)
            {
                lines.push(Line::default());
            }
            if word.width > max {
                for part in self.cut(&word, size, max) {
                    if lines.last().expect("a line").width > 0.0 {
                        lines.push(Line::default());
                    }
                    place(lines.last_mut().expect("a line"), &part, 0.0);
                }
                continue;
            }
            let line = lines.last_mut().expect("a line");
            let gap = if word.space_before && line.width > 0.0 {
                space
            } else {
                0.0
            };
            place(line, &word, gap);
        }
        lines.retain(|l| !l.pieces.is_empty());
        lines
    }

    /// A word too wide for its line, cut into parts that fit.
    fn cut(&mut self, word: &Word, size: f32, max: f32) -> Vec<Word> {
        let mut parts = vec![Word::default()];
        for run in &word.runs {
            for c in run.text.chars() {
                let w = self.fonts.width(&c.to_string(), run.bold) * size;
                let part = parts.last_mut().expect("a part");
                if part.width + w > max && part.width > 0.0 {
                    parts.push(Word::default());
                }
                let part = parts.last_mut().expect("a part");
                match part.runs.last_mut() {
                    Some(r) if r.bold == run.bold && r.colour == run.colour => {
                        r.text.push(c);
                        *part.widths.last_mut().expect("with its run") += w;
                    }
                    _ => {
                        part.runs.push(Run {
                            text: c.to_string(),
                            bold: run.bold,
                            colour: run.colour,
                        });
                        part.widths.push(w);
                    }
                }
                part.width += w;
            }
        }
        parts
    }
}

/// Appends a word to a line after a gap, joining text of the same style.
fn place(line: &mut Line, word: &Word, gap: f32) {
    let mut x = line.width + gap;
    for (i, (run, w)) in word.runs.iter().zip(&word.widths).enumerate() {
        let joins = line
            .pieces
            .last()
            .is_some_and(|p| p.bold == run.bold && p.colour == run.colour);
        if joins {
            let p = line.pieces.last_mut().expect("checked");
            if i == 0 && gap > 0.0 {
                p.text.push(' ');
            }
            p.text.push_str(&run.text);
        } else {
            line.pieces.push(Piece {
                x,
                text: run.text.clone(),
                bold: run.bold,
                colour: run.colour,
            });
        }
        x += w;
    }
    line.width += gap + word.width;
}

/// A table cell: its text and whether it is a header cell.
struct Cell {
    runs: Vec<Run>,
    header: bool,
}

/// Whether a column holds figures (right-aligned so digits line up): most
/// of its body cells start with a digit, a sign or a dash for "none".
fn numeric_column(rows: &[Vec<Cell>], col: usize) -> bool {
    let starts: Vec<bool> = rows
        .iter()
        .filter_map(|r| r.get(col))
        .filter(|c| !c.header)
        .map(|c| {
            let text: String = c.runs.iter().map(|r| r.text.as_str()).collect();
            text.trim_start()
                .chars()
                .next()
                .is_some_and(|ch| ch.is_ascii_digit() || "+-−–±<>≥≤$₩€".contains(ch))
        })
        .collect();
    !starts.is_empty() && starts.iter().filter(|s| **s).count() * 2 > starts.len()
}

fn table_rows(table: &Element) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    collect_rows(table, &mut rows);
    rows
}

fn collect_rows(e: &Element, rows: &mut Vec<Vec<Cell>>) {
    for child in e.elements() {
        match child.name.as_str() {
            "tr" => rows.push(
                child
                    .elements()
                    .filter(|c| c.name == "td" || c.name == "th")
                    .map(|c| Cell {
                        runs: runs_of(c),
                        header: c.name == "th",
                    })
                    .collect(),
            ),
            "thead" | "tbody" | "tfoot" => collect_rows(child, rows),
            _ => {}
        }
    }
}

fn paragraph_style(e: &Element) -> Style {
    if e.has_class("sub") {
        Style {
            colour: GREY,
            after: 10.0,
            ..BODY
        }
    } else if e.has_class("note") {
        Style {
            size: 8.0,
            colour: GREY,
            ..BODY
        }
    } else if e.has_class("summary") || e.has_class("case") {
        Style {
            boxed: true,
            after: 8.0,
            ..BODY
        }
    } else if e.has_class("answer") {
        Style {
            size: 11.0,
            after: 8.0,
            ..BODY
        }
    } else {
        BODY
    }
}

/// The text of an element as styled runs.
fn runs_of(e: &Element) -> Vec<Run> {
    let mut out = Vec::new();
    collect_runs(e, false, INK, &mut out);
    out
}

fn collect_runs(e: &Element, bold: bool, colour: Rgb, out: &mut Vec<Run>) {
    for node in &e.children {
        match node {
            Node::Text(t) => out.push(Run {
                text: t.clone(),
                bold,
                colour,
            }),
            Node::Element(c) => match c.name.as_str() {
                "br" => out.push(Run {
                    text: "\n".into(),
                    bold,
                    colour,
                }),
                "svg" | "title" | "script" | "style" => {}
                "b" | "strong" | "th" => collect_runs(c, true, colour, out),
                "span" if c.has_class("better") => collect_runs(c, true, GREEN, out),
                "span" if c.has_class("worse") => collect_runs(c, true, RED, out),
                _ => collect_runs(c, bold, colour, out),
            },
        }
    }
}

/// A length attribute in pixels ("640", "640px").
pub(crate) fn length(v: Option<&str>) -> Option<f32> {
    v?.trim().trim_end_matches("px").parse().ok()
}
