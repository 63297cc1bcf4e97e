//! Shifts and crews: objects that follow several shifts, operator pools
//! with a crew per shift, overtime paid at its wage factor; each figure
//! hand-computed from the calendar.

use super::{run_logged, scene};
use factory_twin::scene::parse_scene_str;

/// Early Mon–Fri 06:00–14:00, late 14:00–22:00 (40 h each a week) and a
/// Saturday overtime 08:00–12:00 paid at 1.5.
const SHIFTS: &str = r#"shifts: [
    Shift(id: "early", days: [Mon, Tue, Wed, Thu, Fri], start: "06:00", end: "14:00"),
    Shift(id: "late", days: [Mon, Tue, Wed, Thu, Fri], start: "14:00", end: "22:00"),
    Shift(id: "sat", days: [Sat], start: "08:00", end: "12:00", wage_factor: 1.5),
]"#;

fn line(pool: &str, machine_shift: &str) -> String {
    format!(
        r#"Scene(name: "crews", run: (horizon: Days(7), seed: 1), {SHIFTS},
        products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p"),
            Machine(id: "m", pos: (2, 0), capacity: 3, cycle: Constant(Minutes(10)), operator: "crew"{machine_shift}),
            Operators(id: "crew", {pool}, wage_per_hour: 10000),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("src", "m"), ("m", "out")])"#
    )
}

