//! Reading a plant's event log: a CSV file with one event per line, or an
//! OCEL 2.0 JSON file (object-centric event log).
//!
//! CSV columns are found by their header names, in any order:
//! - time: `time_s` (seconds) or `timestamp`/`time` (seconds, or ISO 8601
//!   such as `2026-03-02T08:15:30.250Z`, `2026-03-02 08:15:30+09:00`);
//! - resource: `object`, `resource`, `station` or `machine`;
//! - event: `event` or `state`;
//! - optional: `part` (or `part_id`), `product`, `replication`.
//!
//! A row names either an event (a part started, a breakdown began) or a
//! state the resource entered (working, failed, idle …), as the
//! [`Mapping`] says; a state holds until the resource's next state row, and
//! its changes become the same events (entering working starts a part,
//! leaving it finishes the part). factory-twin's own `run --events` output
//! is such a file. Rows that cannot be read are reported with their line
//! numbers and counted, never dropped silently; names the mapping does not
//! know are counted by name; events out of time order are put in order and
//! counted.

use super::mapping::{Group, Mapping, Meaning};
use std::collections::BTreeMap;

/// What an event says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A part entered the line at a source.
    Arrive,
    /// A part entered an object.
    Enter,
    /// Work on a part started.
    Start,
    /// Work on a part finished.
    Finish,
    /// The resource broke down.
    Fail,
    /// It was repaired.
    Repair,
    /// A changeover began; it ends at the next start or setup end.
    Setup,
    SetupEnd,
    /// Planned maintenance began or ended.
    MaintenanceStart,
    MaintenanceEnd,
    /// The resource went off shift (a logged state), or came back.
    Off,
    On,
    /// A part was scrapped, used up by an assembly, or left the line.
    Scrap,
    Consumed,
    Exit,
    /// Known and not used by the fits (load, unload, pick, place).
    Other,
}

/// One event.
#[derive(Clone, Debug)]
pub struct Event {
    pub time_s: f64,
    pub resource: String,
    pub kind: Kind,
    pub part: Option<String>,
    pub product: Option<String>,
    pub replication: u32,
    /// The line of the file it came from (for OCEL, the event's number).
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
    /// Event or state names the mapping does not know: rows per name (not used).
    pub unknown: BTreeMap<String, usize>,
    /// Rows that were state changes (turned into events).
    pub state_rows: usize,
}

/// A row as read (from CSV or OCEL), before state changes become events.
pub(super) struct Row {
    pub time_s: f64,
    pub resource: String,
    pub meaning: Meaning,
    pub part: Option<String>,
    pub product: Option<String>,
    pub replication: u32,
    /// The line of the file (for OCEL, the event's number).
    pub line: usize,
}

/// Reads a log: OCEL 2.0 when the text is a JSON object, else CSV; an
/// error when nothing usable is in it (the message says why).
pub fn read(text: &str, mapping: &Mapping) -> Result<Log, String> {
    if text
        .trim_start()
        .trim_start_matches('\u{feff}')
        .starts_with('{')
    {
        super::ocel::read(text, mapping)
    } else {
        read_csv(text, mapping)
    }
}

/// Reads a CSV log.
pub fn read_csv(text: &str, mapping: &Mapping) -> Result<Log, String> {
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
    let product = find(&["product", "product_id", "variant"]);
    let replication = find(&["replication"]);
    let mut log = Log::default();
    let mut rows = Vec::new();
    for (i, raw) in lines {
        let line = i + 1;
        let cells = split(raw);
        let bad = |reason: String| BadRow { line, reason };
        if cells.len() != names.len() {
            log.bad.push(bad(format!(
                "{} fields, the header has {}",
                cells.len(),
                names.len()
            )));
            continue;
        }
        let time_s = match parse_time(cells[time].trim()) {
            Ok(t) => t,
            Err(e) => {
                log.bad.push(bad(e));
                continue;
            }
        };
        let name = cells[resource].trim();
        if name.is_empty() {
            log.bad.push(bad("no resource".into()));
            continue;
        }
        let replication = match replication.map(|r| cells[r].trim()) {
            None => 0,
            Some(r) => match r.parse::<u32>() {
                Ok(r) => r,
                Err(_) => {
                    log.bad
                        .push(bad(format!("replication \"{r}\" is not a whole number")));
                    continue;
                }
            },
        };
        let e = cells[event].trim();
        let Some(meaning) = mapping.meaning(e) else {
            *log.unknown.entry(e.to_string()).or_default() += 1;
            continue;
        };
        let cell = |c: Option<usize>| {
            c.map(|c| cells[c].trim().to_string())
                .filter(|p| !p.is_empty())
        };
        rows.push(Row {
            time_s,
            resource: name.to_string(),
            meaning,
            part: cell(part),
            product: cell(product),
            replication,
            line,
        });
    }
    finish(log, rows)
}

