//! `factory-twin fit`: a log written by `run --events` from a bundled scene
//! is fitted back to the families and parameters the scene gave, and a log
//! with nothing usable is refused with exit 2.

use super::scenarios::cli as factory_twin;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A week of the bracket line written by `run --events` into `dir`.
fn week_log(dir: &Path) -> PathBuf {
    let log = dir.join("events.csv");
    let out = factory_twin(&[
        "run",
        "scenes/bracket_line.ron",
        "--reps",
        "1",
        "--events",
        log.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    log
}

#[test]
fn a_log_of_the_bracket_line_is_fitted_back_to_its_cycle_distributions() {
    let dir = std::env::temp_dir().join(format!("ft-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = week_log(&dir);
    let out = factory_twin(&[
        "fit",
        log.to_str().unwrap(),
        "--scene",
        "scenes/bracket_line.ron",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let out = factory_twin(&[
        "fit",
        log.to_str().unwrap(),
        "--scene",
        "scenes/bracket_line.ron",
        "--out",
        variant.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let out = factory_twin(&[
        "compare",
        "scenes/bracket_line.ron",
        variant.to_str().unwrap(),
        "--reps",
        "10",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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

/// The Python with numpy and scipy: `FACTORY_TWIN_PYTHON`, else the venv
/// `.ci/run` makes, else `python3`.
fn python() -> std::path::PathBuf {
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
    let out = factory_twin(&["fit", dir.join("log.csv").to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
