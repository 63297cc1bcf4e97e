//! Stations: machines, robot cells and assembly stations (transfer robots,
//! one-server stations whose work is travel, in `transfer.rs`).
//!
//! A station has `capacity` servers. Each server takes one part through
//! *operator → setup → work → done*; a finished part that cannot leave keeps
//! the server blocked. Failures (counted in working time) and shifts pause
//! every running server and resume it later with its remaining time.

use super::calendar::Event;
use super::part::NO_PART;
use super::rng::Stream;
use super::sampler::Sampler;
use super::{Engine, LogEvent, NodeKind, STATE_COUNT, State};
use std::collections::VecDeque;

/// What a server is doing with its part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    WaitOperator,
    Setup,
    Work,
    /// Finished, waiting to hand the part on.
    Done,
    /// An operator loads a tended machine.
    Load,
    /// An operator unloads a tended machine.
    Unload,
}

impl Phase {
    /// Counted as working: the state, and the failure clock.
    #[inline(always)]
    pub fn is_working(self) -> bool {
        matches!(self, Phase::Work | Phase::Load | Phase::Unload)
    }
}

/// Where a tended machine's server is in its cycle (`Server::tend`).
const TEND_START: u8 = 0;
const TEND_LOADED: u8 = 1;
const TEND_MACHINED: u8 = 2;

/// The state of a server in each phase on an available station, indexed by
/// `Phase as usize` (a table: this runs twice per operation).
const STATE_BY_PHASE: [State; 7] = [
    State::Starved,
    State::WaitingForOperator,
    State::Setup,
    State::Working,
    State::Blocked,
    State::Working,
    State::Working,
];

/// One parallel server of a station.
// Aligned to a cache line: every field but `remaining` is read or written
// in each operation, and aligned the server spans two lines, not three.
#[repr(align(64))]
#[derive(Clone, Debug)]
pub struct Server {
    pub phase: Phase,
    pub part: u32,
    /// Whether the phase's completion event is scheduled (not paused).
    running: bool,
    /// When the running phase ends, or how much of it is left while paused.
    end: f64,
    remaining: f64,
    generation: u32,
    /// The pool of the operator this server holds ([`NO_POOL`]: none).
    pub operator: u32,
    /// A tended machine's step: not loaded, loaded, machined.
    tend: u8,
    last_product: u16,
    /// The product of the part in hand and its ideal cycle, noted when the
    /// job starts so finishing it reads neither the part nor the cycle table
    /// (fewer cache lines at the end of every operation).
    product: u16,
    ideal: f64,
    pub state: State,
    since: f64,
    /// Time in each state since the statistics started.
    pub time_in: [f64; STATE_COUNT],
}

/// A server that holds no operator.
pub const NO_POOL: u32 = u32::MAX;

impl Server {
    pub fn has_operator(&self) -> bool {
        self.operator != NO_POOL
    }

    /// Starts a timed `phase` lasting `duration` from `now` (a new job, the
    /// work after a setup, a resumed phase, a robot's leg) and returns the
    /// generation its `PhaseDone` event must carry: an older event is stale.
    #[inline(always)]
    pub(super) fn start_phase(&mut self, phase: Phase, now: f64, duration: f64) -> u32 {
        self.phase = phase;
        self.running = true;
        self.end = now + duration;
        self.generation = self.generation.wrapping_add(1);
        self.generation
    }

    fn new() -> Self {
        Self {
            phase: Phase::Idle,
            part: NO_PART,
            running: false,
            end: 0.0,
            remaining: 0.0,
            generation: 0,
            operator: NO_POOL,
            tend: TEND_START,
            last_product: u16::MAX,
            product: 0,
            ideal: 0.0,
            state: State::Starved,
            since: 0.0,
            time_in: [0.0; STATE_COUNT],
        }
    }

    fn flush(&mut self, now: f64) {
        self.time_in[self.state as usize] += now - self.since;
        self.since = now;
    }
}

/// One carrier of a transfer station: the robot's tool, or one vehicle of
/// a fleet; where it is and what it is doing.
#[derive(Clone, Debug)]
pub struct Carrier {
    /// Where it is (where its current leg ends, while travelling).
    pub at: (f64, f64),
    pub job: Option<Job>,
    /// The current leg: from where, and when the travel starts and ends
    /// (a pick or place follows), for the viewer.
    pub leg_from: (f64, f64),
    pub leg_start: f64,
    pub travel_end: f64,
    /// Parts on board besides the one being picked or placed (a vehicle
    /// that carries several), in the order they were picked.
    pub cargo: Vec<u32>,
    /// Time driven empty to a pick point since the statistics started
    /// (counted when the part is picked).
    pub empty_travel: f64,
}

impl Carrier {
    pub(super) fn new(at: (f64, f64)) -> Self {
        Self {
            at,
            job: None,
            leg_from: at,
            leg_start: 0.0,
            travel_end: 0.0,
            cargo: Vec::new(),
            empty_travel: 0.0,
        }
    }

    /// Its position at `now`, travelling in a straight line.
    pub fn position(&self, now: f64) -> (f64, f64) {
        let span = self.travel_end - self.leg_start;
        if now >= self.travel_end || span <= 0.0 {
            return self.at;
        }
        let f = ((now - self.leg_start) / span).clamp(0.0, 1.0);
        (
            self.leg_from.0 + (self.at.0 - self.leg_from.0) * f,
            self.leg_from.1 + (self.at.1 - self.leg_from.1) * f,
        )
    }
}

/// A transfer robot's current job.
#[derive(Clone, Copy, Debug)]
pub struct Job {
    pub from: u32,
    pub from_slot: u32,
    pub to: u32,
    /// Still on the way to pick (else carrying to the place point).
    pub to_pick: bool,
}

/// The kind-specific part of a station.
/// An assembly station's input bin: the parts of one product waiting to
/// be assembled.
#[derive(Debug)]
pub struct Bin {
    pub product: u16,
    /// Parts of this product one assembly consumes.
    pub quantity: u32,
    pub parts: VecDeque<u32>,
}

