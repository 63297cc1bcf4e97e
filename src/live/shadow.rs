//! Shadow mode: the plant's state read from its feed, and a forecast of
//! the shift from that state.
//!
//! [`state_at`] walks a feed (the project's event log, as `monitor
//! --record` writes it) up to a moment and finds every part: in a buffer or
//! on a belt, in work at a station (since when), finished and waiting, and
//! every station that is down (since when). [`forecast`] starts N
//! replications of the scene from that state (`sim::build_at`), runs each to
//! the end of the horizon and reports the good parts the day will have made
//! by then: the parts made so far plus each replication's, their mean, a
//! 90 % prediction interval for the one day that will happen (the range of
//! outcomes, not an interval of the mean) and, against a target, the share
//! of replications that reach it with its Wilson interval.

use super::monitor::OeeParts;
use crate::calibrate::log::{Event, Kind};
use crate::error::Diagnostic;
use crate::scene::{Object, Scene};
use crate::sim::{self, Iso22400, JobNow, OrderNow, PartNow, PlantState, StationNow};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Where a part of the feed is at the moment.
struct Whereabouts {
    object: String,
    product: String,
    entered: f64,
    /// Work started (and not finished) at this time.
    started: Option<f64>,
    finished: bool,
    order: Option<String>,
}

/// An order book's parts traced through a feed. A source lets its orders'
/// parts go in release order, so the k-th part to come from it is the k-th
/// of that sequence; a part comes from the source that alone feeds the
/// object it is first seen at.
struct Orders<'a> {
    /// Each order-book source's sequence of order ids, and the next.
    sequences: BTreeMap<&'a str, (Vec<&'a str>, usize)>,
    /// An object fed by exactly one order-book source: that source.
    fed_by: HashMap<&'a str, Option<&'a str>>,
    quantity: HashMap<&'a str, u32>,
    now: BTreeMap<String, OrderNow>,
    part_order: HashMap<String, String>,
    seen: std::collections::HashSet<String>,
}

impl<'a> Orders<'a> {
    fn new(scene: &'a Scene) -> Self {
        let mut o = Orders {
            sequences: BTreeMap::new(),
            fed_by: HashMap::new(),
            quantity: HashMap::new(),
            now: BTreeMap::new(),
            part_order: HashMap::new(),
            seen: Default::default(),
        };
        for obj in &scene.objects {
            if let Object::Source(s) = obj
                && !s.orders.is_empty()
            {
                let mut seq = Vec::new();
                for order in crate::scene::in_release_order(&s.orders) {
                    o.quantity.insert(&order.id, order.quantity);
                    seq.extend(std::iter::repeat_n(
                        order.id.as_str(),
                        order.quantity as usize,
                    ));
                }
                o.sequences.insert(&s.id, (seq, 0));
            }
        }
        for f in &scene.flow {
            let e = f.edge();
            if let Some((source, _)) = o.sequences.get_key_value(e.from.as_str()) {
                let to = scene
                    .objects
                    .iter()
                    .find(|x| x.id() == e.to)
                    .map(|x| x.id());
                if let Some(to) = to {
                    // Fed by two order-book sources: which one is not known.
                    let entry = o.fed_by.entry(to).or_insert(Some(source));
                    if *entry != Some(*source) {
                        *entry = None;
                    }
                }
            }
        }
        o
    }

    /// A part seen for the first time, at `resource`: its order, if it
    /// comes from an order-book source.
    fn first_seen(&mut self, part: &str, resource: &str) -> Option<String> {
        if self.sequences.is_empty() || !self.seen.insert(part.to_string()) {
            return self.part_order.get(part).cloned();
        }
        let source = (*self.fed_by.get(resource)?)?;
        let (seq, next) = self.sequences.get_mut(source)?;
        let id = seq.get(*next)?.to_string();
        *next += 1;
        self.now
            .entry(id.clone())
            .or_insert_with(|| OrderNow {
                id: id.clone(),
                arrived: 0,
                left: 0,
                completed_at: None,
            })
            .arrived += 1;
        self.part_order.insert(part.to_string(), id.clone());
        Some(id)
    }

