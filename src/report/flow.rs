//! The flow diagram: the line's objects left to right in the order parts
//! pass them, each station with the good parts it makes per hour and the
//! share of time it works, buffers with their mean content, the bottleneck
//! outlined in red. Rework loops run back underneath, dashed.

use super::chart::escape;
use crate::experiment::Summary;
use crate::lang::{tr, trf};
use std::collections::BTreeMap;
use std::fmt::Write;

const BOX_W: f64 = 112.0;
const BOX_H: f64 = 50.0;
/// Columns per band: a longer line continues on a band below, as text does.
const PER_BAND: usize = 6;
const ROW: f64 = 74.0;
const TOP: f64 = 64.0;
const LEFT: f64 = 20.0;
const BOTTLENECK: &str = "#c62828";
const WORKING: &str = "#2e9e4f";

/// One object of the diagram.
struct Node {
    id: String,
    column: usize,
    row: usize,
}

/// The diagram of `s`, or `None` when the scene has no flow.
pub(crate) fn diagram(s: &Summary) -> Option<String> {
    if s.flow.is_empty() {
        return None;
    }
    let nodes = place(&s.flow);
    let at: BTreeMap<&str, &Node> = nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let columns = nodes.iter().map(|n| n.column).max().unwrap_or(0) + 1;
    let rows = nodes.iter().map(|n| n.row).max().unwrap_or(0) + 1;
    let back_edges = s
        .flow
        .iter()
        .filter(|(a, b, _)| at[b.as_str()].column <= at[a.as_str()].column)
        .count();
    let g = Geometry {
        // Room between the boxes for a "via" label where a carrier moves parts.
        column: if s.flow.iter().any(|(_, _, via)| via.is_some()) {
            BOX_W + 64.0
        } else {
            BOX_W + 38.0
        },
        band: rows as f64 * ROW + 26.0 + back_edges as f64 * 8.0,
    };
    let bands = columns.div_ceil(PER_BAND);
    let w = (LEFT * 2.0 + BOX_W + (columns.min(PER_BAND) - 1) as f64 * g.column).max(600.0);
    let h = TOP + bands as f64 * g.band + 10.0;
    let mut o = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img"><title>{}</title>"#,
        escape(&tr("Flow of parts"))
    );
    let _ = write!(
        o,
        r##"<rect width="{w:.0}" height="{h:.0}" fill="white"/><text x="10" y="18" font-size="14" font-weight="bold">{}</text><text x="10" y="36" fill="#555">{}</text>"##,
        escape(&tr("Flow of parts")),
        escape(&tr(
            "left to right in the order parts pass; green bar: share of the shift time working; red: the bottleneck"
        ))
    );
    let marked = s
        .line
        .bottleneck
        .as_deref()
        .is_some_and(|b| nodes.iter().any(|n| n.id == b));
    if !marked {
        let _ = write!(
            o,
            r##"<text x="10" y="52" fill="#555">{}</text>"##,
            escape(&trf(
                "Bottleneck (not a box here): {why}",
                &[("why", &super::headline::bottleneck_line(s))]
            ))
        );
    }
    let mut loops = 0.0;
    for (from, to, via) in &s.flow {
        let (a, b) = (at[from.as_str()], at[to.as_str()]);
        let ((ax, ay), (bx, by)) = (g.centre(a), g.centre(b));
        if b.column > a.column {
            let x1 = ax + BOX_W;
            let x2 = bx - 6.0;
            let points = if g.band_of(a) == g.band_of(b) {
                let xm = x1 + 12.0;
                format!("{x1:.1},{ay:.1} {xm:.1},{ay:.1} {xm:.1},{by:.1} {x2:.1},{by:.1}")
            } else {
                // On to the next band: down past this band, back to the left.
                let down = TOP + (g.band_of(a) + 1) as f64 * g.band - 16.0;
                let (xr, xl) = (x1 + 12.0, LEFT - 10.0);
                format!(
                    "{x1:.1},{ay:.1} {xr:.1},{ay:.1} {xr:.1},{down:.1} {xl:.1},{down:.1} {xl:.1},{by:.1} {x2:.1},{by:.1}"
                )
            };
            let _ = write!(
                o,
                r##"<polyline points="{points}" fill="none" stroke="#777" stroke-width="1.6"/>"##
            );
            arrow(&mut o, x2, by);
            if let Some(v) = via {
                let label: String = v.chars().take(12).collect();
                // A carrier that is the bottleneck is marked where it works.
                let (fill, weight) = if s.line.bottleneck.as_deref() == Some(v.as_str()) {
                    (BOTTLENECK, "bold")
                } else {
                    ("#555", "normal")
                };
                let _ = write!(
                    o,
                    r##"<text x="{:.1}" y="{:.1}" font-size="9" fill="{fill}" font-weight="{weight}" text-anchor="middle">{}</text>"##,
                    bx - (g.column - BOX_W) / 2.0,
                    by - 5.0,
                    escape(&trf("via {robot}", &[("robot", &label)]))
                );
            }
        } else {
            // Back to an earlier object (rework): underneath, dashed.
            loops += 8.0;
            let below = TOP + g.band_of(a) as f64 * g.band + rows as f64 * ROW - 14.0 + loops;
            let (x1, x2) = (ax + BOX_W / 2.0, bx + BOX_W / 2.0);
            let (y1, y2) = (ay + BOX_H / 2.0, by + BOX_H / 2.0 + 6.0);
            let _ = write!(
                o,
                r##"<polyline points="{x1:.1},{y1:.1} {x1:.1},{below:.1} {x2:.1},{below:.1} {x2:.1},{y2:.1}" fill="none" stroke="#777" stroke-width="1.4" stroke-dasharray="4 3"/>"##
            );
            let _ = write!(
                o,
                r##"<polygon points="{x2:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="#777"/>"##,
                y2 - 6.0,
                x2 - 4.0,
                y2,
                x2 + 4.0,
                y2
            );
        }
    }
    for n in &nodes {
        node(&mut o, s, n, g.centre(n));
    }
    o.push_str("</svg>\n");
    Some(o)
}

