//! Calibration: the line's own event log turned into fitted input
//! distributions (cycle, repair, time between failures, interarrival), each
//! with its goodness of fit, so that the model is built from the plant's
//! data rather than typed-in guesses.
//!
//! `log` reads the CSV (or `ocel` the OCEL 2.0 JSON) with the names of
//! `mapping`, `samples` cuts it into durations per resource, `fit` fits and
//! ranks the families (`special` holds the functions they need), `variant`
//! writes the calibrated model, `skeleton` a scene when there is none,
//! `observed` and `validate` check a model against the log.

pub mod fit;
pub mod log;
pub mod mapping;
pub mod observed;
pub mod ocel;
pub mod skeleton;
pub mod special;
pub mod validate;
pub mod variant;

use crate::scene::{Object, Scene, ShiftCalendar};
use fit::{Fit, Sample, fit_all};
use log::{Kind, Log};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// When each object of `scene` can work: its own shifts, or (a machine
/// without) its operator pool's. An object with no shift is always on and
/// has no entry. Log times are seconds from Monday 00:00, as the
/// simulation's are.
pub fn working_calendars(scene: &Scene) -> BTreeMap<String, ShiftCalendar> {
    let calendar = |ids: &[String]| {
        let each: Vec<ShiftCalendar> = ids
            .iter()
            .filter_map(|id| scene.shifts.iter().find(|s| &s.id == id))
            .filter_map(|s| ShiftCalendar::new(s).ok())
            .collect();
        (!each.is_empty()).then(|| ShiftCalendar::union(&each))
    };
    // A pool works its shifts, or its crews' shifts.
    let pool_shift = |id: &str| {
        scene.objects.iter().find_map(|o| match o {
            Object::Operators(p) if p.id == id => {
                let mut ids = p.shift.0.clone();
                ids.extend(
                    p.crews
                        .iter()
                        .filter(|(_, n)| **n > 0)
                        .map(|(s, _)| s.clone()),
                );
                Some(ids)
            }
            _ => None,
        })
    };
    let mut out = BTreeMap::new();
    for o in &scene.objects {
        let own = match o {
            Object::Source(x) => x.shift.0.clone(),
            Object::Machine(x) if x.shift.is_empty() => x
                .operator
                .as_deref()
                .and_then(pool_shift)
                .unwrap_or_default(),
            Object::Machine(x) => x.shift.0.clone(),
            Object::Robot(x) => x.shift.0.clone(),
            Object::Assembly(x) => x.shift.0.clone(),
            Object::Vehicles(x) => x.shift.0.clone(),
            _ => Vec::new(),
        };
        if let Some(c) = calendar(&own) {
            out.insert(o.id().to_string(), c);
        }
    }
    out
}

/// How working time is counted: each resource's shifts (from the scene),
/// or without a scene the calendar time less the log's long pauses.
#[derive(Clone, Debug, Default)]
pub struct WorkingTime {
    pub calendars: BTreeMap<String, ShiftCalendar>,
    /// Stretches with no event anywhere in the log, longer than ten
    /// minutes and than 50 typical gaps between events: breaks, nights,
    /// weekends. (Repairs are timed on the clock, not in working time.)
    pub pauses: Vec<(f64, f64)>,
}

impl WorkingTime {
    /// From a scene's shifts.
    pub fn of_scene(scene: &Scene) -> Self {
        WorkingTime {
            calendars: working_calendars(scene),
            pauses: Vec::new(),
        }
    }

    /// Without a scene: the pauses the log shows.
    pub fn of_log(log: &Log) -> Self {
        let mut t: Vec<f64> = log.events.iter().map(|e| e.time_s).collect();
        t.sort_by(f64::total_cmp);
        let mut gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
        gaps.sort_by(f64::total_cmp);
        let typical = gaps.get(gaps.len() / 2).copied().unwrap_or(0.0);
        let least = (50.0 * typical).max(600.0);
        WorkingTime {
            calendars: BTreeMap::new(),
            pauses: t
                .windows(2)
                .filter(|w| w[1] - w[0] > least)
                .map(|w| (w[0], w[1]))
                .collect(),
        }
    }

