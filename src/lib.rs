//! factory-twin: a digital twin of a factory floor.
//!
//! Describe a factory in a RON scene file ([`scene`]), simulate it event by
//! event on Bevy ECS ([`sim`]), and read its KPIs ([`kpi`]): throughput, OEE
//! per ISO 22400, WIP, lead time, the bottleneck. [`experiment`] runs
//! replications with confidence intervals; [`report`] prints and writes them.
//!
//! ```no_run
//! use factory_twin::{experiment, scene};
//! let scene = scene::load_scene("scenes/bracket_line.ron".as_ref()).unwrap();
//! let summary = experiment::replicate(&scene, &experiment::Options::default()).unwrap();
//! println!("{:.1} good parts per hour", summary.line.good_per_hour.mean);
//! ```

// Diagnostics are big (file, position, source line, hint) and travel only on
// the cold error path; boxing them would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod bench;
pub mod calibrate;
pub mod cli;
pub mod cluster;
pub mod economics;
pub mod error;
pub mod experiment;
pub mod kpi;
pub mod lang;
pub mod layout;
pub mod live;
pub mod optimize;
// The physics preview serves the 3D view only: built (and tested) with it.
#[cfg(feature = "viewer")]
pub(crate) mod physics;
pub mod report;
pub mod scene;
pub mod sim;
#[cfg(feature = "viewer")]
pub mod viewer;
