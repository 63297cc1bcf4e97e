//! Fleets of vehicles: the idle vehicle nearest the pick point goes, drives
//! in straight lines, loads and unloads; timed by hand.

use super::{event_times, run_logged, scene};
use factory_twin::scene::parse_scene_str;

/// Parts arrive at 10, 20 and 30 s at a dock at (0, 0); two vehicles
/// parked at (5, 0) (1 m/s, 2 s to load, 3 s to unload) carry them to a
/// sink at (10, 0). Vehicle 0 takes the first (5 s there, picked at 17,
/// 10 s to the sink, placed at 30); vehicle 1 the second (picked at 27,
/// placed at 40); the third arrives at 30, when vehicle 0 has just placed
/// its part at (10, 0): 10 s back, picked at 42, placed at 55.
fn fleet(extra: &str) -> String {
    format!(
        r#"Scene(name: "fleet", run: (horizon: Minutes(2)), products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p", interarrival: Constant(Seconds(10)), limit: 3),
            Buffer(id: "dock", pos: (0, 0), capacity: 10),
            Vehicles(id: "agv", pos: (5, 0), count: 2, speed: 1.0, load: Seconds(2), unload: Seconds(3){extra}),
            Sink(id: "out", pos: (10, 0)),
        ],
        flow: [("src", "dock"), Flow(from: "dock", to: "out", via: "agv")])"#
    )
}

#[test]
fn the_nearest_idle_vehicle_fetches_each_part() {
    let (r, log) = run_logged(&scene(&fleet("")));
    assert_eq!(event_times(&log, "agv", "pick"), vec![17.0, 27.0, 42.0]);
    assert_eq!(event_times(&log, "agv", "place"), vec![30.0, 40.0, 55.0]);
    assert_eq!(event_times(&log, "out", "exit"), vec![30.0, 40.0, 55.0]);
    let agv = &r.stations[0];
    assert_eq!((agv.kind, agv.capacity, agv.produced), ("vehicles", 2, 3));
    // Working: vehicle 0 10–55 s, vehicle 1 20–40 s, of 2 × 120 s; of that,
    // 5 + 5 + 10 s empty.
    assert!((agv.states.working - 65.0 / 240.0).abs() < 1e-12);
    assert!((agv.empty_travel_share.unwrap() - 20.0 / 65.0).abs() < 1e-12);
    // Each vehicle: 0 busy 45 s (15 empty), 1 busy 20 s (5 empty), of 120.
    let each: Vec<(f64, f64)> = agv
        .vehicles
        .iter()
        .map(|v| (v.utilisation.unwrap(), v.empty_travel_share.unwrap()))
        .collect();
    assert_eq!(each.len(), 2);
    assert!((each[0].0 - 45.0 / 120.0).abs() < 1e-12 && (each[0].1 - 15.0 / 45.0).abs() < 1e-12);
    assert!((each[1].0 - 20.0 / 120.0).abs() < 1e-12 && (each[1].1 - 5.0 / 20.0).abs() < 1e-12);
}

#[test]
fn one_vehicle_makes_the_parts_wait_their_turn() {
    // count 1: 17/30 as before; the second waits for it at (10, 0):
    // picked at 42, placed at 55; the third picked at 67, placed at 80.
    let (_, log) = run_logged(&scene(&fleet("").replace("count: 2", "count: 1")));
    assert_eq!(event_times(&log, "agv", "pick"), vec![17.0, 42.0, 67.0]);
    assert_eq!(event_times(&log, "agv", "place"), vec![30.0, 55.0, 80.0]);
}