/// Where the boxes go.
struct Geometry {
    /// From one column's left edge to the next one's.
    column: f64,
    /// The height of a band of columns.
    band: f64,
}

impl Geometry {
    fn band_of(&self, n: &Node) -> usize {
        n.column / PER_BAND
    }

    /// The left end of a box's middle line.
    fn centre(&self, n: &Node) -> (f64, f64) {
        (
            LEFT + (n.column % PER_BAND) as f64 * self.column,
            TOP + self.band_of(n) as f64 * self.band + n.row as f64 * ROW + BOX_H / 2.0,
        )
    }
}

fn arrow(o: &mut String, x: f64, y: f64) {
    let _ = write!(
        o,
        r##"<polygon points="{:.1},{y:.1} {x:.1},{:.1} {x:.1},{:.1}" fill="#777"/>"##,
        x + 6.0,
        y - 4.0,
        y + 4.0
    );
}

/// A box: the id, what the object does per hour, a bar of its working share.
fn node(o: &mut String, s: &Summary, n: &Node, (x, cy): (f64, f64)) {
    let y = cy - BOX_H / 2.0;
    let hours = s.horizon_s / 3600.0;
    let station = s.stations.iter().find(|st| st.id == n.id);
    let store = s.stores.iter().find(|st| st.id == n.id);
    let bottleneck = s.line.bottleneck.as_deref() == Some(n.id.as_str());
    let (stroke, width) = if bottleneck {
        (BOTTLENECK, 3.0)
    } else {
        ("#8a8a8a", 1.0)
    };
    let fill = if store.is_some() {
        "#f4f7fb"
    } else {
        "#ffffff"
    };
    let _ = write!(
        o,
        r#"<rect x="{x:.1}" y="{y:.1}" width="{BOX_W}" height="{BOX_H}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>"#
    );
    let label: String = n.id.chars().take(18).collect();
    let _ = write!(
        o,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="bold">{}</text>"#,
        x + BOX_W / 2.0,
        y + 15.0,
        escape(&label)
    );
    let detail = if let Some(st) = station {
        let good = (st.produced.mean - st.scrapped.mean).max(0.0) / hours;
        trf("{n} parts/h", &[("n", &format!("{good:.1}"))])
    } else if let Some(b) = store {
        trf(
            "mean {n} of {cap}",
            &[
                ("n", &format!("{:.1}", b.mean_content.mean)),
                ("cap", &b.capacity),
            ],
        )
    } else if s.flow.iter().all(|(_, to, _)| to != &n.id) {
        tr("source")
    } else if sinks(s) == 1 {
        trf(
            "out: {n} good parts/h",
            &[("n", &format!("{:.1}", s.line.good_per_hour.mean))],
        )
    } else {
        tr("sink")
    };
    let _ = write!(
        o,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
        x + BOX_W / 2.0,
        y + 30.0,
        escape(&detail)
    );
    if let Some(st) = station {
        // Of the time on shift: a station off shift half the week is not
        // half idle.
        let share = |state: &str| st.states.get(state).map_or(0.0, |e| e.mean);
        let on_shift = 1.0 - share("off_shift");
        let working = if on_shift > 0.0 {
            share("working") / on_shift
        } else {
            0.0
        };
        let bar = (BOX_W - 16.0) * working.clamp(0.0, 1.0);
        let _ = write!(
            o,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="6" fill="#e6e6e6"/><rect x="{:.1}" y="{:.1}" width="{bar:.1}" height="6" fill="{WORKING}"/><text x="{:.1}" y="{:.1}" font-size="8" fill="#333" text-anchor="end">{:.0}%</text>"##,
            x + 8.0,
            y + 37.0,
            BOX_W - 16.0,
            x + 8.0,
            y + 37.0,
            x + BOX_W - 8.0,
            y + 35.0,
            working * 100.0
        );
    }
    if bottleneck {
        let _ = write!(
            o,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{BOTTLENECK}" font-weight="bold">{}</text>"#,
            x + BOX_W / 2.0,
            y - 5.0,
            escape(&tr("bottleneck"))
        );
    }
}

