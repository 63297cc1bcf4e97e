//! Reading a plant's event log: a CSV file with one event per line.
//!
//! Columns are found by their header names, in any order:
//! - time: `time_s` (seconds) or `timestamp`/`time` (seconds, or ISO 8601
//!   such as `2026-03-02T08:15:30.250Z`, `2026-03-02 08:15:30+09:00`);
//! - resource: `object`, `resource`, `station` or `machine`;
//! - event: `event` or `state`;
//! - optional: `part` (or `part_id`), `product`, `replication`.
//!
//! factory-twin's own `run --events` output is such a file. Rows that cannot
//! be read are reported with their line numbers and counted, never dropped
//! silently; events out of time order are put in order and counted.

use std::collections::BTreeMap;

/// What an event says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A part entered the line at a source.
    Arrive,
    /// Work on a part started.
    Start,
    /// Work on a part finished.
    Finish,
    /// The resource broke down.
    Fail,
    /// It was repaired.
    Repair,
    /// Anything else (enter, exit, scrap, …): kept, not used by the fits.
    Other,
}

/// Event names, lower case, as plants and MES write them.
const NAMES: &[(&str, Kind)] = &[
    ("arrive", Kind::Arrive),
    ("arrival", Kind::Arrive),
    ("start", Kind::Start),
    ("cycle_start", Kind::Start),
    ("processing", Kind::Start),
    ("executing", Kind::Start),
    ("finish", Kind::Finish),
    ("end", Kind::Finish),
    ("cycle_end", Kind::Finish),
    ("complete", Kind::Finish),
    ("done", Kind::Finish),
    ("fail", Kind::Fail),
    ("failed", Kind::Fail),
    ("fault", Kind::Fail),
    ("breakdown", Kind::Fail),
    ("down", Kind::Fail),
    ("repair", Kind::Repair),
    ("repaired", Kind::Repair),
    ("fault_cleared", Kind::Repair),
    ("up", Kind::Repair),
];

/// One event.
#[derive(Clone, Debug)]
pub struct Event {
    pub time_s: f64,
    pub resource: String,
    pub kind: Kind,
    pub part: Option<String>,
    pub replication: u32,
    /// The line of the file it came from.
    pub line: usize,
}

/// A row that could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

/// A log as read: its events in time order per replication, and what was
/// wrong with it.
#[derive(Debug, Default)]
pub struct Log {
    pub events: Vec<Event>,
    pub bad: Vec<BadRow>,
    /// Events that came before an earlier row's time (now in order).
    pub out_of_order: usize,
}

/// Reads a log; an error when it has no header with the needed columns or
/// no event can be read (the message says why).
pub fn read(text: &str) -> Result<Log, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err("the log is empty".into());
    };
    let names: Vec<String> = split(header)
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let find = |options: &[&str]| names.iter().position(|n| options.contains(&n.as_str()));
    let time = find(&["time_s", "timestamp", "time"]);
    let resource = find(&["object", "resource", "station", "machine"]);
    let event = find(&["event", "state"]);
    let (Some(time), Some(resource), Some(event)) = (time, resource, event) else {
        return Err(format!(
            "line 1: the header needs a time column (time_s, timestamp or time), a resource column (object, resource, station or machine) and an event column (event or state); it has: {}",
            names.join(", ")
        ));
    };
    let part = find(&["part", "part_id"]);
    let replication = find(&["replication"]);
    let mut log = Log::default();
    let mut last: BTreeMap<u32, f64> = BTreeMap::new();
    for (i, raw) in lines {
        let line = i + 1;
        let cells = split(raw);
        if cells.len() != names.len() {
            log.bad.push(BadRow {
                line,
                reason: format!("{} fields, the header has {}", cells.len(), names.len()),
            });
            continue;
        }
        let time_s = match parse_time(cells[time].trim()) {
            Ok(t) => t,
            Err(e) => {
                log.bad.push(BadRow { line, reason: e });
                continue;
            }
        };
        let name = cells[resource].trim();
        if name.is_empty() {
            log.bad.push(BadRow {
                line,
                reason: "no resource".into(),
            });
            continue;
        }
        let replication = match replication.map(|r| cells[r].trim().parse::<u32>()) {
            None => 0,
            Some(Ok(r)) => r,
            Some(Err(_)) => {
                log.bad.push(BadRow {
                    line,
                    reason: format!(
                        "replication \"{}\" is not a whole number",
                        cells[replication.unwrap_or(0)].trim()
                    ),
                });
                continue;
            }
        };
        let e = cells[event].trim().to_ascii_lowercase();
        let kind = NAMES
            .iter()
            .find(|(n, _)| *n == e)
            .map_or(Kind::Other, |(_, k)| *k);
        let previous = last.entry(replication).or_insert(f64::NEG_INFINITY);
        if time_s < *previous {
            log.out_of_order += 1;
        } else {
            *previous = time_s;
        }
        log.events.push(Event {
            time_s,
            resource: name.to_string(),
            kind,
            part: part
                .map(|p| cells[p].trim().to_string())
                .filter(|p| !p.is_empty()),
            replication,
            line,
        });
    }
    if log.events.is_empty() {
        return Err(format!(
            "no event could be read ({} bad rows{})",
            log.bad.len(),
            log.bad
                .first()
                .map(|b| format!("; line {}: {}", b.line, b.reason))
                .unwrap_or_default()
        ));
    }
    // Stable: events at the same time keep the file's order.
    log.events.sort_by(|a, b| {
        (a.replication, a.time_s)
            .partial_cmp(&(b.replication, b.time_s))
            .expect("finite")
    });
    Ok(log)
}