#[derive(Debug)]
pub enum StationKind {
    Machine,
    /// A robot processing cell.
    RobotCell,
    /// One input bin per input product.
    Assembly {
        bins: Vec<Bin>,
        bin_capacity: Vec<u32>,
        output: u16,
    },
    /// A transfer robot (one carrier) or a fleet of vehicles (one per
    /// server), carrying parts along the edges marked `via` it.
    Transfer {
        speed: f64,
        pick: f64,
        place: f64,
        carriers: Vec<Carrier>,
        /// Parts a carrier takes on one trip.
        capacity: u32,
        /// A fleet of vehicles, not a robot arm (reported as "vehicles").
        fleet: bool,
    },
}

/// How long a product takes at a station.
#[derive(Debug)]
pub(super) struct Cycle {
    /// Processing time (`None`: not processed here).
    pub(super) sampler: Option<Sampler>,
    /// Ideal (mean) cycle, for ISO 22400 effectiveness.
    pub(super) ideal: f64,
}

/// Cycles per product, the first kept inline: with one product (the
/// common case) starting a job reads the station, not a separate table.
#[derive(Debug)]
pub(super) struct Cycles {
    first: Cycle,
    rest: Vec<Cycle>,
}

impl Cycles {
    fn new(all: Vec<Cycle>) -> Self {
        let mut all = all.into_iter();
        // Validation asks for at least one product; without one nothing is processed.
        let first = all.next().unwrap_or(Cycle {
            sampler: None,
            ideal: 0.0,
        });
        Self {
            first,
            rest: all.collect(),
        }
    }

    #[inline]
    fn get(&self, product: u16) -> &Cycle {
        match product {
            0 => &self.first,
            p => &self.rest[p as usize - 1],
        }
    }

    pub(super) fn get_mut(&mut self, product: u16) -> &mut Cycle {
        match product {
            0 => &mut self.first,
            p => &mut self.rest[p as usize - 1],
        }
    }

    fn single(&self) -> bool {
        self.rest.is_empty()
    }
}

/// A station's changeovers: the time from one product to the next where
/// the scene's setup matrix gives one, else the default; and the setter
/// pool that does them, if not the station's own operator.
#[derive(Debug)]
pub(super) struct Setups {
    default: Sampler,
    /// ((from, to), time), sorted: looked up only when a changeover happens.
    changes: Vec<((u16, u16), Sampler)>,
    pub pool: Option<u32>,
}

impl Setups {
    pub(super) fn new(
        default: Sampler,
        mut changes: Vec<((u16, u16), Sampler)>,
        pool: Option<u32>,
    ) -> Self {
        changes.sort_by_key(|c| c.0);
        Self {
            default,
            changes,
            pool,
        }
    }

    fn sampler(&self, from: u16, to: u16) -> &Sampler {
        match self.changes.binary_search_by_key(&(from, to), |c| c.0) {
            Ok(i) => &self.changes[i].1,
            Err(_) => &self.default,
        }
    }
}

/// A station's ISO 22400-2 figures (see [`Station::iso_22400`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Iso22400 {
    pub availability: Option<f64>,
    pub effectiveness: Option<f64>,
    pub quality: Option<f64>,
    pub oee: Option<f64>,
}

impl Iso22400 {
    /// The figures from the time in each state (`t`, seconds, summed over a
    /// station's places; `total` their sum) and, where the station makes
    /// parts, (ideal time of what it produced, good parts, parts produced):
    /// availability = APT / PBT, effectiveness = PRI × PQ / APT, quality =
    /// GQ / PQ. The simulator and the live monitor both use this.
    pub fn of(t: &[f64; STATE_COUNT], total: f64, counts: Option<(f64, f64, f64)>) -> Self {
        let ratio = |a: f64, b: f64| (b > 0.0 && a.is_finite()).then(|| a / b);
        let apt = t[State::Working as usize];
        // Planned busy time: neither off shift nor in planned maintenance.
        let pbt = total - t[State::OffShift as usize] - t[State::Maintenance as usize];
        let availability = ratio(apt, pbt);
        let (effectiveness, quality) = match counts {
            Some((ideal, good, produced)) => (ratio(ideal, apt), ratio(good, produced)),
            None => (None, None),
        };
        let oee = match (availability, effectiveness, quality) {
            (Some(a), Some(e), Some(q)) => Some(a * e * q),
            _ => None,
        };
        Iso22400 {
            availability,
            effectiveness,
            quality,
            oee,
        }
    }
}

/// A processing station.
// Laid out in declaration order (like `Node`): the fields an operation
// touches first, the rarely used ones after.
#[repr(C)]
#[derive(Debug)]
pub struct Station {
    pub servers: Vec<Server>,
    /// Cycle per product (both read at the end of every operation, so side by side).
    pub(super) cycle: Cycles,
    pub(super) process_rng: Stream,
    // Boxed: rarely touched, and inline they would spread the hot fields
    // over more cache lines.
    pub(super) setup: Option<Box<Setups>>,
    pub(super) failures: Option<Box<(Sampler, Sampler)>>,
    pub scrap: f64,
    pub operator: Option<u32>,
    pub failed: bool,
    pub on_shift: bool,
    /// Planned maintenance under way (a window, a stop after N parts, or both).
    pub maintenance: u8,
    /// The state every server is in while the station is off shift, in
    /// maintenance or failed (in that order); `None` while it is available.
    /// Kept with the three, so the two reads per operation are one byte.
    halted: Option<State>,
    /// What sets the station apart from the common case ([`TENDED`],
    /// [`STOPS_BY_PARTS`]): one byte read where the operation reads anyway,
    /// so the common case pays nothing for the rare features.
    special: u8,
    /// Servers in an active state (working, setup, failed).
    active_servers: u32,
    /// Servers in the working state.
    working_servers: u32,
    // Statistics since the warm-up.
    pub produced: u64,
    pub good: u64,
    pub ideal_time: f64,
    run_since: f64,
    /// Time with at least one server working (the machine's run time, for MTBF).
    pub run_time: f64,
    active_since: Option<f64>,
    /// When the current period went inactive; a period that resumes at the
    /// same instant (a part handed on and the next one started) goes on.
    inactive_since: Option<f64>,
    /// Active periods (working, setup or failed without a break).
    pub active_sum: f64,
    pub active_count: u64,
    pub active_max: f64,
    pub scrapped: u64,
    pub failures_count: u64,
    /// Repair times drawn for the failures counted in `failures_count`
    /// (whole repairs, also those that end after the run).
    pub repair_sum: f64,
    /// Their squares, for the spread of repair times.
    pub repair_sq_sum: f64,
    pub setups: u64,
    ttf_remaining: f64,
    working: u32,
    failure_generation: u32,
    working_since: f64,
    pub(super) failure_rng: Stream,
    pub(super) quality_rng: Stream,
    /// kW per state.
    pub power: [f64; STATE_COUNT],
    pub(super) upkeep: Option<Box<Upkeep>>,
    /// Load and unload times of a tended machine.
    /// (load, unload, mean load + mean unload).
    pub(super) tending: Option<Box<(Sampler, Sampler, f64)>>,
    pub kind: StationKind,
}