    /// A part left the system at `t`.
    fn left(&mut self, part: &str, t: f64) {
        let Some(id) = self.part_order.get(part) else {
            return;
        };
        let quantity = self.quantity.get(id.as_str()).copied().unwrap_or(1);
        if let Some(o) = self.now.get_mut(id) {
            o.left += 1;
            if o.left >= quantity {
                o.completed_at.get_or_insert(t);
            }
        }
    }
}

/// Orders late at `at`: delivered after their due date since `midnight`,
/// or still open past it. `orders`: (due, completed at).
fn late_by(orders: impl Iterator<Item = (f64, Option<f64>)>, at: f64, midnight: f64) -> u64 {
    orders
        .filter(|&(due, done)| match done {
            Some(c) => c >= midnight && c > due,
            None => due < at,
        })
        .count() as u64
}

/// Orders of the scene's order books late at the state's time.
fn late_at(scene: &Scene, state: &PlantState) -> u64 {
    let done: HashMap<&str, Option<f64>> = state
        .orders
        .iter()
        .map(|o| (o.id.as_str(), o.completed_at))
        .collect();
    let midnight = (state.t / 86_400.0).floor() * 86_400.0;
    let book = scene.objects.iter().flat_map(|o| match o {
        Object::Source(s) => s.orders.as_slice(),
        _ => &[],
    });
    late_by(
        book.map(|o| (o.due.secs(), done.get(o.id.as_str()).copied().flatten())),
        state.t,
        midnight,
    )
}

/// The whole weeks between a plant's time and the scene's first week: a
/// plant's feed is timed by its wall clock (seconds from Monday
/// 1969-12-29), a scene's times from its first Monday, and the shift
/// calendars and order books repeat or start there. Taking them off brings
/// the plant's week into the scene's (0 for a time in the first week).
pub fn week_shift(t: f64) -> f64 {
    const WEEK: f64 = 7.0 * 86_400.0;
    if t >= WEEK {
        (t / WEEK).floor() * WEEK
    } else {
        0.0
    }
}

/// Events `by` seconds earlier.
pub fn shifted(events: &[Event], by: f64) -> Vec<Event> {
    events
        .iter()
        .map(|e| Event {
            time_s: e.time_s - by,
            ..e.clone()
        })
        .collect()
}