    /// Working time of resource `r` between `a` and `b`.
    pub fn between(&self, r: &str, a: f64, b: f64) -> f64 {
        match self.calendars.get(r) {
            Some(c) => c.on_between(a, b),
            None => {
                b - a
                    - self
                        .pauses
                        .iter()
                        .map(|&(x, y)| (b.min(y) - a.max(x)).max(0.0))
                        .sum::<f64>()
            }
        }
    }
}

/// What a duration measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Start to finish of a part.
    Cycle,
    /// Breakdown to repair.
    Repair,
    /// Repair (or the start of the log) to the next breakdown, counted as
    /// the scene's `failures.between` is: the time the resource worked on
    /// parts (some start without its finish, in working time, breakdowns
    /// left out) where every breakdown came while it worked; else (a log
    /// without starts, or breakdowns while idle: failures by the clock, not
    /// by use) all its working time. The last one, still running when the
    /// log ends, is censored.
    BetweenFailures,
    /// From one arrival at a source to the next.
    Interarrival,
    /// A changeover: from its start to the next start (or its logged end).
    Setup,
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::Cycle => "cycle",
            Measure::Repair => "repair",
            Measure::BetweenFailures => "between failures",
            Measure::Interarrival => "interarrival",
            Measure::Setup => "setup",
        }
    }
}

/// The fits of one resource's durations of one kind.
#[derive(Clone, Debug, Serialize)]
pub struct Fitting {
    pub resource: String,
    /// Cycles of one product, or setups of one changeover ("flange →
    /// shaft"), where the resource had several (`None`: all of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// For one product (or changeover): the two-sample KS p-value of its
    /// durations against the resource's other products'; below 0.01 the
    /// products differ and the calibrated model keeps them apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub differs_p: Option<f64>,
    pub measure: Measure,
    /// Complete observations, and censored ones.
    pub n: usize,
    pub censored: usize,
    pub mean_s: f64,
    /// Every family fitted, best (lowest AIC) first.
    pub fits: Vec<Fit>,
    /// The complete observations in 20 equal bins: (bin centre in seconds,
    /// count), the Empirical table used when no family fits.
    pub histogram: Vec<(f64, f64)>,
    /// Observations too far out for the data: beyond where the best fit
    /// expects even one of them in a thousand logs this size (or, when no
    /// family fits or the best is bounded, beyond 3 interquartile ranges
    /// from the quartiles).
    /// Counted, not removed, so that a reader can judge them.
    pub outliers: usize,
    /// Whether the durations changed during the log.
    pub drift: Option<Drift>,
    /// The complete observations, in the log's order (for the report's
    /// histogram and Q–Q plot).
    #[serde(skip)]
    pub data: Vec<f64>,
}

/// The first half of the observations (in time order) against the second.
#[derive(Clone, Debug, Serialize)]
pub struct Drift {
    pub first_half_mean_s: f64,
    pub second_half_mean_s: f64,
    /// Two-sample Kolmogorov–Smirnov distance and p-value.
    pub ks: f64,
    pub p: f64,
}

impl Drift {
    /// The halves differ beyond chance (p < 0.01).
    pub fn found(&self) -> bool {
        self.p < 0.01
    }
}

/// The halves of `x` (in the order observed) compared by a two-sample
/// Kolmogorov–Smirnov test; none below 20 observations.
pub fn drift(x: &[f64]) -> Option<Drift> {
    if x.len() < 20 {
        return None;
    }
    let (a, b) = x.split_at(x.len() / 2);
    let (ks, p) = two_sample(a, b);
    Some(Drift {
        first_half_mean_s: fit::mean(a),
        second_half_mean_s: fit::mean(b),
        ks,
        p,
    })
}