/// `Station::special`: an operator loads and unloads, the cycle runs alone.
const TENDED: u8 = 1;
/// `Station::special`: planned stops after every N parts.
const STOPS_BY_PARTS: u8 = 2;
/// `Station::special`: planned stops after so much run time.
const STOPS_BY_WORK: u8 = 4;

/// A station's planned maintenance: weekly windows (one calendar for all)
/// and a stop after every so many parts.
#[derive(Debug)]
pub(super) struct Upkeep {
    pub window: Option<crate::scene::ShiftCalendar>,
    /// (parts between stops, stop duration).
    pub every: Option<(u64, Sampler)>,
    /// Parts to finish before the next stop.
    pub until: u64,
    /// (run time between stops, stop duration).
    pub every_work: Option<(f64, Sampler)>,
    /// The run time (since time 0) at which the next stop is due.
    pub work_due: f64,
    /// Run time before the statistics were last reset (the warm-up's).
    pub worked_before: f64,
    pub rng: Stream,
}

impl Station {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        kind: StationKind,
        capacity: u32,
        cycle: Vec<Cycle>,
        setup: Option<Setups>,
        failures: Option<(Sampler, Sampler)>,
        scrap: f64,
        operator: Option<u32>,
        power: [f64; STATE_COUNT],
        rngs: [Stream; 3],
    ) -> Self {
        let [process_rng, mut failure_rng, quality_rng] = rngs;
        let ttf_remaining = failures.as_ref().map_or(f64::INFINITY, |(between, _)| {
            between.sample(&mut failure_rng)
        });
        let (setup, failures) = (setup.map(Box::new), failures.map(Box::new));
        Self {
            kind,
            servers: (0..capacity).map(|_| Server::new()).collect(),
            cycle: Cycles::new(cycle),
            setup,
            failures,
            scrap,
            operator,
            power,
            failed: false,
            on_shift: true,
            maintenance: 0,
            halted: None,
            special: 0,
            upkeep: None,
            tending: None,
            ttf_remaining,
            working: 0,
            working_since: 0.0,
            failure_generation: 0,
            process_rng,
            failure_rng,
            quality_rng,
            produced: 0,
            good: 0,
            scrapped: 0,
            ideal_time: 0.0,
            failures_count: 0,
            repair_sum: 0.0,
            repair_sq_sum: 0.0,
            setups: 0,
            active_sum: 0.0,
            active_count: 0,
            active_max: 0.0,
            active_since: None,
            inactive_since: None,
            active_servers: 0,
            run_time: 0.0,
            working_servers: 0,
            run_since: 0.0,
        }
    }

    #[inline]
    pub(super) fn available(&self) -> bool {
        self.halted.is_none()
    }

    /// Re-derives [`Station::halted`] after a shift, a failure or
    /// maintenance changed.
    pub(super) fn halt_changed(&mut self) {
        self.halted = if !self.on_shift {
            Some(State::OffShift)
        } else if self.maintenance > 0 {
            Some(State::Maintenance)
        } else if self.failed {
            Some(State::Failed)
        } else {
            None
        };
    }

    /// Makes the station tended: the operator loads (`load`) and unloads
    /// (`unload`, both with their mean times) and the cycle runs unattended;
    /// the ideal cycle includes both.
    pub(super) fn set_tending(&mut self, load: Sampler, unload: Sampler, means: f64) {
        self.cycle.first.ideal += means;
        self.cycle.rest.iter_mut().for_each(|c| c.ideal += means);
        self.tending = Some(Box::new((load, unload, means)));
        self.special |= TENDED;
    }

    /// The ideal time of the operator's part of the work: the whole ideal
    /// cycle, or for a tended station its mean load and unload per part.
    pub fn operator_ideal_time(&self) -> f64 {
        match &self.tending {
            Some(t) => self.produced as f64 * t.2,
            None => self.ideal_time,
        }
    }

    /// Gives the station its planned maintenance.
    pub(super) fn set_upkeep(&mut self, mut upkeep: Upkeep) {
        if let Some((every, _)) = &upkeep.every {
            upkeep.until = *every;
            self.special |= STOPS_BY_PARTS;
        }
        if let Some((work, _)) = &upkeep.every_work {
            upkeep.work_due = *work;
            self.special |= STOPS_BY_WORK;
        }
        self.upkeep = Some(Box::new(upkeep));
    }

    /// Counts a finished part towards the next planned stop; true when a
    /// stop (by parts or by run time) is due.
    #[inline]
    fn part_towards_stop(&mut self, now: f64) -> bool {
        if self.special & (STOPS_BY_PARTS | STOPS_BY_WORK) == 0 {
            return false;
        }
        let run = self.lifetime_run_time(now);
        let up = self
            .upkeep
            .as_deref_mut()
            .expect("planned stops need upkeep");
        let mut due = false;
        if up.every.is_some() {
            up.until -= 1;
            due |= up.until == 0;
        }
        due | (up.every_work.is_some() && run >= up.work_due)
    }

    /// Run time (a server working) since time 0, the warm-up's included.
    fn lifetime_run_time(&self, now: f64) -> f64 {
        let open = if self.working_servers > 0 {
            now - self.run_since
        } else {
            0.0
        };
        let before = self.upkeep.as_ref().map_or(0.0, |u| u.worked_before);
        before + self.run_time + open
    }

    /// Whether the station could take some part now (worth waking those
    /// waiting on it). `plain`: a machine or robot cell (the caller knows from
    /// the node, so the kind, further down the struct, is not read on the
    /// common path).
    #[inline]
    pub(super) fn has_space(&self, plain: bool) -> bool {
        self.takes(None, plain)
    }

    /// Whether the station takes a part of `product` now (`plain` as for
    /// [`Station::has_space`]).
    #[inline]
    pub(super) fn can_accept(&self, product: u16, plain: bool) -> bool {
        self.takes(Some(product), plain)
    }

    /// A part of `product` (`None`: of any product) would be taken now.
    #[inline(always)]
    fn takes(&self, product: Option<u16>, plain: bool) -> bool {
        if !self.available() {
            return false;
        }
        let idle = || self.servers.iter().any(|s| s.phase == Phase::Idle);
        if plain {
            return idle();
        }
        match &self.kind {
            StationKind::Assembly {
                bins, bin_capacity, ..
            } => bins.iter().zip(bin_capacity).any(|(b, cap)| {
                product.is_none_or(|p| b.product == p) && (b.parts.len() as u32) < *cap
            }),
            // Parts reach a transfer robot through its jobs, never by an
            // offer; an idle one still wakes the nodes waiting for it.
            StationKind::Transfer { .. } => product.is_none() && idle(),
            _ => idle(),
        }
    }

    #[inline]
    pub(super) fn ready_part(&self, slot: u32) -> u32 {
        let s = &self.servers[slot as usize];
        if s.phase == Phase::Done {
            s.part
        } else {
            NO_PART
        }
    }

    /// Appends the parts this station holds (in servers and input bins).
    pub fn held_parts(&self, out: &mut Vec<u32>) {
        // A carrier on its way to pick has not got the part yet.
        let fetching = |i: usize| match &self.kind {
            StationKind::Transfer { carriers, .. } => {
                carriers[i].job.as_ref().is_some_and(|j| j.to_pick)
            }
            _ => false,
        };
        out.extend(
            self.servers
                .iter()
                .enumerate()
                .filter(|(i, s)| s.part != NO_PART && !fetching(*i))
                .map(|(_, s)| s.part),
        );
        match &self.kind {
            StationKind::Assembly { bins, .. } => {
                out.extend(bins.iter().flat_map(|b| b.parts.iter().copied()));
            }
            StationKind::Transfer { carriers, .. } => {
                out.extend(carriers.iter().flat_map(|c| c.cargo.iter().copied()));
            }
            _ => {}
        }
    }

    /// The state a server is in, derived from its phase and the station.
    #[inline]
    fn derived_state(&self, server: &Server) -> State {
        match self.halted {
            Some(state) => state,
            None => STATE_BY_PHASE[server.phase as usize],
        }
    }

    /// The ISO 22400-2 figures from the time in each state (`t`, summed over
    /// servers) out of `total` (servers × window): availability = APT / PBT,
    /// effectiveness = PRI × PQ / APT, quality = GQ / PQ, OEE their product.
    /// The one place they are computed (the run's KPIs and the live view).
    /// A transfer robot makes no parts: it has an availability only.
    pub fn iso_22400(&self, t: &[f64; STATE_COUNT], total: f64) -> Iso22400 {
        // A transfer robot moves parts: no rate or quality to judge.
        let counts = (!matches!(self.kind, StationKind::Transfer { .. })).then_some((
            self.ideal_time,
            self.good as f64,
            self.produced as f64,
        ));
        Iso22400::of(t, total, counts)
    }

    /// Share of time in each state since the statistics started, up to
    /// `now` (the current spells included), and the OEE so far: what a live
    /// dashboard shows mid-run. The end-of-run figures come from `kpi::measure`.
    pub fn live_figures(&self, now: f64) -> ([f64; STATE_COUNT], Option<f64>) {
        let (t, total, _) = self.oee_parts(now);
        let shares = t.map(|v| if total > 0.0 { v / total } else { 0.0 });
        (shares, self.iso_22400(&t, total).oee)
    }

    /// What OEE is made of since the statistics started, up to `now`:
    /// server-seconds in each state, their total, and (ideal time, good,
    /// produced) where the station's rate and quality are judged; parts
    /// of another period add to each (see [`Iso22400::of`]).
    pub fn oee_parts(&self, now: f64) -> ([f64; STATE_COUNT], f64, Option<(f64, f64, f64)>) {
        let mut t = [0.0; STATE_COUNT];
        for s in &self.servers {
            for (k, v) in s.time_in.iter().enumerate() {
                t[k] += v;
            }
            t[s.state as usize] += (now - s.since).max(0.0);
        }
        let total: f64 = t.iter().sum();
        let counts = (!matches!(self.kind, StationKind::Transfer { .. })).then_some((
            self.ideal_time,
            self.good as f64,
            self.produced as f64,
        ));
        (t, total, counts)
    }

    /// The state shown for the whole station: off shift, maintenance or failed first, then
    /// the busiest server's state.
    pub fn state(&self) -> State {
        let rank = |s: State| match s {
            State::OffShift => 0,
            State::Maintenance => 1,
            State::Failed => 2,
            State::Working => 3,
            State::Setup => 4,
            State::WaitingForOperator => 5,
            State::Blocked => 6,
            State::Starved => 7,
        };
        self.servers
            .iter()
            .map(|s| s.state)
            .min_by_key(|s| rank(*s))
            .unwrap_or(State::Starved)
    }

    /// Re-derives every server's state at `now` (station-wide changes:
    /// failure, repair, shift).
    fn update_states(&mut self, now: f64) {
        for i in 0..self.servers.len() {
            self.update_server(i, now);
        }
    }

    /// Re-derives one server's state at `now` and tracks active periods.
    // Always inlined, like the other helpers of an operation's hand-off
    // (begin_job, start_processing, station_released, buffer_released,
    // wake, push_soon): each runs once or twice per operation, and the
    // call cost about as much as the body (callgrind: 1 213 -> 1 129
    // instructions per operation for the lot).
    #[inline(always)]
    pub(super) fn update_server(&mut self, i: usize, now: f64) {
        let new = self.derived_state(&self.servers[i]);
        let s = &mut self.servers[i];
        let old = s.state;
        if new == old {
            return;
        }
        s.flush(now);
        s.state = new;
        // Run time (at least one server working), for MTBF.
        if old == State::Working {
            self.working_servers -= 1;
            if self.working_servers == 0 {
                self.run_time += now - self.run_since;
            }
        } else if new == State::Working {
            self.working_servers += 1;
            if self.working_servers == 1 {
                self.run_since = now;
            }
        }
        match (old.is_active(), new.is_active()) {
            (false, true) => {
                self.active_servers += 1;
                if self.active_servers == 1 {
                    match (self.active_since, self.inactive_since.take()) {
                        (Some(_), Some(end)) if end == now => {} // zero-time hand-off: the period goes on
                        (Some(start), Some(end)) => {
                            self.close_active(end - start);
                            self.active_since = Some(now);
                        }
                        _ => self.active_since = Some(now),
                    }
                }
            }
            (true, false) => {
                self.active_servers -= 1;
                if self.active_servers == 0 {
                    self.inactive_since = Some(now);
                }
            }
            _ => {}
        }
    }

    fn close_active(&mut self, length: f64) {
        self.active_sum += length;
        self.active_count += 1;
        self.active_max = self.active_max.max(length);
    }

    pub(super) fn flush(&mut self, now: f64) {
        for s in &mut self.servers {
            s.flush(now);
        }
        if self.working_servers > 0 {
            self.run_time += now - self.run_since;
            self.run_since = now;
        }
    }

    /// Closes the last active period at the end of the run (so it counts).
    pub fn close_open_period(&mut self, now: f64) {
        if let Some(start) = self.active_since.take() {
            let end = self.inactive_since.take().unwrap_or(now);
            self.close_active(end - start);
        }
    }

    pub(super) fn reset_statistics(&mut self, now: f64) {
        for s in &mut self.servers {
            s.flush(now);
            s.time_in = [0.0; STATE_COUNT];
        }
        self.produced = 0;
        self.good = 0;
        self.scrapped = 0;
        self.ideal_time = 0.0;
        self.failures_count = 0;
        self.repair_sum = 0.0;
        self.repair_sq_sum = 0.0;
        self.setups = 0;
        self.active_sum = 0.0;
        self.active_count = 0;
        self.active_max = 0.0;
        if let StationKind::Transfer { carriers, .. } = &mut self.kind {
            carriers.iter_mut().for_each(|c| c.empty_travel = 0.0);
        }
        if let Some(up) = self.upkeep.as_deref_mut() {
            let open = if self.working_servers > 0 {
                now - self.run_since
            } else {
                0.0
            };
            up.worked_before += self.run_time + open;
        }
        self.run_time = 0.0;
        self.run_since = now;
        if self.inactive_since.take().is_some() {
            self.active_since = None; // that period ended during the warm-up
        } else if self.active_since.is_some() {
            self.active_since = Some(now);
        }
    }

    /// Whether the scene gives this station a failure model.
    pub fn can_fail(&self) -> bool {
        self.failures.is_some()
    }

    /// Counts servers starting (+1) or stopping (-1) work for the failure
    /// clock, which runs only while some server works (`working` counts only
    /// for stations that can fail). Returns the failure to schedule, as
    /// (time, generation), when the clock starts.
    #[inline]
    fn working_changed(&mut self, now: f64, delta: i32) -> Option<(f64, u32)> {
        self.failures.as_ref()?;
        let before = self.working;
        self.working = self.working.wrapping_add_signed(delta);
        if before == 0 && self.working > 0 {
            self.working_since = now;
            self.failure_generation = self.failure_generation.wrapping_add(1);
            return Some((now + self.ttf_remaining, self.failure_generation));
        }
        if before > 0 && self.working == 0 {
            self.ttf_remaining = (self.ttf_remaining - (now - self.working_since)).max(0.0);
            self.failure_generation = self.failure_generation.wrapping_add(1);
        }
        None
    }

    /// What is left of a cycle of `product` that has run `elapsed`
    /// seconds: a cycle drawn on condition that it is longer (see
    /// `warm`), 0 when none of 1,000 draws is.
    pub(super) fn remaining_cycle(&mut self, product: u16, elapsed: f64) -> f64 {
        match &self.cycle.get(product).sampler {
            Some(s) => remaining(|| s.sample(&mut self.process_rng), elapsed),
            None => 0.0,
        }
    }

    /// What is left of a repair that has taken `elapsed` seconds so far.
    pub(super) fn remaining_repair(&mut self, elapsed: f64) -> f64 {
        match self.failures.as_deref() {
            Some((_, repair)) => remaining(|| repair.sample(&mut self.failure_rng), elapsed),
            None => 0.0,
        }
    }

    #[inline]
    fn sample_cycle(&mut self, product: u16) -> f64 {
        match &self.cycle.get(product).sampler {
            Some(s) => s.sample(&mut self.process_rng),
            None => 0.0,
        }
    }
}

