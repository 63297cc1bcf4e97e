//! Sequence-dependent changeovers and setter pools, timed by hand.

use super::{event_times, run_logged, scene};
use factory_twin::scene::parse_scene_str;

/// Parts arrive a (10 s), b (15 s), a (20 s), b (30 s) into a buffer in
/// front of a machine with a 100 s cycle; a changeover takes 50 s unless
/// the matrix says otherwise: a → b 200 s, b → a 20 s.
fn cell(setup_extra: &str, objects_extra: &str, machine_extra: &str) -> String {
    format!(
        r#"Scene(name: "changeovers", run: (horizon: Minutes(20)),
        products: [Product(id: "a"), Product(id: "b")],
        objects: [
            Source(id: "src_a", pos: (0, 0), product: "a", interarrival: Constant(Seconds(10)), limit: 2),
            Source(id: "src_b", pos: (0, 1), product: "b", interarrival: Constant(Seconds(15)), limit: 2),
            Buffer(id: "queue", pos: (1, 0), capacity: 10),
            Machine(id: "m", pos: (2, 0), cycle: Constant(Seconds(100)){machine_extra},
                    setup: (time: Constant(Seconds(50)),
                            changes: [(from: "a", to: "b", time: Constant(Seconds(200))),
                                      (from: "b", to: "a", time: Constant(Seconds(20)))]{setup_extra})),
            Sink(id: "out", pos: (4, 0)),{objects_extra}
        ],
        flow: [("src_a", "queue"), ("src_b", "queue"), ("queue", "m"), ("m", "out")])"#
    )
}

#[test]
fn each_changeover_takes_the_time_of_its_pair_of_products() {
    let (r, log) = run_logged(&scene(&cell("", "", "")));
    // a: 10–110; a → b 110–310, b: 310–410; b → a 410–430, a: 430–530;
    // a → b 530–730, b: 730–830.
    assert_eq!(event_times(&log, "m", "setup"), vec![110.0, 410.0, 530.0]);
    assert_eq!(
        event_times(&log, "m", "start"),
        vec![10.0, 310.0, 430.0, 730.0]
    );
    assert_eq!(
        event_times(&log, "m", "finish"),
        vec![110.0, 410.0, 530.0, 830.0]
    );
    assert_eq!(r.stations[0].setups, 3);
    assert!((r.stations[0].states.setup - 420.0 / 1200.0).abs() < 1e-12);
}

#[test]
fn a_setter_does_the_changeover_and_the_operator_only_the_work() {
    let (r, log) = run_logged(&scene(&cell(
        r#", operator: "setters""#,
        r#"
            Operators(id: "setters", count: 1),
            Operators(id: "ops", count: 1),"#,
        r#", operator: "ops""#,
    )));
    assert_eq!(
        event_times(&log, "m", "start"),
        vec![10.0, 310.0, 430.0, 730.0]
    );
    let busy = |id: &str| {
        let p = r.operators.iter().find(|p| p.id == id).unwrap();
        p.busy_hours * 3600.0
    };
    assert!(
        (busy("setters") - 420.0).abs() < 1e-9,
        "{}",
        busy("setters")
    );
    assert!((busy("ops") - 400.0).abs() < 1e-9, "{}", busy("ops"));
}

#[test]
fn a_setup_matrix_naming_an_unknown_product_is_refused() {
    let text = cell("", "", "").replace(
        r#"to: "b", time: Constant(Seconds(200))"#,
        r#"to: "c", time: Constant(Seconds(200))"#,
    );
    let e = parse_scene_str(&text).unwrap_err().to_string();
    assert!(
        e.contains("\"m\"") && e.contains("`setup.changes[0]`") && e.contains("\"c\""),
        "{e}"
    );
    let text = cell("", "", "").replace(r#"from: "b", to: "a""#, r#"from: "a", to: "b""#);
    let e = parse_scene_str(&text).unwrap_err().to_string();
    assert!(e.contains("\"a\" → \"b\" twice"), "{e}");
    let e = parse_scene_str(&cell(r#", operator: "nobody""#, "", ""))
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"nobody\""), "{e}");
}
