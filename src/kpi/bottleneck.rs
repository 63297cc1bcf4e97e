//! Which resource limits the line's output, in one replication.
//!
//! Every resource that can hold up the flow is a candidate: each station
//! (machine, robot cell, assembly, transfer robot) and each operator pool.
//! A resource's utilisation is the share of the time it could work that it
//! was busy:
//!
//! - a station: working, setup and failed time over its on-shift time,
//!   averaged over its servers. Starved, blocked and waiting for an operator
//!   are not busy: the station is then held up by another resource;
//! - an operator pool: busy operator-time over paid (on-shift) operator-time.
//!
//! Busy time is work done, so a station that sees little flow is busy
//! little however slow it is: utilisation weighs each resource by the flow
//! it carries. The rules, in order ([`Rule`]):
//!
//! 1. **saturated**: the busiest resource is busy at least [`SATURATED`] of
//!    the time it could work: it is the bottleneck.
//! 2. **holds back arrivals**: a source had to hold arrived parts back
//!    (a saturated source always does) for at least [`HELD_BACK`] of the
//!    window. An order book's orders wait rather than go elsewhere: it holds
//!    back arrivals when the parts of its orders still open at the end are
//!    at least [`ORDERS_UNCLEARED`] of the parts that left in the window,
//!    counting only orders that had that share of the window's working
//!    time to be made (the line is not keeping up; a burst of orders it
//!    clears is demand). The resources that hold them back are the stations reached
//!    from such a source through the blocking chain (a station blocked at
//!    least [`HELD_BACK`] of its on-shift time passes the wait on to the
//!    next object, a store that filled up does too) and the operator pools
//!    those stations need. The busiest of them is the bottleneck. This is
//!    the blocking-chain view of the turning-point method (Li, Chang & Ni
//!    2009): resources downstream of the bottleneck starve, upstream ones
//!    block.
//! 3. **demand**: no source is saturated and none held parts back for
//!    [`HELD_BACK`] of the window: output follows arrivals, no resource
//!    limits it (the line is demand-limited), and relieving one shortens
//!    waits, not output.
//! 4. **busiest**: otherwise the busiest resource.
//!
//! Ties go to the longer mean active period (Roser, Nakano & Tanaka 2001).
//! `factory-twin bottleneck` settles the question by experiment: it
//! relieves each resource in turn.

use super::{PoolResult, StationResult};
use serde::{Deserialize, Serialize};

/// A resource at least this busy is saturated: it limits output.
pub const SATURATED: f64 = 0.98;
/// Sources that held arrived parts back for less than this share of the
/// window took all the demand that came.
pub const HELD_BACK: f64 = 0.01;
/// An order book is not being kept up with when the parts of its orders
/// still open at the end are at least this share of the parts that left
/// in the window (orders released in the last such share of the window's
/// working time not counted: they had no time to be made).
pub const ORDERS_UNCLEARED: f64 = 0.10;

/// What one replication says limits the output.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Constraint {
    /// The busiest resource (station or operator pool) and its utilisation.
    pub busiest: Option<Busiest>,
    /// Output followed arrivals: no resource limited it.
    pub demand_limited: bool,
    /// Which rule decided.
    pub rule: Rule,
}

/// The rule that named the bottleneck (see the module docs).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Saturated,
    HoldsBackArrivals,
    Demand,
    Busiest,
}

/// An object of the flow graph, as the blocking-chain walk sees it.
#[derive(Clone, Debug)]
pub struct Hop {
    /// Index into the stations, for a station.
    pub station: Option<usize>,
    /// Passes a wait on to its successors: a station blocked for at least
    /// [`HELD_BACK`] of its on-shift time, a store that filled up, a source.
    pub passes_on: bool,
    /// Nodes it sends parts to (and the transfer robots that carry them).
    pub next: Vec<usize>,
}

