//! The discrete-event engine.
//!
//! Time jumps from event to event on a [`Calendar`]. Objects exchange parts
//! with a small handshake (see `flow.rs`): a node with a finished part offers
//! it downstream; if nothing can take it, the node is *blocked* and waits on
//! the downstream nodes, which wake it when they get space. Zero-time
//! follow-ups go through a FIFO of [`Action`]s rather than recursion, so a
//! cascade along a 10 000-station line costs no stack and stays in a
//! deterministic order.
//!
//! Hot state lives in dense vectors indexed by node; the Bevy side
//! ([`SimulationPlugin`]) owns the engine as a resource and drains events in
//! one system ([`SimulationSystems::Advance`]); readers read the resource.

mod build;
mod calendar;
mod flow;
mod log;
mod lots;
mod operators;
pub(crate) mod part;
mod plugin;
pub mod rng;
pub mod sampler;
mod source;
mod station;
mod store;
mod transfer;
mod warm;

pub use build::{build, build_logged, build_without_fast_paths, switch_cycles};
pub use calendar::{Calendar, Event};
pub use log::{LogEvent, LogRecord};
pub use operators::Pool;
pub use plugin::{SimClock, SimulationPlugin, SimulationSystems, run_in_app, run_in_app_until};
pub use source::{OrderFeed, Source};
pub use station::{Carrier, Iso22400, Phase, Server, Station, StationKind};
pub use store::{Buffer, Conveyor};
pub use warm::{JobNow, OrderNow, PartNow, Placed, PlantState, StationNow, build_at};

use crate::kpi::Histogram;
use bevy::prelude::Resource;
use part::Parts;
use serde::Serialize;
use std::collections::VecDeque;

/// What every output needs to know about a state: one row per state, in
/// the order of [`State`], read by the terminal, CSV, JSON, HTML, the
/// charts and the 3D view (no other list of states exists).
#[derive(Debug)]
pub struct StateInfo {
    /// JSON and CSV key.
    pub key: &'static str,
    /// In words.
    pub label: &'static str,
    /// Terminal column heading (six characters at most).
    pub column: &'static str,
    /// Colour as "#rrggbb".
    pub colour: &'static str,
    /// Where its time goes in ISO 22400-2: APT (actual production time),
    /// ADOT (actual unit down time), or the rest of PBT (planned busy
    /// time); off shift is outside the planned time.
    pub iso_22400: &'static str,
}

/// How many states a station can be in (the rows of [`STATES`]).
pub const STATE_COUNT: usize = 8;

pub const STATES: [StateInfo; STATE_COUNT] = [
    StateInfo {
        key: "working",
        label: "working",
        column: "work",
        colour: "#2e9d48",
        iso_22400: "APT: actual production time",
    },
    StateInfo {
        key: "setup",
        label: "setup",
        column: "setup",
        colour: "#3b6fd8",
        iso_22400: "ASUT: actual setup time (in PBT, not in APT)",
    },
    StateInfo {
        key: "failed",
        label: "failed",
        column: "failed",
        colour: "#d93a32",
        iso_22400: "ADOT: actual unit down time (in PBT, not in APT)",
    },
    StateInfo {
        key: "starved",
        label: "starved",
        column: "starve",
        colour: "#f2c12e",
        iso_22400: "in PBT, not in APT: waiting for a part",
    },
    StateInfo {
        key: "blocked",
        label: "blocked",
        column: "block",
        colour: "#f08a24",
        iso_22400: "in PBT, not in APT: a finished part cannot leave",
    },
    StateInfo {
        key: "waiting_for_operator",
        label: "waiting for operator",
        column: "w.op",
        colour: "#9b59b6",
        iso_22400: "in PBT, not in APT: no operator free",
    },
    StateInfo {
        key: "maintenance",
        label: "planned maintenance",
        column: "maint",
        colour: "#5b8fa8",
        iso_22400: "PDOT: planned down time (outside PBT)",
    },
    StateInfo {
        key: "off_shift",
        label: "off shift",
        column: "off",
        colour: "#a0a0a0",
        iso_22400: "outside PBT: not planned to work",
    },
];

/// The state a station is in; exactly one at any time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Working = 0,
    Setup = 1,
    Failed = 2,
    Starved = 3,
    Blocked = 4,
    WaitingForOperator = 5,
    Maintenance = 6,
    OffShift = 7,
}

