//! Sweep the size of the buffer between two machines (training scene 2) and
//! watch each extra place buy less throughput, as the textbook says:
//! two exponential machines of rate μ with B places between them make
//! μ·(B+2)/(B+3) parts per unit time.
//!
//! `cargo run --release --example sweep_buffer --no-default-features`

use factory_twin::experiment::{self, Axis, Options, kpi_by_key};
use factory_twin::scene::load_scene;

fn main() {
    let scene = load_scene("scenes/training/02_two_machines_buffer.ron".as_ref())
        .unwrap_or_else(|d| panic!("{d}"));
    let axes = [Axis::parse("b.capacity=1,3,8,18").unwrap_or_else(|d| panic!("{d}"))];
    let by = kpi_by_key("good_per_hour").unwrap_or_else(|d| panic!("{d}"));
    let options = Options {
        replications: Some(10),
        ..Options::default()
    };
    let sweep = experiment::sweep(&scene, &axes, by, &options).unwrap_or_else(|e| panic!("{e}"));
    let mut last = 0.0;
    for (point, b) in sweep.points.iter().zip([1.0, 3.0, 8.0, 18.0]) {
        let e = point.kpi("good_per_hour").expect("measured").estimate;
        let theory = 60.0 * (b + 2.0) / (b + 3.0);
        let h = e.half_width.unwrap_or(0.0);
        println!(
            "{:<14} {:6.2} ± {:.2} parts/h   theory {theory:6.2}",
            point.label(),
            e.mean,
            h
        );
        // Within the interval (plus a little for the warm-up), and rising with B.
        assert!((e.mean - theory).abs() < h + 0.5, "{} vs {theory}", e.mean);
        assert!(e.mean > last);
        last = e.mean;
    }
    let best = sweep.best.expect("a best setting");
    println!("best: {}", best.label);
    assert_eq!(best.label, "b.capacity=18");
}