/// The plant's state at `t` from the events of one replication (in time
/// order), with the scene telling which objects are stores and stations.
/// Also the good parts that left the line since the day's midnight.
pub fn state_at(events: &[Event], scene: &Scene, t: f64) -> (PlantState, u64) {
    let mut parts: HashMap<String, Whereabouts> = HashMap::new();
    let mut down: BTreeMap<String, f64> = BTreeMap::new();
    // Work on no named part (a state feed's "working"): since when.
    let mut working: BTreeMap<String, f64> = BTreeMap::new();
    let mut orders = Orders::new(scene);
    let midnight = (t / 86_400.0).floor() * 86_400.0;
    let mut good = 0u64;
    for e in events.iter().take_while(|e| e.time_s <= t) {
        let part = e.part.clone().unwrap_or_default();
        match e.kind {
            Kind::Enter => {
                let order = orders.first_seen(&part, &e.resource);
                parts.insert(
                    part,
                    Whereabouts {
                        object: e.resource.clone(),
                        product: e.product.clone().unwrap_or_default(),
                        entered: e.time_s,
                        started: None,
                        finished: false,
                        order,
                    },
                );
            }
            Kind::Start if e.part.is_none() => {
                working.insert(e.resource.clone(), e.time_s);
            }
            Kind::Finish if e.part.is_none() => {
                working.remove(&e.resource);
            }
            Kind::Start => {
                if let Some(w) = parts.get_mut(&part) {
                    w.started = Some(e.time_s);
                }
            }
            Kind::Finish => {
                if let Some(w) = parts.get_mut(&part) {
                    w.finished = true;
                }
            }
            Kind::Scrap | Kind::Consumed => {
                parts.remove(&part);
                orders.left(&part, e.time_s);
            }
            Kind::Exit => {
                parts.remove(&part);
                orders.left(&part, e.time_s);
                if e.time_s >= midnight {
                    good += 1;
                }
            }
            Kind::Fail => {
                down.insert(e.resource.clone(), e.time_s);
            }
            Kind::Repair => {
                down.remove(&e.resource);
            }
            _ => {}
        }
    }
    let kind = |id: &str| scene.objects.iter().find(|o| o.id() == id);
    let mut stores: BTreeMap<String, Vec<PartNow>> = BTreeMap::new();
    let mut stations: BTreeMap<String, StationNow> = BTreeMap::new();
    let mut held: Vec<&Whereabouts> = parts.values().collect();
    // In the order they came, so a buffer's queue is as the plant's.
    held.sort_by(|a, b| a.entered.total_cmp(&b.entered));
    for w in held {
        match kind(&w.object) {
            Some(Object::Buffer(_) | Object::Conveyor(_)) => {
                stores.entry(w.object.clone()).or_default().push(PartNow {
                    product: w.product.clone(),
                    entered: w.entered,
                    order: w.order.clone(),
                })
            }
            Some(Object::Machine(_) | Object::Robot(_) | Object::Assembly(_)) => {
                let st = stations
                    .entry(w.object.clone())
                    .or_insert_with(|| StationNow {
                        id: w.object.clone(),
                        ..Default::default()
                    });
                st.jobs.push(JobNow {
                    product: w.product.clone(),
                    since: w.started.unwrap_or(t),
                    done: w.finished,
                    order: w.order.clone(),
                });
            }
            // At a source (not yet released) or a sink: not in the line.
            _ => {}
        }
    }
    for (id, since) in working {
        let station = matches!(
            kind(&id),
            Some(Object::Machine(_) | Object::Robot(_) | Object::Assembly(_))
        );
        if station && !stations.contains_key(&id) {
            let since = job_since(scene, &id, since, t);
            stations.insert(
                id.clone(),
                StationNow {
                    id,
                    jobs: vec![JobNow {
                        product: first_product(scene),
                        since,
                        done: false,
                        order: None,
                    }],
                    ..Default::default()
                },
            );
        }
    }
    for (id, since) in down {
        if matches!(kind(&id), Some(Object::Machine(_) | Object::Robot(_))) {
            stations
                .entry(id.clone())
                .or_insert_with(|| StationNow {
                    id,
                    ..Default::default()
                })
                .failed_since = Some(since);
        }
    }
    (
        PlantState {
            t,
            stores: stores.into_iter().collect(),
            stations: stations.into_values().collect(),
            operators: Vec::new(),
            orders: orders.now.into_values().collect(),
        },
        good,
    )
}

/// The objects the feed's events name up to `t` that the scene does not
/// have (the monitor's gap marks aside), each with the feed's line of its
/// first event: a feed of another plant, or a scene that lacks part of the
/// plant, whose parts there the state would lose.
pub fn unknown_objects(events: &[Event], scene: &Scene, t: f64) -> Vec<(String, usize)> {
    let known: std::collections::HashSet<&str> = scene.objects.iter().map(|o| o.id()).collect();
    let mut unknown: BTreeMap<&str, usize> = BTreeMap::new();
    for e in events.iter().take_while(|e| e.time_s <= t) {
        if e.kind != Kind::Other && e.resource != "monitor" && !known.contains(e.resource.as_str())
        {
            unknown.entry(&e.resource).or_insert(e.line);
        }
    }
    let mut list: Vec<(String, usize)> = unknown
        .into_iter()
        .map(|(id, l)| (id.to_string(), l))
        .collect();
    list.sort_by_key(|x| x.1);
    list
}

