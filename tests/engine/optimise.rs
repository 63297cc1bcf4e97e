//! `optimize` from the command line: the best design written as a Variant
//! that runs, the report and the JSON of every design, a stop and a resume
//! that end where an uninterrupted run ends, and bad input named.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ft-opt-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The rack line's buffers, weld places and welders against NPV.
const RACK: &[&str] = &[
    "optimize",
    "scenes/bracket_line_rack.ron",
    "--vary",
    "rack.capacity=5..40:5",
    "--vary",
    "weld.capacity=2..4",
    "--vary",
    "welders.count=1..4",
    "--cost",
    "rack.capacity=200000",
    "--cost",
    "weld.capacity=15000000",
    "--objective",
    "npv",
    "--life",
    "8",
    "--indifference",
    "5000000",
    "--constraint",
    "good_per_hour >= 15",
];

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn the_best_design_is_written_as_a_variant_that_runs() {
    let dir = temp_dir("variant");
    let variant = dir.join("best.ron");
    let report = dir.join("opt.html");
    let mut args = RACK.to_vec();
    args.extend(["--budget", "200", "--json", "--threads", "2"]);
    args.extend(["--variant", variant.to_str().unwrap()]);
    args.extend(["--report", report.to_str().unwrap()]);
    let out = cli(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert!(v["runs_used"].as_u64().unwrap() <= 200);
    let designs = v["designs"].as_array().unwrap();
    assert!(designs.len() >= 10, "{} designs", designs.len());
    for d in designs {
        assert!(d["replications"].as_u64().unwrap() >= 3, "{d}");
    }
    let best = &designs[v["best"].as_u64().expect("a best design") as usize];
    assert_eq!(best["feasible"], true);
    // The welders cannot fall below what the constraint needs: one welder
    // makes about 8 parts an hour.
    let text = std::fs::read_to_string(&variant).unwrap();
    assert!(
        text.starts_with("// Written by `factory-twin optimize`"),
        "{text}"
    );
    assert!(text.contains("base: \"../"), "{text}");
    for (path, value) in best["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s[0].as_str().unwrap().to_string(), s[1].as_f64().unwrap()))
    {
        assert!(
            text.contains(&format!("Set(\"{path}\", {value:?})")),
            "{path} {value}: {text}"
        );
    }
    // The variant is a scene like any other, and runs.
    let run = cli(&["run", variant.to_str().unwrap(), "--reps", "2", "--json"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("The answer.") && html.contains("<svg"),
        "report"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Waits until `path` exists (the first batch is saved), at most 60 s.
fn wait_for(path: &Path) {
    for _ in 0..600 {
        if path.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn a_stopped_optimisation_resumes_from_its_state_file_to_the_same_end() {
    let dir = temp_dir("resume");
    let (whole, halves) = (dir.join("whole.json"), dir.join("halves.json"));
    let with_state = |state: &Path| {
        let mut a: Vec<String> = RACK.iter().map(|s| s.to_string()).collect();
        a.extend(["--budget", "500", "--json", "--threads", "1", "--state"].map(String::from));
        a.push(state.to_str().unwrap().to_string());
        a
    };
    let uninterrupted = {
        let a = with_state(&whole);
        cli(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert!(uninterrupted.status.success());
    let args = with_state(&halves);
    let child = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&halves);
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopped = child.wait_with_output().unwrap();
    assert_eq!(
        stopped.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&stopped.stderr)
    );
    let partial = json(&stopped);
    assert!(partial["runs_used"].as_u64().unwrap() < 500);
    assert!(
        partial["notes"].to_string().contains("same --state file"),
        "{}",
        partial["notes"]
    );
    let resumed = cli(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let (mut a, mut b) = (json(&uninterrupted), json(&resumed));
    assert!(b["runs_resumed"].as_u64().unwrap() > 0);
    a["runs_resumed"] = 0.into();
    b["runs_resumed"] = 0.into();
    assert_eq!(
        a, b,
        "the resumed optimisation ends where the whole one does"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_optimisations_are_named_with_exit_code_2() {
    let dir = temp_dir("bad");
    let other = dir.join("state.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--vary",
                "rack.capacty=1..3",
                "--objective",
                "good_per_hour",
            ],
            "has no settable parameter `capacty`",
        ),
        (
            vec![
                "--vary",
                "rack.capacity=1..3",
                "--objective",
                "npv",
                "--life",
                "8",
                "--indifference",
                "1",
            ],
            "--cost",
        ),
        (
            vec![
                "--vary",
                "rack.capacity=1..3",
                "--objective",
                "20*rack.capacity + wip",
            ],
            "large or small",
        ),
        (
            vec![
                "--vary",
                "rack.capacity=1..3",
                "--objective",
                "good_per_hour",
                "--constraint",
                "good_per_hour > 3",
            ],
            "has no >= or <=",
        ),
        (
            vec![
                "--vary",
                "rack.capacity=1..3",
                "--objective",
                "max: npv + 2*wip",
            ],
            "--indifference",
        ),
        (
            vec![
                "--vary",
                "rack.capacity=1..3",
                "--objective",
                "good_per_hour",
                "--budget",
                "5",
            ],
            "too small",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["optimize", "scenes/bracket_line_rack.ron"];
        args.extend(&extra);
        let out = cli(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(expected), "{extra:?}: {err}");
    }
    // A state file of other variables is refused, not mixed in; a larger
    // budget reuses the runs already made.
    let run = |range: &str, budget: &str| {
        cli(&[
            "optimize",
            "scenes/bracket_line_rack.ron",
            "--vary",
            range,
            "--objective",
            "good_per_hour",
            "--budget",
            budget,
            "--json",
            "--state",
            other.to_str().unwrap(),
        ])
    };
    assert!(run("rack.capacity=5..10", "20").status.success());
    let more = run("rack.capacity=5..10", "40");
    assert!(more.status.success());
    assert!(json(&more)["runs_resumed"].as_u64().unwrap() > 0);
    let out = run("rack.capacity=5..12", "40");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("holds runs of another scene, other variables")
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Optimises the bracket line's robot choice and welders for `objective`,
/// writes the pick to `variant`, and runs `roi` on it over the pick's own
/// replications: (optimize's JSON, roi's JSON).
fn robot_choice(
    objective: &str,
    indifference: &str,
    variant: &Path,
) -> (serde_json::Value, serde_json::Value) {
    let out = cli(&[
        "optimize",
        "scenes/bracket_line.ron",
        "--choose",
        "robot=scenes/bracket_line_robot_weld.ron",
        "--vary",
        "welders.count=0..2",
        "--objective",
        objective,
        "--indifference",
        indifference,
        "--budget",
        "120",
        "--json",
        "--variant",
        variant.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let best = &v["designs"][v["best"].as_u64().unwrap() as usize];
    let reps = best["replications"].as_u64().unwrap().to_string();
    let roi = cli(&[
        "roi",
        "scenes/bracket_line.ron",
        variant.to_str().unwrap(),
        "--reps",
        &reps,
        "--json",
    ]);
    assert!(
        roi.status.success(),
        "{}",
        String::from_utf8_lossy(&roi.stderr)
    );
    let r = json(&roi);
    (v, r)
}

#[test]
fn a_choice_of_the_robot_cell_carries_its_investment_and_agrees_with_roi() {
    let dir = temp_dir("robot");
    let variant = dir.join("best.ron");
    let (v, r) = robot_choice("npv", "5000000", &variant);
    let best = &v["designs"][v["best"].as_u64().unwrap() as usize];
    // The robot pays (docs/robot-business-case.md), and without welders to pay.
    assert_eq!(best["label"], "welders.count=0, robot=true", "{best}");
    assert_eq!(best["investment"], 420e6);
    let text = std::fs::read_to_string(&variant).unwrap();
    assert!(text.contains("Replace(\"weld\", Robot("), "{text}");
    assert!(text.contains("welding robot and positioner"), "{text}");
    // The same NPV as `roi` of the written variant over the same replications:
    // one business case, whichever command computes it.
    let theirs = r["business_cases"][0]["npv"]["mean"]["mean"]
        .as_f64()
        .or_else(|| r["business_cases"][0]["npv"]["mean"].as_f64())
        .unwrap_or_else(|| panic!("{}", r["business_cases"][0]["npv"]));
    let ours = best["objectives"][0]["mean"].as_f64().unwrap();
    assert!(
        (ours - theirs).abs() < 1e-6 * theirs.abs(),
        "optimize {ours} against roi {theirs}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn payback_is_minimised_and_agrees_with_roi_where_every_replication_pays_back() {
    let dir = temp_dir("payback");
    let (v, r) = robot_choice("payback", "0.05", &dir.join("best.ron"));
    assert_eq!(v["objectives"][0], "min: payback");
    assert_eq!(v["objective_units"][0], "years");
    let best = &v["designs"][v["best"].as_u64().unwrap() as usize];
    assert_eq!(best["label"], "welders.count=0, robot=true", "{best}");
    assert!(v["notes"].to_string().contains("restricted to the 8 years"));
    // Every replication pays back (docs/robot-business-case.md), so the
    // restricted mean is roi's mean payback over the same replications.
    let p = &r["business_cases"][0]["payback_years"];
    assert_eq!(p["undefined"], 0, "{p}");
    let theirs = p["mean"]["mean"].as_f64().unwrap_or_else(|| panic!("{p}"));
    let ours = best["objectives"][0]["mean"].as_f64().unwrap();
    assert!(
        (ours - theirs).abs() < 1e-9,
        "optimize {ours} against roi {theirs}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_constraint_no_design_meets_is_said_so_and_the_reserve_searches_on() {
    // The bracket line's entry limits output to about 14.6 good parts an
    // hour: no buffer size or welder count reaches 15.
    let out = cli(&[
        "optimize",
        "scenes/bracket_line.ron",
        "--vary",
        "b1.capacity=1..20",
        "--vary",
        "welders.count=1..4",
        "--objective",
        "good_per_hour",
        "--constraint",
        "good_per_hour >= 15",
        "--budget",
        "120",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert!(v["best"].is_null() && v["selection"].is_null(), "{v}");
    let notes = v["notes"].to_string();
    assert!(notes.contains("the nearest is"), "{notes}");
    assert!(
        !notes.contains("the best design is the best mean"),
        "{notes}"
    );
    // With nothing to select among, the selection's reserve searched on.
    assert!(v["runs_used"].as_u64().unwrap() > 100, "{}", v["runs_used"]);
}