impl State {
    pub const ALL: [State; STATE_COUNT] = [
        State::Working,
        State::Setup,
        State::Failed,
        State::Starved,
        State::Blocked,
        State::WaitingForOperator,
        State::Maintenance,
        State::OffShift,
    ];

    /// The state's row of [`STATES`].
    pub fn info(self) -> &'static StateInfo {
        &STATES[self as usize]
    }

    /// The key in JSON and CSV ("waiting_for_operator").
    pub fn name(self) -> &'static str {
        self.info().key
    }

    /// Its colour everywhere a state is drawn, as "#rrggbb".
    pub fn colour(self) -> &'static str {
        self.info().colour
    }

    /// Active in the sense of the active-period bottleneck method.
    pub fn is_active(self) -> bool {
        matches!(self, State::Working | State::Setup | State::Failed)
    }
}

/// A zero-time follow-up, run before the clock advances.
#[derive(Clone, Copy, Debug)]
enum Action {
    /// The node has space again: retry the upstream nodes waiting on it.
    Wake(u32),
    /// Offer the part in this slot downstream.
    Push(u32, u32),
    /// A saturated source makes its next part.
    SourceNext(u32),
}

/// A directed flow edge, resolved to indices.
#[derive(Clone, Debug)]
pub struct Edge {
    pub to: u32,
    /// Only this product may take the edge.
    pub product: Option<u16>,
    /// Routing probability, when the node routes by probability.
    pub weight: f64,
    /// Transfer robot carrying parts along this edge.
    pub via: Option<u32>,
}

/// An upstream slot waiting for space downstream; stale once its token moved on.
#[derive(Clone, Copy, Debug)]
struct Waiter {
    node: u32,
    slot: u32,
    /// The slot's index in [`Engine::slots`] (checked without touching the node).
    flat: u32,
    token: u32,
}

/// Per-slot handshake state, for every slot of every node in one dense table
/// (checked on every wake; kept out of the nodes so it stays in cache).
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// Push-attempt counter: a waiter with an older token is stale.
    token: u32,
    /// A transfer robot is on its way to pick this slot's part.
    reserved: bool,
}

/// What kind of node, with its state.
// Stations are the big variant; nodes live once in a vector, so the padding
// costs a little memory and saves a pointer chase on every event.
#[allow(clippy::large_enum_variant)]
// An explicit tag byte: matching on the kind (several times per operation)
// is one load and a jump, not a niche decode.
#[repr(u8)]
#[derive(Debug)]
pub enum NodeKind {
    Source(Source),
    Station(Station),
    Buffer(Buffer),
    Conveyor(Conveyor),
    Sink(Sink),
}

/// Where parts leave the system.
#[derive(Debug, Default)]
pub struct Sink {
    /// Parts absorbed since the statistics started.
    pub received: u64,
    pub on_time: u64,
    pub with_due_date: u64,
}

/// One object of the flow graph.
// Laid out in declaration order: what every hand-off reads comes first, so
// an operation touches few cache lines of the node (measured: fewer L1
// misses per operation than with the compiler's order).
#[repr(C)]
#[derive(Debug)]
pub struct Node {
    /// The target of the node's only edge, when that edge has no product
    /// filter, weight or robot.
    single_target: Option<u32>,
    /// The only node that feeds this one, when that node has one slot and
    /// one plain edge (a link of a line): it waits here by a flag, not in
    /// `waiters`, so the hand-off along a line skips the waiter queue.
    sole_feeder: Option<u32>,
    /// Index of the node's first slot in [`Engine::slots`].
    slot_base: u32,
    /// A transfer robot (its pushes go to one fixed destination).
    is_transfer: bool,
    /// An assembly station (its bins take parts).
    is_assembly: bool,
    /// A machine or robot cell with one server.
    single_server: bool,
    /// Route by drawing an edge with `Edge::weight` probabilities.
    pub weighted: bool,
    /// The sole feeder's part waits for space here (see `sole_feeder`).
    feeder_waiting: bool,
    /// This node is the sole feeder of its only target: it waits there by
    /// that node's flag, never in a queue, and no robot fetches from it, so
    /// its slot (token, reservation) is never read.
    waits_by_flag: bool,
    /// On the node's first cache line with the flags above: its kind's tag
    /// and first fields (a station's servers, a buffer's queue).
    pub kind: NodeKind,
    /// Slots waiting for space here (except a sole feeder).
    waiters: VecDeque<Waiter>,
    pub out: Vec<Edge>,
    pub id: String,
    /// Where parts enter and leave (metres), for robot travel and the viewer.
    pub entry: (f64, f64),
    pub exit: (f64, f64),
    routing_rng: rng::Stream,
}