/// How many objects no edge leaves (where parts leave the line).
fn sinks(s: &Summary) -> usize {
    let mut ends: Vec<&str> = s
        .flow
        .iter()
        .map(|(_, to, _)| to.as_str())
        .filter(|to| !s.flow.iter().any(|(from, _, _)| from == to))
        .collect();
    ends.sort_unstable();
    ends.dedup();
    ends.len()
}

/// Columns by the longest path from a source (edges that close a loop left
/// out), rows in the order objects first appear in the flow.
fn place(flow: &[(String, String, Option<String>)]) -> Vec<Node> {
    let mut ids: Vec<&str> = Vec::new();
    for (a, b, _) in flow {
        for id in [a.as_str(), b.as_str()] {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let index = |id: &str| ids.iter().position(|i| *i == id).expect("listed above");
    let out: Vec<Vec<usize>> = (0..ids.len())
        .map(|i| {
            flow.iter()
                .filter(|(a, _, _)| index(a) == i)
                .map(|(_, b, _)| index(b))
                .collect()
        })
        .collect();
    // Depth-first from every object without an inflow (then any left), to
    // find the edges that close a loop.
    let mut state = vec![0u8; ids.len()]; // 0 new, 1 on the path, 2 done
    let mut order = Vec::new();
    let mut back = Vec::new();
    let roots: Vec<usize> = (0..ids.len())
        .filter(|&i| !out.iter().any(|o| o.contains(&i)))
        .chain(0..ids.len())
        .collect();
    for r in roots {
        if state[r] == 0 {
            visit(r, &out, &mut state, &mut order, &mut back);
        }
    }
    order.reverse();
    let mut column = vec![0usize; ids.len()];
    for &u in &order {
        for &v in &out[u] {
            if !back.contains(&(u, v)) {
                column[v] = column[v].max(column[u] + 1);
            }
        }
    }
    let mut used: BTreeMap<usize, usize> = BTreeMap::new();
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let row = used.entry(column[i]).or_insert(0);
            *row += 1;
            Node {
                id: id.to_string(),
                column: column[i],
                row: *row - 1,
            }
        })
        .collect()
}

fn visit(
    u: usize,
    out: &[Vec<usize>],
    state: &mut [u8],
    order: &mut Vec<usize>,
    back: &mut Vec<(usize, usize)>,
) {
    state[u] = 1;
    for &v in &out[u] {
        match state[v] {
            0 => visit(v, out, state, order, back),
            1 => back.push((u, v)),
            _ => {}
        }
    }
    state[u] = 2;
    order.push(u);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(pairs: &[(&str, &str)]) -> Vec<(String, String, Option<String>)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string(), None))
            .collect()
    }

    #[test]
    fn columns_follow_the_longest_path_and_a_rework_loop_goes_back() {
        // in → a → b → out, a → c → b (a longer way), b → a (rework).
        let flow = edges(&[
            ("in", "a"),
            ("a", "b"),
            ("b", "out"),
            ("a", "c"),
            ("c", "b"),
            ("b", "a"),
        ]);
        let nodes = place(&flow);
        let at = |id: &str| {
            let n = nodes.iter().find(|n| n.id == id).unwrap();
            (n.column, n.row)
        };
        assert_eq!(at("in"), (0, 0));
        assert_eq!(at("a"), (1, 0));
        assert_eq!(at("c"), (2, 0));
        assert_eq!(at("b"), (3, 0), "after the longer way in");
        assert_eq!(at("out"), (4, 0));
    }

    #[test]
    fn parallel_objects_share_a_column_in_rows() {
        let flow = edges(&[("in", "x"), ("in", "y"), ("x", "out"), ("y", "out")]);
        let nodes = place(&flow);
        let rows: Vec<(usize, usize)> = nodes.iter().map(|n| (n.column, n.row)).collect();
        assert_eq!(rows, [(0, 0), (1, 0), (1, 1), (2, 0)]);
    }
}