/// A duration drawn by `draw` on condition that it exceeds `elapsed`, less
/// `elapsed`; 0 when none of 1,000 draws does.
fn remaining(mut draw: impl FnMut() -> f64, elapsed: f64) -> f64 {
    (0..1000)
        .map(|_| draw())
        .find(|d| *d > elapsed)
        .map_or(0.0, |d| d - elapsed.max(0.0))
}

impl Engine {
    #[inline]
    pub(super) fn station(&mut self, node: u32) -> &mut Station {
        match &mut self.nodes[node as usize].kind {
            NodeKind::Station(s) => s,
            _ => unreachable!("node {node} is a station"),
        }
    }

    /// A machine or robot cell with one server (not an assembly: its bins take parts).
    #[inline]
    pub(super) fn is_single_server(&self, node: u32) -> bool {
        self.nodes[node as usize].single_server
    }

    #[inline]
    pub(super) fn is_assembly(&self, node: u32) -> bool {
        self.nodes[node as usize].is_assembly
    }

    /// A part arrives at a station that accepted it.
    #[inline]
    pub(super) fn station_accept(&mut self, node: u32, part: u32) {
        if self.nodes[node as usize].is_assembly {
            let product = self.parts[part].product;
            if let NodeKind::Station(Station {
                kind: StationKind::Assembly { bins, .. },
                ..
            }) = &mut self.nodes[node as usize].kind
                && let Some(bin) = bins.iter_mut().find(|b| b.product == product)
            {
                bin.parts.push_back(part);
            }
            self.assembly_try_start(node);
            return;
        }
        let st = self.station(node);
        let server = st
            .servers
            .iter()
            .position(|s| s.phase == Phase::Idle)
            .expect("accepted with an idle server");
        st.servers[server].part = part;
        self.begin_job(node, server as u32);
    }