/// Line-level counters and accumulators.
#[derive(Debug, Default)]
pub struct LineStats {
    /// Parts that entered the system (including assembled ones), since time 0.
    pub entered_total: u64,
    pub exited_total: u64,
    pub scrapped_total: u64,
    /// Parts consumed as assembly inputs, since time 0.
    pub consumed_total: u64,
    /// Parts in the system now.
    pub wip: u64,
    wip_since: f64,
    /// ∫ WIP dt since the statistics started.
    pub wip_area: f64,
    /// Since the statistics started:
    pub exited: u64,
    /// Parts that left the WIP in any way (sink, scrap, assembly) and the sum
    /// of their times in process: Little's law λ and W.
    pub departed: u64,
    pub sojourn_sum: f64,
    pub entered: u64,
    pub lead_time: Histogram,
    /// Over-time samples: (time, good parts out since time 0, WIP).
    pub samples: Vec<(f64, u64, u64)>,
    /// Orders whose last part left in the window, those of them by their
    /// due date, and Σ of their tardiness (completion − due, when late).
    pub orders_completed: u64,
    pub orders_on_time: u64,
    pub tardiness_sum: f64,
    /// Lots that moved together until a buffer filled up with lots waiting
    /// to be complete and let one go part by part (from time 0).
    pub lots_split: u64,
}

/// An order of an order book as the run follows it.
#[derive(Clone, Debug)]
pub struct OrderState {
    pub id: String,
    pub release: f64,
    pub due: f64,
    pub quantity: u32,
    /// Its parts that have left the system (shipped, scrapped or built in).
    pub left: u32,
    /// Its parts that had left the source before a shadow's start (they
    /// are in the line or gone): not released again.
    pub arrived: u32,
    /// When its last part left the system.
    pub completed_at: Option<f64>,
    /// The lot moves together: how far its parts have come.
    pub lot: Option<Box<lots::LotTrack>>,
}

/// Run settings the engine needs.
#[derive(Clone, Debug)]
pub struct RunWindow {
    pub warmup: f64,
    pub horizon: f64,
    pub sample_every: f64,
}

/// The simulation of one replication.
#[derive(Debug, Resource)]
pub struct Engine {
    pub now: f64,
    pub window: RunWindow,
    /// When statistics started (the end of the warm-up once it passed).
    pub stats_start: f64,
    pub finished: bool,
    calendar: Calendar,
    /// Zero-time follow-ups in FIFO order: taken from `next_action` on, and
    /// cleared once all are taken (cheaper than a ring buffer: the queue
    /// empties after every event).
    actions: Vec<Action>,
    next_action: usize,
    /// Nesting of direct pushes; past a limit they are queued instead.
    depth: u32,
    pub nodes: Vec<Node>,
    slots: Vec<Slot>,
    pub pools: Vec<Pool>,
    pub parts: Parts,
    pub products: Vec<String>,
    pub shifts: Vec<ShiftRuntime>,
    pub line: LineStats,
    /// The orders of every order book, in release order per source.
    pub orders: Vec<OrderState>,
    /// Events processed (calendar pops).
    pub events: u64,
    /// Service completions at stations since time 0 (the benchmark's work unit).
    pub completions: u64,
    pub log: Option<Vec<LogRecord>>,
    /// Walking paths through unfenced robot envelopes: (station node, robot
    /// node, seconds inside per operator trip), for the safety KPI; `None`
    /// when the scene has neither robots nor operator walking paths.
    pub exposure: Option<Vec<(u32, u32, f64)>>,
}

/// A shift's calendar and who follows it.
#[derive(Debug)]
pub struct ShiftRuntime {
    pub id: String,
    pub calendar: crate::scene::ShiftCalendar,
    pub nodes: Vec<u32>,
    pub pools: Vec<u32>,
}

impl LineStats {
    /// When the WIP integral was last brought up to date.
    pub fn wip_since(&self) -> f64 {
        self.wip_since
    }
}