#[test]
fn a_two_shift_crew_is_paid_for_the_operators_on_each_shift() {
    let s = scene(&line(r#"crews: {"early": 3, "late": 2, "sat": 1}"#, ""));
    let (r, _) = run_logged(&s);
    let crew = &r.operators[0];
    // 3 × 40 h + 2 × 40 h + 1 × 4 h, the Saturday hours at 1.5 × the wage.
    assert_eq!(crew.paid_hours, 204.0);
    assert_eq!(crew.labour_cost, (200.0 + 4.0 * 1.5) * 10000.0);
    assert_eq!(crew.count, 3, "reported as its largest crew");
    // The machine follows the crews' shifts (84 h a week) and always has
    // work: every paid hour is busy, and it works 3, 2 or 1 parts at once.
    assert_eq!(crew.busy_hours, 204.0);
    let m = &r.stations[0];
    let off = m.states.off_shift;
    assert!(
        (off - (168.0 - 84.0) / 168.0).abs() < 1e-9,
        "off shift {off}"
    );
    // Parts made: 6 an hour per operator at work, less the one whose cycle
    // ends on Saturday 12:00: the shift change at that instant comes first,
    // so it completes at the next start (next Monday, after the run).
    assert_eq!(r.line.good_parts, 204 * 6 - 1);
}

#[test]
fn a_plain_pool_on_two_shifts_has_its_count_on_each() {
    let s = scene(&line(r#"count: 2, shift: ["early", "late"]"#, ""));
    let (r, _) = run_logged(&s);
    assert_eq!(r.operators[0].paid_hours, 2.0 * 80.0);
    // Less the two cycles ending on Friday 22:00, finished next Monday.
    assert_eq!(r.line.good_parts, 2 * 80 * 6 - 2);
}

#[test]
fn a_machine_can_follow_two_shifts_itself() {
    let s = scene(&format!(
        r#"Scene(name: "two shifts", run: (horizon: Days(7)), {SHIFTS},
            products: [Product(id: "p")],
            objects: [
                Source(id: "src", pos: (0, 0), product: "p"),
                Machine(id: "m", pos: (2, 0), cycle: Constant(Minutes(30)), shift: ["early", "sat"]),
                Sink(id: "out", pos: (4, 0)),
            ],
            flow: [("src", "m"), ("m", "out")])"#
    ));
    let (r, _) = run_logged(&s);
    // 40 h + 4 h at two parts an hour, less the one ending on Saturday 12:00.
    assert_eq!(r.line.good_parts, 87);
    let off = r.stations[0].states.off_shift;
    assert!(
        (off - (168.0 - 44.0) / 168.0).abs() < 1e-9,
        "off shift {off}"
    );
}

/// Crew a (2 operators) Mon 00:00–01:00, then crew b (1) 01:00–02:00; a
/// two-place machine with a 25-minute cycle, always fed. At 01:00 two
/// operators are at work and one leaves: each finishes the cycle in hand
/// (to 01:15, paid), then one part at a time until 02:00, when the last
/// cycle (started 01:40) pauses with 5 minutes left.
#[test]
fn when_the_crew_shrinks_each_operator_finishes_the_cycle_in_hand() {
    let s = scene(
        r#"Scene(name: "shrink", run: (horizon: Hours(2)),
        shifts: [Shift(id: "a", days: [Mon], start: "00:00", end: "01:00"),
                 Shift(id: "b", days: [Mon], start: "01:00", end: "02:00")],
        products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p"),
            Machine(id: "m", pos: (2, 0), capacity: 2, cycle: Constant(Minutes(25)), operator: "crew"),
            Operators(id: "crew", crews: {"a": 2, "b": 1}),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("src", "m"), ("m", "out")])"#,
    );
    let (r, log) = run_logged(&s);
    let starts: Vec<f64> = log
        .iter()
        .filter(|e| e.1 == "m" && e.3 == "start")
        .map(|e| e.0 / 60.0)
        .collect();
    assert_eq!(starts, vec![0.0, 0.0, 25.0, 25.0, 50.0, 50.0, 75.0, 100.0]);
    assert_eq!(r.line.good_parts, 7);
    // 2 h for crew a, 1 h for b, and the quarter hour the second operator
    // of a stayed to finish.
    assert_eq!(r.operators[0].paid_hours, 3.25);
    assert_eq!(r.operators[0].busy_hours, 3.25);
}

fn refused(text: &str) -> String {
    match parse_scene_str(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(d) => d.to_string(),
    }
}

#[test]
fn inconsistent_crews_and_shifts_are_refused_with_the_object_named() {
    let e = refused(&line(
        r#"crews: {"early": 3, "late": 0}"#,
        r#", shift: "late""#,
    ));
    assert!(
        e.contains("\"m\"") && e.contains("crew on \"late\" is 0"),
        "{e}"
    );
    let e = refused(&line(r#"count: 2, crews: {"early": 3}"#, ""));
    assert!(e.contains("both `count` and `crews`"), "{e}");
    let e = refused(&line(r#"crews: {"erly": 3}"#, ""));
    assert!(e.contains("\"erly\"") && e.contains("early"), "{e}");
    let e = refused(&line(r#"count: 2, shift: ["early", "early"]"#, ""));
    assert!(e.contains("names \"early\" twice"), "{e}");
    let e = refused(&line("wage_per_hour: 1", "").replace(", wage_per_hour: 10000", ""));
    assert!(e.contains("has no `count`"), "{e}");
    let e = refused(&line("count: 1", "").replace("days: [Sat]", "days: [Sat, Sat]"));
    assert!(e.contains("Sat is listed twice"), "{e}");
    // A shift the crews do not cover: the machine would wait for no one.
    let e = refused(&line(
        r#"crews: {"early": 3}"#,
        r#", shift: ["early", "late"]"#,
    ));
    assert!(
        e.contains("\"m\"")
            && e.contains("works Mon 06:00–22:00 (early + late)")
            && e.contains("no crew on shift"),
        "{e}"
    );
    let e = refused(&line("count: 1", r#", shift: []"#));
    assert!(e.contains("names no shift"), "{e}");
}

#[test]
fn crews_on_shifts_that_together_cover_a_station_are_accepted() {
    // A day shift 08:00–17:00 inside early (06–14) and late (14–22).
    let text = line(r#"crews: {"early": 2, "late": 1}"#, r#", shift: "day""#).replace(
        "shifts: [",
        r#"shifts: [Shift(id: "day", days: [Mon, Tue, Wed, Thu, Fri], start: "08:00", end: "17:00"),"#,
    );
    let (r, _) = run_logged(&scene(&text));
    assert!(r.line.good_parts > 0);
}

/// Walking operators: one operator with a post at (0, 0), walking 1 m/s,
/// serves m1 at (10, 0) and m2 at (10, 10), 60 s a part each, both always
/// fed. He walks to m1 (the nearer) and starts it at 10 s; at 70 s he is
/// free at m1 and m2 asked first: 10 s to m2, which starts at 80; free
/// there at 140, back to m1 (asked at 70): starts at 150.
#[test]
fn walking_operators_take_the_time_of_the_walk() {
    let s = scene(
        r#"Scene(name: "walk", run: (horizon: Seconds(200)), products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 5), product: "p"),
            Buffer(id: "b", pos: (5, 5), capacity: 4),
            Machine(id: "m1", pos: (10, 0), cycle: Constant(Seconds(60)), operator: "op"),
            Machine(id: "m2", pos: (10, 10), cycle: Constant(Seconds(60)), operator: "op"),
            Operators(id: "op", pos: (0, 0), count: 1, walks: true),
            Sink(id: "out", pos: (20, 5)),
        ],
        flow: [("src", "b"), ("b", "m1"), ("b", "m2"), ("m1", "out"), ("m2", "out")],
        layout: (walk_speed: 1.0))"#,
    );
    let (r, log) = run_logged(&s);
    let starts = |id: &str| -> Vec<f64> {
        log.iter()
            .filter(|e| e.1 == id && e.3 == "start")
            .map(|e| e.0)
            .collect()
    };
    assert_eq!(starts("m1"), vec![10.0, 150.0]);
    assert_eq!(starts("m2"), vec![80.0]);
    // Walking is paid, busy time: 10 + 60 + 10 + 60 + 10 + 50 s.
    assert!((r.operators[0].busy_hours * 3600.0 - 200.0).abs() < 1e-9);
    let e = factory_twin::scene::parse_scene_str(&s_text_without_post())
        .unwrap_err()
        .to_string();
    assert!(e.contains("`walks: true` but no `pos`"), "{e}");
}

fn s_text_without_post() -> String {
    r#"Scene(name: "walk", run: (horizon: Seconds(200)), products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 5), product: "p"),
            Machine(id: "m1", pos: (10, 0), cycle: Constant(Seconds(60)), operator: "op"),
            Operators(id: "op", count: 1, walks: true),
            Sink(id: "out", pos: (20, 5)),
        ],
        flow: [("src", "m1"), ("m1", "out")])"#
        .to_string()
}