    /// Starts assemblies while a server is idle and every bin holds enough.
    pub(super) fn assembly_try_start(&mut self, node: u32) {
        loop {
            let st = self.station(node);
            if !st.available() {
                return;
            }
            let StationKind::Assembly { bins, output, .. } = &mut st.kind else {
                return;
            };
            let output = *output;
            if !bins.iter().all(|b| b.parts.len() as u32 >= b.quantity) {
                return;
            }
            let Some(server) = st.servers.iter().position(|s| s.phase == Phase::Idle) else {
                return;
            };
            let mut consumed = Vec::new();
            for b in bins.iter_mut() {
                for _ in 0..b.quantity {
                    consumed.push(b.parts.pop_front().expect("checked"));
                }
            }
            // The assembled part is as old as its oldest component.
            let created = consumed
                .iter()
                .map(|&p| self.parts[p].created)
                .fold(f64::INFINITY, f64::min);
            let due = consumed
                .iter()
                .map(|&p| self.parts[p].due)
                .fold(f64::INFINITY, f64::min);
            for &p in &consumed {
                self.log(node, p, LogEvent::Consumed);
                self.depart(p);
                self.parts.destroy(p);
            }
            let n = consumed.len() as u64;
            self.line.consumed_total += n;
            let new = self.parts.create(output, created, due);
            self.parts[new].entered = self.now;
            self.line.entered_total += 1;
            self.wip_change(1 - n as i64);
            self.station(node).servers[server].part = new;
            self.begin_job(node, server as u32);
            self.space_freed(node);
        }
    }

