//! Order books and dispatching rules, timed by hand.

use super::{event_minutes, run_logged, scene};
use factory_twin::scene::parse_scene_str;

/// Orders B (1 part, priority 1, due 15 min) and A (2 parts, due 25 min)
/// released at 0, C (1 part, due 60 min) at 30 min; one machine, 10 min a
/// part. B goes first (priority): 0–10, on time; A 10–20 and 20–30, late
/// by 5 min; C 30–40, on time.
#[test]
fn orders_are_released_and_scored_by_their_last_part() {
    let s = scene(
        r#"Scene(name: "orders", run: (horizon: Hours(1)), products: [Product(id: "p")],
        objects: [
            Source(id: "book", pos: (0, 0), orders: [
                (id: "A", release: Minutes(0), product: "p", quantity: 2, due: Minutes(25)),
                (id: "B", release: Minutes(0), product: "p", due: Minutes(15), priority: 1),
                (id: "C", release: Minutes(30), product: "p", due: Minutes(60)),
            ]),
            Machine(id: "m", pos: (2, 0), cycle: Constant(Minutes(10))),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("book", "m"), ("m", "out")])"#,
    );
    let (r, log) = run_logged(&s);
    assert_eq!(
        event_minutes(&log, "m", "start"),
        vec![0.0, 10.0, 20.0, 30.0]
    );
    assert_eq!(
        event_minutes(&log, "out", "exit"),
        vec![10.0, 20.0, 30.0, 40.0]
    );
    let o = r.line.orders.as_ref().unwrap();
    assert_eq!((o.completed, o.open_late), (3, 0));
    assert!((o.on_time_share.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert!((o.mean_tardiness_s.unwrap() - 300.0 / 3.0).abs() < 1e-9);
    // Lead time runs from the order's release: 10, 20, 30 and 10 min.
    assert!((r.line.lead_time_s.mean.unwrap() - 17.5 * 60.0).abs() < 1e-9);
    // An order book loses no demand: nothing is turned away.
    assert!(r.line.demand_turned_away.is_none());
}

/// X (3 parts, due in 3 h) at 0 and Y (1 part, due 30 min) at 1 min into a
/// buffer before a 10-minute machine: X1 goes straight on, X2 waits at the
/// head (offered already), X3 behind it; Y arrives due first and, earliest
/// due first (and with the shorter cycle, 5 min), goes before X3: 20–25,
/// then X3 25–35; first in, first out Y would wait for X3: 30–35.
fn dispatched(rule: &str) -> Vec<f64> {
    let s = scene(&format!(
        r#"Scene(name: "dispatch", run: (horizon: Hours(1)), products: [Product(id: "a"), Product(id: "b")],
        objects: [
            Source(id: "book", pos: (0, 0), orders: [
                (id: "X", release: Minutes(0), product: "a", quantity: 3, due: Hours(3)),
                (id: "Y", release: Minutes(1), product: "b", due: Minutes(30)),
            ]),
            Buffer(id: "queue", pos: (1, 0), capacity: 10, dispatch: {rule}),
            Machine(id: "m", pos: (2, 0), cycle: Constant(Minutes(10)), product_cycles: {{"b": Constant(Minutes(5))}}),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("book", "queue"), ("queue", "m"), ("m", "out")])"#
    ));
    let (_, log) = run_logged(&s);
    event_minutes(&log, "m", "start")
}

#[test]
fn earliest_due_and_shortest_processing_reorder_the_queue_but_not_its_head() {
    // Y (product b, 5 min) before X3 by its due date and by its cycle.
    assert_eq!(dispatched("EarliestDue"), vec![0.0, 10.0, 20.0, 25.0]);
    assert_eq!(
        dispatched("ShortestProcessing"),
        vec![0.0, 10.0, 20.0, 25.0]
    );
    assert_eq!(dispatched("Fifo"), vec![0.0, 10.0, 20.0, 30.0]);
}

