//! Output: the terminal report a plant manager reads first, JSON for tools,
//! CSV tables for spreadsheets, and the event log.

mod chart;
mod csv;
mod terminal;

pub use chart::{STATE_COLOURS, escape, state_chart};
pub use csv::{write_csv, write_events};
pub use terminal::{comparison, terminal};

use crate::experiment::Summary;

/// The summary as pretty JSON (schema: docs/json-schema.md).
pub fn json(summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("the summary serialises");
    s.push('\n');
    s
}
