//! Starting a run from a plant's state (shadow mode): the clock at the
//! plant's time, the shifts and maintenance windows as they stand then, and
//! the parts where the plant has them: in buffers and on belts, in work at
//! stations (their remaining time drawn from the cycle distribution given
//! how long the job has run), finished and waiting to move on; a station
//! that is down is down for the rest of a repair drawn the same way.
//!
//! A remaining time is drawn from the distribution of the whole duration
//! conditioned on exceeding the time already spent (rejection, up to 1,000
//! draws); a job or repair older than anything the model draws is taken to
//! end now. Time a job spent paused (a breakdown, a break) counts as
//! spent.

use super::station::Phase;
use super::{Engine, Event, NodeKind};
use crate::error::Diagnostic;
use crate::scene::Scene;

/// What the plant holds at a moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlantState {
    /// Simulated seconds from Monday 00:00.
    pub t: f64,
    /// Parts in each buffer or on each belt, in the order they came.
    pub stores: Vec<(String, Vec<PartNow>)>,
    pub stations: Vec<StationNow>,
    /// Operators present in each pool (pool id, headcount), where the
    /// plant says: they replace the crew on shift until the next shift.
    pub operators: Vec<(String, u32)>,
    /// How far each order of an order book had come (orders none of whose
    /// parts had left the source are not listed).
    pub orders: Vec<OrderNow>,
}

/// A part in a buffer or on a belt.
#[derive(Clone, Debug, PartialEq)]
pub struct PartNow {
    pub product: String,
    /// When it entered the buffer or got on the belt.
    pub entered: f64,
    /// The order it is a part of, if any.
    pub order: Option<String>,
}

/// An order of an order book at the moment.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderNow {
    pub id: String,
    /// Its parts that had left the source (in the line or gone).
    pub arrived: u32,
    /// Its parts that had left the system (shipped, scrapped, built in).
    pub left: u32,
    /// When its last part left, if it had.
    pub completed_at: Option<f64>,
}

/// A station's jobs and breakdown at the moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StationNow {
    pub id: String,
    pub jobs: Vec<JobNow>,
    /// Down since this time (not yet repaired).
    pub failed_since: Option<f64>,
}

/// A part at a station.
#[derive(Clone, Debug, PartialEq)]
pub struct JobNow {
    pub product: String,
    /// When its work started (or it arrived, when it has not started).
    pub since: f64,
    /// Finished, waiting to move on.
    pub done: bool,
    /// The order it is a part of, if any.
    pub order: Option<String>,
}

/// What could not be placed (the model has less room than the plant
/// showed, or a station was not available), to be said with the forecast.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Placed {
    pub parts: u32,
    pub dropped: Vec<String>,
}

impl Engine {
    /// Places `state` in an engine built and started at `state.t`.
    pub(super) fn place(&mut self, state: &PlantState) -> Result<Placed, Diagnostic> {
        let mut placed = Placed::default();
        for o in &state.orders {
            let k = self.order_of(&o.id)?;
            let order = &mut self.orders[k as usize];
            order.arrived = o.arrived.min(order.quantity);
            order.left = o.left.min(order.quantity);
            order.completed_at = o.completed_at;
        }
        // Who is there first: a job placed below may take an operator.
        for (id, present) in &state.operators {
            let pool = self.pools.iter().position(|p| &p.id == id).ok_or_else(|| {
                Diagnostic::new(format!(
                    "the plant's state names operators \"{id}\", which is not an operator pool in the scene"
                ))
            })?;
            self.set_present(pool as u32, *present);
        }
        // Stations first (busy when the buffers offer them parts), then the
        // stores; the offers are settled after everything is in place.
        for st in &state.stations {
            let node = self.node_of(&st.id)?;
            if !matches!(self.nodes[node as usize].kind, NodeKind::Station(_)) {
                return Err(Diagnostic::new(format!(
                    "the plant's state puts jobs at \"{}\", which is not a station in the scene",
                    st.id
                )));
            }
            for job in &st.jobs {
                let order = job.order.as_deref().map(|o| self.order_of(o)).transpose()?;
                if self.place_job(node, job, order) {
                    placed.parts += 1;
                } else {
                    placed
                        .dropped
                        .push(format!("a {} at {}", job.product, st.id));
                }
            }
            if let Some(since) = st.failed_since {
                self.place_breakdown(node, self.now - since);
            }
        }
        for (id, parts) in &state.stores {
            let node = self.node_of(id)?;
            for p in parts {
                let order = p.order.as_deref().map(|o| self.order_of(o)).transpose()?;
                if self.place_stored(node, &p.product, p.entered, order) {
                    placed.parts += 1;
                } else {
                    placed.dropped.push(format!("a {} in {id}", p.product));
                }
            }
        }
        self.drain_actions();
        Ok(placed)
    }