/// Four parts at 1, 2, 3 and 4 s; one vehicle that carries two. It picks
/// the first at 8 (5 s there, 2 s to load), loads the second, ready behind
/// it, by 10, drives 10 s and sets them down one by one (3 s each), the
/// last loaded first: 23, 26. Back at the dock at 36, it loads the third
/// (38) and the fourth (40): 53, 56. With room for three it takes three
/// (8, 10, 12; set down 25, 28, 31), then the fourth alone (43, 56).
#[test]
fn a_vehicle_with_room_loads_what_waits_for_the_same_trip() {
    let text = |capacity: u32| {
        fleet(&format!(", capacity: {capacity}"))
            .replace("count: 2", "count: 1")
            .replace(
                "Constant(Seconds(10)), limit: 3",
                "Constant(Seconds(1)), limit: 4",
            )
    };
    let (r, log) = run_logged(&scene(&text(2)));
    assert_eq!(
        event_times(&log, "agv", "pick"),
        vec![8.0, 10.0, 38.0, 40.0]
    );
    assert_eq!(
        event_times(&log, "agv", "place"),
        vec![23.0, 26.0, 53.0, 56.0]
    );
    assert_eq!(
        event_times(&log, "out", "exit"),
        vec![23.0, 26.0, 53.0, 56.0]
    );
    let agv = &r.stations[0];
    assert_eq!(agv.produced, 4);
    // Working 1–56 s of 120; empty 5 s out and 10 s back.
    assert!((agv.states.working - 55.0 / 120.0).abs() < 1e-12);
    assert!((agv.empty_travel_share.unwrap() - 15.0 / 55.0).abs() < 1e-12);
    let (_, log) = run_logged(&scene(&text(3)));
    assert_eq!(
        event_times(&log, "agv", "pick"),
        vec![8.0, 10.0, 12.0, 43.0]
    );
    assert_eq!(
        event_times(&log, "agv", "place"),
        vec![25.0, 28.0, 31.0, 56.0]
    );
}

/// Forklifts with one driver between them: the first part goes as before
/// (picked 17, set down 30); the second, ready at 20, waits for the driver,
/// who is free at 30 and takes the nearer forklift (parked at (5, 0)):
/// picked 37, set down 50; the third waits until 50: the forklift at
/// (10, 0) with the lower number, picked 62, set down 75.
#[test]
fn forklifts_wait_for_a_driver() {
    let text = fleet(r#", operator: "drivers""#).replace(
        r#"Sink(id: "out""#,
        r#"Operators(id: "drivers", count: 1),
            Sink(id: "out""#,
    );
    let (r, log) = run_logged(&scene(&text));
    assert_eq!(event_times(&log, "agv", "pick"), vec![17.0, 37.0, 62.0]);
    assert_eq!(event_times(&log, "agv", "place"), vec![30.0, 50.0, 75.0]);
    let drivers = &r.operators[0];
    assert!(
        (drivers.busy_hours * 3600.0 - 65.0).abs() < 1e-9,
        "{}",
        drivers.busy_hours
    );
    assert_eq!(r.stations[0].operator.as_deref(), Some("drivers"));
    // Drivers ride: a walking pool cannot drive.
    let walking = text.replace(
        r#"Operators(id: "drivers", count: 1)"#,
        r#"Operators(id: "drivers", count: 1, pos: (0, 0), walks: true)"#,
    );
    let e = parse_scene_str(&walking).unwrap_err().to_string();
    assert!(e.contains("\"agv\"") && e.contains("ride"), "{e}");
    // A walking pool that helps the drivers stays on foot: the same trips.
    let helped = text.replace(
        r#"Operators(id: "drivers", count: 1)"#,
        r#"Operators(id: "drivers", count: 1),
            Operators(id: "walkers", count: 2, pos: (0, 0), walks: true, helps: ["drivers"])"#,
    );
    let (_, log) = run_logged(&scene(&helped));
    assert_eq!(event_times(&log, "agv", "pick"), vec![17.0, 37.0, 62.0]);
}

#[test]
fn bad_fleets_are_refused_with_the_object_named() {
    let refused = |text: &str| parse_scene_str(text).unwrap_err().to_string();
    let e = refused(&fleet("").replace("count: 2", "count: 0"));
    assert!(e.contains("\"agv\"") && e.contains("count"), "{e}");
    let e = refused(&fleet(", capacity: 0"));
    assert!(e.contains("\"agv\"") && e.contains("capacity"), "{e}");
    let e = refused(&fleet("").replace("speed: 1.0", "speed: 0"));
    assert!(e.contains("\"agv\"") && e.contains("speed"), "{e}");
    let e = refused(&fleet(
        ", maintenance: [EveryParts(parts: 5, duration: Constant(Minutes(1)))]",
    ));
    assert!(e.contains("vehicles make no parts"), "{e}");
    let e = refused(&fleet("").replace(
        r#"Flow(from: "dock", to: "out", via: "agv")"#,
        r#"("dock", "agv"), ("agv", "out")"#,
    ));
    assert!(e.contains("fleet of vehicles") && e.contains("via"), "{e}");
}
