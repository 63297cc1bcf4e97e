//! What the plant did, read from its log with the simulator's definitions:
//! good parts per hour, time-average WIP, lead times, and each resource's
//! share of time working, in setup, failed, in maintenance, off shift and
//! idle. `validate` puts these beside the model's.
//!
//! The log is one period per replication column value (a plant's log is
//! one period). Where a log cannot tell a figure (no part ids: no WIP; no
//! arrivals and exits: no lead time) the figure is `None` and says so,
//! rather than a guess.

use super::log::{Event, Kind, Log};
use super::mapping::Group;
use crate::scene::{Object, Scene, ShiftCalendar};
use std::collections::{BTreeMap, BTreeSet};

/// One period of the log.
#[derive(Clone, Debug)]
pub struct Period {
    pub replication: u32,
    pub begin_s: f64,
    pub end_s: f64,
    /// Parts that left the line good (exits; without exits, finishes at the
    /// resources that feed a sink, less their scrap).
    pub good: Option<u64>,
    /// Time-average parts in the line (needs part ids).
    pub wip: Option<f64>,
    /// Arrival to exit of the parts that did both in the period.
    pub lead_times: Vec<f64>,
    /// Per resource, the share of the period in each [`Group`] (in
    /// [`Group::ALL`] order).
    pub shares: BTreeMap<String, [f64; 6]>,
    /// The line was empty when the period began: every part in it arrived
    /// in it (a simulator's log from time 0, or a plant's from a cold start).
    pub started_empty: bool,
}

impl Period {
    pub fn length_s(&self) -> f64 {
        self.end_s - self.begin_s
    }

    pub fn good_per_hour(&self) -> Option<f64> {
        let h = self.length_s() / 3600.0;
        self.good.filter(|_| h > 0.0).map(|g| g as f64 / h)
    }
}

/// The log's periods, read with the scene's resources, capacities and shift
/// calendars where a scene is given.
pub fn periods(
    log: &Log,
    scene: Option<&Scene>,
    calendars: &BTreeMap<String, ShiftCalendar>,
) -> Vec<Period> {
    let mut reps: Vec<u32> = log.events.iter().map(|e| e.replication).collect();
    reps.dedup();
    let feeding_sinks = scene.map(feeds_sink).unwrap_or_default();
    reps.into_iter()
        .map(|rep| {
            let events: Vec<&Event> = log.events.iter().filter(|e| e.replication == rep).collect();
            period(rep, &events, scene, calendars, &feeding_sinks)
        })
        .collect()
}

/// Objects with a flow edge into a sink.
pub(crate) fn feeds_sink(scene: &Scene) -> BTreeSet<String> {
    let sinks: BTreeSet<&str> = scene
        .objects
        .iter()
        .filter(|o| matches!(o, Object::Sink(_)))
        .map(|o| o.id())
        .collect();
    scene
        .flow
        .iter()
        .map(|f| f.edge())
        .filter(|f| sinks.contains(f.to.as_str()))
        .map(|f| f.from)
        .collect()
}

fn period(
    replication: u32,
    events: &[&Event],
    scene: Option<&Scene>,
    calendars: &BTreeMap<String, ShiftCalendar>,
    feeding_sinks: &BTreeSet<String>,
) -> Period {
    let begin_s = events.first().map_or(0.0, |e| e.time_s);
    let end_s = events.last().map_or(0.0, |e| e.time_s);
    let exits = events.iter().filter(|e| e.kind == Kind::Exit).count() as u64;
    let good = if exits > 0 {
        Some(exits)
    } else if !feeding_sinks.is_empty() {
        // Finishes at the last stations, less those of parts scrapped there
        // (a plant may log a finish and then a scrap for the same part).
        let at_end = |e: &&&Event, k: Kind| e.kind == k && feeding_sinks.contains(&e.resource);
        let scrapped: BTreeSet<Option<&str>> = events
            .iter()
            .filter(|e| at_end(e, Kind::Scrap))
            .map(|e| e.part.as_deref())
            .collect();
        let finished = events.iter().filter(|e| at_end(e, Kind::Finish));
        let good = finished
            .filter(|e| e.part.is_none() || !scrapped.contains(&e.part.as_deref()))
            .count() as u64;
        let unnamed_scrap = events
            .iter()
            .filter(|e| at_end(e, Kind::Scrap) && e.part.is_none())
            .count() as u64;
        Some(good.saturating_sub(unnamed_scrap))
    } else {
        None
    };
    let (wip, lead_times) = parts(events, begin_s, end_s);
    let started_empty = started_empty(events);
    let mut resources: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for e in events {
        if !matches!(
            e.kind,
            Kind::Arrive | Kind::Exit | Kind::Enter | Kind::Consumed | Kind::Other
        ) {
            resources.entry(&e.resource).or_default().push(e);
        }
    }
    let shares = resources
        .into_iter()
        .filter(|(_, ev)| {
            ev.iter()
                .any(|e| matches!(e.kind, Kind::Start | Kind::Fail | Kind::Setup))
        })
        .map(|(r, ev)| {
            let capacity = scene.and_then(|s| capacity(s, r));
            (
                r.to_string(),
                shares(&ev, begin_s, end_s, capacity, calendars.get(r)),
            )
        })
        .collect();
    Period {
        replication,
        begin_s,
        end_s,
        good,
        wip,
        lead_times,
        shares,
        started_empty,
    }
}

