//! KPIs of one replication, computed from the engine's accumulators at the
//! end of a run, and the invariants every run must satisfy.
//!
//! Station figures follow ISO 22400-2 (see `docs/json-schema.md`): availability =
//! APT / PBT, effectiveness = PRI × PQ / APT, quality = GQ / PQ, OEE their
//! product. The bottleneck is the busiest resource, station or operator
//! pool, unless the line is demand-limited ([`bottleneck`]); line OEE is
//! the bottleneck's OEE.

pub mod bottleneck;
pub mod reliability;
mod stats;

pub use bottleneck::{Busiest, Constraint};
pub use reliability::Pooled;
pub use stats::{Estimate, Histogram, t_975};

use crate::sim::{Engine, NodeKind, Pool, STATE_COUNT, State, Station, StationKind};
use serde::{Deserialize, Serialize};

/// Lead time (source to sink) statistics, in seconds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LeadTime {
    pub count: u64,
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

/// Line-level figures of one replication.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LineResult {
    pub good_parts: u64,
    pub good_per_hour: f64,
    pub scrapped: u64,
    pub scrap_ratio: f64,
    /// Good parts / parts finished (good + scrapped) in the window; with no
    /// rework modelled, every good part is good the first time.
    pub first_pass_yield: Option<f64>,
    /// Time-average number of parts in the system.
    pub wip: f64,
    pub lead_time_s: LeadTime,
    pub energy_kwh: f64,
    pub energy_kwh_per_good_part: Option<f64>,
    /// OEE of the resource that paces the line: the bottleneck, or the
    /// busiest resource when the line is demand-limited.
    pub line_oee: Option<f64>,
    /// The bottleneck's id; `None` when the line is demand-limited.
    pub bottleneck: Option<String>,
    /// The busiest resource and whether output followed demand instead.
    pub constraint: Constraint,
    /// The largest share of the window a source held an arrived part back
    /// (`None` with a saturated source). An order book loses nothing by
    /// waiting: its figure is the parts of its orders still open at the end
    /// over the parts that left in the window (0 below
    /// [`bottleneck::ORDERS_UNCLEARED`]; see [`bottleneck`]).
    pub demand_held_back: Option<f64>,
    /// Arrivals the line turned away (`None` with only saturated sources):
    /// a timed source holding a part it cannot pass on stops its arrival
    /// clock, so each source's held time over its mean interarrival time is
    /// the demand that never entered. Not in lead times or on-time share.
    pub demand_turned_away: Option<DemandTurnedAway>,
    /// Little's law: WIP against throughput × mean lead time.
    pub littles_law: LittlesLaw,
    /// Share of parts with a due date that left by it.
    pub on_time_share: Option<f64>,
    /// The order books' orders (`None` without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders: Option<OrderResult>,
    pub labour_hours: f64,
    pub labour_cost: f64,
    pub cost_per_good_part: Option<f64>,
    /// Cost per good part with the investment's equivalent annual cost
    /// (capital over its life at the discount rate, maintenance) added.
    pub cost_per_good_part_with_capital: Option<f64>,
    /// Person-hours operators spent inside unfenced robot envelopes on their
    /// walking paths, in the window (trips × time inside × the robot's
    /// working share); `None` when the scene has neither robots nor paths.
    pub safety_exposure_h: Option<f64>,
}

/// How the orders of the order books went, in the window.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OrderResult {
    /// Orders whose last part left (shipped, scrapped or built in) in the window.
    pub completed: u64,
    /// The share completed by their due date, of the orders completed in
    /// the window and those late and still open at its end: an order not
    /// delivered by its due date counts as late whether or not it is done.
    pub on_time_share: Option<f64>,
    /// Mean tardiness of the completed orders (0 for one on time), seconds.
    pub mean_tardiness_s: Option<f64>,
    /// Orders not completed at the end of the run whose due date has passed.
    pub open_late: u64,
    /// Where lots move together: lots a full buffer let go part by part
    /// (from time 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lots_split: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LittlesLaw {
    /// L: time-average parts in the system.
    pub wip: f64,
    /// λ: parts leaving the system (good, scrapped or assembled into another) per second.
    pub throughput_per_s: f64,
    /// W: their mean time in the system.
    pub time_in_system_s: f64,
    /// |L − λW| / L.
    pub relative_gap: Option<f64>,
}

