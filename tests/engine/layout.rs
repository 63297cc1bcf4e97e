//! `factory-twin check`: one crafted scene per kind of violation, the
//! bundled scenes clean, exit codes, and the safety KPI against a hand
//! computation.

use factory_twin::layout::{self, Violation};
use std::path::PathBuf;
use std::process::Command;

/// A scene with one product, a saturated source `in` and a sink `out`.
fn scene(objects: &str, flow: &str, layout: &str) -> String {
    format!(
        r#"Scene(
            name: "layout test",
            run: (horizon: Hours(8), seed: 1, replications: 2),
            products: [Product(id: "p")],
            objects: [
                Source(id: "in", pos: (-20, 0), product: "p"),
                {objects}
                Sink(id: "out", pos: (20, 0)),
            ],
            flow: [{flow}],
            {layout}
        )"#
    )
}

fn violations(text: &str) -> Vec<Violation> {
    layout::check(&crate::scene(text)).violations
}

fn only(text: &str, kind: &str) -> Violation {
    let v = violations(text);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(v[0].kind, kind, "{v:#?}");
    v[0].clone()
}

#[test]
fn overlapping_machines_are_found_with_the_depth() {
    let v = only(
        &scene(
            r#"Machine(id: "m1", pos: (0, 0), cycle: Constant(Seconds(10))),
               Machine(id: "m2", pos: (1, 0), cycle: Constant(Seconds(10))),"#,
            r#"("in", "m1"), ("m1", "m2"), ("m2", "out")"#,
            "",
        ),
        "overlap",
    );
    // 1.6 m wide machines 1 m apart: 0.6 m of overlap.
    assert!((v.metres - 0.6).abs() < 1e-3, "{v:?}");
    assert_eq!(v.objects, ["m1", "m2"]);
    // Drawn where the footprints overlap: between x = 0.2 and 0.8.
    for [x, _] in v.between {
        assert!((0.2 - 1e-3..=0.8 + 1e-3).contains(&x), "{v:?}");
    }
}

/// Whether two floor points are the same within a millimetre.
fn near(p: [f64; 2], q: [f64; 2]) -> bool {
    (p[0] - q[0]).hypot(p[1] - q[1]) < 1e-3
}

#[test]
fn a_narrow_aisle_between_unconnected_machines() {
    let text = scene(
        r#"Machine(id: "m1", pos: (0, 0), cycle: Constant(Seconds(10))),
           Machine(id: "m2", pos: (0, 1.6), cycle: Constant(Seconds(10))),"#,
        r#"Flow(from: "in", to: "m1", weight: 0.5), Flow(from: "in", to: "m2", weight: 0.5), ("m1", "out"), ("m2", "out")"#,
        "",
    );
    // 1.2 m deep machines 1.6 m apart: 0.4 m of aisle.
    let v = only(&text, "aisle");
    assert!((v.metres - 0.4).abs() < 1e-3, "{v:?}");
    // Across the aisle: from m1's back (y = 0.6) to m2's front (y = 1.0).
    let [p, q] = v.between;
    assert!(
        (p[1] - 0.6).abs() < 1e-3 && (q[1] - 1.0).abs() < 1e-3,
        "{v:?}"
    );
    assert!((p[0] - q[0]).abs() < 1e-3 && p[0].abs() <= 0.8, "{v:?}");
    // A smaller minimum aisle accepts it.
    let relaxed = text.replace(
        "name: \"layout test\",",
        "name: \"layout test\", layout: (min_aisle: 0.3),",
    );
    assert!(violations(&relaxed).is_empty());
}

#[test]
fn a_robot_that_cannot_reach_its_pick_point() {
    let v = only(
        &scene(
            r#"Buffer(id: "b", pos: (-3, 0), capacity: 4),
               Robot(id: "r", pos: (0, 0), reach: 1.0, task: Process(cycle: Constant(Seconds(20)))),
               Buffer(id: "b2", pos: (1.4, 0), capacity: 4),"#,
            r#"("in", "b"), ("b", "r"), ("r", "b2"), ("b2", "out")"#,
            "",
        ),
        "reach",
    );
    // The rack's near side is at x = −2.45: 1.45 m beyond a reach of 1 m.
    assert!((v.metres - 1.45).abs() < 2e-3, "{v:?}");
    assert!(v.message.contains("picks from \"b\""));
    // From the robot to the nearest point of the rack.
    assert!(near(v.between[0], [0.0, 0.0]), "{v:?}");
    assert!(near(v.between[1], [-2.45, 0.0]), "{v:?}");
}