/// Whether every part with an event in the period arrived in it (and the
/// log records arrivals at all).
fn started_empty(events: &[&Event]) -> bool {
    let mut seen: BTreeMap<&str, bool> = BTreeMap::new();
    for e in events {
        if let Some(p) = e.part.as_deref() {
            seen.entry(p).or_insert(e.kind == Kind::Arrive);
        }
    }
    !seen.is_empty() && seen.values().all(|arrived| *arrived)
}

/// A station's parallel places in the scene.
fn capacity(scene: &Scene, id: &str) -> Option<u32> {
    scene.objects.iter().find_map(|o| match o {
        Object::Machine(m) if m.id == id => Some(m.capacity.max(1)),
        Object::Assembly(a) if a.id == id => Some(1),
        Object::Robot(r) if r.id == id => Some(1),
        _ => None,
    })
}

/// Time-average WIP and lead times from the parts' events. A part is in the
/// line from its arrival to its exit, scrap or consumption; when the log
/// records arrivals (exits), a part seen without one was there since the
/// period began (is still there at its end).
fn parts(events: &[&Event], begin: f64, end: f64) -> (Option<f64>, Vec<f64>) {
    let has = |k: Kind| events.iter().any(|e| e.kind == k);
    let (arrivals, exits) = (has(Kind::Arrive), has(Kind::Exit));
    // Per part: first and last event, and their kinds.
    let mut life: BTreeMap<&str, (f64, Kind, f64, Kind)> = BTreeMap::new();
    for e in events {
        let Some(p) = e.part.as_deref() else { continue };
        life.entry(p)
            .and_modify(|l| {
                l.2 = e.time_s;
                l.3 = e.kind;
            })
            .or_insert((e.time_s, e.kind, e.time_s, e.kind));
    }
    if life.is_empty() || end <= begin {
        return (None, Vec::new());
    }
    let mut inside = 0.0;
    let mut lead = Vec::new();
    for &(t0, k0, t1, k1) in life.values() {
        let arrived = k0 == Kind::Arrive;
        let left = matches!(k1, Kind::Exit | Kind::Scrap | Kind::Consumed);
        let from = if arrivals && !arrived { begin } else { t0 };
        let to = if exits && !left { end } else { t1 };
        inside += to - from;
        if arrived && k1 == Kind::Exit {
            lead.push(t1 - t0);
        }
    }
    (Some(inside / (end - begin)), lead)
}

/// Closed intervals of one kind of state from a resource's events.
#[derive(Default)]
struct Spans {
    busy: Vec<(f64, f64)>,
    failed: Vec<(f64, f64)>,
    setup: Vec<(f64, f64)>,
    maintenance: Vec<(f64, f64)>,
    off: Vec<(f64, f64)>,
}

fn spans(events: &[&Event], begin: f64, end: f64) -> (Spans, u32) {
    let mut s = Spans::default();
    let mut open: Vec<(Option<&str>, f64)> = Vec::new();
    let (mut down, mut maint, mut off) = (None, None, None);
    // Open changeovers by part, as in `samples`.
    let mut setups: Vec<(Option<&str>, f64)> = Vec::new();
    let mut most = 0usize;
    let close = |at: &mut Option<f64>, to: f64, into: &mut Vec<(f64, f64)>| {
        if let Some(a) = at.take() {
            into.push((a, to));
        }
    };
    for e in events {
        let t = e.time_s;
        match e.kind {
            Kind::Start | Kind::SetupEnd => {
                let part = e.part.as_deref();
                let at = setups
                    .iter()
                    .position(|(p, _)| *p == part)
                    .or_else(|| setups.iter().position(|(p, _)| p.is_none()));
                if let Some(i) = at {
                    s.setup.push((setups.remove(i).1, t));
                }
                if e.kind == Kind::SetupEnd {
                    continue;
                }
                open.push((part, t));
                most = most.max(open.len());
            }
            Kind::Finish | Kind::Scrap => {
                let at = match e.part.as_deref() {
                    Some(p) => open.iter().position(|(q, _)| *q == Some(p)),
                    None => (!open.is_empty()).then_some(0),
                };
                // A finish with no start: working since the period began. A
                // scrap with no start here was found elsewhere: no work.
                match at {
                    Some(i) => s.busy.push((open.remove(i).1, t)),
                    None if e.kind == Kind::Finish => s.busy.push((begin, t)),
                    None => {}
                }
            }
            Kind::Fail => down = down.or(Some(t)),
            Kind::Repair => {
                let t0 = down.take().unwrap_or(begin);
                s.failed.push((t0, t));
            }
            Kind::Setup => setups.push((e.part.as_deref(), t)),
            Kind::MaintenanceStart => maint = maint.or(Some(t)),
            Kind::MaintenanceEnd => {
                let t0 = maint.take().unwrap_or(begin);
                s.maintenance.push((t0, t));
            }
            Kind::Off => off = off.or(Some(t)),
            Kind::On => {
                let t0 = off.take().unwrap_or(begin);
                s.off.push((t0, t));
            }
            _ => {}
        }
    }
    s.busy.extend(open.iter().map(|(_, t0)| (*t0, end)));
    close(&mut down, end, &mut s.failed);
    s.setup.extend(setups.iter().map(|(_, t0)| (*t0, end)));
    close(&mut maint, end, &mut s.maintenance);
    close(&mut off, end, &mut s.off);
    (s, most.max(1) as u32)
}