/// The two-sample Kolmogorov–Smirnov distance between `a` and `b` and its
/// p-value (both non-empty).
pub fn two_sample(a: &[f64], b: &[f64]) -> (f64, f64) {
    let sorted = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        s
    };
    let (sa, sb) = (sorted(a), sorted(b));
    // The largest gap between the two empirical distribution functions,
    // walking both sorted samples at once.
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < sa.len() && j < sb.len() {
        let v = sa[i].min(sb[j]);
        while i < sa.len() && sa[i] <= v {
            i += 1;
        }
        while j < sb.len() && sb[j] <= v {
            j += 1;
        }
        d = d.max((i as f64 / sa.len() as f64 - j as f64 / sb.len() as f64).abs());
    }
    let n = (sa.len() * sb.len()) as f64 / (sa.len() + sb.len()) as f64;
    (d, fit::ks_p(n, d))
}

/// How many values lie in a tail of `f` so thin that a log of this size
/// would hold one there only once in a thousand (either side).
fn beyond(f: &fit::Fitted, x: &[f64]) -> usize {
    let tail = 1e-3 / x.len() as f64 / 2.0;
    x.iter()
        .filter(|v| {
            let c = f.cdf(**v);
            c < tail || 1.0 - c < tail
        })
        .count()
}

/// How many values lie beyond 3 interquartile ranges from the quartiles.
pub fn far_outliers(x: &[f64]) -> usize {
    if x.len() < 4 {
        return 0;
    }
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let q = |p: f64| s[((s.len() - 1) as f64 * p).round() as usize];
    let (q1, q3) = (q(0.25), q(0.75));
    let iqr = q3 - q1;
    s.iter()
        .filter(|v| **v < q1 - 3.0 * iqr || **v > q3 + 3.0 * iqr)
        .count()
}

/// What a log's events could not be paired into durations.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Unpaired {
    /// A finish (or repair) with no start (or breakdown) before it: the
    /// log began mid-way.
    pub ends_without_start: usize,
    /// A start (or breakdown) with no end: still running when the log ends.
    pub starts_without_end: usize,
}

/// A changeover under way: when it began and its pair of products, if known.
type OpenSetup = (f64, Option<String>);

/// The name of a changeover from one product to another ("flange → shaft").
pub fn setup_pair(from: &str, to: &str) -> String {
    format!("{from} → {to}")
}

/// Which durations a sample holds: a resource's, of one measure, and for
/// cycles of one product or setups of one pair of products (`None`: all).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub resource: String,
    pub product: Option<String>,
    pub measure: Measure,
}

impl Key {
    pub(crate) fn new(resource: &str, measure: Measure) -> Self {
        Key {
            resource: resource.to_string(),
            product: None,
            measure,
        }
    }
}

/// The resources whose log says when parts are worked on and whose every
/// breakdown came while some part was in work: their failures go by use,
/// as the engine's do, and their time between failures is the time they
/// worked (see [`Uptime`]).
fn fail_while_working<'a>(events: &[&'a log::Event]) -> BTreeSet<&'a str> {
    let mut open: BTreeMap<&str, u32> = BTreeMap::new();
    let mut idle_failure: BTreeSet<&str> = BTreeSet::new();
    for e in events {
        let r = e.resource.as_str();
        match e.kind {
            Kind::Start => *open.entry(r).or_default() += 1,
            Kind::Finish | Kind::Scrap => {
                if let Some(n) = open.get_mut(r) {
                    *n = n.saturating_sub(1);
                }
            }
            Kind::Fail if open.get(r).copied().unwrap_or(0) == 0 => {
                idle_failure.insert(r);
            }
            _ => {}
        }
    }
    open.into_keys()
        .filter(|r| !idle_failure.contains(r))
        .collect()
}

/// A resource's working time on parts since its last repair: the engine's
/// failure clock runs while some server works a part (a cycle between its
/// start and its finish), in working time, and stops while it is down.
#[derive(Default)]
struct Uptime {
    /// Parts started and not finished.
    open: u32,
    /// Down since its last breakdown.
    down: bool,
    /// Working since this time (some part open, not down).
    since: Option<f64>,
    /// Worked since the last repair, before `since`.
    acc: f64,
}