    fn node_of(&self, id: &str) -> Result<u32, Diagnostic> {
        self.nodes
            .iter()
            .position(|n| n.id == id)
            .map(|i| i as u32)
            .ok_or_else(|| {
                Diagnostic::new(format!(
                    "the plant's state names \"{id}\", which is not in the scene"
                ))
            })
    }

    fn order_of(&self, id: &str) -> Result<u32, Diagnostic> {
        self.orders
            .iter()
            .position(|o| o.id == id)
            .map(|i| i as u32)
            .ok_or_else(|| {
                Diagnostic::new(format!(
                    "the plant's state names order \"{id}\", which is not in the scene's order book"
                ))
            })
    }

    fn product_of(&self, name: &str) -> u16 {
        self.products.iter().position(|p| p == name).unwrap_or(0) as u16
    }

    /// A part that entered the line before the run: in the WIP from now,
    /// with its order's due date when it has one (its lead time from the
    /// order's release, as the source's parts).
    fn part_before(&mut self, product: &str, entered: f64, order: Option<u32>) -> u32 {
        let product = self.product_of(product);
        let part = match order {
            Some(k) => {
                let o = &self.orders[k as usize];
                let part = self.parts.create(product, o.release, o.due);
                self.parts[part].order = k;
                part
            }
            None => self.parts.create(product, entered, f64::INFINITY),
        };
        self.wip_change(1);
        part
    }

    /// A job at a station, its work ending after the remaining time (held
    /// until the station is available again when it is off shift, on a
    /// break or down); false when the station has no idle place.
    fn place_job(&mut self, node: u32, job: &JobNow, order: Option<u32>) -> bool {
        let st = self.station(node);
        if !st.servers.iter().any(|s| s.phase == Phase::Idle) {
            return false;
        }
        let halted = !st.available();
        let part = self.part_before(&job.product, job.since, order);
        self.station_accept(node, part);
        let (now, product) = (self.now, self.parts[part].product);
        let elapsed = now - job.since;
        let st = self.station(node);
        let Some(si) = st.servers.iter().position(|s| s.part == part) else {
            return true;
        };
        // Started at once (no operator or changeover to wait for): its
        // work ends after the remaining time instead of a fresh cycle.
        if st.servers[si].phase == Phase::Work {
            let left = if job.done {
                0.0
            } else {
                st.remaining_cycle(product, elapsed)
            };
            let generation = st.servers[si].start_phase(Phase::Work, now, left);
            self.calendar.schedule(
                now + left,
                Event::PhaseDone {
                    node,
                    server: si as u32,
                    generation,
                },
            );
        }
        if halted {
            self.pause_all(node);
        }
        true
    }

    /// A breakdown that began `elapsed` seconds ago.
    fn place_breakdown(&mut self, node: u32, elapsed: f64) {
        let st = self.station(node);
        if st.failures.is_none() || st.failed {
            return;
        }
        let left = st.remaining_repair(elapsed);
        self.break_down(node, Some(left));
    }

    /// A part in a buffer or on a belt; false when it is full.
    fn place_stored(&mut self, node: u32, product: &str, entered: f64, order: Option<u32>) -> bool {
        let room = match &self.nodes[node as usize].kind {
            NodeKind::Buffer(b) => b.level() < b.capacity,
            NodeKind::Conveyor(c) => c.content.level < c.capacity,
            _ => false,
        };
        if !room {
            return false;
        }
        let part = self.part_before(product, entered, order);
        match self.nodes[node as usize].kind {
            NodeKind::Buffer(_) => self.buffer_accept(node, part),
            _ => self.conveyor_accept_since(node, part, entered),
        }
        true
    }
}

/// Builds replication `rep` of `scene` starting from `state` and running
/// until `until` (simulated seconds from Monday 00:00): statistics from the
/// state's time on, so the line's good parts are those made after it.
pub fn build_at(
    scene: &Scene,
    rep: u32,
    state: &PlantState,
    until: f64,
) -> Result<(Engine, Placed), Diagnostic> {
    // NaN counts as not after.
    if until.partial_cmp(&state.t) != Some(std::cmp::Ordering::Greater) {
        return Err(Diagnostic::new(format!(
            "the forecast ends at {until:.0} s, not after the plant's time {:.0} s",
            state.t
        )));
    }
    let mut engine = super::build::build_started_at(scene, rep, state.t, until)?;
    let placed = engine.place(state)?;
    Ok((engine, placed))
}