#[test]
fn bad_orders_are_refused_with_the_source_named() {
    let text = |orders: &str, extra: &str| {
        format!(
            r#"Scene(name: "bad", run: (horizon: Hours(1)), products: [Product(id: "p"), Product(id: "q")],
            objects: [
                Source(id: "book", pos: (0, 0), orders: [{orders}]{extra}),
                Machine(id: "m", pos: (2, 0), cycle: Constant(Minutes(10))),
                Sink(id: "out", pos: (4, 0)),
            ],
            flow: [Flow(from: "book", to: "m", product: "p"), ("m", "out")])"#
        )
    };
    let refused = |t: String| parse_scene_str(&t).unwrap_err().to_string();
    let ok = r#"(id: "A", release: Minutes(0), product: "p", due: Minutes(20))"#;
    let e = refused(text(
        r#"(id: "A", release: Minutes(0), product: "r", due: Minutes(20))"#,
        "",
    ));
    assert!(
        e.contains("\"book\"") && e.contains("order \"A\"") && e.contains("\"r\""),
        "{e}"
    );
    let e = refused(text(
        r#"(id: "A", release: Minutes(0), product: "q", due: Minutes(20))"#,
        "",
    ));
    assert!(e.contains("no flow edge from this source takes"), "{e}");
    let e = refused(text(
        r#"(id: "A", release: Hours(1), product: "p", due: Minutes(20))"#,
        "",
    ));
    assert!(e.contains("before its release"), "{e}");
    let e = refused(text(&format!("{ok}, {ok}"), ""));
    assert!(e.contains("order id \"A\" is used twice"), "{e}");
    let e = refused(text(ok, ", interarrival: Exponential(mean: Minutes(3))"));
    assert!(e.contains("`interarrival` has no meaning here"), "{e}");
    let e = refused(text("", r#", orders_file: "orders.csv""#));
    assert!(e.contains("must be loaded from a file"), "{e}");
}

/// Orders A and B (2 parts each) released at 0 through b1, m1 (2 min), b2
/// (capacity `b2`), m2 (1 min). Lots together: both lots are whole in b1
/// at once; b2 holds A until A2 is there (4 min), B until B2 is (8 min).
fn lots(lots: &str, quantity: u32, b2: u32) -> String {
    format!(
        r#"Scene(name: "lots", run: (horizon: Hours(1)), products: [Product(id: "p")],
        objects: [
            Source(id: "book", pos: (0, 0), lots: {lots}, orders: [
                (id: "A", release: Minutes(0), product: "p", quantity: {quantity}, due: Hours(1)),
                (id: "B", release: Minutes(0), product: "p", quantity: 2, due: Hours(1)),
            ]),
            Buffer(id: "b1", pos: (1, 0), capacity: 8),
            Machine(id: "m1", pos: (2, 0), cycle: Constant(Minutes(2))),
            Buffer(id: "b2", pos: (3, 0), capacity: {b2}),
            Machine(id: "m2", pos: (4, 0), cycle: Constant(Minutes(1))),
            Sink(id: "out", pos: (5, 0)),
        ],
        flow: [("book", "b1"), ("b1", "m1"), ("m1", "b2"), ("b2", "m2"), ("m2", "out")])"#
    )
}

#[test]
fn a_lot_that_moves_together_waits_for_its_last_part() {
    let starts = |text: &str| event_minutes(&run_logged(&scene(text)).1, "m2", "start");
    assert_eq!(starts(&lots("PartByPart", 2, 8)), vec![2.0, 4.0, 6.0, 8.0]);
    assert_eq!(starts(&lots("Together", 2, 8)), vec![4.0, 5.0, 8.0, 9.0]);
    let (r, _) = run_logged(&scene(&lots("Together", 2, 8)));
    let o = r.line.orders.as_ref().unwrap();
    assert_eq!((o.completed, o.lots_split), (2, Some(0)));
}

/// A lot of 3 (then B's 2) with room for 2 in b2: b2 fills up with A1 and
/// A2 held (4 min) and lets A go part by part (4–5, 5–6); A3 follows at 6,
/// then B is held until whole (10 min): 10, 11. One lot split.
#[test]
fn a_buffer_too_small_for_a_lot_lets_it_go_part_by_part() {
    let (r, log) = run_logged(&scene(&lots("Together", 3, 2)));
    assert_eq!(
        event_minutes(&log, "m2", "start"),
        vec![4.0, 5.0, 6.0, 10.0, 11.0]
    );
    let o = r.line.orders.as_ref().unwrap();
    assert_eq!((o.completed, o.lots_split), (2, Some(1)));
}

/// Scrapped parts never keep their lot waiting: with half the parts of m1
/// scrapped, every lot still leaves, over many seeds.
#[test]
fn scrap_never_strands_a_lot() {
    let text = lots("Together", 5, 8).replace(
        "cycle: Constant(Minutes(2)))",
        "cycle: Constant(Minutes(2)), scrap: 0.5)",
    );
    let s = scene(&text);
    for seed in 0..40 {
        let engine = factory_twin::sim::build(&s, seed).expect("builds");
        let mut engine = factory_twin::sim::run_in_app(engine);
        let r = factory_twin::kpi::measure(&mut engine, seed, Default::default())
            .expect("invariants hold");
        let o = r.line.orders.as_ref().unwrap();
        assert_eq!((o.completed, o.open_late), (2, 0), "seed {seed}");
    }
}

#[test]
fn lots_need_an_order_book() {
    let err = parse_scene_str(
        r#"Scene(name: "x", run: (horizon: Hours(1)), products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p", interarrival: Constant(Minutes(1)), lots: Together),
            Sink(id: "out", pos: (5, 0)),
        ],
        flow: [("src", "out")])"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("\"src\"") && err.contains("no order book"),
        "{err}"
    );
}

/// An order whose parts would arrive where no edge takes them on is
/// refused with the object and the product named.
#[test]
fn an_order_that_would_get_stuck_is_refused_where_it_sticks() {
    let err = parse_scene_str(
        r#"Scene(name: "dead", run: (horizon: Hours(1)), products: [Product(id: "p"), Product(id: "q")],
        objects: [
            Source(id: "book", pos: (0, 0), orders: [(id: "A", release: Minutes(0), product: "q", due: Hours(1))]),
            Machine(id: "m", pos: (2, 0), cycle: Constant(Minutes(1))),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("book", "m"), Flow(from: "m", to: "out", product: "p")])"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("\"m\"")
            && err.contains("\"q\"")
            && err.contains("no flow edge takes them on"),
        "{err}"
    );
}