/// Orders the rows, turns state changes into events and refuses a log with
/// no event.
pub(super) fn finish(mut log: Log, mut rows: Vec<Row>) -> Result<Log, String> {
    let mut last: BTreeMap<u32, f64> = BTreeMap::new();
    for r in &rows {
        let previous = last.entry(r.replication).or_insert(f64::NEG_INFINITY);
        if r.time_s < *previous {
            log.out_of_order += 1;
        } else {
            *previous = r.time_s;
        }
    }
    // Stable: rows at the same time keep the file's order.
    rows.sort_by(|a, b| {
        (a.replication, a.time_s)
            .partial_cmp(&(b.replication, b.time_s))
            .expect("finite")
    });
    // Each resource's state and the part it works on, per replication.
    let mut state: BTreeMap<(u32, String), (Group, Option<String>)> = BTreeMap::new();
    for r in rows {
        let event = |kind: Kind, part: Option<String>| Event {
            time_s: r.time_s,
            resource: r.resource.clone(),
            kind,
            part,
            product: r.product.clone(),
            replication: r.replication,
            line: r.line,
        };
        match r.meaning {
            Meaning::Event(kind) => log.events.push(event(kind, r.part.clone())),
            Meaning::State(g) => {
                log.state_rows += 1;
                let key = (r.replication, r.resource.clone());
                let before = state.insert(key, (g, r.part.clone()));
                if let Some((was, part)) = &before {
                    if *was == g && *part == r.part {
                        continue;
                    }
                    if let Some(k) = leaving(*was) {
                        log.events.push(event(k, part.clone()));
                    }
                }
                if let Some(k) = entering(g) {
                    log.events.push(event(k, r.part.clone()));
                }
            }
        }
    }
    if log.events.is_empty() {
        let unknown = if log.unknown.is_empty() {
            String::new()
        } else {
            format!(
                "; names no mapping knows: {} (map them with --map FILE.ron, docs/calibration.md)",
                log.unknown
                    .keys()
                    .take(8)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(format!(
            "no event could be read ({} bad rows{}{unknown})",
            log.bad.len(),
            log.bad
                .first()
                .map(|b| format!("; line {}: {}", b.line, b.reason))
                .unwrap_or_default()
        ));
    }
    Ok(log)
}

/// The event that ends a state.
fn leaving(g: Group) -> Option<Kind> {
    match g {
        Group::Working => Some(Kind::Finish),
        Group::Failed => Some(Kind::Repair),
        Group::Setup => Some(Kind::SetupEnd),
        Group::Maintenance => Some(Kind::MaintenanceEnd),
        Group::OffShift => Some(Kind::On),
        Group::Idle => None,
    }
}

/// The event that begins a state.
fn entering(g: Group) -> Option<Kind> {
    match g {
        Group::Working => Some(Kind::Start),
        Group::Failed => Some(Kind::Fail),
        Group::Setup => Some(Kind::Setup),
        Group::Maintenance => Some(Kind::MaintenanceStart),
        Group::OffShift => Some(Kind::Off),
        Group::Idle => None,
    }
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

/// Seconds, or an ISO 8601 date and time as the plant's wall clock showed
/// it (an offset such as `+09:00` is allowed and not applied), counted from
/// Monday 1969-12-29 00:00: the scene's shift calendars, which count from a
/// Monday 00:00, then line up with the log's clock times.
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
    // The zone: Z, ±HH:MM or ±HHMM, or none; checked, then left out (the
    // wall clock is what shifts are written in).
    let clock = if let Some(c) = rest.strip_suffix('Z') {
        c
    } else if let Some(at) = rest.rfind(['+', '-']).filter(|&i| i >= 8) {
        let z = rest[at + 1..].replace(':', "");
        let (_, _): (u8, u8) = (z.get(..2)?.parse().ok()?, z.get(2..4)?.parse().ok()?);
        &rest[..at]
    } else {
        rest
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
    // 1970-01-01 was a Thursday: three days after a Monday.
    Some((days_from_civil(y, m, day) + 3) as f64 * 86_400.0 + h * 3600.0 + mi * 60.0 + sec)
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
        assert_eq!(parse_time("1969-12-30T00:00:00Z"), Ok(86_400.0));
        assert_eq!(
            parse_time("2026-12-03T09:00:00+09:00"),
            parse_time("2026-12-03 09:00:00"),
            "the wall clock"
        );
        let monday = parse_time("2026-11-30T00:00:00Z").unwrap();
        assert_eq!(monday % (7.0 * 86_400.0), 0.0, "a Monday is a week's start");
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
        let log = read(text, &Mapping::default()).unwrap();
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
        let m = Mapping::default();
        assert!(read("", &m).unwrap_err().contains("empty"));
        assert!(
            read("when,who\n1,a\n", &m)
                .unwrap_err()
                .contains("header needs")
        );
        let e = read("time_s,object,event\nx,a,start\n", &m).unwrap_err();
        assert!(e.contains("no event") && e.contains("line 2"), "{e}");
        let e = read("time_s,object,event\n1,a,teleport\n", &m).unwrap_err();
        assert!(e.contains("teleport") && e.contains("--map"), "{e}");
    }

    #[test]
    fn state_changes_become_events() {
        let text = "time,machine,state,part\n\
                    0,m,Idle,\n5,m,Executing,p1\n15,m,Executing,p2\n25,m,OutOfService,\n\
                    40,m,Executing,p3\n48,m,NotExecuting,\n50,m,teleport,\n";
        let log = read(text, &Mapping::default()).unwrap();
        let kinds: Vec<(f64, Kind, Option<&str>)> = log
            .events
            .iter()
            .map(|e| (e.time_s, e.kind, e.part.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            [
                (5.0, Kind::Start, Some("p1")),
                (15.0, Kind::Finish, Some("p1")),
                (15.0, Kind::Start, Some("p2")),
                (25.0, Kind::Finish, Some("p2")),
                (25.0, Kind::Fail, None),
                (40.0, Kind::Repair, None),
                (40.0, Kind::Start, Some("p3")),
                (48.0, Kind::Finish, Some("p3")),
            ]
        );
        assert_eq!(log.state_rows, 6);
        assert_eq!(log.unknown["teleport"], 1, "counted, not silently dropped");
    }
}
