//! Order books in CSV: `id,release,product,quantity,due,priority`, one order
//! a line after the header (`quantity` and `priority` may be left out as
//! columns or as values: 1 and 0). Times are what `--at` takes: seconds,
//! `90s`, `45m`, `30h`, `2d`, or a weekday and clock time of the first week
//! (`Tue 08:00`). A bad line is reported with its line number, never
//! skipped.

use super::{Duration, Object, Order, Scene};
use crate::error::Diagnostic;
use std::path::{Path, PathBuf};

/// Reads every source's `orders_file` (relative to `dir`) into its
/// `orders`, after any given inline; the files read.
pub fn read_order_files(scene: &mut Scene, dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut read = Vec::new();
    for o in &mut scene.objects {
        let Object::Source(s) = o else { continue };
        let Some(file) = s.orders_file.take() else {
            continue;
        };
        let path = dir.join(&file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::object(
                &s.id,
                format!("cannot read its orders_file \"{file}\": {e}"),
            )
            .with_help(format!(
                "the path is relative to the scene file's folder: {}",
                path.display()
            ))
        })?;
        let orders = parse_orders(&text).map_err(|d| d.in_file(&path))?;
        s.orders.extend(orders);
        read.push(path);
    }
    Ok(read)
}

/// An order book in the order a source releases it: by release time,
/// higher priority first at the same time, then as listed.
pub fn in_release_order(orders: &[Order]) -> Vec<&Order> {
    let mut sorted: Vec<&Order> = orders.iter().collect();
    sorted.sort_by(|a, b| {
        a.release
            .secs()
            .total_cmp(&b.release.secs())
            .then(b.priority.cmp(&a.priority))
    });
    sorted
}

/// The orders of a CSV text; an error names the line.
pub fn parse_orders(text: &str) -> Result<Vec<Order>, Diagnostic> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(Diagnostic::new(
            "the order file is empty: it needs a header line and at least one order",
        ));
    };
    let header = header.trim_start_matches('\u{feff}');
    let columns: Vec<String> = header.split(',').map(|c| c.trim().to_lowercase()).collect();
    let column = |name: &str| columns.iter().position(|c| c == name);
    let need = |name: &str| {
        column(name).ok_or_else(|| {
            Diagnostic::new(format!("line 1: the header has no `{name}` column"))
                .with_help("the header is id,release,product,quantity,due,priority (quantity and priority optional)")
        })
    };
    let (id, release, product, due) = (
        need("id")?,
        need("release")?,
        need("product")?,
        need("due")?,
    );
    let (quantity, priority) = (column("quantity"), column("priority"));
    let mut out = Vec::new();
    for (index, line) in lines {
        let n = index + 1;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let bad = |m: String| Diagnostic::new(format!("line {n}: {m}"));
        let cell = |k: usize, name: &str| {
            cells
                .get(k)
                .copied()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| bad(format!("no `{name}`")))
        };
        let time = |k: usize, name: &str| -> Result<Duration, Diagnostic> {
            let c = cell(k, name)?;
            super::parse_time(c).map(Duration::Seconds).map_err(|_| {
                bad(format!(
                    "`{name}` \"{c}\" is not a time (e.g. 3600, 30h or Tue 08:00)"
                ))
            })
        };
        let whole = |k: Option<usize>, name: &str, default: i64| -> Result<i64, Diagnostic> {
            match k.and_then(|k| cells.get(k)).filter(|c| !c.is_empty()) {
                None => Ok(default),
                Some(c) => c
                    .parse()
                    .map_err(|_| bad(format!("`{name}` \"{c}\" is not a whole number"))),
            }
        };
        let q = whole(quantity, "quantity", 1)?;
        out.push(Order {
            id: cell(id, "id")?.to_string(),
            release: time(release, "release")?,
            product: cell(product, "product")?.to_string(),
            quantity: u32::try_from(q)
                .ok()
                .filter(|q| *q >= 1)
                .ok_or_else(|| bad(format!("`quantity` must be at least 1, got {q}")))?,
            due: time(due, "due")?,
            priority: i32::try_from(whole(priority, "priority", 0)?)
                .map_err(|_| bad("`priority` is out of range".into()))?,
        });
    }
    if out.is_empty() {
        return Err(Diagnostic::new("the order file has a header but no order"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_orders_with_optional_columns() {
        let o = parse_orders("id,release,product,due\nA1,Mon 08:00,p,Tue 08:00\n\nA2,30h,q,2d\n")
            .unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(o[0].release.secs(), 8.0 * 3600.0);
        assert_eq!(o[1].due.secs(), 2.0 * 86400.0);
        assert_eq!((o[1].quantity, o[1].priority), (1, 0));
    }

    #[test]
    fn a_bad_line_is_named() {
        let e =
            parse_orders("id,release,product,quantity,due\nA,0,p,2,1h\nB,0,p,x,1h\n").unwrap_err();
        assert!(
            e.message.starts_with("line 3: `quantity` \"x\""),
            "{}",
            e.message
        );
        let e = parse_orders("id,product,due\nA,p,1h\n").unwrap_err();
        assert!(e.message.contains("no `release` column"), "{}", e.message);
    }
}
