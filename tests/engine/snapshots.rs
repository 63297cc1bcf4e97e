//! Every figure pinned: the JSON of `run`, `compare`, `roi` and `bottleneck`
//! on the bundled scenes, the terminal wording of each command, and reference vectors of the random streams and
//! distributions, compared byte for byte with `tests/snapshots/`. A change of
//! any figure (an engine change, a dependency update) fails here and becomes
//! a reviewed diff: rerun with `UPDATE_SNAPSHOTS=1`, read `git diff
//! tests/snapshots`, and commit it with the change that explains it.

use factory_twin::scene::{Dist, Duration};
use factory_twin::sim::rng::{Purpose, Stream};
use factory_twin::sim::sampler::Sampler;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Compares `actual` with the snapshot `name`, or writes it when
/// `UPDATE_SNAPSHOTS` is set.
fn assert_snapshot(name: &str, actual: &str) {
    let path = snapshot_dir().join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(snapshot_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let how = "if the change is meant, run `UPDATE_SNAPSHOTS=1 cargo test --no-default-features --test engine snapshots`, review `git diff tests/snapshots` and commit it";
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no snapshot {} ({e}); {how}", path.display()));
    if expected == actual {
        return;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let first = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let around =
        |lines: &[&str]| lines[first.saturating_sub(3)..(first + 4).min(lines.len())].join("\n");
    panic!(
        "{} differs from its snapshot at line {} ({} lines before, {} now):\n--- snapshot\n{}\n--- now\n{}\n{how}",
        name,
        first + 1,
        e.len(),
        a.len(),
        around(&e),
        around(&a)
    );
}

fn json(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "factory-twin {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const SCENES: [&str; 19] = [
    "scenes/training/01_single_machine.ron",
    "scenes/training/02_two_machines_buffer.ron",
    "scenes/training/03_unreliable_machine.ron",
    "scenes/training/04_bottleneck_line.ron",
    "scenes/training/05_operators_and_shifts.ron",
    "scenes/bracket_line.ron",
    "scenes/bracket_line_robot_weld.ron",
    "scenes/bracket_line_weld_worn.ron",
    "scenes/bracket_line_rack.ron",
    "scenes/machining_cell.ron",
    "scenes/machining_cell_night_shift.ron",
    "scenes/tended_cnc_cell.ron",
    "scenes/tended_cnc_cell_two_operators.ron",
    "scenes/agv_plant.ron",
    "scenes/agv_plant_three_agvs.ron",
    "scenes/agv_plant_orders.ron",
    "scenes/agv_plant_orders_edd.ron",
    "scenes/forklift_shop.ron",
    "scenes/forklift_shop_driver_helps.ron",
];

#[test]
fn run_json_of_every_bundled_scene() {
    let bundled: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenes"))
            .unwrap()
            .chain(
                std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenes/training"))
                    .unwrap(),
            )
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".ron"))
            .collect();
    assert_eq!(
        bundled.len(),
        SCENES.len(),
        "a bundled scene without a snapshot: {bundled:?}"
    );
    for scene in SCENES {
        let name = Path::new(scene).file_stem().unwrap().to_str().unwrap();
        assert_snapshot(
            &format!("run_{name}.json"),
            &json(&["run", scene, "--reps", "3", "--json"]),
        );
    }
}

#[test]
fn compare_roi_and_bottleneck_json() {
    let (base, robot) = (
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
    );
    assert_snapshot(
        "compare_bracket_line_robot_weld.json",
        &json(&["compare", base, robot, "--reps", "3", "--json"]),
    );
    assert_snapshot(
        "roi_bracket_line_robot_weld.json",
        &json(&["roi", base, robot, "--reps", "3", "--json"]),
    );
    assert_snapshot(
        "bottleneck_05_operators_and_shifts.json",
        &json(&[
            "bottleneck",
            "scenes/training/05_operators_and_shifts.ron",
            "--reps",
            "3",
            "--json",
        ]),
    );
}

/// The words a reader acts on, pinned too: the terminal output of `run`,
/// `compare` (with its business case), `roi`, `sweep` and `bottleneck`, so
/// a changed headline, verdict or caveat is a reviewed diff like a figure.
#[test]
fn terminal_wording() {
    let (base, robot) = (
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
    );
    let t5 = "scenes/training/05_operators_and_shifts.ron";
    let cases: [(&str, Vec<&str>); 6] = [
        ("run_bracket_line.txt", vec!["run", base, "--reps", "3"]),
        (
            "run_02_two_machines_buffer.txt",
            vec![
                "run",
                "scenes/training/02_two_machines_buffer.ron",
                "--reps",
                "3",
            ],
        ),
        (
            "compare_bracket_line_robot_weld.txt",
            vec!["compare", base, robot, "--reps", "3"],
        ),
        (
            "roi_bracket_line_robot_weld.txt",
            vec!["roi", base, robot, "--reps", "3"],
        ),
        (
            "sweep_05_audit.txt",
            vec![
                "sweep",
                t5,
                "--set",
                "audit.cycle.mean=180,30",
                "--reps",
                "3",
            ],
        ),
        (
            "bottleneck_05_operators_and_shifts.txt",
            vec!["bottleneck", t5, "--reps", "3"],
        ),
    ];
    for (name, args) in cases {
        assert_snapshot(name, &json(&args));
    }
}

#[test]
fn random_streams_and_distributions() {
    // The first draws of each distribution the scene format has, from one
    // fixed stream each: a change of the generator, the seeding or a
    // sampling method shows here first.
    let s = Duration::Seconds;
    let dists: Vec<(&str, Dist)> = vec![
        ("Constant", Dist::Constant(s(30.0))),
        (
            "Uniform",
            Dist::Uniform {
                min: s(20.0),
                max: s(30.0),
            },
        ),
        (
            "Triangular",
            Dist::Triangular {
                min: s(80.0),
                mode: s(100.0),
                max: s(120.0),
            },
        ),
        (
            "Normal",
            Dist::Normal {
                mean: s(90.0),
                sd: s(10.0),
            },
        ),
        (
            "LogNormal",
            Dist::LogNormal {
                mean: s(1200.0),
                sd: s(480.0),
            },
        ),
        ("Exponential", Dist::Exponential { mean: s(60.0) }),
        (
            "Weibull",
            Dist::Weibull {
                shape: 1.5,
                scale: s(3600.0),
            },
        ),
        (
            "Gamma",
            Dist::Gamma {
                shape: 2.5,
                scale: s(40.0),
            },
        ),
        (
            "Erlang",
            Dist::Erlang {
                k: 3,
                mean: s(60.0),
            },
        ),
        (
            "Empirical",
            Dist::Empirical(vec![(s(10.0), 1.0), (s(20.0), 2.0), (s(40.0), 1.0)]),
        ),
    ];
    let mut text = String::new();
    let mut raw = Stream::new(7, 0, "m1", Purpose::Process);
    let _ = writeln!(
        text,
        "xoshiro256++ (seed 7, rep 0, \"m1\", process): {:?}",
        (0..4).map(|_| raw.next_u64()).collect::<Vec<_>>()
    );
    for (name, d) in &dists {
        let sampler = Sampler::new(d).unwrap();
        let mut rng = Stream::new(7, 1, name, Purpose::Process);
        let draws: Vec<f64> = (0..5).map(|_| sampler.sample(&mut rng)).collect();
        let _ = writeln!(text, "{name}: {draws:?}");
    }
    assert_snapshot("random_streams.txt", &text);
}