impl Uptime {
    /// Follows one event of the resource at `t`; `span` is its working
    /// time between two moments.
    fn see(&mut self, kind: Kind, t: f64, span: impl Fn(f64, f64) -> f64) {
        // Close the stretch worked so far; reopen it if work goes on.
        if let Some(a) = self.since.take() {
            self.acc += span(a, t).max(0.0);
        }
        match kind {
            Kind::Start => self.open += 1,
            Kind::Finish | Kind::Scrap => self.open = self.open.saturating_sub(1),
            Kind::Fail => self.down = true,
            Kind::Repair => {
                self.down = false;
                self.acc = 0.0;
            }
            _ => {}
        }
        if self.open > 0 && !self.down {
            self.since = Some(t);
        }
    }

    /// The time worked since the last repair (the breakdown just seen ends it).
    fn take(&mut self) -> f64 {
        std::mem::take(&mut self.acc)
    }
}

/// Durations per [`Key`], each in the resource's working time (`time`):
/// time off shift (or in the log's pauses) is left out, and a cycle also
/// leaves out the breakdowns it was paused by. Cycles are kept per product
/// as well when a resource made more than one.
pub fn samples(log: &Log, time: &WorkingTime) -> (BTreeMap<Key, Sample>, Unpaired) {
    let span = |r: &str, a: f64, b: f64| time.between(r, a, b);
    let mut out: BTreeMap<Key, Sample> = BTreeMap::new();
    let mut unpaired = Unpaired::default();
    let replications: Vec<u32> = {
        let mut r: Vec<u32> = log.events.iter().map(|e| e.replication).collect();
        r.dedup();
        r
    };
    for rep in replications {
        let events: Vec<&log::Event> = log.events.iter().filter(|e| e.replication == rep).collect();
        let (Some(first), Some(last)) = (events.first(), events.last()) else {
            continue;
        };
        let (begin, end) = (first.time_s, last.time_s);
        // Per resource: open starts (by part, else in order), the open
        // breakdown, the last repair, the last arrival, the open changeover.
        let mut starts: BTreeMap<&str, VecDeque<(Option<&str>, f64)>> = BTreeMap::new();
        let mut down: BTreeMap<&str, f64> = BTreeMap::new();
        let mut up_since: BTreeMap<&str, f64> = BTreeMap::new();
        let mut arrived: BTreeMap<&str, f64> = BTreeMap::new();
        // Open changeovers by (resource, part): a station with several
        // places sets up for one part while others work.
        // With the changeover's products (from the last part started there,
        // to the part set up for), when the log names them.
        let mut setting_up: BTreeMap<(&str, Option<&str>), OpenSetup> = BTreeMap::new();
        let mut last_product: BTreeMap<&str, &str> = BTreeMap::new();
        let mut failing: Vec<&str> = Vec::new();
        // Each resource's breakdowns so far: (fail, repair).
        let mut outages: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
        let worked = fail_while_working(&events);
        let mut uptime: BTreeMap<&str, Uptime> = BTreeMap::new();
        for e in &events {
            let r = e.resource.as_str();
            if worked.contains(r) {
                uptime
                    .entry(r)
                    .or_default()
                    .see(e.kind, e.time_s, |a, b| span(r, a, b));
            }
            let mut push = |key: Key, v: f64, censored: bool| {
                let s = out.entry(key).or_default();
                if censored {
                    s.censored.push(v);
                } else {
                    s.complete.push(v);
                    s.ended_at.push(e.time_s);
                }
            };
            if matches!(e.kind, Kind::Start | Kind::SetupEnd)
                && let Some((t0, pair)) = setting_up
                    .remove(&(r, e.part.as_deref()))
                    .or_else(|| setting_up.remove(&(r, None)))
            {
                let v = span(r, t0, e.time_s);
                push(Key::new(r, Measure::Setup), v, false);
                if let Some(pair) = pair {
                    let key = Key {
                        product: Some(pair),
                        ..Key::new(r, Measure::Setup)
                    };
                    push(key, v, false);
                }
            }
            if let (Kind::Start, Some(p)) = (e.kind, e.product.as_deref()) {
                last_product.insert(r, p);
            }
            match e.kind {
                Kind::Start => starts
                    .entry(r)
                    .or_default()
                    .push_back((e.part.as_deref(), e.time_s)),
                // A part scrapped where it was worked on ends its cycle too
                // (the engine logs scrap instead of finish); scrap elsewhere
                // (at a check without a start) is not a cycle.
                Kind::Finish | Kind::Scrap => {
                    let open = starts.entry(r).or_default();
                    let at = match e.part.as_deref() {
                        Some(p) => open.iter().position(|(q, _)| *q == Some(p)),
                        None if e.kind == Kind::Finish => (!open.is_empty()).then_some(0),
                        None => None,
                    };
                    match at.and_then(|i| open.remove(i)) {
                        Some((_, t0)) => {
                            let paused: f64 = outages
                                .get(r)
                                .map(|o| {
                                    o.iter()
                                        .map(|&(a, b)| span(r, a.max(t0), b.min(e.time_s)).max(0.0))
                                        .sum()
                                })
                                .unwrap_or(0.0);
                            let v = span(r, t0, e.time_s) - paused;
                            push(Key::new(r, Measure::Cycle), v, false);
                            if let Some(p) = &e.product {
                                let key = Key {
                                    product: Some(p.clone()),
                                    ..Key::new(r, Measure::Cycle)
                                };
                                push(key, v, false);
                            }
                        }
                        None if e.kind == Kind::Finish => unpaired.ends_without_start += 1,
                        None => {}
                    }
                }
                Kind::Fail => {
                    if !failing.contains(&r) {
                        failing.push(r);
                    }
                    let since = up_since.get(r).copied().unwrap_or(begin);
                    let up = match uptime.get_mut(r) {
                        Some(u) => u.take(),
                        None => span(r, since, e.time_s),
                    };
                    push(Key::new(r, Measure::BetweenFailures), up, false);
                    down.insert(r, e.time_s);
                }
                Kind::Repair => match down.remove(r) {
                    Some(t0) => {
                        push(Key::new(r, Measure::Repair), e.time_s - t0, false);
                        outages.entry(r).or_default().push((t0, e.time_s));
                        up_since.insert(r, e.time_s);
                    }
                    None => unpaired.ends_without_start += 1,
                },
                Kind::Arrive => {
                    if let Some(t0) = arrived.insert(r, e.time_s) {
                        push(
                            Key::new(r, Measure::Interarrival),
                            span(r, t0, e.time_s),
                            false,
                        );
                    }
                }
                Kind::Setup => {
                    let pair = last_product
                        .get(r)
                        .zip(e.product.as_deref())
                        .map(|(from, to)| setup_pair(from, to));
                    setting_up.insert((r, e.part.as_deref()), (e.time_s, pair));
                }
                _ => {}
            }
        }
        unpaired.starts_without_end +=
            starts.values().map(VecDeque::len).sum::<usize>() + down.len() + setting_up.len();
        // Still up at the end since its last repair: a censored interval.
        for r in failing {
            if !down.contains_key(r) {
                let since = up_since.get(r).copied().unwrap_or(begin);
                let up = match uptime.get_mut(r) {
                    Some(u) => {
                        u.see(Kind::Other, end, |a, b| span(r, a, b));
                        u.take()
                    }
                    None => span(r, since, end),
                };
                if up > 0.0 {
                    out.entry(Key::new(r, Measure::BetweenFailures))
                        .or_default()
                        .censored
                        .push(up);
                }
            }
        }
    }
    // Products (or changeover pairs) apart only where a resource had more
    // than one.
    let mut products: BTreeMap<(String, Measure), usize> = BTreeMap::new();
    for k in out.keys().filter(|k| k.product.is_some()) {
        *products.entry((k.resource.clone(), k.measure)).or_default() += 1;
    }
    out.retain(|k, _| k.product.is_none() || products[&(k.resource.clone(), k.measure)] > 1);
    (out, unpaired)
}