/// When the job in hand at a station that has been working since `since`
/// (a state feed: no part events) started: then, if that is less than a
/// mean cycle ago; otherwise several jobs have passed in that stretch and
/// the one in hand is taken to be half a mean cycle old (the mean age of a
/// job in hand when jobs follow each other).
fn job_since(scene: &Scene, id: &str, since: f64, t: f64) -> f64 {
    match super::monitor::ideal_cycle(scene, id) {
        Some(c) if c > 0.0 && t - since > c => t - c / 2.0,
        _ => since,
    }
}

/// The product a part named by no event is taken to be: the first a
/// source makes.
fn first_product(scene: &Scene) -> String {
    scene
        .objects
        .iter()
        .find_map(|o| match o {
            Object::Source(s) => s
                .product
                .clone()
                .or_else(|| s.mix.first().map(|m| m.0.clone())),
            _ => None,
        })
        .unwrap_or_default()
}

/// What a feed reads besides its events and states: each buffer's or
/// belt's level and each operator pool's headcount, as (plant time,
/// value) readings in the order they came.
#[derive(Clone, Debug, Default)]
pub struct Readings {
    pub levels: BTreeMap<String, Vec<(f64, u64)>>,
    pub present: BTreeMap<String, Vec<(f64, u64)>>,
    /// Each station's first good count known (time, count): the broker's
    /// stored copy of its counters when the feed was joined, or a plant's
    /// good tag's first reading (which stands for none); the base of the
    /// day's good parts when the feed was joined after midnight.
    pub first_good: BTreeMap<String, (f64, u64)>,
}

impl Readings {
    /// The readings `by` seconds earlier.
    pub fn shifted(&self, by: f64) -> Readings {
        let map = |m: &BTreeMap<String, Vec<(f64, u64)>>| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.iter().map(|&(t, n)| (t - by, n)).collect()))
                .collect()
        };
        Readings {
            levels: map(&self.levels),
            present: map(&self.present),
            first_good: self
                .first_good
                .iter()
                .map(|(k, &(t, n))| (k.clone(), (t - by, n)))
                .collect(),
        }
    }

    /// Lets go of readings before `cutoff`, each object keeping its last
    /// one before (its value then).
    pub fn let_go(&mut self, cutoff: f64) {
        for list in self.levels.values_mut().chain(self.present.values_mut()) {
            let old = list.iter().take_while(|r| r.0 < cutoff).count();
            list.drain(..old.saturating_sub(1));
        }
    }
}

