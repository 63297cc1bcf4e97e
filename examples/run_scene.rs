//! Run a scene through the library API and read its KPIs.
//!
//! ```text
//! scenes/bracket_line.ron ──load──▶ Scene ──replicate (4 runs)──▶ Summary
//!                                                        │
//!                 good parts/h ± CI, line OEE, bottleneck ◀┘
//! ```
//!
//! `cargo run --example run_scene --no-default-features`

use factory_twin::experiment::{self, Options};
use factory_twin::scene::load_scene;

fn main() {
    let scene = load_scene("scenes/bracket_line.ron".as_ref()).unwrap_or_else(|d| panic!("{d}"));
    let options = Options {
        replications: Some(4),
        ..Options::default()
    };
    let summary = experiment::replicate(&scene, &options).unwrap_or_else(|e| panic!("{e}"));
    let line = &summary.line;
    println!(
        "{}: {:.1} ± {:.1} good parts per hour, line OEE {:.0} %, bottleneck {}",
        summary.scene,
        line.good_per_hour.mean,
        line.good_per_hour.half_width.unwrap_or(0.0),
        line.line_oee.mean * 100.0,
        line.bottleneck.as_deref().unwrap_or("none")
    );
    // Blanks wait at the entry while cut is busy or down (there is no rack
    // before it): cut holds back the arrivals and so limits output, although
    // the weld station is busier (`factory-twin bottleneck` confirms it).
    assert_eq!(line.bottleneck.as_deref(), Some("cut"));
    assert!(line.good_per_hour.mean > 0.0 && line.good_per_hour.half_width.is_some());
    let weld = summary
        .stations
        .iter()
        .find(|s| s.id == "weld")
        .expect("the scene has a weld station");
    assert!(weld.utilisation.mean > line.bottleneck_utilisation.mean);
}
