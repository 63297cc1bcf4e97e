//! Operators in several pools: a pool that `helps` others lends its free
//! operators to their stations, its own first, then the others in its
//! order. Timed by hand.

use super::{event_minutes, run_logged, scene};
use factory_twin::scene::parse_scene_str;

/// Two pairs of machines (10 min cycles, an operator for the whole cycle,
/// always fed): A1 and A2 share the one operator of pool "a", B1 and B2
/// the one of "b", so each pair alternates. From 00:35 a "flex" operator
/// helps "b" first, then "a".
fn plant(helps: &str) -> String {
    format!(
        r#"Scene(name: "skills", run: (horizon: Minutes(68)), products: [Product(id: "p")],
        shifts: [Shift(id: "late", days: [Mon], start: "00:35", end: "23:00")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p"),
            Buffer(id: "rack", pos: (1, 0), capacity: 8),
            Machine(id: "A1", pos: (2, 0), cycle: Constant(Minutes(10)), operator: "a"),
            Machine(id: "A2", pos: (2, 2), cycle: Constant(Minutes(10)), operator: "a"),
            Machine(id: "B1", pos: (2, 4), cycle: Constant(Minutes(10)), operator: "b"),
            Machine(id: "B2", pos: (2, 6), cycle: Constant(Minutes(10)), operator: "b"),
            Operators(id: "a", count: 1),
            Operators(id: "b", count: 1),
            Operators(id: "flex", count: 1, shift: "late"{helps}),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("src", "rack"), ("rack", "A1"), ("rack", "A2"), ("rack", "B1"), ("rack", "B2"),
               ("A1", "out"), ("A2", "out"), ("B1", "out"), ("B2", "out")])"#
    )
}

/// Until 00:35 each pair alternates (A1 0–10, A2 10–20, ...). At 35 flex
/// takes B1, which waits (b's queue comes first). At 45 it is free while
/// b's queue is empty (B1's next request comes after the release) and A2
/// waits: it goes to A2 (45–55), then at 55 to B2, at 65 to A1. Pools a
/// and b keep serving their own queues meanwhile.
#[test]
fn a_free_helper_serves_its_pools_in_order() {
    let (r, log) = run_logged(&scene(&plant(r#", helps: ["b", "a"]"#)));
    let starts = |m| event_minutes(&log, m, "start");
    assert_eq!(starts("A1"), vec![0.0, 20.0, 40.0, 50.0, 65.0]);
    assert_eq!(starts("A2"), vec![10.0, 30.0, 45.0, 60.0]);
    assert_eq!(starts("B1"), vec![0.0, 20.0, 35.0, 50.0, 60.0]);
    assert_eq!(starts("B2"), vec![10.0, 30.0, 40.0, 55.0]);
    let flex = r.operators.iter().find(|o| o.id == "flex").unwrap();
    // Busy 35–68, helping all the time.
    assert!(
        (flex.busy_hours - 33.0 / 60.0).abs() < 1e-12,
        "{}",
        flex.busy_hours
    );
}

/// Without `helps` the flex operator idles and each pair alternates.
#[test]
fn without_helps_a_pool_serves_only_its_own_stations() {
    let (r, log) = run_logged(&scene(&plant("")));
    assert_eq!(
        event_minutes(&log, "A1", "start"),
        vec![0.0, 20.0, 40.0, 60.0]
    );
    assert_eq!(event_minutes(&log, "B2", "start"), vec![10.0, 30.0, 50.0]);
    let flex = r.operators.iter().find(|o| o.id == "flex").unwrap();
    assert_eq!(flex.busy_hours, 0.0);
}

#[test]
fn helps_must_name_other_pools_once() {
    for (helps, says) in [
        (r#", helps: ["flex"]"#, "names the pool itself"),
        (r#", helps: ["a", "a"]"#, "names \"a\" twice"),
        (r#", helps: ["rack"]"#, "must name an Operators pool"),
        (r#", helps: ["c"]"#, "does not exist"),
    ] {
        let err = parse_scene_str(&plant(helps)).unwrap_err().to_string();
        assert!(err.contains("flex") && err.contains(says), "{helps}: {err}");
    }
}

/// A variant that renames a pool points every reference at the new id: the
/// stations' operator, a fleet's drivers, the pools that help it.
#[test]
fn renaming_a_pool_in_a_variant_follows_helps_and_drivers() {
    use factory_twin::scene::{Object, load_scene};
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("rename_pools");
    std::fs::create_dir_all(&dir).unwrap();
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenes/forklift_shop_driver_helps.ron");
    let path = dir.join("variant.ron");
    std::fs::write(
        &path,
        format!(
            r#"Variant(base: {:?}, name: "renamed", changes: [
                Replace("drivers", Operators(id: "haulers", pos: (8, -3), count: 1, shift: "day", helps: ["crew"])),
                Replace("crew", Operators(id: "benders", pos: (30, 4), count: 1, shift: "day")),
            ])"#,
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    let s = load_scene(&path).unwrap_or_else(|d| panic!("{d}"));
    let find = |id: &str| s.objects.iter().find(|o| o.id() == id).unwrap();
    assert!(
        matches!(find("press"), Object::Machine(m) if m.operator.as_deref() == Some("benders"))
    );
    assert!(
        matches!(find("forklift"), Object::Vehicles(v) if v.operator.as_deref() == Some("haulers"))
    );
    assert!(matches!(find("haulers"), Object::Operators(p) if p.helps == ["benders"]));
}
