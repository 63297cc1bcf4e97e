//! The MQTT topic tree and its JSON payloads (docs/live.md):
//!
//! | topic | retained | payload |
//! |---|---|---|
//! | `plant/<line>/birth` | yes | the scene, the objects and their topic names |
//! | `plant/<line>/status` | yes | `online`, `finished` (with the event count) or `offline` (the broker's last will) |
//! | `plant/<line>/<object>/event` | no, QoS 1 | one event of the log: `seq`, `t`, `event`, `part`, `product` |
//! | `plant/<line>/<station>/state` | yes | the engine's state, OPC 40001-1 MachineryItemState and operation mode |
//! | `plant/<line>/<station>/counters` | yes | good and scrapped parts so far |
//! | `plant/<line>/<buffer>/level` | yes | parts in a buffer or on a belt, and its capacity |
//!
//! `t` is simulated seconds from Monday 00:00, as in `run --events`.

use crate::sim::State;
use serde::{Deserialize, Serialize};

/// The root of every topic.
pub const ROOT: &str = "plant";

/// A name as one topic level: `/`, `+` and `#` (which MQTT reserves) and
/// spaces become `_`.
pub fn level(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '/' | '+' | '#' | ' ' => '_',
            c => c,
        })
        .collect()
}

/// A line's id from its scene's name: lower case, words joined by `-`.
pub fn line_id(scene_name: &str) -> String {
    let mut out = String::new();
    for c in scene_name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// `plant/<line>/<object>/<leaf>`.
pub fn object_topic(line: &str, object: &str, leaf: &str) -> String {
    format!("{ROOT}/{line}/{object}/{leaf}")
}

/// `plant/<line>/<leaf>`.
pub fn line_topic(line: &str, leaf: &str) -> String {
    format!("{ROOT}/{line}/{leaf}")
}

/// One object in the birth message.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BirthObject {
    pub id: String,
    /// Its topic level (the id with MQTT's reserved characters replaced).
    pub topic: String,
    pub kind: String,
}

/// What a line publishes first (retained): what it is and what it has.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Birth {
    pub scene: String,
    pub line: String,
    pub objects: Vec<BirthObject>,
    /// Simulated seconds per wall-clock second.
    pub speed: f64,
}

/// One event of the log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EventMsg {
    /// Numbered from 1 over the whole line, in the order the events happened:
    /// a gap in `seq` is a lost message.
    pub seq: u64,
    pub t: f64,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}

/// A station's state as the engine has it and as OPC 40001-1 says it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StateMsg {
    pub t: f64,
    /// The state's name: the engine's key from `serve`; a plant may send
    /// its own (PackML `Execute`, OPC 40001-1 `Executing`, …), read through
    /// the mapping.
    pub state: String,
    #[serde(default)]
    pub machinery_item_state: String,
    #[serde(default)]
    pub operation_mode: String,
}

impl StateMsg {
    pub fn of(t: f64, s: State) -> Self {
        let (item, mode) = machinery(s);
        StateMsg {
            t,
            state: s.name().to_string(),
            machinery_item_state: item.to_string(),
            operation_mode: mode.to_string(),
        }
    }
}

/// The engine's state as OPC 40001-1 Machinery's MachineryItemState and
/// MachineryOperationMode.
pub fn machinery(s: State) -> (&'static str, &'static str) {
    match s {
        State::Working => ("Executing", "Processing"),
        State::Setup => ("Executing", "Setup"),
        State::Failed => ("OutOfService", "Processing"),
        State::Starved | State::Blocked | State::WaitingForOperator => {
            ("NotExecuting", "Processing")
        }
        State::Maintenance => ("OutOfService", "Maintenance"),
        State::OffShift => ("NotAvailable", "None"),
    }
}

/// Parts made so far by a station.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CountersMsg {
    pub t: f64,
    pub good: u64,
    pub scrap: u64,
}

/// Parts in a buffer or on a belt.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LevelMsg {
    pub t: f64,
    pub level: u32,
    pub capacity: u32,
}

/// The line's status (retained; `offline` is the last will).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StatusMsg {
    pub status: String,
    /// With `finished`: the events published, the last `seq`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_topic_levels() {
        assert_eq!(
            line_id("Bracket line (manual welding)"),
            "bracket-line-manual-welding"
        );
        assert_eq!(level("cell/2 #a+b"), "cell_2__a_b");
        assert_eq!(object_topic("l", "weld", "state"), "plant/l/weld/state");
        assert_eq!(machinery(State::OffShift), ("NotAvailable", "None"));
    }
}