    /// Operator (if needed), then setup or work.
    #[inline(always)]
    fn begin_job(&mut self, node: u32, server: u32) {
        if let Some(pool) = self.pool_for_next_phase(node, server)
            && !self.station(node).servers[server as usize].has_operator()
            && !self.wait_for_operator(pool, node, server)
        {
            return;
        }
        self.start_processing(node, server);
    }

    /// The pool the server's next phase needs: the setter pool before a
    /// changeover that has one, else the station's operator pool.
    #[inline(always)]
    fn pool_for_next_phase(&self, node: u32, server: u32) -> Option<u32> {
        let NodeKind::Station(st) = &self.nodes[node as usize].kind else {
            unreachable!("node {node} is a station")
        };
        if let Some(setups) = &st.setup
            && setups.pool.is_some()
        {
            let s = &st.servers[server as usize];
            let product = if s.part == NO_PART || st.cycle.single() {
                0
            } else {
                self.parts[s.part].product
            };
            if s.last_product != u16::MAX && s.last_product != product {
                return setups.pool;
            }
        }
        st.operator
    }

    /// Asks `pool` for an operator for the server; true if it has one now,
    /// else the server waits (`waiting_for_operator`) for the pool to send one.
    fn wait_for_operator(&mut self, pool: u32, node: u32, server: u32) -> bool {
        self.station(node).servers[server as usize].phase = Phase::WaitOperator;
        if let Some(giver) = self.request_operator(pool, node, server) {
            self.station(node).servers[server as usize].operator = giver;
            true
        } else {
            let now = self.now;
            self.station(node).update_server(server as usize, now);
            false
        }
    }

    /// An operator granted from `pool`'s queue reaches (node, server).
    pub(super) fn operator_arrived(&mut self, node: u32, server: u32, pool: u32) {
        let st = self.station(node);
        st.servers[server as usize].operator = pool;
        if st.available() {
            self.start_processing(node, server);
        }
        // Otherwise the job starts when the station is back (see `resume`).
    }

    #[inline(always)]
    fn start_processing(&mut self, node: u32, server: u32) {
        let now = self.now;
        // One lookup of the station for the whole start (this runs once per
        // operation); the calendar and parts are borrowed beside it.
        let Engine {
            nodes,
            parts,
            calendar,
            ..
        } = self;
        let NodeKind::Station(st) = &mut nodes[node as usize].kind else {
            unreachable!("node {node} is a station")
        };
        let si = server as usize;
        let part = st.servers[si].part;
        // One product (or none to ask about): no need to read the part.
        let product = if part == NO_PART || st.cycle.single() {
            0
        } else {
            parts[part].product
        };
        let ideal = st.cycle.get(product).ideal;
        let s = &mut st.servers[si];
        s.product = product;
        s.ideal = ideal;
        let last = s.last_product;
        let tend = s.tend;
        let (phase, duration) = match &st.setup {
            Some(setup) if last != u16::MAX && last != product && tend == TEND_START => (
                Phase::Setup,
                setup.sampler(last, product).sample(&mut st.process_rng),
            ),
            _ if st.special & TENDED == 0 => (Phase::Work, st.sample_cycle(product)),
            _ => {
                let (load, unload, _) = st.tending.as_deref().expect("a tended station");
                if tend == TEND_MACHINED {
                    (Phase::Unload, unload.sample(&mut st.process_rng))
                } else {
                    (Phase::Load, load.sample(&mut st.process_rng))
                }
            }
        };
        let generation = st.servers[si].start_phase(phase, now, duration);
        if phase.is_working()
            && let Some((at, generation)) = st.working_changed(now, 1)
        {
            calendar.schedule(at, Event::Failure { node, generation });
        }
        st.update_server(si, now);
        calendar.schedule(
            now + duration,
            Event::PhaseDone {
                node,
                server,
                generation,
            },
        );
        let event = match phase {
            Phase::Setup => LogEvent::Setup,
            Phase::Load => LogEvent::Load,
            Phase::Unload => LogEvent::Unload,
            _ => LogEvent::Start,
        };
        self.log(node, part, event);
    }

    /// Keeps the failure clock, which runs only while some server works.
    #[inline]
    pub(super) fn working_changed(&mut self, node: u32, delta: i32) {
        let now = self.now;
        if let Some((at, generation)) = self.station(node).working_changed(now, delta) {
            self.calendar
                .schedule(at, Event::Failure { node, generation });
        }
    }

