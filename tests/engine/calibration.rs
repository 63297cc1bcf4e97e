//! `factory-twin fit`: a log written by `run --events` from a bundled scene
//! is fitted back to the families and parameters the scene gave, and a log
//! with nothing usable is refused with exit 2.

use super::scenarios::{cli as factory_twin, succeeds};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A week of the bracket line written by `run --events` into `dir`.
pub(super) fn week_log(dir: &Path) -> PathBuf {
    let log = dir.join("events.csv");
    succeeds(&[
        "run",
        "scenes/bracket_line.ron",
        "--reps",
        "1",
        "--events",
        log.to_str().unwrap(),
    ]);
    log
}

#[test]
fn a_log_of_the_bracket_line_is_fitted_back_to_its_cycle_distributions() {
    let dir = std::env::temp_dir().join(format!("ft-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = week_log(&dir);
    let out = succeeds(&[
        "fit",
        log.to_str().unwrap(),
        "--scene",
        "scenes/bracket_line.ron",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["bad_rows"].as_array().unwrap().len(), 0);
    // The scene: cut Normal(32, 3), bend Triangular(25, 30, 40),
    // weld Triangular(70, 90, 140), inspect Uniform(20, 30).
    let expected = [
        ("cut", "normal", 32.0),
        ("bend", "triangular", 95.0 / 3.0),
        ("weld", "triangular", 100.0),
        ("inspect", "uniform", 25.0),
    ];
    for (id, family, mean) in expected {
        let f = json["fittings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource"] == id && f["measure"] == "cycle")
            .unwrap_or_else(|| panic!("no cycle fit for {id}"));
        let best = &f["fits"][0];
        assert_eq!(best["fitted"]["family"], family, "{id}: {best}");
        let m = f["mean_s"].as_f64().unwrap();
        assert!(
            (m - mean).abs() < 0.02 * mean,
            "{id}: mean {m} against {mean}"
        );
        assert!(best["ks_p"].as_f64().unwrap() > 0.01, "{id}: {best}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The times between failures are fitted as the scene's `failures.between`
/// counts them: the time the machine worked on parts (the engine's failure
/// clock), not its shift time; and with the runs' last times censored,
/// only fits that take censoring in compete. 30 weeks of the bracket line:
/// cut's Exponential(6 h) comes back within three standard errors (shift
/// time read 7.3 h; a gamma fitted to the complete times alone, 4.4 h).
#[test]
fn times_between_failures_are_fitted_in_the_time_the_machine_worked() {
    let dir = std::env::temp_dir().join(format!("ft-fit-tbf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("events.csv");
    succeeds(&[
        "run",
        "scenes/bracket_line.ron",
        "--reps",
        "30",
        "--events",
        log.to_str().unwrap(),
    ]);
    let out = succeeds(&[
        "fit",
        log.to_str().unwrap(),
        "--scene",
        "scenes/bracket_line.ron",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tbf = json["fittings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == "cut" && f["measure"] == "between_failures")
        .expect("cut's times between failures fitted");
    assert!(tbf["censored"].as_u64().unwrap() > 0, "{tbf}");
    let fits = tbf["fits"].as_array().unwrap();
    assert!(
        fits.iter()
            .all(|f| ["exponential", "weibull"].contains(&f["fitted"]["family"].as_str().unwrap())),
        "{fits:?}"
    );
    let exp = fits
        .iter()
        .find(|f| f["fitted"]["family"] == "exponential")
        .unwrap();
    let mean = exp["fitted"]["mean"].as_f64().unwrap();
    let n = tbf["n"].as_f64().unwrap();
    let se = 6.0 * 3600.0 / n.sqrt();
    assert!(
        (mean - 6.0 * 3600.0).abs() < 3.0 * se,
        "MTBF {:.2} h from {n} failures (model 6 h, SE {:.2} h)",
        mean / 3600.0,
        se / 3600.0
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_log_with_nothing_usable_is_refused_with_its_lines() {
    let dir = std::env::temp_dir().join(format!("ft-fit-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("bad.csv");
    std::fs::write(
        &log,
        "time_s,object,event\nsoon,press,start\n,press,finish\n",
    )
    .unwrap();
    let out = factory_twin(&["fit", log.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.csv") && err.contains("line 2"), "{err}");
    std::fs::write(&log, "").unwrap();
    assert_eq!(
        factory_twin(&["fit", log.to_str().unwrap()]).status.code(),
        Some(2)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_calibrated_variant_reproduces_the_lines_figures() {
    let dir = std::env::temp_dir().join(format!("ft-fit-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (log, variant) = (week_log(&dir), dir.join("calibrated.ron"));
    succeeds(&[
        "fit",
        log.to_str().unwrap(),
        "--scene",
        "scenes/bracket_line.ron",
        "--out",
        variant.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&variant).unwrap();
    // Every station's cycle replaced, with its evidence beside it.
    for id in ["cut", "bend", "weld", "inspect"] {
        assert!(
            text.contains(&format!("Replace(\"{id}\", Machine(")),
            "{text}"
        );
        assert!(text.contains(&format!("// {id} cycle: ")), "{text}");
    }
    // The calibrated model runs and makes what the scene makes: each KPI's
    // interval overlaps the scene's.
    let out = succeeds(&[
        "compare",
        "scenes/bracket_line.ron",
        variant.to_str().unwrap(),
        "--reps",
        "10",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kpis = json["variants"][0]["kpis"].as_array().unwrap();
    for key in ["good_per_hour", "line_oee", "lead_time"] {
        let k = kpis.iter().find(|k| k["key"] == key).unwrap();
        let (b, v) = (&k["base"], &k["variant"]);
        let gap = (b["mean"].as_f64().unwrap() - v["mean"].as_f64().unwrap()).abs();
        let room = b["half_width"].as_f64().unwrap() + v["half_width"].as_f64().unwrap();
        assert!(gap <= room, "{key}: base {b} against calibrated {v}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The Python with numpy and scipy (and asyncua and paho-mqtt, for the
/// interoperability tests): `FACTORY_TWIN_PYTHON`, else the venv `.ci/run`
/// makes, else `python3`.
pub(super) fn python() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("FACTORY_TWIN_PYTHON") {
        return p.into();
    }
    let venv = std::path::Path::new(&std::env::var("HOME").unwrap_or_default())
        .join(".cache/factory-twin/venv-stats/bin/python");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}

#[test]
fn logs_drawn_by_numpy_fit_as_scipy_fits_them() {
    let dir = std::env::temp_dir().join(format!("ft-fit-scipy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let py = python();
    let drawn = Command::new(&py)
        .arg("tests/calibration/draw_logs.py")
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("{} cannot run ({e}): .ci/run makes a venv with numpy and scipy, or set FACTORY_TWIN_PYTHON", py.display()));
    assert!(
        drawn.status.success(),
        "{}: {} (numpy and scipy are needed: .ci/run makes a venv with them, or set FACTORY_TWIN_PYTHON)",
        py.display(),
        String::from_utf8_lossy(&drawn.stderr)
    );
    let out = succeeds(&["fit", dir.join("log.csv").to_str().unwrap(), "--json"]);
    let ours: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    for e in expected.as_array().unwrap() {
        let f = ours["fittings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource"] == e["resource"] && f["measure"] == e["measure"])
            .unwrap_or_else(|| panic!("no fit for {e}"));
        let best = &f["fits"][0]["fitted"];
        assert_eq!(best["family"], e["family"], "{}: {f}", e["resource"]);
        // Drawn from one distribution throughout: no drift, no outlier.
        assert_eq!(f["outliers"], 0, "{f}");
        assert!(f["drift"]["p"].as_f64().unwrap() >= 0.01, "{f}");
        if let Some(c) = e.get("censored") {
            assert_eq!(&f["censored"], c, "the last time up is censored");
        }
        for (name, scipy) in e["scipy"].as_object().unwrap() {
            let (a, b) = (best[name].as_f64().unwrap(), scipy.as_f64().unwrap());
            // The same estimator as scipy's, to its optimiser's precision.
            assert!(
                (a - b).abs() <= 1e-3 * b.abs(),
                "{} {name}: ours {a}, scipy {b}",
                e["resource"]
            );
            // And a plausible estimate under the truth: inside the 95 %
            // range of the estimates from fresh draws.
            let range = &e["interval"][name];
            let (lo, hi) = (range[0].as_f64().unwrap(), range[1].as_f64().unwrap());
            assert!(
                (lo..=hi).contains(&a),
                "{} {name}: {a} outside [{lo}, {hi}]",
                e["resource"]
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `validate-model`'s JSON for `scene` against `log`, and its exit code.
fn validate(scene: &str, log: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec![
        "validate-model",
        scene,
        log.to_str().unwrap(),
        "--reps",
        "20",
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = factory_twin(&args);
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

#[test]
fn the_calibrated_model_matches_its_log_and_a_different_line_does_not() {
    let dir = std::env::temp_dir().join(format!("ft-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (log, variant, report) = (
        week_log(&dir),
        dir.join("calibrated.ron"),
        dir.join("fit.html"),
    );
    succeeds(&[
        "fit",
        log.to_str().unwrap(),
        "--scene",
        "scenes/bracket_line.ron",
        "--out",
        variant.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    // The fit report: per fitted resource its histogram, Q–Q plot and table.
    let html = std::fs::read_to_string(&report).unwrap();
    for want in [
        "weld — cycle",
        "Q–Q: triangular",
        "<th>AD p</th>",
        "Chosen: ",
    ] {
        assert!(html.contains(want), "the fit report lacks {want}");
    }
    let match_report = dir.join("match.html");
    let (code, json) = validate(
        variant.to_str().unwrap(),
        &log,
        &["--report", match_report.to_str().unwrap()],
    );
    let checks = json["validation"]["checks"].as_array().unwrap();
    let figures: Vec<&str> = checks
        .iter()
        .map(|c| c["figure"].as_str().unwrap())
        .collect();
    for f in [
        "good_per_hour",
        "wip",
        "lead_time_p50",
        "lead_time_p90",
        "working",
        "off_shift",
    ] {
        assert!(figures.contains(&f), "no {f} compared: {figures:?}");
    }
    assert_eq!(
        checks.iter().filter(|c| c["figure"] == "working").count(),
        4,
        "cut, bend, weld, inspect"
    );
    assert_eq!(code, Some(0), "{}", json["verdict"]);
    assert_eq!(json["matches"], true);
    let html = std::fs::read_to_string(&match_report).unwrap();
    assert!(html.contains("The model matches the log"), "{html}");
    // The scene against a log of the line with the robot welding cell: the
    // weld station and the line's output differ.
    let robot_log = dir.join("robot.csv");
    succeeds(&[
        "run",
        "scenes/bracket_line_robot_weld.ron",
        "--reps",
        "1",
        "--events",
        robot_log.to_str().unwrap(),
    ]);
    let (code, json) = validate("scenes/bracket_line.ron", &robot_log, &[]);
    assert_eq!(code, Some(1), "{}", json["verdict"]);
    let off: Vec<&str> = json["stations_off"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(off.contains(&"weld"), "{off:?}: {}", json["verdict"]);
    assert!(
        json["verdict"].as_str().unwrap().contains("does not match"),
        "{}",
        json["verdict"]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn without_a_scene_the_log_gives_a_skeleton_that_runs() {
    let dir = std::env::temp_dir().join(format!("ft-skeleton-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (log, skeleton) = (week_log(&dir), dir.join("skeleton.ron"));
    succeeds(&[
        "fit",
        log.to_str().unwrap(),
        "--out",
        skeleton.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&skeleton).unwrap();
    for want in [
        "Machine(id: \"cut\"",
        "Machine(id: \"weld\"",
        "(\"cut\", ",
        "(\"weld\", ",
        "Sink(",
        "Source(",
    ] {
        assert!(text.contains(want), "the skeleton lacks {want}:\n{text}");
    }
    let out = factory_twin(&["run", skeleton.to_str().unwrap(), "--reps", "2", "--json"]);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["line"]["good_per_hour"]["mean"].as_f64().unwrap() > 0.0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_state_log_with_plant_names_is_read_through_a_mapping_file() {
    let dir = std::env::temp_dir().join(format!("ft-states-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A press reporting its state as a PLC would: AUTO_CYCLE for each
    // 30–36 s cycle, WAIT between, ALM for a breakdown now and then.
    let mut text = String::from("timestamp,machine,state\n");
    let mut t = 0.0f64;
    for i in 0..200 {
        let stamp = |s: f64| {
            format!(
                "2026-11-30T{:02}:{:02}:{:06.3}+09:00",
                8 + (s / 3600.0) as u32,
                (s % 3600.0 / 60.0) as u32,
                s % 60.0
            )
        };
        text.push_str(&format!("{},press,AUTO_CYCLE\n", stamp(t)));
        t += 30.0 + f64::from(i * 7 % 13) * 0.5;
        text.push_str(&format!("{},press,WAIT\n", stamp(t)));
        t += 5.0;
        if i % 40 == 39 {
            text.push_str(&format!("{},press,ALM\n", stamp(t)));
            t += 120.0;
            text.push_str(&format!("{},press,WAIT\n", stamp(t)));
        }
    }
    let log = dir.join("plc.csv");
    std::fs::write(&log, text).unwrap();
    let map = dir.join("map.ron");
    std::fs::write(
        &map,
        "{ \"AUTO_CYCLE\": \"working\", \"WAIT\": \"idle\", \"ALM\": \"failed\" }",
    )
    .unwrap();
    // Without the mapping the names are unknown: refused, naming them.
    let out = factory_twin(&["fit", log.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("AUTO_CYCLE") && err.contains("--map"), "{err}");
    let out = succeeds(&[
        "fit",
        log.to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cycle = json["fittings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["measure"] == "cycle")
        .unwrap();
    assert_eq!(cycle["n"], 200);
    let mean = cycle["mean_s"].as_f64().unwrap();
    assert!((mean - 33.0).abs() < 0.1, "{mean}");
    let repair = json["fittings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["measure"] == "repair");
    assert!(repair.is_none(), "5 breakdowns: too few to fit at --min 20");
    // A mapping to nothing the engine knows is refused with the file's name.
    std::fs::write(&map, "{ \"AUTO_CYCLE\": \"sprinting\" }").unwrap();
    let out = factory_twin(&["fit", log.to_str().unwrap(), "--map", map.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("map.ron"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_product_mix_is_fitted_per_product_with_its_changeovers_and_still_matches() {
    let dir = std::env::temp_dir().join(format!("ft-mix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (log, variant) = (dir.join("cell.csv"), dir.join("cell_calibrated.ron"));
    let scene = "scenes/machining_cell.ron";
    succeeds(&[
        "run",
        scene,
        "--reps",
        "1",
        "--events",
        log.to_str().unwrap(),
    ]);
    succeeds(&[
        "fit",
        log.to_str().unwrap(),
        "--scene",
        scene,
        "--out",
        variant.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&variant).unwrap();
    // The lathe's products differ (flange 5 min, shaft 7 min, hub 4 min):
    // each gets its own cycle and each logged changeover of the setup
    // matrix its own time. The saw's products do not differ: one cycle.
    for want in [
        "// lathe cycle of flange: normal",
        "// lathe cycle of shaft: normal",
        "// lathe setup flange → shaft: ",
        "// saw cycle: normal",
    ] {
        assert!(text.contains(want), "the variant lacks {want}:\n{text}");
    }
    assert!(!text.contains("// saw cycle of"), "{text}");
    let (code, json) = validate(variant.to_str().unwrap(), &log, &[]);
    assert_eq!(code, Some(0), "{}", json["verdict"]);
    let figures: Vec<String> = json["validation"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c["resource"], c["figure"]))
        .collect();
    assert!(
        figures.contains(&"\"lathe\" \"setup\"".to_string()),
        "{figures:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_truncated_and_shuffled_log_is_read_with_what_went_wrong_counted() {
    let dir = std::env::temp_dir().join(format!("ft-shuffled-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let full = std::fs::read_to_string("docs/examples/bracket_line_monday.csv").unwrap();
    let mut lines: Vec<&str> = full.lines().collect();
    // Swap neighbours here and there (a logger writing from two threads),
    // and cut the file in the middle of its last row.
    for i in (100..lines.len() - 2).step_by(97) {
        lines.swap(i, i + 1);
    }
    let mut text = lines.join("\n");
    text.truncate(text.len() - 12);
    let log = dir.join("shuffled.csv");
    std::fs::write(&log, &text).unwrap();
    let out = succeeds(&["fit", log.to_str().unwrap(), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bad = json["bad_rows"].as_array().unwrap();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0]["line"], lines.len(), "the cut last row");
    assert!(
        json["out_of_order"].as_u64().unwrap() > 20,
        "{}",
        json["out_of_order"]
    );
    // Put in order again, the cycles pair as before.
    let cut = json["fittings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == "cut" && f["measure"] == "cycle")
        .unwrap();
    assert_eq!(cut["fits"][0]["fitted"]["family"], "normal");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_log_of_several_periods_from_empty_matches_its_own_scene() {
    // Three weeks from time 0 (the line empty on Monday morning): the model
    // is replayed from empty too, and the mean of the three periods lies in
    // the narrower range of a mean of three. The off-shift shares, fixed by
    // the calendar, differ only in the fifth decimal: no mismatch.
    let dir = std::env::temp_dir().join(format!("ft-periods-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("three.csv");
    let out = factory_twin(&[
        "run",
        "scenes/bracket_line.ron",
        "--reps",
        "3",
        "--events",
        log.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let (code, json) = validate("scenes/bracket_line.ron", &log, &[]);
    assert_eq!(json["validation"]["periods"], 3);
    assert_eq!(code, Some(0), "{}", json["verdict"]);
    std::fs::remove_dir_all(&dir).ok();
}