impl Engine {
    /// The time at which the run ends.
    pub fn end_time(&self) -> f64 {
        self.window.warmup + self.window.horizon
    }

    /// Processes every event up to and including `target` (capped at the end
    /// of the run) and moves the clock there. Returns the events processed.
    pub fn advance_to(&mut self, target: f64) -> u64 {
        self.advance_bounded(target, u64::MAX)
    }

    /// Like [`Engine::advance_to`], but stops after `max_events` events (the
    /// clock then stays at the last event), so a viewer can cap work per frame.
    pub fn advance_bounded(&mut self, target: f64, max_events: u64) -> u64 {
        let target = target.min(self.end_time());
        let mut done = 0;
        while !self.finished && done < max_events {
            match self.calendar.pop_until(target) {
                Some((t, event)) => {
                    self.now = t;
                    self.events += 1;
                    done += 1;
                    self.handle(event);
                    self.drain_actions();
                }
                None => {
                    if target.is_finite() && target > self.now {
                        self.now = target;
                    }
                    break;
                }
            }
        }
        done
    }

    /// Where (node, slot) sits in [`Engine::slots`].
    #[inline(always)]
    fn flat_slot(&self, node: u32, slot: u32) -> usize {
        (self.nodes[node as usize].slot_base + slot) as usize
    }

    /// Time of the next pending event.
    pub fn next_event_time(&self) -> Option<f64> {
        self.calendar.peek_time()
    }