/// The plant's state at `t` as [`state_at`] reads it from the events, with
/// what the readings add: the parts in each buffer or belt the events put
/// none in (its last level; the parts' products and ages are not known:
/// the first product, entered at the reading), each pool's operators
/// present (its last headcount), and, from a state feed (`counters`), the
/// good parts so far by the counters of the stations that feed a sink,
/// with the time they count from when that is after the day's midnight
/// (the feed was joined later, and no count from before midnight is
/// known: the parts before it are not in the good parts so far).
pub fn state_read(
    events: &[Event],
    readings: &Readings,
    counters: Option<&super::monitor::Counters>,
    scene: &Scene,
    t: f64,
) -> (PlantState, u64, Option<f64>) {
    let (mut state, mut good) = state_at(events, scene, t);
    let last = |v: &[(f64, u64)]| v.iter().rev().find(|r| r.0 <= t).copied();
    let product = first_product(scene);
    for (id, list) in &readings.levels {
        let capacity = scene.objects.iter().find_map(|o| match o {
            Object::Buffer(b) if b.id == *id => Some(u64::from(b.capacity)),
            // (A belt's room depends on its length and spacing; the engine
            // refuses what does not fit.)
            Object::Conveyor(c) if c.id == *id => Some(100_000),
            _ => None,
        });
        let held = state.stores.iter().any(|(s, p)| s == id && !p.is_empty());
        if let (Some(capacity), false, Some((at, n))) = (capacity, held, last(list)) {
            // One more than fits is enough for the forecast to say so.
            let n = n.min(capacity + 1) as usize;
            state.stores.retain(|(s, _)| s != id);
            let part = PartNow {
                product: product.clone(),
                entered: at,
                order: None,
            };
            state.stores.push((id.clone(), vec![part; n]));
        }
    }
    state.stores.sort_by(|a, b| a.0.cmp(&b.0));
    for (id, list) in &readings.present {
        if let Some((_, n)) = last(list) {
            state
                .operators
                .push((id.clone(), n.min(u64::from(u32::MAX)) as u32));
        }
    }
    let mut since = None;
    if let Some(c) = counters {
        let midnight = (t / 86_400.0).floor() * 86_400.0;
        good = 0;
        for id in crate::calibrate::observed::feeds_sink(scene) {
            let first = readings.first_good.get(&id).copied();
            let (n, from) = good_since(c.get(&id).map_or(&[][..], |v| v), first, midnight, t);
            good += n;
            if from > midnight {
                since = Some(since.map_or(from, |s: f64| s.max(from)));
            }
        }
    }
    (state, good, since)
}

/// The good parts a station's counter readings (time, good, scrap) count
/// from `from` to `to`, and the time they count from: `from` where the
/// count before it is known (a reading before it, or none at all: the
/// counter started at zero with the feed), else the first count known (the
/// stored copy the feed was joined with, or a plant's tag's first reading,
/// which stands for none): what came before that is not known.
fn good_since(
    list: &[(f64, u64, u64)],
    first: Option<(f64, u64)>,
    from: f64,
    to: f64,
) -> (u64, f64) {
    // A stored copy after the live readings is left from an earlier run of
    // the plant: not a base.
    let first = first.filter(|s| list.first().is_none_or(|r| s.0 <= r.0));
    let counts: Vec<(f64, u64)> = first
        .into_iter()
        .chain(list.iter().map(|&(t, g, _)| (t, g)))
        .filter(|r| r.0 <= to)
        .collect();
    let (base, since) = match counts.iter().rev().find(|r| r.0 < from) {
        Some(&(_, g)) => (g, from),
        None => match first {
            Some((t, g)) => (g, t.max(from)),
            None => (0, from),
        },
    };
    let end = counts.last().map_or(base, |r| r.1);
    (end.saturating_sub(base), since)
}

/// A forecast of the good parts by the end of the horizon.
#[derive(Clone, Debug, Serialize)]
pub struct Forecast {
    /// The plant's time of the state, and the end of the horizon (simulated
    /// seconds from Monday 00:00).
    pub at_s: f64,
    pub until_s: f64,
    /// Good parts that left the line since the day's midnight, up to `at_s`.
    pub so_far: u64,
    /// Each replication's good parts by `until_s` (so far included), in
    /// replication order.
    pub outcomes: Vec<u64>,
    pub mean: f64,
    /// 90 % prediction interval for the day's good parts: mean ±
    /// t(0.95, n−1)·s·√(1 + 1/n), the range of outcomes one day may have.
    pub interval90: (f64, f64),
    pub target: Option<u64>,
    /// The share of replications reaching the target, with its 95 % Wilson
    /// interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_target: Option<(f64, f64, f64)>,
    /// Parts placed from the plant's state, and those the model had no room
    /// for (said beside the forecast).
    pub placed: u32,
    pub not_placed: Vec<String>,
    /// The fan: good parts by each of [`PATH_STEPS`] moments from the state
    /// to the end, with the same 90 % prediction interval as at the end.
    pub path: Vec<PathPoint>,
    /// Each station's OEE from the state to the end, in scene order.
    pub oee: Vec<StationOee>,
    /// Each station's OEE over the whole day by the end: the plant's day
    /// so far (from its feed since midnight) with each replication's rest
    /// (see [`Forecast::with_day`]); empty until given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub day_oee: Vec<StationOee>,
    /// Orders late by the end, where the scene has an order book.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_orders: Option<LateOrders>,
    /// Each replication's OEE parts per station from the state to the end.
    #[serde(skip)]
    rest: Vec<Vec<(String, OeeParts)>>,
}

