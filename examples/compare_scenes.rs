//! Compare the bracket line with its robot-welding variant through the
//! library API, then turn the difference into a business case.
//!
//! ```text
//! bracket_line.ron ─────────────┐  replication k of both uses the same
//! bracket_line_robot_weld.ron ──┴─▶ random streams (common random numbers)
//!                                   ─▶ paired differences ± 95 % CI ─▶ payback, NPV
//! ```
//!
//! `cargo run --release --example compare_scenes --no-default-features`

use factory_twin::economics;
use factory_twin::experiment::{self, Options};
use factory_twin::scene::load_scene;

fn main() {
    let load = |p: &str| load_scene(p.as_ref()).unwrap_or_else(|d| panic!("{d}"));
    let base = load("scenes/bracket_line.ron");
    let robot = load("scenes/bracket_line_robot_weld.ron");
    let options = Options {
        replications: Some(10),
        ..Options::default()
    };
    let c = experiment::compare(&base, std::slice::from_ref(&robot), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    // KPIs undefined in a scenario (no labour hours, no due dates) are skipped.
    for k in c.variants[0].kpis.iter().filter(|k| k.difference.n > 0) {
        println!(
            "{:<13} {:<28} {:>10.2} → {:>10.2}  Δ {:+.2} ± {:.2}  {}",
            k.family,
            k.kpi,
            k.base.mean,
            k.variant.mean,
            k.difference.mean,
            k.difference.half_width.unwrap_or(0.0),
            k.verdict
        );
    }
    let case = economics::business_case(
        &base,
        &robot,
        &c.scenarios[0].runs,
        &c.scenarios[1].runs,
        &options,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // Payback over the replications: the share that pays back within the
    // life, the median and the 10–90 % range of outcomes.
    let payback = &case.payback_years;
    let median = payback
        .median
        .expect("the robot pays back in most replications");
    println!(
        "net investment {:.0} {}, pays back in {:.0} % of replications, median {:.2} years (10–90 %: {:.2}–{:.2})",
        case.investment.net,
        case.assumptions.currency,
        payback.defined_share() * 100.0,
        median,
        payback.p10.unwrap_or(f64::NAN),
        payback.p90.unwrap_or(f64::NAN)
    );

    let kpi = |name: &str| {
        c.variants[0]
            .kpis
            .iter()
            .find(|k| k.key == name)
            .expect("a compared KPI")
    };
    // The robot scraps 1 % instead of 4 %, and nobody is paid to weld by hand.
    assert_eq!(kpi("scrap_rate").verdict, "better");
    assert_eq!(kpi("first_pass_yield").verdict, "better");
    assert!(case.yearly.labour_saving.mean > 0.0);
    // Half of 420 M is under the 300 M cap, so the subsidy halves the payback time.
    assert_eq!(case.investment.subsidy, 210e6);
    assert_eq!(payback.defined_share(), 1.0);
    let without = case
        .payback_without_subsidy_years
        .median
        .expect("pays back without the subsidy too");
    assert!((without / median - 2.0).abs() < 0.2);
}