    pub(super) fn phase_done(&mut self, node: u32, server: u32, generation: u32) {
        let now = self.now;
        // The node's flag, not the station's kind: it sits on a line this
        // operation reads anyway.
        let transfer = self.nodes[node as usize].is_transfer;
        let st = self.station(node);
        let s = &mut st.servers[server as usize];
        if s.generation != generation || !s.running {
            return;
        }
        s.running = false;
        let (part, phase, tend) = (s.part, s.phase, s.tend);
        if transfer {
            self.working_changed(node, -1);
            self.transfer_leg_done(node, server);
            return;
        }
        match phase {
            Phase::Setup => {
                let st = self.station(node);
                let product = st.servers[server as usize].product;
                st.setups += 1;
                st.servers[server as usize].last_product = product;
                if !self.setter_done(node, server) {
                    return;
                }
                if self.station(node).tending.is_some() {
                    // Then the operator loads the part.
                    self.start_processing(node, server);
                    return;
                }
                self.start_work(node, server, product, part);
            }
            Phase::Load => {
                // Loaded: the operator leaves, the machine runs alone.
                self.working_changed(node, -1);
                let s = &mut self.station(node).servers[server as usize];
                s.tend = TEND_LOADED;
                let (product, pool) = (s.product, std::mem::replace(&mut s.operator, NO_POOL));
                self.release_operator(pool, node);
                self.start_work(node, server, product, part);
            }
            // (Only a tended machine's server is loaded while it works.)
            Phase::Work if tend == TEND_LOADED => {
                // Machined: the part waits on the machine for the operator.
                self.working_changed(node, -1);
                let st = self.station(node);
                st.servers[server as usize].tend = TEND_MACHINED;
                let pool = st.operator.expect("a tended machine has an operator");
                if self.wait_for_operator(pool, node, server) {
                    self.start_processing(node, server);
                }
            }
            Phase::Work | Phase::Unload => {
                let Engine {
                    nodes, completions, ..
                } = self;
                let NodeKind::Station(st) = &mut nodes[node as usize].kind else {
                    unreachable!("node {node} is a station")
                };
                // Stopping work never schedules a failure.
                st.working_changed(now, -1);
                let (product, ideal) = {
                    let s = &st.servers[server as usize];
                    (s.product, s.ideal)
                };
                st.produced += 1;
                st.ideal_time += ideal;
                *completions += 1;
                let maintain = st.part_towards_stop(now);
                let scrap = st.scrap > 0.0 && st.quality_rng.uniform() < st.scrap;
                let s = &mut st.servers[server as usize];
                s.last_product = product;
                s.tend = TEND_START;
                let pool = match std::mem::replace(&mut s.operator, NO_POOL) {
                    NO_POOL => None,
                    pool => Some(pool),
                };
                if scrap {
                    st.scrapped += 1;
                    let s = &mut st.servers[server as usize];
                    s.phase = Phase::Idle;
                    s.part = NO_PART;
                    st.update_server(server as usize, now);
                    self.log(node, part, LogEvent::Scrap);
                    self.depart(part);
                    self.parts.destroy(part);
                    self.line.scrapped_total += 1;
                    self.wip_change(-1);
                    if !maintain {
                        self.space_freed(node);
                    }
                } else {
                    st.good += 1;
                    // The state is settled after the hand-off: a part that
                    // leaves at once never makes the server blocked.
                    s.phase = Phase::Done;
                    self.log(node, part, LogEvent::Finish);
                }
                // The stop starts before the part is handed on, so no new
                // job slips in at the same instant.
                if maintain {
                    self.planned_stop(node);
                }
                if let Some(pool) = pool {
                    self.release_operator(pool, node);
                }
                if !scrap {
                    self.try_push(node, server);
                    let st = self.station(node);
                    if st.servers[server as usize].phase == Phase::Done {
                        st.update_server(server as usize, now);
                    }
                }
            }
            _ => {}
        }
    }

    /// Starts the cycle of the part in `server` (after a setup or a load).
    fn start_work(&mut self, node: u32, server: u32, product: u16, part: u32) {
        let now = self.now;
        let st = self.station(node);
        let d = st.sample_cycle(product);
        let generation = st.servers[server as usize].start_phase(Phase::Work, now, d);
        self.working_changed(node, 1);
        self.station(node).update_server(server as usize, now);
        self.calendar.schedule(
            now + d,
            Event::PhaseDone {
                node,
                server,
                generation,
            },
        );
        self.log(node, part, LogEvent::Start);
    }

    /// After a changeover by a setter: the setter goes back to the pool and
    /// the work waits for the station's own operator, if it needs one.
    /// True if the work can start now.
    fn setter_done(&mut self, node: u32, server: u32) -> bool {
        let st = self.station(node);
        if st.setup.as_ref().and_then(|s| s.pool).is_none() {
            return true;
        }
        let operator = st.operator;
        // (The setter may have come from a pool that helps the setters.)
        let setter = std::mem::replace(&mut st.servers[server as usize].operator, NO_POOL);
        self.release_operator(setter, node);
        match operator {
            Some(pool) => self.wait_for_operator(pool, node, server),
            None => true,
        }
    }

    /// The finished part in `server` has left.
    #[inline(always)]
    pub(super) fn station_released(&mut self, node: u32, server: u32) {
        if self.nodes[node as usize].is_transfer {
            self.carrier_released(node, server);
            return;
        }
        self.server_idle(node, server);
    }

    /// `server` is empty and idle: someone waiting to enter may come.
    #[inline(always)]
    fn server_idle(&mut self, node: u32, server: u32) {
        let now = self.now;
        let st = self.station(node);
        let s = &mut st.servers[server as usize];
        s.phase = Phase::Idle;
        s.part = NO_PART;
        st.update_server(server as usize, now);
        self.space_freed(node);
    }

    /// A carrier set its part down: the next part on board, or the trip is
    /// over (idle, its driver back to the pool). Out of line: a plain
    /// station's release never runs it.
    #[cold]
    #[inline(never)]
    fn carrier_released(&mut self, node: u32, server: u32) {
        if self.unload_next(node, server) {
            return;
        }
        let st = self.station(node);
        let driver = std::mem::replace(&mut st.servers[server as usize].operator, NO_POOL);
        if let StationKind::Transfer { carriers, .. } = &mut st.kind {
            carriers[server as usize].job = None;
        }
        self.server_idle(node, server);
        if driver != NO_POOL {
            self.release_operator(driver, node);
        }
    }

