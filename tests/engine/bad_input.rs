//! Bad input: a clear message naming the file, position or object, exit code 2, no panic.

use crate::random_factories::Rng;
use std::path::PathBuf;
use std::process::Command;

fn write(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad_input");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `factory-twin run` on the file; returns stderr after checking exit code 2.
fn run_expecting_error(path: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .arg("run")
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code for {}; stderr:\n{stderr}",
        path.display()
    );
    assert!(
        !stderr.contains("panicked"),
        "panic on bad input:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "no output on stdout for bad input");
    stderr
}

/// Runs `factory-twin run` on the file and checks it succeeds.
fn run_expecting_success(path: &std::path::Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .arg("run")
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A valid small scene with `$OBJECTS`/`$FLOW` replaced.
fn line(objects: &str, flow: &str) -> String {
    format!(
        r#"Scene(
    name: "test",
    run: (horizon: Hours(1)),
    products: [Product(id: "p")],
    objects: [
        Source(id: "src", pos: (0, 0), product: "p", interarrival: Exponential(mean: Seconds(10))),
{objects}
        Sink(id: "out", pos: (9, 0)),
    ],
    flow: [{flow}],
)"#
    )
}

const M1: &str = r#"        Machine(id: "m1", pos: (2, 0), cycle: Exponential(mean: Seconds(5))),"#;

#[test]
fn the_valid_template_runs() {
    let path = write("valid.ron", &line(M1, r#"("src", "m1"), ("m1", "out")"#));
    let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .arg("run")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn missing_file() {
    let err = run_expecting_error(std::path::Path::new("no/such/scene.ron"));
    assert!(
        err.contains("cannot read the scene file: no such file"),
        "{err}"
    );
    assert!(err.contains("no/such/scene.ron"), "{err}");
}

#[test]
fn empty_file() {
    let err = run_expecting_error(&write("empty.ron", "  \n// only a comment\n"));
    assert!(err.contains("the scene file is empty"), "{err}");
}

#[test]
fn wrong_top_level_type() {
    let err = run_expecting_error(&write("top.ron", "Machine(id: \"m\")\n"));
    assert!(
        err.contains("must be `Scene(...)` or `Variant(...)`"),
        "{err}"
    );
    assert!(err.contains("top.ron:1:"), "{err}");
    let err = run_expecting_error(&write("list.ron", "[1, 2, 3]\n"));
    assert!(err.contains("Scene(...)"), "{err}");
}

#[test]
fn syntax_error_shows_line_column_and_caret() {
    let text = line(M1, r#"("src", "m1") ("m1", "out")"#);
    let err = run_expecting_error(&write("syntax.ron", &text));
    assert!(err.contains("syntax error"), "{err}");
    let (l, _) = text
        .lines()
        .enumerate()
        .find(|(_, t)| t.contains("flow:"))
        .unwrap();
    assert!(err.contains(&format!("syntax.ron:{}:", l + 1)), "{err}");
    assert!(err.contains('^'), "{err}");
}

#[test]
fn duplicate_id() {
    let objects = format!("{M1}\n        Buffer(id: \"m1\", pos: (3, 0), capacity: 2),");
    let err = run_expecting_error(&write(
        "dup.ron",
        &line(&objects, r#"("src", "m1"), ("m1", "out")"#),
    ));
    assert!(
        err.contains("object \"m1\": duplicate object id \"m1\""),
        "{err}"
    );
    assert!(err.contains("dup.ron:"), "{err}");
}

#[test]
fn dangling_reference_in_flow() {
    let err = run_expecting_error(&write(
        "dangling.ron",
        &line(M1, r#"("src", "m1"), ("m1", "ouy")"#),
    ));
    assert!(
        err.contains("refers to \"ouy\", which is not an object"),
        "{err}"
    );
    assert!(err.contains("did you mean \"out\"?"), "{err}");
}

#[test]
fn unknown_operator_pool_suggests_the_right_one() {
    let objects = r#"        Machine(id: "m1", pos: (2, 0), cycle: Exponential(mean: Seconds(5)), operator: "welder"),
        Operators(id: "welders", count: 2),"#;
    let err = run_expecting_error(&write(
        "pool.ron",
        &line(objects, r#"("src", "m1"), ("m1", "out")"#),
    ));
    assert!(
        err.contains("object \"m1\": refers to operator pool \"welder\""),
        "{err}"
    );
    assert!(err.contains("did you mean \"welders\"?"), "{err}");
}

#[test]
fn cycle_without_buffer_can_deadlock() {
    let objects = format!(
        "{M1}\n        Machine(id: \"m2\", pos: (4, 0), cycle: Exponential(mean: Seconds(5))),"
    );
    let flow = r#"("src", "m1"), Flow(from: "m1", to: "m2", weight: 0.5), Flow(from: "m1", to: "out", weight: 0.5), ("m2", "m1")"#;
    let err = run_expecting_error(&write("cycle.ron", &line(&objects, flow)));
    assert!(
        err.contains("loop through \"m1\", \"m2\" with no buffer"),
        "{err}"
    );
    assert!(err.contains("put a Buffer into the loop"), "{err}");
}

#[test]
fn saturated_source_straight_into_a_sink_would_never_advance() {
    // Through a buffer alone nothing takes time either.
    let text = line(
        r#"        Buffer(id: "b", pos: (2, 0), capacity: 3),"#,
        r#"("src", "b"), ("b", "out")"#,
    )
    .replace(", interarrival: Exponential(mean: Seconds(10))", "");
    let err = run_expecting_error(&write("saturated_to_sink.ron", &text));
    assert!(err.contains("\"src\""), "{err}");
    assert!(
        err.contains("reach the sink \"out\" without passing a machine"),
        "{err}"
    );
    assert!(err.contains("give the source an `interarrival`"), "{err}");
    // A limit makes it finite: that runs.
    let limited = text.replace(r#"product: "p")"#, r#"product: "p", limit: 5)"#);
    let path = write("saturated_limited.ron", &limited);
    run_expecting_success(&path);
}

#[test]
fn saturated_source_through_an_instant_transfer_robot_would_never_advance() {
    // A robot standing where both ends are, picking and placing in no time,
    // takes no time either (it used to be counted as taking time: a run that
    // never ended).
    let objects = r#"        Robot(id: "r", pos: (4, 0), reach: 1.0,
              task: Transfer(speed: 1.0, pick: Seconds(0), place: Seconds(0))),"#;
    let flow = r#"Flow(from: "src", to: "out", via: "r")"#;
    let text = line(objects, flow)
        .replace(", interarrival: Exponential(mean: Seconds(10))", "")
        .replace("pos: (0, 0), product", "pos: (4, 0), product")
        .replace("pos: (9, 0)", "pos: (4, 0)");
    let err = run_expecting_error(&write("saturated_instant_robot.ron", &text));
    assert!(err.contains("\"src\""), "{err}");
    assert!(err.contains("reach the sink \"out\""), "{err}");
    assert!(err.contains("`pick`, `place` or travel"), "{err}");
    // So does one whose way is a sliver (a picometre: 2e-12 s a part, which
    // the clock of an hour's run cannot resolve well).
    let sliver = text.replace(
        "Sink(id: \"out\", pos: (4, 0))",
        "Sink(id: \"out\", pos: (4, 0.000000000001))",
    );
    let err = run_expecting_error(&write("saturated_sliver_robot.ron", &sliver));
    assert!(err.contains("reach the sink \"out\""), "{err}");
    // Any time on the robot's way (here: half a metre of travel) makes it run.
    let timed = text.replace(
        "Sink(id: \"out\", pos: (4, 0))",
        "Sink(id: \"out\", pos: (4, 0.5))",
    );
    let path = write("saturated_timed_robot.ron", &timed);
    run_expecting_success(&path);
}

#[test]
fn zero_and_negative_durations() {
    let zero = r#"        Machine(id: "m1", pos: (2, 0), cycle: Constant(Seconds(0))),"#;
    let err = run_expecting_error(&write(
        "zero.ron",
        &line(zero, r#"("src", "m1"), ("m1", "out")"#),
    ));
    assert!(
        err.contains("object \"m1\": `cycle`: Constant must be a positive duration, got 0 s"),
        "{err}"
    );
    let negative = r#"        Machine(id: "m1", pos: (2, 0), cycle: Normal(mean: Seconds(30), sd: Seconds(-2))),"#;
    let err = run_expecting_error(&write(
        "negative.ron",
        &line(negative, r#"("src", "m1"), ("m1", "out")"#),
    ));
    assert!(err.contains("`cycle`: sd must not be negative"), "{err}");
    let text = line(M1, r#"("src", "m1"), ("m1", "out")"#).replace("Hours(1)", "Hours(-1)");
    let err = run_expecting_error(&write("horizon.ron", &text));
    assert!(err.contains("run.horizon must be positive"), "{err}");
}

#[test]
fn durations_too_short_for_the_run_would_never_finish() {
    // 1e-16 s after a saturated source: the clock could never pass the
    // first instant (3600 + 1e-16 == 3600), the run would spin for ever.
    let sliver = r#"        Machine(id: "m1", pos: (2, 0), cycle: Constant(Seconds(1e-16))),"#;
    let text = line(sliver, r#"("src", "m1"), ("m1", "out")"#)
        .replace(", interarrival: Exponential(mean: Seconds(10))", "");
    let err = run_expecting_error(&write("sliver.ron", &text));
    assert!(
        err.contains(
            "object \"m1\": `cycle`: a mean of 1e-16 s is too short for this run: at least 3.6e-7 s"
        ),
        "{err}"
    );
    // The same for a transfer robot's pick, and for the sampling interval.
    let robot = r#"        Robot(id: "r", pos: (1, 0), reach: 2.0,
              task: Transfer(speed: 1.0, pick: Seconds(1e-12), place: Seconds(0))),"#;
    let text = line(
        &format!("{M1}\n{robot}"),
        r#"Flow(from: "src", to: "m1", via: "r"), ("m1", "out")"#,
    );
    let err = run_expecting_error(&write("sliver_pick.ron", &text));
    assert!(
        err.contains("object \"r\": `task.pick`: 1e-12 s is too short"),
        "{err}"
    );
    let text = line(M1, r#"("src", "m1"), ("m1", "out")"#).replace(
        "horizon: Hours(1)",
        "horizon: Hours(1), sample_every: Seconds(1e-9)",
    );
    let err = run_expecting_error(&write("sliver_sampling.ron", &text));
    assert!(
        err.contains("run.sample_every: 1e-9 s is too short"),
        "{err}"
    );
}

#[test]
fn probabilities_outside_zero_one() {
    let scrap = r#"        Machine(id: "m1", pos: (2, 0), cycle: Exponential(mean: Seconds(5)), scrap: 1.5),"#;
    let err = run_expecting_error(&write(
        "scrap.ron",
        &line(scrap, r#"("src", "m1"), ("m1", "out")"#),
    ));
    assert!(
        err.contains("`scrap` is a probability and must lie in [0, 1], got 1.5"),
        "{err}"
    );
    let flow = r#"("src", "m1"), Flow(from: "m1", to: "out", weight: -0.2)"#;
    let err = run_expecting_error(&write("weight.ron", &line(M1, flow)));
    assert!(
        err.contains("`weight` is a probability and must lie in [0, 1], got -0.2"),
        "{err}"
    );
}

#[test]
fn zero_capacity() {
    let objects = format!("{M1}\n        Buffer(id: \"b\", pos: (3, 0), capacity: 0),");
    let err = run_expecting_error(&write(
        "cap.ron",
        &line(&objects, r#"("src", "m1"), ("m1", "b"), ("b", "out")"#),
    ));
    assert!(err.contains("object \"b\": `capacity` is 0"), "{err}");
}

#[test]
fn unknown_field_suggests_the_known_one() {
    let objects =
        r#"        Machine(id: "m1", pos: (2, 0), cycel: Exponential(mean: Seconds(5))),"#;
    let err = run_expecting_error(&write(
        "field.ron",
        &line(objects, r#"("src", "m1"), ("m1", "out")"#),
    ));
    assert!(err.contains("unknown field `cycel`"), "{err}");
    assert!(err.contains("did you mean `cycle`?"), "{err}");
    assert!(err.contains("field.ron:7:"), "{err}");
}

#[test]
fn unreachable_sink_and_stuck_parts() {
    let objects = format!("{M1}\n        Sink(id: \"lost\", pos: (5, 5)),");
    let err = run_expecting_error(&write(
        "sink.ron",
        &line(&objects, r#"("src", "m1"), ("m1", "out")"#),
    ));
    assert!(
        err.contains("object \"lost\": this sink is unreachable"),
        "{err}"
    );
    let err = run_expecting_error(&write("stuck.ron", &line(M1, r#"("src", "m1")"#)));
    assert!(
        err.contains("object \"m1\": parts arrive here but have nowhere to go"),
        "{err}"
    );
}

#[test]
fn robot_out_of_reach() {
    let objects = r#"        Machine(id: "m1", pos: (2, 0), cycle: Exponential(mean: Seconds(5))),
        Robot(id: "r", pos: (2, 1), reach: 1.5, task: Transfer(speed: 1.0, pick: Seconds(1), place: Seconds(1))),"#;
    let flow = r#"("src", "m1"), Flow(from: "m1", to: "out", via: "r")"#;
    let err = run_expecting_error(&write("reach.ron", &line(objects, flow)));
    assert!(
        err.contains(
            "object \"r\": cannot reach \"out\": it is 7.07 m away and the reach is 1.5 m"
        ),
        "{err}"
    );
}

#[test]
fn variant_with_missing_base_and_bad_set() {
    let err = run_expecting_error(&write(
        "v1.ron",
        r#"Variant(base: "nope.ron", name: "x", changes: [])"#,
    ));
    assert!(
        err.contains("the base scene \"nope.ron\" of this variant cannot be read"),
        "{err}"
    );
    write("base.ron", &line(M1, r#"("src", "m1"), ("m1", "out")"#));
    let err = run_expecting_error(&write(
        "v2.ron",
        r#"Variant(base: "base.ron", name: "x", changes: [Set("m1.capacty", 2)])"#,
    ));
    assert!(
        err.contains("a Machine has no settable parameter `capacty`"),
        "{err}"
    );
    assert!(err.contains("did you mean `capacity`?"), "{err}");
    let err = run_expecting_error(&write(
        "v3.ron",
        r#"Variant(base: "base.ron", name: "x", changes: [Set("m2.capacity", 2)])"#,
    ));
    assert!(err.contains("there is no object \"m2\""), "{err}");
}

#[test]
fn bad_command_line_values() {
    let path = write("ok.ron", &line(M1, r#"("src", "m1"), ("m1", "out")"#));
    let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(["run", "--reps", "0"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--reps must be at least 1"));
    let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(["run", "--reps", "many"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A line of no stations is no benchmark (it would be a source into a sink).
    for extra in [&[][..], &["--scale"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
            .env("LC_ALL", "C")
            .args(["bench", "--no-simpy", "--stations", "0"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("at least 1"));
    }
}

#[test]
fn screenshot_options_without_a_screenshot_are_refused() {
    // `--at` and `--top` only shape a screenshot: alone they would be ignored.
    for extra in [&["--at", "10h"][..], &["--top"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
            .env("LC_ALL", "C")
            .args(["view", "scenes/bracket_line.ron"])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains("--screenshot"), "{extra:?}: {stderr}");
    }
}

/// One random edit of scene text: a number made extreme, a line dropped or
/// doubled, a name swapped for another or for junk, a stray token.
fn mangle(text: &str, g: &mut Rng) -> String {
    let spans = |pred: fn(u8) -> bool, start: fn(u8) -> bool| {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if start(b[i]) && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
                let j = (i + 1..b.len()).find(|&j| !pred(b[j])).unwrap_or(b.len());
                out.push((i, j));
                i = j;
            } else {
                i += 1;
            }
        }
        out
    };
    let replace =
        |(a, b): (usize, usize), with: &str| format!("{}{with}{}", &text[..a], &text[b..]);
    match g.below(6) {
        0 | 1 => {
            let numbers = spans(|c| c.is_ascii_digit() || c == b'.', |c| c.is_ascii_digit());
            let extreme = [
                "0",
                "-1",
                "-0.5",
                "1e308",
                "1e-300",
                "NaN",
                "inf",
                "99999999999",
                "0.0000001",
                "4294967296",
                "18446744073709551616",
            ];
            if numbers.is_empty() {
                return text.to_string();
            }
            replace(g.pick(&numbers), g.pick(&extreme))
        }
        2 | 3 => {
            let mut lines: Vec<&str> = text.lines().collect();
            let i = g.below(lines.len());
            if g.below(2) == 0 {
                lines.remove(i);
            } else {
                lines.insert(i, lines[i]);
            }
            lines.join("\n")
        }
        4 => {
            // Quoted names: the quote itself starts the span and the next one ends it.
            let names: Vec<(usize, usize)> = spans(|c| c != b'"' && c != b'\n', |c| c == b'"')
                .into_iter()
                .map(|(a, b)| (a, (b + 1).min(text.len())))
                .collect();
            if names.len() < 2 {
                return text.to_string();
            }
            let junk = ["\"\"", "\"a b\"", "\"ä€\""];
            let with = if g.below(3) == 0 {
                g.pick(&junk).to_string()
            } else {
                let (a, b) = g.pick(&names);
                text[a..b].to_string()
            };
            replace(g.pick(&names), &with)
        }
        _ => {
            let mut at = g.below(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let stray = ["(", ")", "[", "]", ",", ":", "Some(", "None", "\"", "//"];
            replace((at, at), g.pick(&stray))
        }
    }
}

#[test]
fn mangled_bundled_scenes_are_refused_with_a_place_or_run_without_panics() {
    // Hundreds of random edits of the bundled scenes (variants included,
    // next to their base). Each edited file either loads, builds and runs,
    // or is refused with a message that names the file: never a panic.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenes");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mangled");
    std::fs::create_dir_all(dir.join("training")).unwrap();
    let mut originals = Vec::new();
    for sub in ["", "training"] {
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ron") {
                let text = std::fs::read_to_string(&path).unwrap();
                let copy = dir.join(sub).join(path.file_name().unwrap());
                std::fs::write(&copy, &text).unwrap();
                originals.push((copy, text));
            }
        }
    }
    originals.sort();
    let mut g = Rng(2026);
    let (mut refused, mut ran) = (0, 0);
    for case in 0..600 {
        let (path, text) = &originals[g.below(originals.len())];
        let mut mangled = text.clone();
        for _ in 0..1 + g.below(2) {
            mangled = mangle(&mangled, &mut g);
        }
        let file = path.with_file_name(format!("mangled_{case}.ron"));
        std::fs::write(&file, &mangled).unwrap();
        // The refusal, if the file is refused.
        let outcome = std::panic::catch_unwind(|| {
            let scene = match factory_twin::scene::load_scene(&file) {
                Ok(scene) => scene,
                Err(d) => return Some(d),
            };
            if let Ok(mut engine) = factory_twin::sim::build(&scene, 0) {
                engine.advance_bounded(f64::INFINITY, 20_000);
            }
            None
        });
        match outcome {
            Ok(None) => ran += 1,
            Ok(Some(d)) => {
                refused += 1;
                assert_eq!(d.file.as_deref(), Some(file.as_path()), "case {case}: {d}");
                assert!(!d.message.is_empty(), "case {case}");
            }
            Err(_) => panic!("case {case} panicked; the file:\n{mangled}"),
        }
        std::fs::remove_file(&file).unwrap();
    }
    // Both outcomes are exercised, not just one.
    assert!(refused > 100 && ran > 100, "refused {refused}, ran {ran}");
}

#[test]
fn a_bad_line_in_an_order_file_is_named_with_the_file_and_line() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad_input");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("orders_bad.csv"),
        "id,release,product,quantity,due\nA,Mon 08:00,p,2,Mon 12:00\nB,Mon 09:00,p,two,Mon 12:00\n",
    )
    .unwrap();
    let scene = |file: &str| {
        format!(
            r#"Scene(name: "book", run: (horizon: Hours(24)), products: [Product(id: "p")],
            objects: [Source(id: "book", pos: (0, 0), orders_file: "{file}"),
                      Machine(id: "m", pos: (2, 0), cycle: Constant(Minutes(10))),
                      Sink(id: "out", pos: (4, 0))],
            flow: [("book", "m"), ("m", "out")])"#
        )
    };
    let e = run_expecting_error(&write("orders_bad.ron", &scene("orders_bad.csv")));
    assert!(
        e.contains("orders_bad.csv") && e.contains("line 3") && e.contains("\"two\""),
        "{e}"
    );
    let e = run_expecting_error(&write("orders_missing.ron", &scene("nowhere.csv")));
    assert!(e.contains("\"book\"") && e.contains("nowhere.csv"), "{e}");
    std::fs::write(
        dir.join("orders_good.csv"),
        "id,release,product,quantity,due\nA,Mon 08:00,p,2,Mon 12:00\n",
    )
    .unwrap();
    run_expecting_success(&write("orders_good.ron", &scene("orders_good.csv")));
}