/// One station's figures.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StationResult {
    pub id: String,
    #[serde(deserialize_with = "known_name")]
    pub kind: StaticName,
    pub capacity: u32,
    /// Share of time in each state (averaged over servers); sums to 1.
    pub states: StateShares,
    pub availability: Option<f64>,
    pub effectiveness: Option<f64>,
    pub quality: Option<f64>,
    pub oee: Option<f64>,
    /// Parts finished (good and scrap), or moves for a transfer robot.
    pub produced: u64,
    pub good: u64,
    pub scrapped: u64,
    /// The station has a failure model (without one, MTBF and MTTR are not
    /// figures to estimate).
    pub can_fail: bool,
    pub failures: u64,
    pub mtbf_s: Option<f64>,
    pub mttr_s: Option<f64>,
    pub setups: u64,
    /// Mean planned run time per item (PRI), from the cycle distributions.
    pub ideal_cycle_s: Option<f64>,
    pub energy_kwh: f64,
    /// Mean length of uninterrupted active (working, setup, failed) periods.
    pub mean_active_period_s: Option<f64>,
    /// Busy (working, setup, failed) share of the on-shift time.
    pub utilisation: Option<f64>,
    /// Time with at least one server working: the failure clock, for MTBF.
    pub run_time_s: f64,
    /// The repair times of the failures counted here, whole (a repair still
    /// going at the end of the run counts in full), for MTTR.
    pub repair_time_s: f64,
    /// Σ of the squared repair times (s²), for the MTTR's interval.
    pub repair_time_sq_s2: f64,
    /// The operator pool it needs, if any.
    pub operator: Option<String>,
    /// A fleet of vehicles: the share of its working time spent driving
    /// empty to pick up a part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_travel_share: Option<f64>,
    /// A fleet: each vehicle's own figures, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vehicles: Vec<VehicleResult>,
}

/// One vehicle of a fleet.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct VehicleResult {
    /// Share of the time it could work (on shift, not in planned
    /// maintenance) that it was busy: driving, loading, unloading, failed.
    pub utilisation: Option<f64>,
    /// Share of its working time spent driving empty to pick up a part.
    pub empty_travel_share: Option<f64>,
}

/// State shares, named as in the output.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Default)]
pub struct StateShares {
    pub working: f64,
    pub setup: f64,
    pub failed: f64,
    pub starved: f64,
    pub blocked: f64,
    pub waiting_for_operator: f64,
    /// Planned maintenance (planned down time).
    pub maintenance: f64,
    pub off_shift: f64,
}

impl StateShares {
    pub fn from_array(a: [f64; STATE_COUNT]) -> Self {
        Self {
            working: a[0],
            setup: a[1],
            failed: a[2],
            starved: a[3],
            blocked: a[4],
            waiting_for_operator: a[5],
            maintenance: a[6],
            off_shift: a[7],
        }
    }

    pub fn to_array(&self) -> [f64; STATE_COUNT] {
        [
            self.working,
            self.setup,
            self.failed,
            self.starved,
            self.blocked,
            self.waiting_for_operator,
            self.maintenance,
            self.off_shift,
        ]
    }
}

/// A buffer's or conveyor's figures.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StoreResult {
    pub id: String,
    #[serde(deserialize_with = "known_name")]
    pub kind: StaticName,
    pub capacity: u32,
    pub mean_content: f64,
    pub max_content: u32,
    pub entered: u64,
    /// Conveyors: mean time on the belt.
    pub mean_transit_s: Option<f64>,
}