/// Fits every sample that has at least `min_n` complete observations.
pub fn fit_log(log: &Log, time: &WorkingTime, min_n: usize) -> (Vec<Fitting>, Unpaired) {
    let (samples, unpaired) = samples(log, time);
    // Each product's (or changeover's) durations against the resource's
    // others: whether splitting them tells anything.
    let differs = |key: &Key, x: &[f64]| -> Option<f64> {
        key.product.as_ref()?;
        let others: Vec<f64> = samples
            .iter()
            .filter(|(k, _)| {
                k.resource == key.resource
                    && k.measure == key.measure
                    && k.product.is_some()
                    && k.product != key.product
            })
            .flat_map(|(_, s)| s.complete.iter().copied())
            .collect();
        (!others.is_empty() && !x.is_empty()).then(|| two_sample(x, &others).1)
    };
    let differs: BTreeMap<Key, f64> = samples
        .iter()
        .filter_map(|(k, s)| Some((k.clone(), differs(k, &s.complete)?)))
        .collect();
    let fittings = samples
        .into_iter()
        .filter(|(_, s)| s.complete.len() >= min_n)
        .map(|(key, s)| {
            let fits = fit_all(&s);
            // A bounded family's ends come from the extremes themselves, so
            // it cannot judge them: the quartile rule does.
            let outliers = match fits.first().filter(|f| f.ks_p >= variant::ACCEPT) {
                Some(best)
                    if !matches!(
                        best.fitted,
                        fit::Fitted::Uniform { .. } | fit::Fitted::Triangular { .. }
                    ) =>
                {
                    beyond(&best.fitted, &s.complete)
                }
                _ => far_outliers(&s.complete),
            };
            Fitting {
                differs_p: differs.get(&key).copied(),
                resource: key.resource,
                product: key.product,
                measure: key.measure,
                n: s.complete.len(),
                censored: s.censored.len(),
                mean_s: fit::mean(&s.complete),
                fits,
                histogram: histogram(&s.complete, 20),
                outliers,
                drift: drift(&s.complete),
                data: s.complete,
            }
        })
        .collect();
    (fittings, unpaired)
}