    #[inline(always)]
    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival { node } => self.arrival(node),
            Event::PhaseDone {
                node,
                server,
                generation,
            } => self.phase_done(node, server, generation),
            Event::Failure { node, generation } => self.failure(node, generation),
            Event::Repair { node } => self.repair(node),
            Event::MaintenanceWindow { node } => self.maintenance_window(node),
            Event::MaintenanceEnd { node } => self.maintenance(node, false),
            Event::OrderRelease { node } => self.order_release(node),
            Event::OperatorArrives { node, server, pool } => {
                self.operator_arrived(node, server, pool)
            }
            Event::ConveyorHead { node, generation } => self.conveyor_head(node, generation),
            Event::ConveyorGap { node } => {
                if let NodeKind::Conveyor(c) = &mut self.nodes[node as usize].kind {
                    c.gap_event_pending = false;
                }
                self.wake(node);
            }
            Event::ShiftChange { shift } => self.shift_change(shift),
            Event::Sample => {
                self.line
                    .samples
                    .push((self.now, self.line.exited_total, self.line.wip));
                let next = self.now + self.window.sample_every;
                if next < self.end_time() {
                    self.calendar.schedule(next, Event::Sample);
                }
            }
            Event::WarmupEnd => self.reset_statistics(),
            Event::End => {
                self.flush_statistics();
                self.line
                    .samples
                    .push((self.now, self.line.exited_total, self.line.wip));
                self.finished = true;
            }
        }
    }

    fn drain_actions(&mut self) {
        while let Some(&action) = self.actions.get(self.next_action) {
            self.next_action += 1;
            match action {
                Action::Wake(node) => self.wake(node),
                Action::Push(node, slot) => {
                    self.try_push(node, slot);
                }
                Action::SourceNext(node) => self.source_next(node),
            }
        }
        self.actions.clear();
        self.next_action = 0;
    }

    /// A part leaves the work in process (sink, scrap or assembly input).
    fn depart(&mut self, part: u32) {
        let entered = self.parts[part].entered;
        if entered >= self.stats_start {
            // Parts in the system at the end of the warm-up count from then.
            self.line.sojourn_sum += self.now - entered;
        } else {
            self.line.sojourn_sum += self.now - self.stats_start;
        }
        self.line.departed += 1;
        let order = self.parts[part].order;
        if order != part::NO_ORDER {
            self.order_part_left(order);
            if self.orders[order as usize].lot.is_some() {
                self.lot_part_gone(part);
            }
        }
    }

    /// One more part of `order` has left; its last completes the order.
    fn order_part_left(&mut self, order: u32) {
        let now = self.now;
        let o = &mut self.orders[order as usize];
        o.left += 1;
        if o.left == o.quantity {
            o.completed_at = Some(now);
        }
        if o.left == o.quantity && now >= self.stats_start {
            let l = &mut self.line;
            l.orders_completed += 1;
            if now <= o.due {
                l.orders_on_time += 1;
            } else {
                l.tardiness_sum += now - o.due;
            }
        }
    }

    fn wip_change(&mut self, delta: i64) {
        let l = &mut self.line;
        l.wip_area += l.wip as f64 * (self.now - l.wip_since);
        l.wip_since = self.now;
        l.wip = l.wip.wrapping_add_signed(delta);
    }

    /// Starts statistics at the end of the warm-up.
    fn reset_statistics(&mut self) {
        self.flush_statistics();
        self.stats_start = self.now;
        let l = &mut self.line;
        l.wip_area = 0.0;
        l.exited = 0;
        l.departed = 0;
        l.sojourn_sum = 0.0;
        l.entered = 0;
        l.lead_time = Histogram::default();
        l.orders_completed = 0;
        l.orders_on_time = 0;
        l.tardiness_sum = 0.0;
        for node in &mut self.nodes {
            match &mut node.kind {
                NodeKind::Station(s) => s.reset_statistics(self.now),
                NodeKind::Buffer(b) => b.content.reset(self.now),
                NodeKind::Conveyor(c) => {
                    c.content.reset(self.now);
                    c.transit_sum = 0.0;
                    c.delivered = 0;
                }
                NodeKind::Sink(s) => *s = Sink::default(),
                NodeKind::Source(s) => {
                    s.released = 0;
                    s.blocked_s = 0.0;
                }
            }
        }
        for pool in &mut self.pools {
            pool.reset_statistics(self.now);
        }
    }

    /// Brings every time integral up to `now`.
    fn flush_statistics(&mut self) {
        self.wip_change(0);
        let now = self.now;
        for node in &mut self.nodes {
            match &mut node.kind {
                NodeKind::Station(s) => s.flush(now),
                NodeKind::Buffer(b) => b.content.flush(now),
                NodeKind::Conveyor(c) => c.content.flush(now),
                _ => {}
            }
        }
        for pool in &mut self.pools {
            pool.flush(now);
        }
    }

    fn shift_change(&mut self, shift: u32) {
        let rt = &self.shifts[shift as usize];
        let on = rt.calendar.is_on(self.now);
        let next = rt.calendar.next_change(self.now);
        let (nodes, pools) = (rt.nodes.clone(), rt.pools.clone());
        for pool in pools {
            self.refresh_pool(pool);
        }
        for node in nodes {
            match &self.nodes[node as usize].kind {
                NodeKind::Station(_) => self.set_station_shift(node, on),
                NodeKind::Source(_) => self.set_source_shift(node, on),
                _ => {}
            }
        }
        if next < self.end_time() {
            self.calendar.schedule(next, Event::ShiftChange { shift });
        }
    }

    /// Parts held by the nodes, found by walking them (for the conservation check).
    pub fn held_parts(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for n in &self.nodes {
            match &n.kind {
                NodeKind::Station(s) => s.held_parts(&mut out),
                NodeKind::Buffer(b) => out.extend(b.queue.iter().chain(b.held()).copied()),
                NodeKind::Conveyor(c) => out.extend(c.parts.iter().map(|p| p.part)),
                NodeKind::Source(s) if s.pending != part::NO_PART && s.timed() => {
                    out.push(s.pending)
                }
                NodeKind::Source(_) | NodeKind::Sink(_) => {}
            }
        }
        out
    }

    /// Parts waiting inside saturated and order sources (not yet in the system).
    pub fn parts_unreleased(&self) -> u64 {
        self.nodes
            .iter()
            .map(|n| match &n.kind {
                NodeKind::Source(s) => u64::from(s.pending != part::NO_PART && !s.timed()),
                _ => 0,
            })
            .sum()
    }

    /// Records an event when the run keeps a log (the check is inlined; the
    /// recording is not, so the hot paths stay small).
    #[inline]
    fn log(&mut self, node: u32, part: u32, event: LogEvent) {
        if self.log.is_some() {
            self.log_record(node, part, event);
        }
    }

    #[cold]
    fn log_record(&mut self, node: u32, part: u32, event: LogEvent) {
        if let Some(log) = &mut self.log {
            let (serial, product) = if part == part::NO_PART {
                (0, log::NO_PRODUCT)
            } else {
                (self.parts[part].serial, self.parts[part].product)
            };
            log.push(LogRecord {
                time: self.now,
                node,
                part: serial,
                product,
                event,
            });
        }
    }
}