/// An operator pool's figures.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PoolResult {
    pub id: String,
    pub count: u32,
    /// Busy share of paid (on-shift) time.
    pub utilisation: Option<f64>,
    pub paid_hours: f64,
    pub busy_hours: f64,
    pub labour_cost: f64,
    /// The pool's OEE: the share of paid operator-time spent on ideal-speed
    /// work on good parts (Σ over the stations it serves of ideal run time ×
    /// quality, over paid operator-time). Line OEE when the pool is the bottleneck.
    pub oee: Option<f64>,
}

/// Throughput and WIP over time (for charts).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
pub struct Series {
    /// End of each interval, seconds from time 0 (warm-up included).
    pub t_s: Vec<f64>,
    pub good_per_hour: Vec<f64>,
    pub wip: Vec<f64>,
}

/// The conservation check, reported with every run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Conservation {
    pub entered: u64,
    pub exited: u64,
    pub scrapped: u64,
    pub consumed_by_assembly: u64,
    pub wip_at_end: u64,
}

/// Everything one replication measured.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RunResult {
    pub replication: u32,
    pub observed_s: f64,
    pub events: u64,
    pub line: LineResult,
    pub stations: Vec<StationResult>,
    pub stores: Vec<StoreResult>,
    pub operators: Vec<PoolResult>,
    pub series: Series,
    pub conservation: Conservation,
    /// Lead times of the parts that left in the window (for histograms).
    /// Not in the JSON of a run; a shard file keeps it beside the result.
    #[serde(skip)]
    pub lead_times: Histogram,
}

/// Money figures the cost KPIs need.
#[derive(Clone, Copy, Debug, Default)]
pub struct Prices {
    /// The scene has economics: without them no cost KPI is defined (a
    /// cost of 0 would read as "free").
    pub priced: bool,
    pub energy_per_kwh: f64,
    pub scrap_cost: f64,
    /// The scene's investment as a cost per calendar second: its equivalent
    /// annual cost spread over the production year (0 without an investment).
    pub capital_per_s: f64,
}

/// A name from [`KNOWN_NAMES`]. An alias, not `&'static str` written out,
/// so that serde reads it through [`known_name`] instead of borrowing it
/// from the input (which only a `'static` input could lend).
pub type StaticName = &'static str;

/// The names a result's `kind` or `resource` can take: read back from a
/// shard file as the same static names the engine writes.
const KNOWN_NAMES: [&str; 9] = [
    "machine",
    "robot_cell",
    "assembly",
    "transfer_robot",
    "vehicles",
    "buffer",
    "conveyor",
    "station",
    "operators",
];

/// Reads one of [`KNOWN_NAMES`].
pub(crate) fn known_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let s = String::deserialize(d)?;
    KNOWN_NAMES
        .iter()
        .find(|k| **k == s)
        .copied()
        .ok_or_else(|| serde::de::Error::custom(format!("unknown kind \"{s}\"")))
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0 && a.is_finite()).then(|| a / b)
}

/// Demand that arrived at a timed source and could not enter the line.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct DemandTurnedAway {
    /// Expected arrivals lost while the sources waited (parts).
    pub parts: f64,
    /// `parts` over all arrivals (those that entered and those lost).
    pub share: f64,
}

