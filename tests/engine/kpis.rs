//! KPI definitions on scenes whose answer is known by construction.

use super::{run, scene};

#[test]
fn the_bottleneck_is_the_station_that_works_without_a_break() {
    // m2 (60 s per part, fed by m1 at 45 s per part) works nearly all the time;
    // m1 (two servers) is often blocked. A hand-off at m2 (part out, next part
    // in, same instant) must not split its active period.
    let s = scene(
        r#"Scene(name: "bn", run: (horizon: Hours(10), warmup: Minutes(10)), products: [Product(id: "p")],
        objects: [
            Source(id: "raw", pos: (0, 0), product: "p"),
            Machine(id: "m1", pos: (1, 0), capacity: 2, cycle: Constant(Seconds(90))),
            Buffer(id: "b", pos: (2, 0), capacity: 10),
            Machine(id: "m2", pos: (3, 0), cycle: Constant(Seconds(60))),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("raw", "m1"), ("m1", "b"), ("b", "m2"), ("m2", "out")])"#,
    );
    let r = &run(&s, 1)[0];
    assert_eq!(r.line.bottleneck.as_deref(), Some("m2"));
    let m2 = r.stations.iter().find(|s| s.id == "m2").unwrap();
    assert!(m2.states.working > 0.99);
    assert!(
        m2.mean_active_period_s.unwrap() > 3600.0,
        "{:?}",
        m2.mean_active_period_s
    );
    // Line OEE is the bottleneck's OEE: here all of it is working time at the ideal rate.
    assert!((r.line.line_oee.unwrap() - m2.oee.unwrap()).abs() < 1e-12);
    assert!(r.line.line_oee.unwrap() > 0.99);
}

#[test]
fn a_transfer_robot_on_its_way_holds_nothing_yet() {
    // Runs ending while the robot travels to pick used to count the part twice.
    for minutes in [3.0, 5.0, 20.0, 23.0, 40.0, 41.0] {
        let s = scene(&format!(
            r#"Scene(name: "fetch", run: (horizon: Seconds({minutes})), products: [Product(id: "p")],
            objects: [
                Source(id: "raw", pos: (4, 0), product: "p"),
                Buffer(id: "b", pos: (5, 0), capacity: 2),
                Robot(id: "r", pos: (0, 0), reach: 5, task: Transfer(speed: 1, pick: Seconds(1), place: Seconds(1))),
                Sink(id: "out", pos: (-5, 0)),
            ],
            flow: [("raw", "b"), Flow(from: "b", to: "out", via: "r")])"#
        ));
        run(&s, 1);
    }
}

#[test]
fn mtbf_counts_station_run_time_whatever_the_capacity() {
    // Two servers always busy; failures every 1000 s of run time on average.
    let s = scene(
        r#"Scene(name: "mtbf", run: (horizon: Hours(200)), products: [Product(id: "p")],
        objects: [
            Source(id: "raw", pos: (0, 0), product: "p"),
            Machine(id: "m", pos: (1, 0), capacity: 2, cycle: Exponential(mean: Seconds(10)),
                    failures: (between: Exponential(mean: Seconds(1000)), repair: Constant(Seconds(100)))),
            Sink(id: "out", pos: (2, 0)),
        ],
        flow: [("raw", "m"), ("m", "out")])"#,
    );
    let r = &run(&s, 1)[0];
    let m = &r.stations[0];
    let n = m.failures as f64;
    // Exponential MTBF: the estimate's sd is about MTBF / sqrt(n).
    assert!(
        (m.mtbf_s.unwrap() - 1000.0).abs() < 3.0 * 1000.0 / n.sqrt(),
        "{:?} over {n} failures",
        m.mtbf_s
    );
    assert!((m.mttr_s.unwrap() - 100.0).abs() < 1e-6);
}

#[test]
fn littles_law_counts_every_way_out() {
    // Scrap leaves the system too: with 30 % scrap, L = λW still holds when λ
    // counts scrapped parts.
    let s = scene(
        r#"Scene(name: "ll", run: (horizon: Hours(50), warmup: Hours(1)), products: [Product(id: "p")],
        objects: [
            Source(id: "in", pos: (0, 0), product: "p", interarrival: Exponential(mean: Seconds(2))),
            Buffer(id: "q", pos: (1, 0), capacity: 100000),
            Machine(id: "m", pos: (2, 0), cycle: Exponential(mean: Seconds(1)), scrap: 0.3),
            Sink(id: "out", pos: (3, 0)),
        ],
        flow: [("in", "q"), ("q", "m"), ("m", "out")])"#,
    );
    for r in run(&s, 4) {
        assert!(
            r.line.littles_law.relative_gap.unwrap() < 0.01,
            "{:?}",
            r.line.littles_law
        );
        assert!((r.line.scrap_ratio - 0.3).abs() < 0.01);
    }
}

#[test]
fn an_assembly_makes_one_part_from_its_inputs() {
    // 2 panels + 1 frame make 1 cabinet; sources are limited, so the counts are exact.
    let s = scene(
        r#"Scene(name: "asm", run: (horizon: Hours(10)), products: [Product(id: "panel"), Product(id: "frame"), Product(id: "cabinet")],
        objects: [
            Source(id: "panels", pos: (0, 0), product: "panel", interarrival: Constant(Seconds(10)), limit: 40),
            Source(id: "frames", pos: (0, 2), product: "frame", interarrival: Constant(Seconds(20)), limit: 25),
            Assembly(id: "asm", pos: (2, 1), inputs: [("panel", 2), ("frame", 1)], output: "cabinet", cycle: Constant(Seconds(15))),
            Sink(id: "out", pos: (4, 1)),
        ],
        flow: [("panels", "asm"), ("frames", "asm"), ("asm", "out")])"#,
    );
    let r = &run(&s, 1)[0];
    // 40 panels make 20 cabinets. Of the 5 spare frames, 2 fill the bin (capacity
    // 2 × 1), 1 waits at the blocked source, and 2 are never released.
    assert_eq!(r.line.good_parts, 20);
    assert_eq!(r.conservation.consumed_by_assembly, 60);
    assert_eq!(r.conservation.entered, 40 + 23 + 20);
    assert_eq!(r.conservation.exited, 20);
    assert_eq!(r.conservation.wip_at_end, 3);
}