/// Counts in `bins` equal bins between the least and largest value, empty
/// bins left out; one bin when every value is the same.
fn histogram(x: &[f64], bins: usize) -> Vec<(f64, f64)> {
    let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if x.is_empty() || hi <= lo {
        return x
            .first()
            .map(|v| vec![(*v, x.len() as f64)])
            .unwrap_or_default();
    }
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0.0; bins];
    for v in x {
        let i = (((v - lo) / width) as usize).min(bins - 1);
        counts[i] += 1.0;
    }
    counts
        .into_iter()
        .enumerate()
        .filter(|(_, c)| *c > 0.0)
        .map(|(i, c)| (lo + (i as f64 + 0.5) * width, c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 0.5/n … (n−0.5)/n quantiles of N(mean, 1), in a scrambled order.
    fn normal_like(mean: f64, n: usize) -> Vec<f64> {
        let f = fit::Fitted::Normal { mean, sd: 1.0 };
        let mut v: Vec<f64> = (0..n)
            .map(|i| {
                let p = (i as f64 + 0.5) / n as f64;
                let (mut lo, mut hi) = (mean - 10.0, mean + 10.0);
                for _ in 0..100 {
                    let mid = 0.5 * (lo + hi);
                    if f.cdf(mid) < p { lo = mid } else { hi = mid }
                }
                lo
            })
            .collect();
        // A fixed scramble (multiplication by a unit modulo n).
        let order: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
        v = order.iter().map(|&i| v[i]).collect();
        v
    }

    #[test]
    fn a_change_mid_log_is_found_and_a_steady_log_is_not() {
        let steady = normal_like(30.0, 400);
        assert!(!drift(&steady).unwrap().found(), "{:?}", drift(&steady));
        let mut changed = normal_like(30.0, 200);
        changed.extend(normal_like(31.0, 200));
        let d = drift(&changed).unwrap();
        assert!(
            d.found() && d.second_half_mean_s > d.first_half_mean_s + 0.9,
            "{d:?}"
        );
        assert_eq!(far_outliers(&steady), 0);
        let mut spiked = steady.clone();
        spiked.extend([60.0, 75.0]);
        assert_eq!(far_outliers(&spiked), 2);
    }

    #[test]
    fn starts_pair_with_their_part_and_failures_with_repairs() {
        let text = "time_s,object,event,part\n\
                    0,m,start,1\n10,m,start,2\n12,m,finish,2\n15,m,finish,1\n\
                    20,m,fail,\n50,m,repair,\n90,m,fail,\n100,m,repair,\n130,m,finish,9\n200,m,start,3\n";
        let log = log::read(text, &mapping::Mapping::default()).unwrap();
        let (s, unpaired) = samples(&log, &WorkingTime::default());
        assert_eq!(s[&Key::new("m", Measure::Cycle)].complete, [2.0, 15.0]);
        assert_eq!(s[&Key::new("m", Measure::Repair)].complete, [30.0, 10.0]);
        let tbf = &s[&Key::new("m", Measure::BetweenFailures)];
        assert_eq!(tbf.complete, [20.0, 40.0]);
        assert_eq!(tbf.censored, [100.0], "up from 100 to the log's end at 200");
        assert_eq!(unpaired.ends_without_start, 1);
        assert_eq!(unpaired.starts_without_end, 1);
    }

    #[test]
    fn breakdowns_while_working_count_the_time_worked_between_them() {
        // Worked 0-15 (two parts), down 15-25, worked 25-40 and 60-70, down
        // at 70: 15 s then 25 s worked; 70-100 idle, 100-130 worked, censored.
        let text = "time_s,object,event,part\n\
                    0,m,start,1\n5,m,start,2\n10,m,finish,2\n15,m,fail,\n25,m,repair,\n\
                    40,m,finish,1\n60,m,start,3\n70,m,fail,\n80,m,repair,\n90,m,finish,3\n\
                    100,m,start,4\n130,m,finish,4\n150,x,start,9\n";
        let log = log::read(text, &mapping::Mapping::default()).unwrap();
        let (s, _) = samples(&log, &WorkingTime::default());
        let tbf = &s[&Key::new("m", Measure::BetweenFailures)];
        assert_eq!(tbf.complete, [15.0, 25.0]);
        assert_eq!(tbf.censored, [40.0], "80-90 and 100-130 worked since");
    }

    #[test]
    fn setups_end_at_the_next_start_and_products_part_where_there_are_several() {
        let text = "time_s,object,event,part,product\n\
                    0,m,setup,,\n4,m,start,1,A\n10,m,finish,1,A\n10,m,setup,2,B\n13,m,start,2,B\n\
                    23,m,finish,2,B\n23,m,setup,4,A\n25,m,start,4,A\n26,m,finish,4,A\n\
                    30,n,start,3,A\n31,n,finish,3,A\n\
                    40,w,setup,7,A\n41,w,start,8,B\n60,w,start,7,A\n";
        let log = log::read(text, &mapping::Mapping::default()).unwrap();
        let (s, _) = samples(&log, &WorkingTime::default());
        assert_eq!(s[&Key::new("m", Measure::Setup)].complete, [4.0, 3.0, 2.0]);
        let pair = |p: &str| Key {
            product: Some(p.into()),
            ..Key::new("m", Measure::Setup)
        };
        assert_eq!(
            s[&pair("A → B")].complete,
            [3.0],
            "from the last part's product"
        );
        assert_eq!(s[&pair("B → A")].complete, [2.0]);
        assert_eq!(
            s[&Key::new("w", Measure::Setup)].complete,
            [20.0],
            "a setup for part 7 ends at part 7's start, not at another place's"
        );
        assert_eq!(s[&Key::new("m", Measure::Cycle)].complete, [6.0, 10.0, 1.0]);
        let b = Key {
            product: Some("B".into()),
            ..Key::new("m", Measure::Cycle)
        };
        assert_eq!(s[&b].complete, [10.0]);
        assert!(
            s.keys().all(|k| k.resource != "n" || k.product.is_none()),
            "one product: no split"
        );
    }
}