/// Computes the KPIs at the end of a run, after checking the invariants.
/// An invariant violation is an internal error: the message says which.
pub fn measure(engine: &mut Engine, replication: u32, prices: Prices) -> Result<RunResult, String> {
    check_invariants(engine)?;
    let observed = engine.now - engine.stats_start;
    let nodes = measure_nodes(engine, observed);
    let operators = pool_results(engine, &nodes.pool_productive);
    let NodeFigures {
        stations,
        stores,
        held_back,
        turned_away,
        held_sources,
        energy_total,
        powered,
        ..
    } = nodes;

    let line = &engine.line;
    let good = line.exited;
    let scrapped: u64 = stations.iter().map(|s| s.scrapped).sum();
    let wip = ratio(line.wip_area, observed).unwrap_or(0.0);
    let chain = bottleneck::blocking_chain(&hops(engine, &stations, &stores), &held_sources);
    let constraint = bottleneck::find(&stations, &operators, held_back, &chain);
    // The line runs at the pace of its constraint: line OEE is the
    // bottleneck's OEE (the busiest resource's when demand-limited).
    let line_oee = constraint.busiest.as_ref().and_then(|b| match b.resource {
        "operators" => operators.iter().find(|p| p.id == b.id).and_then(|p| p.oee),
        _ => stations.iter().find(|s| s.id == b.id).and_then(|s| s.oee),
    });
    let (due, on_time) = engine
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Sink(s) => Some((s.with_due_date, s.on_time)),
            _ => None,
        })
        .fold((0, 0), |(d, o), (sd, so)| (d + sd, o + so));
    // `fold` from +0.0: a float `sum()` of nothing is −0.0, which JSON shows.
    let labour_hours: f64 = operators
        .iter()
        .map(|p| p.paid_hours)
        .fold(0.0, |a, b| a + b);
    let labour_cost: f64 = operators
        .iter()
        .map(|p| p.labour_cost)
        .fold(0.0, |a, b| a + b);
    let cost =
        labour_cost + energy_total * prices.energy_per_kwh + scrapped as f64 * prices.scrap_cost;
    let line_result = LineResult {
        good_parts: good,
        good_per_hour: ratio(good as f64, observed / 3600.0).unwrap_or(0.0),
        scrapped,
        scrap_ratio: ratio(scrapped as f64, (good + scrapped) as f64).unwrap_or(0.0),
        first_pass_yield: ratio(good as f64, (good + scrapped) as f64),
        wip,
        lead_time_s: lead_time(&line.lead_time),
        energy_kwh: energy_total,
        energy_kwh_per_good_part: ratio(energy_total, good as f64).filter(|_| powered),
        line_oee,
        bottleneck: constraint.bottleneck().map(|b| b.id.clone()),
        constraint,
        demand_held_back: held_back,
        demand_turned_away: turned_away.map(|(lost, came)| DemandTurnedAway {
            parts: lost,
            share: ratio(lost, lost + came).unwrap_or(0.0),
        }),
        littles_law: littles_law(engine, observed, wip),
        on_time_share: ratio(on_time as f64, due as f64),
        orders: order_result(engine),
        labour_hours,
        labour_cost,
        cost_per_good_part: ratio(cost, good as f64).filter(|_| prices.priced),
        cost_per_good_part_with_capital: ratio(cost + prices.capital_per_s * observed, good as f64)
            .filter(|_| prices.priced),
        safety_exposure_h: safety_exposure(engine, observed),
    };
    Ok(RunResult {
        replication,
        observed_s: observed,
        events: engine.events,
        line: line_result,
        stations,
        stores,
        operators,
        series: series(&line.samples),
        conservation: Conservation {
            entered: line.entered_total,
            exited: line.exited_total,
            scrapped: line.scrapped_total,
            consumed_by_assembly: line.consumed_total,
            wip_at_end: line.wip,
        },
        lead_times: line.lead_time.clone(),
    })
}

/// What one pass over the nodes gathers.
struct NodeFigures {
    stations: Vec<StationResult>,
    stores: Vec<StoreResult>,
    /// Ideal run time × quality of the stations each pool serves (pool OEE).
    pool_productive: Vec<f64>,
    /// The largest share of the window a timed source held a part back.
    held_back: Option<f64>,
    /// (arrivals turned away, arrivals that entered) over timed sources.
    turned_away: Option<(f64, f64)>,
    /// Sources that held parts back (saturated ones always do): where the
    /// blocking chains start.
    held_sources: Vec<usize>,
    energy_total: f64,
    /// Some station has a power rating: energy per part is defined.
    powered: bool,
}

