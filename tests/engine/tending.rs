//! Tended machines: an operator loads and unloads, the cycle runs
//! unattended; one operator tends two machines. Timed by hand.

use super::{event_minutes, run_logged, scene};
use factory_twin::scene::parse_scene_str;

/// One operator, two machines (1 min to load, 10 min cycle, 1 min to
/// unload), always fed. The operator loads m1 (0–1) then m2 (1–2); m1 is
/// machined at 11 and unloaded 11–12; m2, machined at 12, waits for the
/// operator until 12 and is unloaded 12–13; m1 is loaded 13–14, m2 14–15,
/// and so on: each machine makes a part every 13 minutes.
fn cell(extra: &str) -> String {
    format!(
        r#"Scene(name: "tended", run: (horizon: Hours(1)), products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p"),
            Buffer(id: "rack", pos: (1, 0), capacity: 4),
            Machine(id: "m1", pos: (2, 0), cycle: Constant(Minutes(10)), operator: "op",
                    tending: (load: Constant(Minutes(1)), unload: Constant(Minutes(1)))),
            Machine(id: "m2", pos: (2, 2), cycle: Constant(Minutes(10)), operator: "op",
                    tending: (load: Constant(Minutes(1)), unload: Constant(Minutes(1)))),
            Operators(id: "op", count: 1),
            Sink(id: "out", pos: (4, 0)),{extra}
        ],
        flow: [("src", "rack"), ("rack", "m1"), ("rack", "m2"), ("m1", "out"), ("m2", "out")])"#
    )
}

#[test]
fn one_operator_tends_two_machines_in_turn() {
    let (r, log) = run_logged(&scene(&cell("")));
    assert_eq!(
        event_minutes(&log, "m1", "load"),
        vec![0.0, 13.0, 26.0, 39.0, 52.0]
    );
    assert_eq!(
        event_minutes(&log, "m1", "unload"),
        vec![11.0, 24.0, 37.0, 50.0]
    );
    assert_eq!(
        event_minutes(&log, "m2", "load"),
        vec![1.0, 14.0, 27.0, 40.0, 53.0]
    );
    assert_eq!(
        event_minutes(&log, "m2", "unload"),
        vec![12.0, 25.0, 38.0, 51.0]
    );
    assert_eq!(
        event_minutes(&log, "m1", "finish"),
        vec![12.0, 25.0, 38.0, 51.0]
    );
    assert_eq!(r.line.good_parts, 8);
    // The operator is busy 9 minutes at each machine: loads and unloads only.
    assert!((r.operators[0].busy_hours - 18.0 / 60.0).abs() < 1e-12);
    // Its OEE counts the ideal load and unload of the 8 parts made (2 min
    // each), not the machining it does not do.
    let oee = r.operators[0].oee.unwrap();
    assert!((oee - 16.0 / 60.0).abs() < 1e-12, "{oee}");
    let share = |id: &str, f: fn(&factory_twin::kpi::StateShares) -> f64| {
        f(&r.stations.iter().find(|s| s.id == id).unwrap().states)
    };
    // Loading and unloading count as working; a machine waits for the
    // operator one minute in each 13.
    assert!((share("m1", |s| s.working) - 56.0 / 60.0).abs() < 1e-12);
    assert!((share("m1", |s| s.waiting_for_operator) - 4.0 / 60.0).abs() < 1e-12);
    assert!((share("m2", |s| s.working) - 55.0 / 60.0).abs() < 1e-12);
    assert!((share("m2", |s| s.waiting_for_operator) - 5.0 / 60.0).abs() < 1e-12);
}

#[test]
fn a_robot_cell_and_a_transfer_robot_can_need_an_operator() {
    let robot = r#"
            Robot(id: "cell", pos: (3, 0), reach: 1.5, task: Process(cycle: Constant(Minutes(2))),
                  operator: "op", tending: (load: Constant(Seconds(30)), unload: Constant(Seconds(30)))),"#;
    let text = cell(robot).replace(
        r#"("m2", "out")"#,
        r#"("m2", "out"), ("rack", "cell"), ("cell", "out")"#,
    );
    let s = scene(&text);
    let (r, _) = run_logged(&s);
    assert!(r.stations.iter().find(|s| s.id == "cell").unwrap().produced > 0);
    // The cell is a place the pool serves: three places for one operator.
    assert_eq!(factory_twin::experiment::warnings::pool_places(&s, "op"), 3);
    let transfer = r#"
            Robot(id: "arm", pos: (1.5, 1), reach: 1.5, task: Transfer(speed: 1.0, pick: Seconds(2), place: Seconds(2)),
                  operator: "op"),"#;
    let moved = cell(transfer).replace(
        r#"("rack", "m2")"#,
        r#"Flow(from: "rack", to: "m2", via: "arm")"#,
    );
    let (r, log) = run_logged(&scene(&moved));
    assert!(!event_minutes(&log, "arm", "place").is_empty());
    assert_eq!(
        r.stations
            .iter()
            .find(|s| s.id == "arm")
            .unwrap()
            .operator
            .as_deref(),
        Some("op")
    );
    let tended = transfer.replace(
        r#"operator: "op")"#,
        r#"operator: "op", tending: (load: Constant(Seconds(30)), unload: Constant(Seconds(30))))"#,
    );
    let e = parse_scene_str(&cell(&tended)).unwrap_err().to_string();
    assert!(
        e.contains("\"arm\"") && e.contains("nothing to load or unload by hand"),
        "{e}"
    );
    let e = parse_scene_str(&cell("").replacen(r#", operator: "op","#, ",", 1))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"m1\"") && e.contains("`tending` but no `operator`"),
        "{e}"
    );
}