/// A station's OEE over the rest of the forecast (from the state to the
/// end): the mean over the replications and the 90 % prediction interval
/// of the one rest of the day that will happen (clamped to 0–100 %).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StationOee {
    pub station: String,
    pub mean: f64,
    pub interval90: (f64, f64),
}

/// Orders late by the end of a forecast: delivered after their due date
/// since the day's midnight, or still open past it at the end.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LateOrders {
    /// Late already at the plant's state.
    pub so_far: u64,
    /// Each replication's late orders by the end, in replication order.
    pub outcomes: Vec<u64>,
    pub mean: f64,
    /// 90 % prediction interval of the one day's count (floored at 0).
    pub interval90: (f64, f64),
}

/// One moment of a forecast's fan.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct PathPoint {
    pub t_s: f64,
    pub mean: f64,
    pub interval90: (f64, f64),
}

/// Moments in a forecast's fan after the state's (the last is the end).
pub const PATH_STEPS: usize = 24;

/// The moments of the fan: from the state to the end in equal steps.
fn path_times(from: f64, until: f64) -> Vec<f64> {
    // The end exactly (from + (until − from) may miss it by a rounding).
    (0..PATH_STEPS)
        .map(|i| from + (until - from) * i as f64 / PATH_STEPS as f64)
        .chain([until])
        .collect()
}

/// Mean and 90 % prediction interval of one more outcome like these:
/// mean ± t(0.95, n−1)·s·√(1 + 1/n).
fn predict90(values: &[f64]) -> (f64, (f64, f64)) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half =
        crate::calibrate::special::t_quantile(0.95, n - 1.0) * (var * (1.0 + 1.0 / n)).sqrt();
    (mean, (mean - half, mean + half))
}

