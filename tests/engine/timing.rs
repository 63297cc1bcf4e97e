//! Exact timing: deterministic scenes whose event times follow from the
//! geometry and the clock.

use super::{run_logged, scene};

fn times<'a>(
    log: &'a [(f64, String, u64, &'static str)],
    object: &'a str,
    event: &'a str,
) -> Vec<f64> {
    log.iter()
        .filter(|r| r.1 == object && r.3 == event)
        .map(|r| r.0)
        .collect()
}

#[test]
fn a_part_crosses_a_10_m_conveyor_at_half_a_metre_per_second_in_20_s() {
    let s = scene(
        r#"Scene(name: "belt", run: (horizon: Minutes(5)), products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p", interarrival: Constant(Seconds(1)), limit: 1),
            Conveyor(id: "belt", from: (0, 0), to: (10, 0), speed: 0.5, spacing: 1),
            Sink(id: "out", pos: (10, 0)),
        ],
        flow: [("src", "belt"), ("belt", "out")])"#,
    );
    let (result, log) = run_logged(&s);
    assert_eq!(times(&log, "belt", "enter"), vec![1.0]);
    assert_eq!(times(&log, "out", "exit"), vec![21.0]);
    assert_eq!(result.stores[0].mean_transit_s, Some(20.0));
    assert_eq!(result.stores[0].capacity, 10);
}

/// Two A parts block at the machine; a B part behind them goes straight to
/// the sink once it reaches the end. An accumulating belt lets B catch up
/// (one spacing behind the blocked head); a non-accumulating belt stops B too.
fn belt_with_block(accumulating: bool) -> f64 {
    let s = scene(&format!(
        r#"Scene(name: "block", run: (horizon: Minutes(10)), products: [Product(id: "a"), Product(id: "b")],
        objects: [
            Source(id: "src_a", pos: (0, 0), product: "a", interarrival: Constant(Seconds(19)), limit: 2),
            Source(id: "src_b", pos: (0, 1), product: "b", interarrival: Constant(Seconds(57)), limit: 1),
            Conveyor(id: "belt", from: (0, 0), to: (10, 0), speed: 0.5, spacing: 1, accumulating: {accumulating}),
            Machine(id: "m", pos: (11, 0), cycle: Constant(Seconds(30))),
            Sink(id: "out", pos: (12, 0)),
        ],
        flow: [("src_a", "belt"), ("src_b", "belt"), Flow(from: "belt", to: "m", product: "a"),
               Flow(from: "belt", to: "out", product: "b"), ("m", "out")])"#
    ));
    let (_, log) = run_logged(&s);
    assert_eq!(times(&log, "belt", "enter"), vec![19.0, 38.0, 57.0]);
    assert_eq!(
        times(&log, "m", "start"),
        vec![39.0, 69.0],
        "A parts: free run, then blocked until the machine frees"
    );
    let exits: Vec<(f64, u64)> = log
        .iter()
        .filter(|r| r.1 == "out" && r.3 == "exit")
        .map(|r| (r.0, r.2))
        .collect();
    // The B part is serial 2 (created at 57 s after two A parts? no: serials follow creation order).
    let b_serial = log
        .iter()
        .find(|r| r.1 == "src_b" && r.3 == "arrive")
        .unwrap()
        .2;
    exits.iter().find(|e| e.1 == b_serial).unwrap().0
}

#[test]
fn an_accumulating_conveyor_stops_only_the_head_part() {
    // B is ready at max(57 + 20, 69 + spacing / speed) = 77 s.
    assert_eq!(belt_with_block(true), 77.0);
}

#[test]
fn a_non_accumulating_conveyor_stops_as_a_whole() {
    // The belt stood still from 58 s (A2 at the end) to 69 s: B arrives 11 s late.
    assert_eq!(belt_with_block(false), 88.0);
}

#[test]
fn a_transfer_robot_cycle_follows_distance_and_speed() {
    let s = scene(
        r#"Scene(name: "robot", run: (horizon: Minutes(5)), products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p", interarrival: Constant(Seconds(1)), limit: 2),
            Robot(id: "r", pos: (2, 0), reach: 2.5, task: Transfer(speed: 0.5, pick: Seconds(1), place: Seconds(2))),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [Flow(from: "src", to: "out", via: "r")])"#,
    );
    let (result, log) = run_logged(&s);
    // Home (2,0) -> pick (0,0): 4 s + 1 s pick; -> place (4,0): 8 s + 2 s place.
    assert_eq!(times(&log, "r", "pick"), vec![1.0 + 5.0, 16.0 + 8.0 + 1.0]);
    assert_eq!(times(&log, "r", "place"), vec![16.0, 25.0 + 10.0]);
    assert_eq!(times(&log, "out", "exit"), vec![16.0, 35.0]);
    let r = &result.stations[0];
    assert_eq!(r.kind, "transfer_robot");
    assert_eq!(r.produced, 2);
    // Working from the first call (1 s) to the first place (16 s), and from
    // there back to pick, pick, carry and place the second part (16 s to
    // 35 s): 15 + 19 = 34 s of the 300 s; idle (starved) the rest.
    assert!(
        (r.states.working * 300.0 - 34.0).abs() < 1e-9,
        "{:?}",
        r.states
    );
    assert!((r.states.starved * 300.0 - 266.0).abs() < 1e-9);
}

#[test]
fn a_shift_starts_and_ends_work_exactly_on_the_clock() {
    let s = scene(
        r#"Scene(name: "shift", run: (horizon: Hours(24)), products: [Product(id: "p")],
        shifts: [Shift(id: "day", days: [Mon, Tue, Wed, Thu, Fri], start: "08:00", end: "17:00", breaks: [("12:00", "13:00")])],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p"),
            Machine(id: "m", pos: (1, 0), cycle: Constant(Minutes(25)), shift: "day"),
            Sink(id: "out", pos: (2, 0)),
        ],
        flow: [("src", "m"), ("m", "out")])"#,
    );
    let (result, log) = run_logged(&s);
    let h = 3600.0;
    let starts = times(&log, "m", "start");
    assert_eq!(starts[0], 8.0 * h, "work starts at 08:00 sharp");
    let finishes = times(&log, "m", "finish");
    // Jobs start every 25 min from 08:00; the one started 11:45 pauses at 12:00 with 10 min left
    // and finishes at 13:10.
    assert!(finishes.contains(&(13.0 * h + 10.0 * 60.0)), "{finishes:?}");
    assert!(
        finishes.iter().all(|&t| !(t > 12.0 * h && t < 13.0 * h)),
        "nothing finishes during the break"
    );
    assert!(
        finishes.iter().all(|&t| t <= 17.0 * h),
        "nothing finishes after 17:00"
    );
    // 8 h of 24 on shift.
    let m = &result.stations[0];
    assert!(
        (m.states.off_shift - 16.0 / 24.0).abs() < 1e-12,
        "{}",
        m.states.off_shift
    );
    assert_eq!(m.availability, Some(m.states.working / (8.0 / 24.0)));
    // 480 min of shift = 19 jobs of 25 min and 5 min of the 20th.
    assert_eq!(finishes.len(), 19);
}
