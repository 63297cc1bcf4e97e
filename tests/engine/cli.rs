//! The `run` command on the bundled scenes: JSON that parses, CSV and event
//! logs that are written, and byte-identical output for the same seed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn factory_twin(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "factory-twin {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn bundled_scenes() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut scenes = Vec::new();
    for dir in ["scenes", "scenes/training"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ron") {
                scenes.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .to_string(),
                );
            }
        }
    }
    scenes.sort();
    scenes
}

#[test]
fn every_bundled_scene_runs_and_its_json_parses() {
    let scenes = bundled_scenes();
    assert!(scenes.len() >= 7, "bundled scenes: {scenes:?}");
    for scene in scenes {
        let out = factory_twin(&["run", &scene, "--json", "--reps", "2"]);
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{scene}: {e}"));
        let gph = v["line"]["good_per_hour"]["mean"]
            .as_f64()
            .unwrap_or_else(|| panic!("{scene}: no good_per_hour"));
        assert!(gph > 0.0, "{scene}: no output at all");
        assert_eq!(v["replications"], 2);
        assert!(
            v["stations"].as_array().is_some_and(|s| !s.is_empty()),
            "{scene}"
        );
        for st in v["stations"].as_array().unwrap() {
            let sum: f64 = st["states"]
                .as_object()
                .unwrap()
                .values()
                .map(|e| e["mean"].as_f64().unwrap())
                .sum();
            assert!(
                (sum - 1.0).abs() < 1e-9,
                "{scene}: {} state shares sum to {sum}",
                st["id"]
            );
        }
    }
}

#[test]
fn the_terminal_report_leads_with_the_headline() {
    let out = factory_twin(&["run", "scenes/bracket_line.ron", "--reps", "3"]);
    let text = String::from_utf8(out.stdout).unwrap();
    // (The first lines, some wrapped at 100 columns.)
    let first: Vec<&str> = text.lines().take(14).collect();
    assert!(
        first.iter().any(|l| l.contains("Good parts per hour")),
        "{text}"
    );
    assert!(first.iter().any(|l| l.contains("Line OEE")), "{text}");
    // Blanks wait at the entry while cut is busy or down: cut, not the
    // busier weld station, limits output (the relief experiment agrees).
    assert!(
        first
            .iter()
            .any(|l| l.trim_start().starts_with("Bottleneck") && l.contains(" cut (station, busy")),
        "{text}"
    );
    assert!(text.contains("MTBF h"), "{text}");
    // MTBF is pooled, with its interval and the failures behind it.
    let words = super::flat(&text);
    assert!(
        words.contains("cut: MTBF ") && words.contains("failures in"),
        "{text}"
    );
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let run = |threads: &str| {
        factory_twin(&[
            "run",
            "scenes/bracket_line.ron",
            "--json",
            "--reps",
            "6",
            "--threads",
            threads,
        ])
    };
    let (a, b, c) = (run("1"), run("2"), run("2"));
    assert_eq!(a.stdout, b.stdout, "thread count changed the output");
    assert_eq!(b.stdout, c.stdout, "two runs differ");
    let d = factory_twin(&[
        "run",
        "scenes/bracket_line.ron",
        "--json",
        "--reps",
        "6",
        "--seed",
        "8",
    ]);
    assert_ne!(a.stdout, d.stdout, "another seed gave the same output");
}

#[test]
fn csv_tables_and_event_log_are_written() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("csv_out");
    let _ = std::fs::remove_dir_all(&dir);
    let events = dir.join("events.csv");
    factory_twin(&[
        "run",
        "scenes/bracket_line.ron",
        "--reps",
        "2",
        "--csv",
        dir.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
    ]);
    for name in [
        "line.csv",
        "stations.csv",
        "stores.csv",
        "operators.csv",
        "series.csv",
        "replications.csv",
    ] {
        let text =
            std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let width = header.split(',').count();
        let rows: Vec<&str> = lines.collect();
        assert!(!rows.is_empty(), "{name} has no rows");
        for row in rows {
            assert_eq!(
                row.split(',').count(),
                width,
                "{name}: row {row:?} against header {header:?}"
            );
        }
    }
    let stations = std::fs::read_to_string(dir.join("stations.csv")).unwrap();
    assert!(
        stations.lines().any(|l| l.starts_with("weld,machine,2,")),
        "{stations}"
    );
    let log = std::fs::read_to_string(&events).unwrap();
    assert!(log.starts_with("replication,time_s,object,part,product,event\n"));
    for event in [
        "arrive", "enter", "start", "finish", "scrap", "fail", "repair", "exit",
    ] {
        assert!(
            log.contains(&format!(",{event}\n")),
            "no {event} event in the log"
        );
    }
    // Times never go backwards within a replication.
    let mut last = (0u32, 0.0f64);
    for line in log.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (rep, t): (u32, f64) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        if rep == last.0 {
            assert!(t >= last.1, "time went back: {line}");
        }
        last = (rep, t);
    }
}