/// Forecasts from `state` to `until` over `reps` replications (numbered
/// from 0, so the same state and scene give the same bytes).
pub fn forecast(
    scene: &Scene,
    state: &PlantState,
    so_far: u64,
    until: f64,
    reps: u32,
    target: Option<u64>,
) -> Result<Forecast, Diagnostic> {
    if reps < 2 {
        return Err(Diagnostic::new(
            "a forecast needs at least 2 replications for its interval",
        ));
    }
    // Each replication stops at the fan's moments on its way (the same run
    // as one straight to the end: events up to a moment, then on).
    let times = path_times(state.t, until);
    type Run = (Vec<u64>, Vec<(String, OeeParts)>, sim::Placed, Option<u64>);
    let midnight = (state.t / 86_400.0).floor() * 86_400.0;
    let runs: Vec<Result<Run, Diagnostic>> = (0..reps)
        .into_par_iter()
        .map(|rep| {
            let (mut engine, placed) = sim::build_at(scene, rep, state, until)?;
            let made = times
                .iter()
                .map(|&t| {
                    engine.advance_to(t);
                    so_far + engine.line.exited_total
                })
                .collect();
            // Statistics start at the state: these are the rest of the day's.
            let oee = engine
                .nodes
                .iter()
                .filter_map(|n| match &n.kind {
                    sim::NodeKind::Station(s) => Some((n.id.clone(), s.oee_parts(engine.now))),
                    _ => None,
                })
                .collect();
            let orders = engine.orders.iter().map(|o| (o.due, o.completed_at));
            let late = (!engine.orders.is_empty()).then(|| late_by(orders, until, midnight));
            Ok((made, oee, placed, late))
        })
        .collect();
    let mut paths = Vec::with_capacity(reps as usize);
    let mut oees: Vec<Vec<(String, OeeParts)>> = Vec::with_capacity(reps as usize);
    let mut placed = sim::Placed::default();
    let mut late = Vec::new();
    for r in runs {
        let (made, oee, p, l) = r?;
        paths.push(made);
        oees.push(oee);
        placed = p;
        late.extend(l);
    }
    let late_orders = (!late.is_empty()).then(|| {
        let values: Vec<f64> = late.iter().map(|&x| x as f64).collect();
        let (mean, interval90) = predict90(&values);
        LateOrders {
            so_far: late_at(scene, state),
            mean,
            interval90: (interval90.0.max(0.0), interval90.1),
            outcomes: late,
        }
    });
    let path: Vec<PathPoint> = times
        .iter()
        .enumerate()
        .map(|(i, &t_s)| {
            let at: Vec<f64> = paths.iter().map(|p| p[i] as f64).collect();
            let (mean, interval90) = predict90(&at);
            PathPoint {
                t_s,
                mean,
                interval90,
            }
        })
        .collect();
    let outcomes: Vec<u64> = paths.iter().map(|p| p[PATH_STEPS]).collect();
    let n = outcomes.len() as f64;
    let end = path[PATH_STEPS];
    let (mean, interval90) = (end.mean, end.interval90);
    let p_target = target.map(|goal| {
        let hits = outcomes.iter().filter(|&&x| x >= goal).count() as f64;
        let (lo, hi) = wilson(hits, n);
        (hits / n, lo, hi)
    });
    Ok(Forecast {
        at_s: state.t,
        until_s: until,
        so_far,
        outcomes,
        mean,
        interval90,
        target,
        p_target,
        placed: placed.parts,
        not_placed: placed.dropped,
        path,
        oee: station_oee(&oees, &BTreeMap::new()),
        day_oee: Vec::new(),
        late_orders,
        rest: oees,
    })
}

impl Forecast {
    /// With each station's OEE over the whole day: the plant's day so far
    /// (its OEE parts from the feed since midnight, [`so_far_parts`])
    /// added to each replication's rest, then judged as one period.
    pub fn with_day(mut self, so_far: &BTreeMap<String, OeeParts>) -> Self {
        self.day_oee = station_oee(&self.rest, so_far);
        self
    }
}

/// Each station's OEE parts over the plant's day so far: the feed's events
/// from the day's midnight to `at`.
pub fn so_far_parts(events: &[Event], scene: &Scene, at: f64) -> BTreeMap<String, OeeParts> {
    let midnight = (at / 86_400.0).floor() * 86_400.0;
    let log = crate::calibrate::log::Log {
        events: events
            .iter()
            .filter(|e| e.time_s >= midnight && e.time_s <= at)
            .cloned()
            .collect(),
        ..Default::default()
    };
    super::monitor::oee_parts(&log, scene)
}

/// Two periods' OEE parts as one.
fn add_parts(a: &OeeParts, b: Option<&OeeParts>) -> OeeParts {
    let Some(b) = b else { return *a };
    let mut t = a.0;
    for (x, y) in t.iter_mut().zip(b.0) {
        *x += y;
    }
    let counts = match (a.2, b.2) {
        (Some(x), Some(y)) => Some((x.0 + y.0, x.1 + y.1, x.2 + y.2)),
        _ => None,
    };
    (t, a.1 + b.1, counts)
}

/// Each station's OEE over the replications (those where it is defined:
/// a station that never had planned time has none), each replication's
/// parts with `before` added (empty: the rest of the day alone).
fn station_oee(
    runs: &[Vec<(String, OeeParts)>],
    before: &BTreeMap<String, OeeParts>,
) -> Vec<StationOee> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    first
        .iter()
        .enumerate()
        .filter_map(|(i, (id, _))| {
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|r| {
                    let (t, total, counts) = add_parts(&r.get(i)?.1, before.get(id));
                    Iso22400::of(&t, total, counts).oee
                })
                .collect();
            (values.len() >= 2).then(|| {
                let (mean, (lo, hi)) = predict90(&values);
                StationOee {
                    station: id.clone(),
                    mean,
                    interval90: (lo.max(0.0), hi.min(1.0)),
                }
            })
        })
        .collect()
}