/// Every station, store and source's figures, in node order.
fn measure_nodes(engine: &mut Engine, observed: f64) -> NodeFigures {
    let end = engine.now;
    let stats_start = engine.stats_start;
    let mut f = NodeFigures {
        stations: Vec::new(),
        stores: Vec::new(),
        pool_productive: vec![0.0; engine.pools.len()],
        held_back: Some(0.0),
        turned_away: None,
        held_sources: Vec::new(),
        energy_total: 0.0,
        powered: false,
    };
    let (pools, orders) = (&engine.pools, &engine.orders);
    let working = working_time(engine);
    let departed = engine.line.departed;
    for (index, node) in engine.nodes.iter_mut().enumerate() {
        match &mut node.kind {
            NodeKind::Station(st) => {
                st.close_open_period(end);
                let result = station_result(&node.id, st, observed, pools);
                // A tending operator's ideal work is loading and unloading.
                if let (Some(pool), Some(q)) = (st.operator, result.quality) {
                    f.pool_productive[pool as usize] += st.operator_ideal_time() * q;
                }
                f.energy_total += result.energy_kwh;
                f.powered |= st.power.iter().any(|&kw| kw > 0.0);
                f.stations.push(result);
            }
            NodeKind::Buffer(b) => f.stores.push(StoreResult {
                id: node.id.clone(),
                kind: "buffer",
                capacity: b.capacity,
                mean_content: ratio(b.content.area, observed).unwrap_or(0.0),
                max_content: b.content.max,
                entered: b.content.entered,
                mean_transit_s: None,
            }),
            NodeKind::Conveyor(cv) => f.stores.push(StoreResult {
                id: node.id.clone(),
                kind: "conveyor",
                capacity: cv.capacity,
                mean_content: ratio(cv.content.area, observed).unwrap_or(0.0),
                max_content: cv.content.max,
                entered: cv.content.entered,
                mean_transit_s: ratio(cv.transit_sum, cv.delivered as f64),
            }),
            NodeKind::Source(src) => {
                let share = if src.saturated() {
                    None
                } else if let Some(feed) = src.feed() {
                    let window = (stats_start, end);
                    Some(order_book_behind(orders, feed, &working, window, departed))
                } else {
                    // A part still held at the end counts up to now.
                    let held = src.blocked_s + src.blocked_open(end, stats_start);
                    // An order book loses no demand: it waits.
                    if src.timed() {
                        let (lost, came) = f.turned_away.get_or_insert((0.0, 0.0));
                        *lost += ratio(held, src.mean_interarrival_s).unwrap_or(0.0);
                        *came += src.released as f64;
                    }
                    Some(ratio(held, observed).unwrap_or(0.0))
                };
                if share.is_none_or(|s| s >= bottleneck::HELD_BACK) {
                    f.held_sources.push(index);
                }
                f.held_back = f.held_back.zip(share).map(|(h, s)| h.max(s));
            }
            NodeKind::Sink(_) => {}
        }
    }
    f
}

/// The plant's working time: while any shift is on, when every station
/// follows a shift; `None` (all the time) when one works around the clock.
fn working_time(engine: &Engine) -> Option<crate::scene::ShiftCalendar> {
    let follow: std::collections::HashSet<u32> = engine
        .shifts
        .iter()
        .flat_map(|s| s.nodes.iter().copied())
        .collect();
    let stations = engine
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n.kind, NodeKind::Station(_)));
    let all_follow = stations.clone().count() > 0
        && stations
            .into_iter()
            .all(|(i, _)| follow.contains(&(i as u32)));
    all_follow
        .then(|| crate::scene::ShiftCalendar::union(engine.shifts.iter().map(|s| &s.calendar)))
}