#[test]
fn a_variant_loads_into_a_full_scene() {
    let out = factory_twin(&[
        "run",
        "scenes/bracket_line_robot_weld.ron",
        "--json",
        "--reps",
        "2",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["scene"], "Bracket line (robot welding cell)");
    let weld = v["stations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "weld")
        .unwrap();
    assert_eq!(weld["kind"], "robot_cell");
}

#[test]
fn compare_pairs_replications_with_common_random_numbers() {
    let out = factory_twin(&[
        "compare",
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
        "--reps",
        "6",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["base"], "Bracket line (manual welding)");
    assert_eq!(v["replications"], 6);
    let kpis = v["variants"][0]["kpis"].as_array().unwrap();
    let families: std::collections::BTreeSet<&str> =
        kpis.iter().map(|k| k["family"].as_str().unwrap()).collect();
    assert_eq!(
        families.into_iter().collect::<Vec<_>>(),
        ["cost", "delivery", "productivity", "quality", "safety"]
    );
    // Nobody walks through the robot's envelope (the welders' post serves no
    // machine any more): zero exposure on both sides.
    let safety = kpis.iter().find(|k| k["family"] == "safety").unwrap();
    assert_eq!(safety["base"]["mean"], 0.0);
    assert_eq!(safety["variant"]["mean"], 0.0);
    let gph = kpis
        .iter()
        .find(|k| k["kpi"] == "good parts per hour")
        .unwrap();
    // The difference is the mean of the paired differences: base and variant means differ by it.
    let (b, va, d) = (
        gph["base"]["mean"].as_f64().unwrap(),
        gph["variant"]["mean"].as_f64().unwrap(),
        gph["difference"]["mean"].as_f64().unwrap(),
    );
    assert!((va - b - d).abs() < 1e-9);
    // Common random numbers make the paired interval narrower than either scenario's own.
    assert!(
        gph["difference"]["half_width"].as_f64().unwrap()
            < gph["base"]["half_width"].as_f64().unwrap()
    );
    let scrap = kpis.iter().find(|k| k["kpi"] == "scrap rate").unwrap();
    assert_eq!(
        scrap["verdict"], "better",
        "the robot scraps 1 % instead of 4 %"
    );
    let text = String::from_utf8(
        factory_twin(&[
            "compare",
            "scenes/bracket_line.ron",
            "scenes/bracket_line_robot_weld.ron",
            "--reps",
            "3",
        ])
        .stdout,
    )
    .unwrap();
    assert!(text.contains("time in robot envelopes"), "{text}");
    assert!(!text.contains("Not modelled yet"), "{text}");
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::fmt::Write as _;
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // A long line of machines: its JSON is far larger than a pipe's buffer.
    let mut objects = String::from("Source(id: \"in\", pos: (0, 0), product: \"p\"),");
    let mut flow = String::new();
    let mut prev = "in".to_string();
    for i in 0..300 {
        let _ = write!(
            objects,
            "Machine(id: \"m{i}\", pos: ({i}, 0), cycle: Constant(Seconds(10))),"
        );
        let _ = write!(flow, "(\"{prev}\", \"m{i}\"),");
        prev = format!("m{i}");
    }
    let text = format!(
        "Scene(name: \"long\", run: (horizon: Hours(1), replications: 1), products: [Product(id: \"p\")], objects: [{objects} Sink(id: \"out\", pos: (301, 0))], flow: [{flow} (\"{prev}\", \"out\")])"
    );
    let file = std::env::temp_dir().join(format!("ft-pipe-{}.ron", std::process::id()));
    std::fs::write(&file, text).unwrap();
    // Like `factory-twin run … --json | head -1`: the pipe closes after one line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(["run", "--json"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(first.trim(), "{");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    std::fs::remove_file(&file).ok();
}

#[test]
fn a_sweep_says_which_settings_cannot_take_effect() {
    let out = factory_twin(&[
        "sweep",
        "scenes/bracket_line.ron",
        "--set",
        "welders.count=2..3",
        "--reps",
        "2",
    ]);
    let text = super::flat(&String::from_utf8(out.stdout).unwrap());
    assert!(
        text.contains("Warning, welders.count=3: operator pool \"welders\" has 3 operators, but the stations that need them have 2 places"),
        "{text}"
    );
    assert!(!text.contains("Warning, welders.count=2:"), "{text}");
}

#[test]
fn a_screenshot_after_the_end_of_the_run_is_bad_input() {
    let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args([
            "view",
            "scenes/bracket_line.ron",
            "--screenshot",
            "/tmp/never.png",
            "--at",
            "300h",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("after the end of the run at 192.0 h"), "{err}");
}

#[test]
fn an_event_log_too_large_to_write_is_refused_before_the_run() {
    let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args([
            "run",
            "scenes/training/02_two_machines_buffer.ron",
            "--reps",
            "5000",
            "--events",
            "/tmp/never-written.csv",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the event log would be about") && err.contains("GB"),
        "{err}"
    );
    assert!(!std::path::Path::new("/tmp/never-written.csv").exists());
}

#[test]
fn every_exit_code_means_one_thing() {
    let code = |args: &[&str], stdout: Stdio| {
        Command::new(env!("CARGO_BIN_EXE_factory-twin"))
            .env("LC_ALL", "C")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(stdout)
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    };
    let scene = "scenes/training/01_single_machine.ron";
    // 0: done.
    assert_eq!(
        code(&["run", scene, "--reps", "2"], Stdio::piped())
            .status
            .code(),
        Some(0)
    );
    // 1: only `check`'s "layout violations found" (training 5's walk crosses a robot envelope).
    let check = code(
        &["check", "scenes/training/05_operators_and_shifts.ron"],
        Stdio::piped(),
    );
    assert_eq!(check.status.code(), Some(1));
    // 2: bad input, with the file named.
    let bad = code(&["run", "no/such/scene.ron"], Stdio::piped());
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no/such/scene.ron"));
    // 3: the environment failed the program: standard output cannot be written.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = code(&["run", scene, "--reps", "2", "--json"], Stdio::from(full));
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"));
    // 130 (Ctrl-C): scenarios::ctrl_c_stops_cleanly_and_writes_what_finished.
}

#[test]
fn a_robot_that_loses_money_is_not_headlined_by_its_cheaper_parts() {
    // A slow robot cell (64 s a weld instead of 36 s): ten per cent fewer
    // parts, but no welders to pay, so each part costs less. The margin
    // on the parts no longer made outweighs it: the business case leads,
    // and the cheaper part says what it leaves out.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let robot = std::fs::read_to_string(root.join("scenes/bracket_line_robot_weld.ron")).unwrap();
    let base = root.join("scenes/bracket_line.ron");
    let slow = robot
        .replace("Seconds(36), sd: Seconds(1)", "Seconds(64), sd: Seconds(2)")
        .replace(
            "base: \"bracket_line.ron\"",
            &format!("base: {:?}", base.to_string_lossy()),
        );
    assert_ne!(slow, robot);
    let file = std::env::temp_dir().join(format!("ft-slow-robot-{}.ron", std::process::id()));
    std::fs::write(&file, slow).unwrap();
    let out = factory_twin(&[
        "compare",
        "scenes/bracket_line.ron",
        &file.to_string_lossy(),
        "--reps",
        "4",
    ]);
    let roi = factory_twin(&[
        "roi",
        "scenes/bracket_line.ron",
        &file.to_string_lossy(),
        "--reps",
        "4",
    ]);
    let _ = std::fs::remove_file(&file);
    // roi says it plainly first, with and without the subsidy.
    let roi = super::flat(&String::from_utf8_lossy(&roi.stdout));
    assert!(
        roi.contains("It does not pay back in most replications: within the 8-year life in only 0 of 4 with the subsidy (0 of 4 without it)."),
        "{roi}"
    );
    assert!(roi.contains("does not pay back"), "{roi}");
    let text = String::from_utf8_lossy(&out.stdout);
    // Each bullet with its wrapped continuation lines, as one line.
    let mut bullets: Vec<String> = Vec::new();
    for l in text.lines() {
        if l.starts_with("  - ") {
            bullets.push(l.to_string());
        } else if l.starts_with("    ")
            && let Some(b) = bullets.last_mut()
        {
            b.push(' ');
            b.push_str(l.trim_start());
        }
    }
    assert!(
        bullets[0].starts_with("  - business case: it does not pay back"),
        "{bullets:#?}"
    );
    assert!(
        bullets[1].starts_with("  - good parts per hour worse"),
        "{bullets:#?}"
    );
    let cost = bullets
        .iter()
        .find(|b| b.starts_with("  - cost per good part with capital lower per part made"))
        .unwrap_or_else(|| panic!("{bullets:#?}"));
    assert!(
        cost.contains("fewer good parts per hour is not in it"),
        "{cost}"
    );
}

#[test]
fn run_with_relief_adds_the_bottleneck_experiment() {
    let report = std::env::temp_dir().join(format!("ft-relief-{}.html", std::process::id()));
    let out = factory_twin(&[
        "run",
        "scenes/training/05_operators_and_shifts.ron",
        "--reps",
        "3",
        "--relief",
        "--report",
        &report.to_string_lossy(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("What limits output in"), "{text}");
    assert!(text.contains("Relieving crew (3 operators instead of 2) raises output most"));
    let html = std::fs::read_to_string(&report).unwrap();
    let _ = std::fs::remove_file(&report);
    assert!(html.contains("What relieving each resource gains"));
    assert!(html.contains("<b>By experiment:</b> Relieving crew"));
}

#[test]
fn bench_runs_each_peer_program_and_skips_those_not_set_up() {
    // A peer is any program that takes `N T --warmup W --seed S --json` and
    // prints the figures: here a stand-in at exactly 1 M ops/s, as NeXosim.
    let dir = std::env::temp_dir().join(format!("ft-bench-peer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let peer = dir.join("peer.sh");
    std::fs::write(
        &peer,
        "#!/bin/sh\necho '{\"engine\": \"stand-in 1.0\", \"throughput\": 0.74, \"station_ops_total\": 1000000, \"wall_s\": 1.0, \"station_ops_per_s\": 1000000.0}'\n",
    )
    .unwrap();
    let mut perm = std::fs::metadata(&peer).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&peer, perm).unwrap();
    let out = factory_twin(&[
        "bench",
        "--quick",
        "--repeats",
        "1",
        "--stations",
        "5",
        "--json",
        "--peers",
        "simpy,cimba,nexosim",
        "--python",
        "/nonexistent/python",
        "--nexosim",
        peer.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["cpu"].as_str().is_some_and(|c| !c.is_empty()));
    let case = &v["cases"][0];
    // The bare loop keeping the engine's KPIs runs the same line: the same operations.
    assert_eq!(case["bare_loop_with_kpis"]["ops"], case["bare_loop"]["ops"]);
    let share = case["share_of_bare_loop_with_kpis"].as_f64().unwrap();
    assert!(share.is_finite() && share > 0.0, "{case}");
    let peers = case["peers"].as_array().unwrap();
    assert_eq!(peers.len(), 3);
    for p in &peers[..2] {
        // The Python peers cannot start: a note, no figures, no failure.
        assert!(p["figures"].is_null(), "{p}");
        assert!(
            p["note"].as_str().unwrap().contains("/nonexistent/python"),
            "{p}"
        );
    }
    let n = &peers[2];
    assert_eq!(n["peer"], "nexosim");
    assert_eq!(n["figures"]["engine"], "stand-in 1.0");
    let ratio = n["factory_twin_over_peer"].as_f64().unwrap();
    let ours = case["ops_per_sec"].as_f64().unwrap();
    assert!(
        (ratio - ours / 1e6).abs() < 1e-9 * ratio,
        "{ratio} vs {ours}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