/// A what-if forecast beside the plant's own, from the same state.
#[derive(Clone, Debug, Serialize)]
pub struct WhatIf {
    pub name: String,
    pub forecast: Forecast,
    /// Mean of the paired differences (what-if − as is) in good parts by
    /// the end, and its 95 % confidence interval (an interval of the mean
    /// difference: replication k of both starts from the same state with
    /// the same random numbers, common random numbers).
    pub difference: f64,
    pub difference95: (f64, f64),
}

/// Compares `what_if` (a variant of the plant: the same objects, something
/// changed) with `base`, both forecast from the same state and replications.
pub fn what_if(name: &str, base: &Forecast, what_if: Forecast) -> WhatIf {
    let d: Vec<f64> = what_if
        .outcomes
        .iter()
        .zip(&base.outcomes)
        .map(|(&a, &b)| a as f64 - b as f64)
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half = crate::calibrate::special::t_quantile(0.975, n - 1.0) * sd / n.sqrt();
    WhatIf {
        name: name.to_string(),
        forecast: what_if,
        difference: mean,
        difference95: (mean - half, mean + half),
    }
}

/// The 95 % Wilson score interval of a proportion `hits / n`.
fn wilson(hits: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let p = hits / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wilson_interval_is_the_textbook_one() {
        // 27 of 30: 0.744 to 0.965 (Wilson 1927, as tabulated).
        let (lo, hi) = wilson(27.0, 30.0);
        assert!(
            (lo - 0.7438).abs() < 1e-3 && (hi - 0.9654).abs() < 1e-3,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0.0, 30.0);
        assert!(lo == 0.0 && (hi - 0.1135).abs() < 1e-3, "{hi}");
    }

    #[test]
    fn the_days_good_parts_count_from_the_last_count_before_midnight_or_say_from_when() {
        let (midnight, now) = (86_400.0, 86_400.0 + 36_000.0);
        // Readings from before midnight: the rise since the last of them.
        let list = [(80_000.0, 500, 3), (90_000.0, 520, 3), (100_000.0, 560, 4)];
        assert_eq!(good_since(&list, None, midnight, now), (60, midnight));
        // The stored copy from before midnight is the base the same way.
        let later = [(90_000.0, 520, 3), (100_000.0, 560, 4)];
        let stored = Some((70_000.0, 500));
        assert_eq!(good_since(&later, stored, midnight, now), (60, midnight));
        // Joined after the day's first parts: counted from the stored copy.
        let stored = Some((88_000.0, 510));
        assert_eq!(good_since(&later, stored, midnight, now), (50, 88_000.0));
        // No stored copy, no reading before: the counters began with the feed.
        assert_eq!(good_since(&later, None, midnight, now), (560, midnight));
        // A stored copy after the live readings is an earlier run's.
        let stale = Some((120_000.0, 9_999));
        assert_eq!(good_since(&later, stale, midnight, now), (560, midnight));
        // Nothing read yet.
        assert_eq!(good_since(&[], None, midnight, now), (0, midnight));
        // Readings after `now` do not count.
        assert_eq!(
            good_since(&later, None, midnight, 95_000.0),
            (520, midnight)
        );
    }

    #[test]
    fn a_plants_wall_clock_is_brought_into_the_scenes_week() {
        let week = 7.0 * 86_400.0;
        assert_eq!(week_shift(36_000.0), 0.0);
        assert_eq!(week_shift(2918.0 * week + 36_000.0), 2918.0 * week);
        assert_eq!(week_shift(week), week);
    }
}