/// How far an order book is behind: the parts of its orders still open at
/// the end of the window, over the parts that left the line in the window,
/// counting only orders that had at least [`bottleneck::ORDERS_UNCLEARED`]
/// of the window's working time (while any shift is on; all of it without
/// shifts) to be made; 0 below that share. A line that keeps up with its
/// book, however bursty, ends the window with little of it open.
fn order_book_behind(
    orders: &[crate::sim::OrderState],
    feed: &crate::sim::OrderFeed,
    working: &Option<crate::scene::ShiftCalendar>,
    (start, end): (f64, f64),
    departed: u64,
) -> f64 {
    let on = |a: f64, b: f64| match working {
        Some(w) => w.on_between(a, b),
        None => (b - a).max(0.0),
    };
    let enough = bottleneck::ORDERS_UNCLEARED * on(start, end);
    let open: u32 = feed
        .orders()
        .map(|o| &orders[o as usize])
        .filter(|o| o.release <= end && on(o.release.max(start), end) >= enough)
        .map(|o| o.quantity - o.left)
        .sum();
    let share = match departed {
        0 if open > 0 => 1.0,
        0 => 0.0,
        d => f64::from(open) / d as f64,
    };
    if share >= bottleneck::ORDERS_UNCLEARED {
        share
    } else {
        0.0
    }
}

/// One station's figures: state shares, ISO 22400, reliability, energy.
fn station_result(id: &str, st: &Station, observed: f64, pools: &[Pool]) -> StationResult {
    let c = st.servers.len() as u32;
    let mut t = [0.0; STATE_COUNT];
    for s in &st.servers {
        for (k, v) in s.time_in.iter().enumerate() {
            t[k] += v;
        }
    }
    let total = f64::from(c) * observed;
    let shares = t.map(|v| if total > 0.0 { v / total } else { 0.0 });
    let energy = t
        .iter()
        .zip(st.power.iter())
        .map(|(secs, kw)| secs * kw / 3600.0)
        .sum::<f64>();
    let transfer = matches!(st.kind, StationKind::Transfer { .. });
    let iso = st.iso_22400(&t, total);
    let n_fail = st.failures_count as f64;
    let mut result = StationResult {
        id: id.to_string(),
        kind: match st.kind {
            StationKind::Machine => "machine",
            StationKind::RobotCell => "robot_cell",
            StationKind::Assembly { .. } => "assembly",
            StationKind::Transfer { fleet: false, .. } => "transfer_robot",
            StationKind::Transfer { fleet: true, .. } => "vehicles",
        },
        capacity: c,
        states: StateShares::from_array(shares),
        availability: iso.availability,
        effectiveness: iso.effectiveness,
        quality: iso.quality,
        oee: iso.oee,
        produced: st.produced,
        good: st.good,
        scrapped: st.scrapped,
        can_fail: st.can_fail(),
        failures: st.failures_count,
        // Failures stop the whole station: run time and down time are the station's.
        mtbf_s: ratio(st.run_time, n_fail),
        mttr_s: ratio(st.repair_sum, n_fail),
        setups: st.setups,
        ideal_cycle_s: if transfer {
            None
        } else {
            ratio(st.ideal_time, st.produced as f64)
        },
        energy_kwh: energy,
        mean_active_period_s: ratio(st.active_sum, st.active_count as f64),
        utilisation: None,
        run_time_s: st.run_time,
        repair_time_s: st.repair_sum,
        repair_time_sq_s2: st.repair_sq_sum,
        operator: st.operator.map(|p| pools[p as usize].id.clone()),
        // Driving empty to a pick point, as a share of the carriers' working time.
        empty_travel_share: match &st.kind {
            StationKind::Transfer {
                fleet: true,
                carriers,
                ..
            } => ratio(
                carriers.iter().map(|c| c.empty_travel).sum(),
                t[State::Working as usize],
            ),
            _ => None,
        },
        vehicles: match &st.kind {
            StationKind::Transfer {
                fleet: true,
                carriers,
                ..
            } => st
                .servers
                .iter()
                .zip(carriers)
                .map(|(s, c)| vehicle_result(&s.time_in, c.empty_travel))
                .collect(),
            _ => Vec::new(),
        },
    };
    result.utilisation = bottleneck::station_utilisation(&result);
    result
}