    /// Pauses every running server (failure or end of shift).
    pub(super) fn pause_all(&mut self, node: u32) {
        let now = self.now;
        let n = self.station(node).servers.len();
        for i in 0..n {
            let s = &mut self.station(node).servers[i];
            if s.running {
                s.running = false;
                s.remaining = (s.end - now).max(0.0);
                s.generation = s.generation.wrapping_add(1);
                if s.phase.is_working() {
                    self.working_changed(node, -1);
                }
            }
        }
    }

    /// Resumes paused servers when the station is available again.
    fn resume_all(&mut self, node: u32) {
        let now = self.now;
        if !self.station(node).available() {
            return;
        }
        let n = self.station(node).servers.len();
        for i in 0..n {
            let st = self.station(node);
            let s = &mut st.servers[i];
            match s.phase {
                Phase::Setup | Phase::Work | Phase::Load | Phase::Unload if !s.running => {
                    let generation = s.start_phase(s.phase, now, s.remaining);
                    let (end, work) = (s.end, s.phase.is_working());
                    if work {
                        self.working_changed(node, 1);
                    }
                    self.calendar.schedule(
                        end,
                        Event::PhaseDone {
                            node,
                            server: i as u32,
                            generation,
                        },
                    );
                }
                Phase::WaitOperator if s.has_operator() => self.start_processing(node, i as u32),
                _ => {}
            }
        }
        self.station(node).update_states(now);
        self.space_freed(node);
        // A blocked server may hand its part on again.
        let n = self.station(node).servers.len();
        for i in 0..n {
            if self.station(node).servers[i].phase == Phase::Done {
                self.queue(super::Action::Push(node, i as u32));
            }
        }
    }

    pub(super) fn failure(&mut self, node: u32, generation: u32) {
        let st = self.station(node);
        if st.failure_generation != generation || st.failed {
            return;
        }
        self.break_down(node, None);
    }

    /// The station breaks down now, for `repair` seconds (`None`: drawn).
    pub(super) fn break_down(&mut self, node: u32, repair: Option<f64>) {
        let now = self.now;
        self.pause_all(node);
        let st = self.station(node);
        st.failed = true;
        st.halt_changed();
        st.failures_count += 1;
        let (between, drawn) = st
            .failures
            .as_deref()
            .expect("a failure needs failure data");
        let repair_time = match repair {
            Some(r) => r,
            None => drawn.sample(&mut st.failure_rng),
        };
        st.repair_sum += repair_time;
        st.repair_sq_sum += repair_time * repair_time;
        st.ttf_remaining = between.sample(&mut st.failure_rng);
        st.update_states(now);
        self.calendar
            .schedule(now + repair_time, Event::Repair { node });
        self.log(node, super::part::NO_PART, LogEvent::Fail);
    }

    pub(super) fn repair(&mut self, node: u32) {
        let now = self.now;
        let st = self.station(node);
        st.failed = false;
        st.halt_changed();
        st.update_states(now);
        self.log(node, super::part::NO_PART, LogEvent::Repair);
        self.resume_all(node);
    }

    /// A planned stop is due (the N-th part since the last, or so much run
    /// time): the station stops for the drawn duration (running jobs pause
    /// and resume after).
    fn planned_stop(&mut self, node: u32) {
        let now = self.now;
        let st = self.station(node);
        let run = st.lifetime_run_time(now);
        let up = st.upkeep.as_deref_mut().expect("a stop needs upkeep");
        // The stops that are due; both at once take the longer.
        let mut d: f64 = 0.0;
        if let Some((every, duration)) = &up.every
            && up.until == 0
        {
            d = d.max(duration.sample(&mut up.rng));
            up.until = *every;
        }
        if let Some((work, duration)) = &up.every_work
            && run >= up.work_due
        {
            d = d.max(duration.sample(&mut up.rng));
            up.work_due = run + work;
        }
        self.maintenance(node, true);
        self.calendar
            .schedule(now + d, Event::MaintenanceEnd { node });
    }

    /// A weekly maintenance window of the station opens or closes.
    pub(super) fn maintenance_window(&mut self, node: u32) {
        let now = self.now;
        let end = self.end_time();
        let up = self
            .station(node)
            .upkeep
            .as_deref()
            .expect("a window needs upkeep");
        let window = up.window.as_ref().expect("a window needs a calendar");
        let (on, next) = (window.is_on(now), window.next_change(now));
        self.maintenance(node, on);
        if next < end {
            self.calendar
                .schedule(next, Event::MaintenanceWindow { node });
        }
    }

    /// Planned maintenance starts (`true`) or ends at the station.
    pub(super) fn maintenance(&mut self, node: u32, start: bool) {
        let now = self.now;
        if start {
            self.pause_all(node);
            let st = self.station(node);
            st.maintenance += 1;
            st.halt_changed();
            st.update_states(now);
            self.log(node, NO_PART, LogEvent::MaintenanceStart);
        } else {
            let st = self.station(node);
            st.maintenance -= 1;
            st.halt_changed();
            st.update_states(now);
            self.log(node, NO_PART, LogEvent::MaintenanceEnd);
            self.resume_all(node);
        }
    }

    pub(super) fn set_station_shift(&mut self, node: u32, on: bool) {
        let now = self.now;
        if on {
            self.station(node).on_shift = true;
            self.station(node).halt_changed();
            self.station(node).update_states(now);
            self.resume_all(node);
        } else {
            self.pause_all(node);
            let st = self.station(node);
            st.on_shift = false;
            st.halt_changed();
            st.update_states(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_table_follows_the_phase_order() {
        let expected = [
            (Phase::Idle, State::Starved),
            (Phase::WaitOperator, State::WaitingForOperator),
            (Phase::Setup, State::Setup),
            (Phase::Work, State::Working),
            (Phase::Done, State::Blocked),
        ];
        for (phase, state) in expected {
            assert_eq!(STATE_BY_PHASE[phase as usize], state, "{phase:?}");
        }
    }
}
