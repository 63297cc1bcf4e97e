//! What a watched plant looks like now, for the 3D view (`view --live`):
//! the monitor fills a [`Picture`] as the feed comes (the plant's state as
//! `shadow` reads it, each station's state as the plant reports it, the
//! rolling KPIs, the drift alarms and the forecasts) and the view draws the
//! latest one. Shared through a mutex, so the view never waits on the wire.

use super::drift::DriftAlarm;
use super::monitor::{ForecastPoint, Kpis};
use super::shadow::PathPoint;
use crate::calibrate::mapping::{Group, Mapping, Meaning};
use crate::sim::{PlantState, State};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The plant as last seen.
#[derive(Clone, Debug, Default)]
pub struct Picture {
    /// Counts the pictures made; the view redraws when it changes.
    pub version: u64,
    /// The feed's address (no credentials).
    pub source: String,
    /// The link is up.
    pub connected: bool,
    /// The plant's state at the feed's last time.
    pub state: Option<PlantState>,
    /// Good parts that left the line since the day's midnight.
    pub so_far: u64,
    /// Good parts today as the pictures went: (plant time, parts).
    pub made: Vec<(f64, u64)>,
    /// Each station's state as the plant reports it (its own name).
    pub reported: BTreeMap<String, String>,
    pub events: u64,
    pub lost: u64,
    pub gaps: usize,
    pub malformed: u64,
    pub window: Option<Kpis>,
    pub window_s: f64,
    pub drift: Vec<DriftAlarm>,
    /// The forecasts made so far, and the latest one's fan.
    pub forecasts: Vec<ForecastPoint>,
    pub fan: Vec<PathPoint>,
    pub target: Option<u64>,
    /// The line said it finished.
    pub finished: bool,
}

/// The monitor's side and the view's side of the same picture.
pub type Tap = Arc<Mutex<Picture>>;

/// Picture points kept of the good parts made (older ones thinned).
const MADE_POINTS: usize = 2_000;

impl Picture {
    /// Adds a point to the good parts made, keeping at most
    /// [`MADE_POINTS`] (every other one dropped when full).
    pub fn add_made(&mut self, t: f64, good: u64) {
        if self.made.last().is_some_and(|&(last, _)| t <= last) {
            return;
        }
        if self.made.len() >= MADE_POINTS {
            let mut i = 0;
            self.made.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
        self.made.push((t, good));
    }
}

/// The state a plant's own name for it stands for in the view: the
/// engine's names as they are, others through the mapping (OPC 40001-1,
/// PackML and a mapping file's names). "Idle" has no single colour: the
/// model's own idle kind (starved, blocked, waiting for an operator) where
/// it shows one, else starved.
pub fn shown_state(name: &str, mapping: &Mapping, model: Option<State>) -> Option<State> {
    if let Some(s) = State::ALL.iter().find(|s| s.name() == name) {
        return Some(*s);
    }
    let Some(Meaning::State(group)) = mapping.meaning(name) else {
        return None;
    };
    Some(match group {
        Group::Working => State::Working,
        Group::Setup => State::Setup,
        Group::Failed => State::Failed,
        Group::Maintenance => State::Maintenance,
        Group::OffShift => State::OffShift,
        Group::Idle => match model {
            Some(s @ (State::Starved | State::Blocked | State::WaitingForOperator)) => s,
            _ => State::Starved,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plants_names_take_the_colour_of_what_they_mean() {
        let m = Mapping::default();
        assert_eq!(shown_state("blocked", &m, None), Some(State::Blocked));
        assert_eq!(shown_state("Executing", &m, None), Some(State::Working));
        assert_eq!(shown_state("OutOfService", &m, None), Some(State::Failed));
        assert_eq!(
            shown_state("NotExecuting", &m, Some(State::Blocked)),
            Some(State::Blocked)
        );
        assert_eq!(
            shown_state("Idle", &m, Some(State::Working)),
            Some(State::Starved)
        );
        assert_eq!(shown_state("teleporting", &m, None), None);
    }

    #[test]
    fn the_made_curve_stays_bounded_and_in_time_order() {
        let mut p = Picture::default();
        for i in 0..10_000 {
            p.add_made(i as f64, i);
        }
        p.add_made(5.0, 1); // back in time: ignored
        assert!(p.made.len() <= MADE_POINTS);
        assert!(p.made.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(p.made.last(), Some(&(9_999.0, 9_999)));
    }
}