/// Each operator pool's paid and busy time, cost and OEE.
fn pool_results(engine: &Engine, productive: &[f64]) -> Vec<PoolResult> {
    engine
        .pools
        .iter()
        .zip(productive)
        .map(|(p, productive)| PoolResult {
            id: p.id.clone(),
            count: p.size,
            utilisation: ratio(p.busy_area, p.paid_area),
            paid_hours: p.paid_area / 3600.0,
            busy_hours: p.busy_area / 3600.0,
            // Hours on an overtime shift weigh by its wage factor.
            labour_cost: p.wage_area / 3600.0 * p.wage_per_hour,
            // Ideal run time counts each job at its mean cycle: jobs drawn
            // shorter than the mean could push it past the busy share.
            oee: ratio(*productive, p.paid_area)
                .map(|v| v.min(ratio(p.busy_area, p.paid_area).unwrap_or(0.0))),
        })
        .collect()
}

/// One vehicle's figures from its time in each state.
fn vehicle_result(time_in: &[f64; crate::sim::STATE_COUNT], empty: f64) -> VehicleResult {
    let of = |s: State| time_in[s as usize];
    let could_work: f64 =
        time_in.iter().sum::<f64>() - of(State::OffShift) - of(State::Maintenance);
    let busy = of(State::Working) + of(State::Setup) + of(State::Failed);
    VehicleResult {
        utilisation: ratio(busy, could_work),
        empty_travel_share: ratio(empty, of(State::Working)),
    }
}

fn order_result(engine: &Engine) -> Option<OrderResult> {
    if engine.orders.is_empty() {
        return None;
    }
    let l = &engine.line;
    let n = l.orders_completed as f64;
    let end = engine.end_time();
    let open_late = engine
        .orders
        .iter()
        .filter(|o| o.left < o.quantity && o.due < end)
        .count() as u64;
    Some(OrderResult {
        completed: l.orders_completed,
        on_time_share: ratio(l.orders_on_time as f64, n + open_late as f64),
        mean_tardiness_s: ratio(l.tardiness_sum, n),
        open_late,
        lots_split: engine
            .orders
            .iter()
            .any(|o| o.lot.is_some())
            .then_some(l.lots_split),
    })
}

fn lead_time(lt: &Histogram) -> LeadTime {
    LeadTime {
        count: lt.count,
        mean: lt.mean(),
        p50: lt.quantile(0.5),
        p90: lt.quantile(0.9),
        p95: lt.quantile(0.95),
        max: (lt.count > 0).then_some(lt.max),
    }
}

/// Little's law over everything that leaves the WIP (sinks, scrap,
/// assembly inputs).
fn littles_law(engine: &Engine, observed: f64, wip: f64) -> LittlesLaw {
    let line = &engine.line;
    let throughput_per_s = ratio(line.departed as f64, observed).unwrap_or(0.0);
    let w = ratio(line.sojourn_sum, line.departed as f64).unwrap_or(0.0);
    LittlesLaw {
        wip,
        throughput_per_s,
        time_in_system_s: w,
        relative_gap: ratio((wip - throughput_per_s * w).abs(), wip),
    }
}

/// Person-hours inside unfenced robot envelopes: each finished job at a
/// station with an operator is one trip from the pool's post and back;
/// inside an envelope it is exposure while the robot works.
fn safety_exposure(engine: &Engine, observed: f64) -> Option<f64> {
    let paths = engine.exposure.as_ref()?;
    Some(
        paths
            .iter()
            .map(|&(station, robot, secs)| {
                let trips = match &engine.nodes[station as usize].kind {
                    NodeKind::Station(st) => st.produced as f64,
                    _ => 0.0,
                };
                let working = match &engine.nodes[robot as usize].kind {
                    NodeKind::Station(r) => {
                        let w: f64 = r
                            .servers
                            .iter()
                            .map(|x| x.time_in[State::Working as usize])
                            .sum();
                        ratio(w, r.servers.len() as f64 * observed).unwrap_or(0.0)
                    }
                    _ => 0.0,
                };
                trips * secs * working / 3600.0
            })
            .fold(0.0, |a, b| a + b),
    )
}