#[test]
fn a_conveyor_that_does_not_meet_its_station() {
    let v = only(
        &scene(
            r#"Machine(id: "m", pos: (0, 0), cycle: Constant(Seconds(10))),
               Conveyor(id: "c", from: (2, 0), to: (10, 0), speed: 0.5, spacing: 0.5, accumulating: true),
               Buffer(id: "b", pos: (10.6, 0), capacity: 4),"#,
            r#"("in", "m"), ("m", "c"), ("c", "b"), ("b", "out")"#,
            "",
        ),
        "conveyor_end",
    );
    // The machine ends at x = 0.8, the belt starts at 2.
    assert!((v.metres - 1.2).abs() < 1e-3, "{v:?}");
    assert!(v.message.contains("start of conveyor \"c\""));
    assert!(near(v.between[0], [2.0, 0.0]), "{v:?}");
    assert!(near(v.between[1], [0.8, 0.0]), "{v:?}");
}

fn walking(layout: &str) -> String {
    scene(
        r#"Machine(id: "m", pos: (0, -5), cycle: Constant(Seconds(60)), operator: "ops"),
           Operators(id: "ops", pos: (0, 5), count: 1),
           Source(id: "in2", pos: (-20, 4), product: "p"),
           Buffer(id: "rb", pos: (2, 0), capacity: 4),
           Robot(id: "r", pos: (0, 0), reach: 1.5, task: Process(cycle: Constant(Seconds(30)))),
           Buffer(id: "rb2", pos: (-2, 0), capacity: 4),"#,
        r#"("in", "m"), ("m", "out"), ("in2", "rb"), ("rb", "r"), ("r", "rb2"), ("rb2", "out")"#,
        layout,
    )
}

#[test]
fn a_walking_path_through_an_unfenced_robot() {
    let v = only(&walking(""), "walking_path");
    assert_eq!(v.objects, ["ops", "m", "r"]);
    // Through the centre: the reach plus a person's half width on each side.
    assert!((v.metres - 3.6).abs() < 1e-6, "{v:?}");
    // The walk from the operators' post to the machine.
    assert_eq!(v.between, [[0.0, 5.0], [0.0, -5.0]]);
    assert!(violations(&walking(r#"layout: (fenced: ["r"]),"#)).is_empty());
}

#[test]
fn time_in_robot_envelopes_matches_a_hand_computation() {
    let s = crate::scene(&walking(""));
    let runs = crate::run(&s, 2);
    for r in &runs {
        let m = r.stations.iter().find(|x| x.id == "m").unwrap();
        let robot = r.stations.iter().find(|x| x.id == "r").unwrap();
        // Each job: a walk there and back, 3.6 m inside each way at 1.2 m/s,
        // exposed while the robot works.
        let hand = m.produced as f64 * 6.0 * robot.states.working / 3600.0;
        let got = r.line.safety_exposure_h.unwrap();
        assert!(
            hand > 0.0 && (got - hand).abs() < 1e-6 * hand,
            "{got} vs {hand}"
        );
    }
    let fenced = crate::scene(&walking(r#"layout: (fenced: ["r"]),"#));
    assert_eq!(crate::run(&fenced, 1)[0].line.safety_exposure_h, Some(0.0));
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn check_exits_0_when_clean_1_with_violations_2_on_bad_input() {
    for clean in [
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
    ] {
        let out = cli(&["check", clean]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{clean}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let file: PathBuf = std::env::temp_dir().join(format!("ft-check-{}.ron", std::process::id()));
    std::fs::write(&file, walking("")).unwrap();
    let out = cli(&["check", file.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["violations"][0]["kind"], "walking_path");
    assert_eq!(cli(&["check", "no/such/scene.ron"]).status.code(), Some(2));
    std::fs::remove_file(&file).ok();
}

#[test]
fn bad_layout_values_are_bad_input() {
    for (bad, says) in [
        (
            "Machine(id: \"m\", pos: (0, 0), footprint: (-1, 1), cycle: Constant(Seconds(10))),",
            "`footprint` must be two positive sizes",
        ),
        (
            "Machine(id: \"m\", pos: (0, 0), footprint: (1, 0), cycle: Constant(Seconds(10))),",
            "`footprint` must be two positive sizes",
        ),
    ] {
        let text = scene(bad, r#"("in", "m"), ("m", "out")"#, "");
        let d = factory_twin::scene::parse_scene_str(&text).unwrap_err();
        assert!(d.message.contains(says), "{}", d.message);
        assert_eq!(d.object.as_deref(), Some("m"));
    }
    let ok = r#"Machine(id: "m", pos: (0, 0), cycle: Constant(Seconds(10))),"#;
    for (layout, says) in [
        (
            "layout: (walk_speed: 0),",
            "layout.walk_speed must be a positive speed",
        ),
        (
            "layout: (min_aisle: -1),",
            "layout.min_aisle must be a non-negative",
        ),
        (
            "layout: (fenced: [\"m\"]),",
            "layout.fenced names \"m\", which is not a robot",
        ),
    ] {
        let text = scene(ok, r#"("in", "m"), ("m", "out")"#, layout);
        let d = factory_twin::scene::parse_scene_str(&text).unwrap_err();
        assert!(d.message.contains(says), "{}", d.message);
    }
}
