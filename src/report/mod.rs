//! Output: the terminal report a plant manager reads first, JSON for tools,
//! CSV tables for spreadsheets, the event log, SVG charts and self-contained
//! HTML reports.

pub mod calibration;
mod chart;
mod csv;
mod first_page;
mod flow;
mod headline;
pub(crate) mod html;
pub mod inputs;
pub mod live;
mod optimisation;
pub mod pdf;
pub(crate) mod plots;
mod terminal;
pub mod words;
mod xlsx;

pub use chart::{escape, state_chart};
pub use csv::{
    BOM, business_case_csv, write_comparison_csv, write_csv, write_events, write_sweep_csv,
};
pub use headline::bottleneck_line;
pub use html::{compare_report, relief_report, roi_report, run_report, sweep_report};
pub use inputs::Inputs;
pub use optimisation::{optimisation, optimisation_report};
pub use terminal::{business_case, comparison, relief, sweep, terminal};
pub(crate) use terminal::{pad_right, truncate};
pub use xlsx::{compare_workbook, run_workbook, sweep_workbook};

use crate::experiment::Summary;

/// A KPI's unit as a reader sees it: "currency" becomes the scene's
/// currency code (KRW), any other unit stays as it is.
pub(crate) fn unit_text(unit: &str, currency: Option<&str>) -> String {
    match (unit, currency) {
        ("currency", Some(code)) => code.to_string(),
        _ => unit.to_string(),
    }
}

/// The summary as pretty JSON (schema: docs/json-schema.md).
pub fn json(summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("the summary serialises");
    s.push('\n');
    s
}