/// Good parts per hour and WIP per sample interval.
fn series(samples: &[(f64, u64, u64)]) -> Series {
    let mut series = Series::default();
    for pair in samples.windows(2) {
        let ((t0, out0, _), (t1, out1, wip1)) = (pair[0], pair[1]);
        if t1 > t0 {
            series.t_s.push(t1);
            series
                .good_per_hour
                .push((out1 - out0) as f64 / (t1 - t0) * 3600.0);
            series.wip.push(wip1 as f64);
        }
    }
    series
}

/// The flow graph as the blocking-chain walk sees it (one hop per node).
fn hops(
    engine: &Engine,
    stations: &[StationResult],
    stores: &[StoreResult],
) -> Vec<bottleneck::Hop> {
    let (mut station, mut store) = (0, 0);
    engine
        .nodes
        .iter()
        .map(|node| {
            let next = node
                .out
                .iter()
                .flat_map(|e| std::iter::once(e.to).chain(e.via))
                .map(|n| n as usize)
                .collect();
            let (station, passes_on) = match &node.kind {
                NodeKind::Station(_) => {
                    let st = &stations[station];
                    station += 1;
                    let on_shift = 1.0 - st.states.off_shift;
                    let blocked = st.states.blocked / on_shift.max(1e-12);
                    (Some(station - 1), blocked >= bottleneck::HELD_BACK)
                }
                NodeKind::Buffer(_) | NodeKind::Conveyor(_) => {
                    let s = &stores[store];
                    store += 1;
                    (None, s.max_content >= s.capacity)
                }
                NodeKind::Source(_) => (None, true),
                NodeKind::Sink(_) => (None, false),
            };
            bottleneck::Hop {
                station,
                passes_on,
                next,
            }
        })
        .collect()
}

/// Conservation of parts and of time; violations are engine bugs.
pub fn check_invariants(engine: &Engine) -> Result<(), String> {
    let l = &engine.line;
    if l.entered_total != l.exited_total + l.scrapped_total + l.consumed_total + l.wip {
        return Err(format!(
            "parts not conserved: {} entered, but {} left + {} scrapped + {} consumed by assembly + {} in the system = {}",
            l.entered_total,
            l.exited_total,
            l.scrapped_total,
            l.consumed_total,
            l.wip,
            l.exited_total + l.scrapped_total + l.consumed_total + l.wip
        ));
    }
    let held = engine.held_parts();
    if held.len() as u64 != l.wip {
        return Err(format!(
            "the objects hold {} parts, but the WIP counter says {}",
            held.len(),
            l.wip
        ));
    }
    // Little's law as an identity: ∫ WIP dt equals the time every part spent
    // in the system during the window, whether it has left or is still inside.
    let window_start = engine.stats_start;
    let residual: f64 = held
        .iter()
        .map(|&p| engine.now - engine.parts[p].entered.max(window_start))
        .sum();
    let area = l.wip_area + l.wip as f64 * (engine.now - l.wip_since());
    let accounted = l.sojourn_sum + residual;
    if (area - accounted).abs() > 1e-6 * area.max(1.0) {
        return Err(format!(
            "∫ WIP dt = {area} part-seconds, but the parts account for {accounted}"
        ));
    }
    let live = engine.parts.live() as u64;
    if live != l.wip + engine.parts_unreleased() {
        return Err(format!(
            "{live} part records are alive, but only {} are accounted for",
            l.wip + engine.parts_unreleased()
        ));
    }
    let observed = engine.now - engine.stats_start;
    let tolerance = 1e-9 * observed.max(1.0) * 1e3;
    for node in &engine.nodes {
        if let NodeKind::Station(st) = &node.kind {
            for (i, s) in st.servers.iter().enumerate() {
                let sum: f64 = s.time_in.iter().sum();
                if (sum - observed).abs() > tolerance {
                    return Err(format!(
                        "station \"{}\" server {i}: state times sum to {sum} s, but {observed} s were observed",
                        node.id
                    ));
                }
            }
        }
    }
    Ok(())
}