/// Splits a CSV line at commas outside double quotes ("" is a quote).
fn split(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("a cell").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().expect("a cell").push(c),
        }
    }
    out
}

/// Seconds, or an ISO 8601 date and time (UTC unless it gives an offset),
/// as seconds since 1970.
pub fn parse_time(s: &str) -> Result<f64, String> {
    if let Ok(v) = s.parse::<f64>() {
        return if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("time \"{s}\" is not a finite number"))
        };
    }
    iso8601(s).ok_or_else(|| {
        format!(
            "time \"{s}\" is neither seconds nor an ISO 8601 date and time (2026-03-02T08:15:30Z)"
        )
    })
}

fn iso8601(s: &str) -> Option<f64> {
    let (date, rest) = (s.get(..10)?, s.get(10..)?);
    let mut d = date.split('-');
    let (y, m, day): (i64, u32, u32) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    // The zone: Z, ±HH:MM or ±HHMM, or none (UTC).
    let (clock, offset_s) = if let Some(c) = rest.strip_suffix('Z') {
        (c, 0.0)
    } else if let Some(at) = rest.rfind(['+', '-']).filter(|&i| i >= 8) {
        let z = rest[at + 1..].replace(':', "");
        let (h, mi): (f64, f64) = (z.get(..2)?.parse().ok()?, z.get(2..4)?.parse().ok()?);
        let sign = if rest[at..].starts_with('-') {
            -1.0
        } else {
            1.0
        };
        (&rest[..at], sign * (h * 3600.0 + mi * 60.0))
    } else {
        (rest, 0.0)
    };
    let mut t = clock.split(':');
    let (h, mi, sec): (f64, f64, f64) = (
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
        t.next().unwrap_or("0").parse().ok()?,
    );
    if h >= 24.0 || mi >= 60.0 || sec >= 61.0 {
        return None;
    }
    Some(days_from_civil(y, m, day) as f64 * 86_400.0 + h * 3600.0 + mi * 60.0 + sec - offset_s)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_with_and_without_zones() {
        assert_eq!(parse_time("12.5"), Ok(12.5));
        assert_eq!(parse_time("1970-01-02T00:00:00Z"), Ok(86_400.0));
        assert_eq!(
            parse_time("2026-12-03T09:00:00+09:00"),
            parse_time("2026-12-03 00:00:00")
        );
        assert_eq!(
            parse_time("2000-03-01T00:00:01.5Z").unwrap()
                - parse_time("2000-02-28T00:00:00Z").unwrap(),
            2.0 * 86_400.0 + 1.5,
            "2000 is a leap year"
        );
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("2026-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn bad_rows_are_counted_with_their_lines_and_order_is_restored() {
        let text = "timestamp,resource,state,part\n\
                    2026-12-03T08:00:10Z,press,start,1\n\
                    2026-12-03T08:00:05Z,press,finish,0\n\
                    not a time,press,start,2\n\
                    2026-12-03T08:00:40Z,press\n\
                    2026-12-03T08:00:50Z,,start,3\n\
                    2026-12-03T08:01:00Z,\"press, left\",finish,1\n";
        let log = read(text).unwrap();
        assert_eq!(log.events.len(), 3);
        let lines: Vec<usize> = log.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [4, 5, 6]);
        assert!(log.bad[0].reason.contains("not a time"));
        assert_eq!(log.out_of_order, 1);
        assert_eq!(log.events[0].kind, Kind::Finish, "sorted by time");
        assert_eq!(log.events[2].resource, "press, left");
    }

    #[test]
    fn a_log_without_the_columns_or_any_event_is_refused() {
        assert!(read("").unwrap_err().contains("empty"));
        assert!(
            read("when,who\n1,a\n")
                .unwrap_err()
                .contains("header needs")
        );
        let e = read("time_s,object,event\nx,a,start\n").unwrap_err();
        assert!(e.contains("no event") && e.contains("line 2"), "{e}");
    }
}