/// The stations on the blocking chains that start at `starts` (nodes).
pub fn blocking_chain(hops: &[Hop], starts: &[usize]) -> Vec<usize> {
    let mut seen = vec![false; hops.len()];
    let mut stack: Vec<usize> = starts.to_vec();
    let mut stations = Vec::new();
    while let Some(n) = stack.pop() {
        if std::mem::replace(&mut seen[n], true) {
            continue;
        }
        let hop = &hops[n];
        stations.extend(hop.station);
        if hop.passes_on || starts.contains(&n) {
            stack.extend(hop.next.iter().filter(|&&m| !seen[m]));
        }
    }
    stations.sort_unstable();
    stations
}

/// The busiest resource of a replication.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Busiest {
    pub id: String,
    /// "station" or "operators".
    #[serde(deserialize_with = "super::known_name")]
    pub resource: super::StaticName,
    pub utilisation: f64,
}

impl Constraint {
    /// The bottleneck's id: the busiest resource, unless demand-limited.
    pub fn bottleneck(&self) -> Option<&Busiest> {
        self.busiest.as_ref().filter(|_| !self.demand_limited)
    }
}

/// The share of the on-shift time a station was busy (working, setup, failed).
pub fn station_utilisation(st: &StationResult) -> Option<f64> {
    let s = &st.states;
    // Time it could work: on shift and not stopped for planned maintenance.
    let could_work = 1.0 - s.off_shift - s.maintenance;
    (could_work > 1e-12).then(|| ((s.working + s.setup + s.failed) / could_work).min(1.0))
}

/// Finds the constraint of one replication. `held_back`: the largest share
/// of the window any source held an arrived part back, or `None` when a
/// source is saturated (it always has a part: output never follows demand).
/// `chain`: the stations on the blocking chains from the sources that held
/// parts back (see [`blocking_chain`]).
pub fn find(
    stations: &[StationResult],
    pools: &[PoolResult],
    held_back: Option<f64>,
    chain: &[usize],
) -> Constraint {
    let busiest = busiest(stations.iter().enumerate(), pools.iter());
    let saturated = busiest.as_ref().is_some_and(|b| b.utilisation >= SATURATED);
    let holding = held_back.is_none_or(|h| h >= HELD_BACK);
    let (busiest, rule) = if saturated {
        (busiest, Rule::Saturated)
    } else if holding && !chain.is_empty() {
        let on_chain = |i: &usize| chain.contains(i);
        let needed: Vec<&str> = chain
            .iter()
            .filter_map(|&i| stations[i].operator.as_deref())
            .collect();
        let b = self::busiest(
            stations.iter().enumerate().filter(|(i, _)| on_chain(i)),
            pools.iter().filter(|p| needed.contains(&p.id.as_str())),
        );
        (b, Rule::HoldsBackArrivals)
    } else if !holding {
        (busiest, Rule::Demand)
    } else {
        (busiest, Rule::Busiest)
    };
    Constraint {
        busiest,
        demand_limited: rule == Rule::Demand,
        rule,
    }
}

/// The busiest of these stations and pools.
fn busiest<'a>(
    stations: impl Iterator<Item = (usize, &'a StationResult)>,
    pools: impl Iterator<Item = &'a PoolResult>,
) -> Option<Busiest> {
    let mut best: Option<(f64, f64, Busiest)> = None;
    let mut consider = |id: &str, resource: &'static str, u: f64, active: f64| {
        // Ties within rounding go to the longer active period, then to the first.
        let better = best.as_ref().is_none_or(|(bu, ba, _)| {
            u > bu + 1e-9 || ((u - bu).abs() <= 1e-9 && active > *ba * (1.0 + 1e-9))
        });
        if better {
            best = Some((
                u,
                active,
                Busiest {
                    id: id.to_string(),
                    resource,
                    utilisation: u,
                },
            ));
        }
    };
    for (_, st) in stations {
        if let Some(u) = st.utilisation {
            consider(&st.id, "station", u, st.mean_active_period_s.unwrap_or(0.0));
        }
    }
    for p in pools {
        if let Some(u) = p.utilisation {
            consider(&p.id, "operators", u, 0.0);
        }
    }
    best.map(|b| b.2)
}