/// Length of the part of `a` that overlaps any of `b` (b disjoint).
fn overlap(a: (f64, f64), b: &[(f64, f64)]) -> f64 {
    b.iter()
        .map(|&(x, y)| (a.1.min(y) - a.0.max(x)).max(0.0))
        .sum()
}

/// The shares of a resource's period, in [`Group::ALL`] order. Working time
/// leaves out breakdowns and time off shift, as the simulator counts it;
/// with several places, working and setup are the average over them.
fn shares(
    events: &[&Event],
    begin: f64,
    end: f64,
    capacity: Option<u32>,
    calendar: Option<&ShiftCalendar>,
) -> [f64; 6] {
    let t = end - begin;
    if t <= 0.0 {
        return [0.0; 6];
    }
    let (s, most) = spans(events, begin, end);
    let on = |a: f64, b: f64| calendar.map_or(b - a, |c| c.on_between(a, b));
    let places = f64::from(capacity.unwrap_or(most));
    let total = |v: &[(f64, f64)], less: &[(f64, f64)]| {
        v.iter()
            .map(|&(a, b)| (on(a, b) - overlap((a, b), less)).max(0.0))
            .sum::<f64>()
    };
    // Off shift outranks every other state, as in the engine; setups, like
    // work, are per place.
    let working = total(&s.busy, &s.failed) / places / t;
    let setup = total(&s.setup, &s.failed) / places / t;
    let failed = total(&s.failed, &[]) / t;
    let maintenance = total(&s.maintenance, &[]) / t;
    let off = match calendar {
        Some(_) => (t - on(begin, end)) / t,
        None => s.off.iter().map(|(a, b)| b - a).sum::<f64>() / t,
    };
    let idle = (1.0 - working - setup - failed - maintenance - off).max(0.0);
    let mut out = [0.0; 6];
    for (i, g) in Group::ALL.iter().enumerate() {
        out[i] = match g {
            Group::Working => working,
            Group::Setup => setup,
            Group::Failed => failed,
            Group::Maintenance => maintenance,
            Group::OffShift => off,
            Group::Idle => idle,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::log;
    use crate::calibrate::mapping::Mapping;

    #[test]
    fn shares_wip_and_lead_times_from_a_small_log() {
        // 100 s: m works 0–40 (part 1) and 60–80 with a breakdown 65–70
        // (part 2); parts arrive at 0 and 50, part 1 exits at 45, part 2
        // is still in at the end.
        let text = "time_s,object,event,part\n\
                    0,src,arrive,1\n0,m,start,1\n40,m,finish,1\n45,sink,exit,1\n\
                    50,src,arrive,2\n60,m,start,2\n65,m,fail,\n70,m,repair,\n80,m,finish,2\n100,m,start,3\n";
        let l = log::read(text, &Mapping::default()).unwrap();
        let p = &periods(&l, None, &BTreeMap::new())[0];
        assert_eq!(p.length_s(), 100.0);
        assert_eq!(p.good, Some(1));
        assert_eq!(p.lead_times, [45.0]);
        // Part 1 in for 45 s, part 2 from 50 to the end (50 s), part 3 is
        // seen at 100 without an arrival: there since the start (100 s).
        assert!((p.wip.unwrap() - 1.95).abs() < 1e-9, "{:?}", p.wip);
        let m = p.shares["m"];
        assert!((m[0] - 0.55).abs() < 1e-9, "working 40 + 15 of 100: {m:?}");
        assert!((m[2] - 0.05).abs() < 1e-9, "failed 5 of 100");
        assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
}
