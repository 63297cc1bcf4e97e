//! Beyond one machine: `plan`, `shard` and `merge` give byte for byte what
//! `sweep` and `run` give on one machine, for 1, 3 and 64 shards; with the
//! index from Slurm's or Kubernetes' variables; through a real single-node
//! Slurm (an array job) and GNU parallel; and `merge` names every shard
//! missing, run twice or of another plan, and completes once only the
//! missing ones are rerun.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCENE: &str = "scenes/training/02_two_machines_buffer.ron";
/// 4 points × 16 replications = 64 jobs: one each for 64 shards.
const SET: &str = "b.capacity=1..4";

fn cli_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_factory-twin"));
    c.env("LC_ALL", "C")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("JOB_COMPLETION_INDEX")
        .args(args)
        .current_dir(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn ok(out: Output) -> Vec<u8> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A working folder with the bundled scenes, as a worker would have it.
fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ft-cluster-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scenes/training")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join(SCENE), dir.join(SCENE)).unwrap();
    dir
}

fn shard_files(dir: &Path, out: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir.join(out))
        .unwrap()
        .map(|e| format!("{out}/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|f| f.ends_with(".json"))
        .collect();
    files.sort();
    files
}

fn merge(dir: &Path, files: &[String], json: bool) -> Output {
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    if json {
        args.push("--json");
    }
    cli_in(dir, &args, &[])
}

/// Makes `plan.json`, the sweep of [`SET`] with `reps` replications, in
/// `dir`, and returns what `sweep --json` prints for it on one machine.
fn sweep_plan(dir: &Path, reps: &str) -> Vec<u8> {
    ok(cli_in(
        dir,
        &[
            "plan",
            SCENE,
            "--set",
            SET,
            "--reps",
            reps,
            "--out",
            "plan.json",
        ],
        &[],
    ));
    ok(cli_in(
        dir,
        &["sweep", SCENE, "--set", SET, "--reps", reps, "--json"],
        &[],
    ))
}

fn run_shards(dir: &Path, n: u32, out: &str) {
    for i in 0..n {
        ok(cli_in(
            dir,
            &[
                "shard",
                "plan.json",
                "--shard",
                &format!("{i}/{n}"),
                "--out",
                out,
            ],
            &[],
        ));
    }
}

#[test]
fn merged_output_is_byte_identical_for_1_3_and_64_shards() {
    let dir = workdir("bytes");
    for (experiment, plan_args, single_args) in [
        (
            "sweep",
            vec![
                "plan",
                SCENE,
                "--set",
                SET,
                "--reps",
                "16",
                "--out",
                "plan.json",
            ],
            vec!["sweep", SCENE, "--set", SET, "--reps", "16"],
        ),
        (
            "run",
            vec!["plan", SCENE, "--reps", "64", "--out", "plan.json"],
            vec!["run", SCENE, "--reps", "64"],
        ),
    ] {
        ok(cli_in(&dir, &plan_args, &[]));
        let mut single_json = single_args.clone();
        single_json.push("--json");
        let (text, json) = (
            ok(cli_in(&dir, &single_args, &[])),
            ok(cli_in(&dir, &single_json, &[])),
        );
        for n in [1, 3, 64] {
            let out = format!("{experiment}-{n}");
            run_shards(&dir, n, &out);
            let files = shard_files(&dir, &out);
            assert_eq!(files.len(), n as usize);
            assert_eq!(
                ok(merge(&dir, &files, true)),
                json,
                "{experiment}, {n} shards: JSON"
            );
            assert_eq!(
                ok(merge(&dir, &files, false)),
                text,
                "{experiment}, {n} shards: text"
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_index_comes_from_slurm_or_kubernetes_variables() {
    let dir = workdir("index");
    let single = sweep_plan(&dir, "4");
    for i in 0..4u32 {
        let i = i.to_string();
        // Slurm: the index and the array's size.
        ok(cli_in(
            &dir,
            &["shard", "plan.json", "--out", "slurm"],
            &[("SLURM_ARRAY_TASK_ID", &i), ("SLURM_ARRAY_TASK_COUNT", "4")],
        ));
        // Kubernetes: the index; the count is the Job's completions.
        ok(cli_in(
            &dir,
            &["shard", "plan.json", "--shards", "4", "--out", "k8s"],
            &[("JOB_COMPLETION_INDEX", &i)],
        ));
    }
    for out in ["slurm", "k8s"] {
        assert_eq!(
            ok(merge(&dir, &shard_files(&dir, out), true)),
            single,
            "{out}"
        );
    }
    // Without any index, or with one beyond the count: exit 2, said why.
    let none = cli_in(&dir, &["shard", "plan.json", "--out", "x"], &[]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("which shard is this?"));
    let k8s = cli_in(
        &dir,
        &["shard", "plan.json", "--out", "x"],
        &[("JOB_COMPLETION_INDEX", "1")],
    );
    assert!(String::from_utf8_lossy(&k8s.stderr).contains("--shards N"));
    let beyond = cli_in(
        &dir,
        &["shard", "plan.json", "--shard", "4/4", "--out", "x"],
        &[],
    );
    assert!(String::from_utf8_lossy(&beyond.stderr).contains("must be below the count"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn merge_names_missing_twice_run_and_foreign_shards_and_a_rerun_of_the_missing_completes() {
    let dir = workdir("faults");
    let single = sweep_plan(&dir, "4");
    for i in [0, 2, 4, 5, 7] {
        ok(cli_in(
            &dir,
            &[
                "shard",
                "plan.json",
                "--shard",
                &format!("{i}/8"),
                "--out",
                "r",
            ],
            &[],
        ));
    }
    let out = merge(&dir, &shard_files(&dir, "r"), true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("3 of 8 shards missing: 1/8, 3/8, 6/8"),
        "{err}"
    );
    assert!(err.contains("--shard 1/8"), "{err}");
    // The same shard twice (a task retried that did finish).
    std::fs::copy(
        dir.join("r/shard-0002-of-0008.json"),
        dir.join("r/shard-0002-again.json"),
    )
    .unwrap();
    let out = merge(&dir, &shard_files(&dir, "r"), true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("shard 2/8 is there twice"), "{err}");
    assert!(err.contains("shard-0002-again.json"), "{err}");
    std::fs::remove_file(dir.join("r/shard-0002-again.json")).unwrap();
    // A shard of another plan (other replications).
    ok(cli_in(
        &dir,
        &[
            "plan",
            SCENE,
            "--set",
            SET,
            "--reps",
            "5",
            "--out",
            "other.json",
        ],
        &[],
    ));
    ok(cli_in(
        &dir,
        &["shard", "other.json", "--shard", "1/8", "--out", "other"],
        &[],
    ));
    let mut files = shard_files(&dir, "r");
    files.extend(shard_files(&dir, "other"));
    let out = merge(&dir, &files, true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is of another plan"), "{err}");
    // Rerunning only the missing shards completes the result, byte for byte.
    for i in [1, 3, 6] {
        ok(cli_in(
            &dir,
            &[
                "shard",
                "plan.json",
                "--shard",
                &format!("{i}/8"),
                "--out",
                "r",
            ],
            &[],
        ));
    }
    assert_eq!(ok(merge(&dir, &shard_files(&dir, "r"), true)), single);
    // The scene changed after the plan was made: refused, not run.
    let scene = dir.join(SCENE);
    let text = std::fs::read_to_string(&scene).unwrap();
    std::fs::write(&scene, text.replace("capacity: 3", "capacity: 9")).unwrap();
    let out = cli_in(
        &dir,
        &["shard", "plan.json", "--shard", "0/8", "--out", "late"],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("has changed since the plan was made"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Stops the single-node Slurm of a folder however the test ends.
struct Slurm(PathBuf);

impl Drop for Slurm {
    fn drop(&mut self) {
        let _ = Command::new(script("deploy/slurm/single-node.sh"))
            .args(["stop", self.0.to_str().unwrap()])
            .status();
    }
}

/// The rack and welders of the bracket line against NPV, on `budget` runs.
fn optimisation(budget: &str) -> [&str; 17] {
    [
        "optimize",
        "scenes/bracket_line_rack.ron",
        "--vary",
        "rack.capacity=5..40:5",
        "--vary",
        "welders.count=1..4",
        "--cost",
        "rack.capacity=200000",
        "--objective",
        "npv",
        "--life",
        "8",
        "--indifference",
        "5000000",
        "--budget",
        budget,
        "--json",
    ]
}

fn script(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn a_sweep_and_an_optimisation_run_as_slurm_array_jobs_to_one_machines_bytes() {
    let dir = workdir("slurm");
    let cluster = dir.join("slurm");
    let up = Command::new(script("deploy/slurm/single-node.sh"))
        .args(["start", cluster.to_str().unwrap()])
        .output()
        .unwrap();
    let guard = Slurm(cluster.clone());
    assert!(
        up.status.success(),
        "single-node Slurm (Debian's slurmctld, slurmd, munge; .ci/run installs them): {}{}",
        String::from_utf8_lossy(&up.stdout),
        String::from_utf8_lossy(&up.stderr)
    );
    let conf = cluster.join("slurm.conf");
    let single = sweep_plan(&dir, "8");
    let submitted = Command::new("sbatch")
        .args(["--parsable", "--array=0-7"])
        .arg(script("deploy/slurm/sweep.sbatch"))
        .args(["plan.json", "results"])
        .env("SLURM_CONF", &conf)
        .env("FACTORY_TWIN", env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        submitted.status.success(),
        "sbatch: {}{}",
        String::from_utf8_lossy(&submitted.stdout),
        String::from_utf8_lossy(&submitted.stderr)
    );
    // Until the array has left the queue (sbatch --wait polls every few
    // tens of seconds; this asks every 0.2 s), at most two minutes.
    let job = String::from_utf8_lossy(&submitted.stdout)
        .trim()
        .to_string();
    let queued = || {
        let q = Command::new("squeue")
            .args(["-h", "-j", &job])
            .env("SLURM_CONF", &conf)
            .output()
            .unwrap();
        !String::from_utf8_lossy(&q.stdout).trim().is_empty()
    };
    let mut waited = 0;
    while queued() {
        assert!(
            waited < 600,
            "the array job {job} is still queued after 2 minutes"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
        waited += 1;
    }
    let files = shard_files(&dir, "results");
    assert_eq!(files.len(), 8, "{files:?}");
    assert_eq!(ok(merge(&dir, &files, true)), single);
    // An optimisation on the same cluster, batch by batch through
    // deploy/slurm/optimize.sh (optimize --plan, sbatch --wait, merge):
    // what one machine prints.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let problem = optimisation("30");
    let one_machine = ok(cli_in(root, &problem, &[]));
    let looped = Command::new(script("deploy/slurm/optimize.sh"))
        .arg("4")
        .arg(dir.join("opt-state.json"))
        .args(&problem[1..])
        .env("SLURM_CONF", &conf)
        .env("FACTORY_TWIN", env!("CARGO_BIN_EXE_factory-twin"))
        .env("OPTIMIZE_WORK", dir.join("opt"))
        .env("LC_ALL", "C")
        .current_dir(root)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&looped.stderr).to_string();
    assert!(looped.status.success(), "optimize.sh: {said}");
    assert!(said.contains("optimize.sh: batch 2,"), "{said}");
    assert!(looped.stdout == one_machine, "{said}");
    drop(guard); // reads the daemons' pid files: before the folder goes
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn gnu_parallel_runs_the_shards_that_have_no_file() {
    let dir = workdir("parallel");
    let single = sweep_plan(&dir, "4");
    std::fs::write(dir.join("hosts.txt"), ":\n").unwrap();
    // One shard is there already: only the other five run.
    ok(cli_in(
        &dir,
        &["shard", "plan.json", "--shard", "2/6", "--out", "results"],
        &[],
    ));
    let before = std::fs::metadata(dir.join("results/shard-0002-of-0006.json"))
        .unwrap()
        .modified()
        .unwrap();
    let out = Command::new(script("deploy/parallel/sweep.sh"))
        .args(["plan.json", "6", "hosts.txt", "results"])
        .env("FACTORY_TWIN", env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .env("HOME", &dir) // parallel's first-run notice and cache
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "GNU parallel (Debian's parallel; .ci/run installs it): {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let after = std::fs::metadata(dir.join("results/shard-0002-of-0006.json"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "the shard already there ran again");
    assert_eq!(ok(merge(&dir, &shard_files(&dir, "results"), true)), single);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_bundled_scene_merges_to_the_bytes_of_run() {
    // Every kind of result (vehicles, orders, crews, robots …) survives the
    // shard file: its merge is `run`'s output, byte for byte.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("ft-cluster-every-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut scenes = Vec::new();
    for folder in ["scenes", "scenes/training"] {
        for e in std::fs::read_dir(root.join(folder)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "ron") {
                scenes.push(p);
            }
        }
    }
    scenes.sort();
    assert!(scenes.len() >= 19);
    for (k, scene) in scenes.iter().enumerate() {
        let s = scene.to_str().unwrap();
        let plan = dir.join(format!("plan-{k}.json"));
        let out = dir.join(format!("r-{k}"));
        ok(cli_in(
            root,
            &["plan", s, "--reps", "3", "--out", plan.to_str().unwrap()],
            &[],
        ));
        for i in 0..2 {
            ok(cli_in(
                root,
                &[
                    "shard",
                    plan.to_str().unwrap(),
                    "--shard",
                    &format!("{i}/2"),
                    "--out",
                    out.to_str().unwrap(),
                ],
                &[],
            ));
        }
        let mut files: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path().to_string_lossy().to_string())
            .collect();
        files.sort();
        let merged = ok(merge(root, &files, true));
        let single = ok(cli_in(root, &["run", s, "--reps", "3", "--json"], &[]));
        assert!(merged == single, "{s}: the merged JSON differs from run's");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Plans `what` (the plan command's options after the scene) in `dir`,
/// runs it as `n` shards and merges them with `merge_args`.
fn plan_shard_merge(
    dir: &Path,
    scene: &str,
    what: &[&str],
    n: u32,
    merge_args: &[&str],
) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = dir.join("plan.json");
    let out = dir.join("results");
    let _ = std::fs::remove_dir_all(&out);
    let mut args = vec!["plan", scene];
    args.extend(what);
    args.extend(["--out", plan.to_str().unwrap()]);
    ok(cli_in(root, &args, &[]));
    for i in 0..n {
        let shard = format!("{i}/{n}");
        let args = [
            "shard",
            plan.to_str().unwrap(),
            "--shard",
            &shard,
            "--out",
            out.to_str().unwrap(),
        ];
        ok(cli_in(root, &args, &[]));
    }
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().to_string())
        .collect();
    files.sort();
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    args.extend(merge_args);
    ok(cli_in(root, &args, &[]))
}

#[test]
fn compare_roi_and_bottleneck_merge_to_the_bytes_of_one_machine() {
    // `roi` reruns the robot cell at other demand and robot MTBF for its
    // tornado: those runs are in the plan too, and the merge is the
    // experiment's own code with every run taken from the shards.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("ft-cluster-exp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (base, robot) = (
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
    );
    let roi = ["--compare", robot, "--roi", "--reps", "4"];
    for json in [true, false] {
        let flag: &[&str] = if json { &["--json"] } else { &[] };
        let mut one = vec!["roi", base, robot, "--reps", "4"];
        one.extend(flag);
        let single = ok(cli_in(root, &one, &[]));
        let merged = plan_shard_merge(&dir, base, &roi, 3, flag);
        assert!(
            merged == single,
            "roi (json {json}): merged differs from one machine"
        );
    }
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap();
    // As is, the robot cell, demand −10/+10 % of both, robot MTBF −50/+50 %.
    assert_eq!(plan["jobs"], 8 * 4, "{plan}");
    let single = ok(cli_in(
        root,
        &[
            "compare",
            "scenes/machining_cell.ron",
            "scenes/machining_cell_night_shift.ron",
            "--reps",
            "3",
            "--json",
        ],
        &[],
    ));
    let merged = plan_shard_merge(
        &dir,
        "scenes/machining_cell.ron",
        &[
            "--compare",
            "scenes/machining_cell_night_shift.ron",
            "--reps",
            "3",
        ],
        1,
        &["--json"],
    );
    assert!(merged == single, "compare: merged differs from one machine");
    let single = ok(cli_in(
        root,
        &["bottleneck", base, "--reps", "3", "--json"],
        &[],
    ));
    let merged = plan_shard_merge(&dir, base, &["--bottleneck", "--reps", "3"], 2, &["--json"]);
    assert!(
        merged == single,
        "bottleneck: merged differs from one machine"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_optimisation_runs_batch_by_batch_on_shards_to_the_result_of_one_machine() {
    // optimize --plan writes the runs its next batch needs; the shards run
    // them, merge adds them to the state file, and the same command goes on
    // from there. Same seed, same search: the same bytes as one machine.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("ft-cluster-opt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let problem = optimisation("80");
    let single = ok(cli_in(root, &problem, &[]));
    let (state, plan) = (dir.join("state.json"), dir.join("plan.json"));
    let mut args = problem.to_vec();
    args.extend([
        "--state",
        state.to_str().unwrap(),
        "--plan",
        plan.to_str().unwrap(),
    ]);
    let mut batches = 0;
    let result = loop {
        let out = cli_in(root, &args, &[]);
        let said = String::from_utf8_lossy(&out.stderr).to_string();
        let stdout = ok(out);
        if said.contains("holds every run") {
            break stdout;
        }
        batches += 1;
        assert!(batches < 60, "the optimisation never finished");
        let planned: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
        assert!(planned["jobs"].as_u64().unwrap() > 0);
        let out = dir.join("results");
        let _ = std::fs::remove_dir_all(&out);
        for i in 0..3 {
            let shard = format!("{i}/3");
            ok(cli_in(
                root,
                &[
                    "shard",
                    plan.to_str().unwrap(),
                    "--shard",
                    &shard,
                    "--out",
                    out.to_str().unwrap(),
                ],
                &[],
            ));
        }
        let mut files: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path().to_string_lossy().to_string())
            .collect();
        files.sort();
        let merged = merge(root, &files, false);
        assert!(String::from_utf8_lossy(&merged.stderr).contains("runs added to"));
        ok(merged);
    };
    assert!(
        batches >= 3,
        "a search of several generations: {batches} batches"
    );
    assert!(
        result == single,
        "the sharded optimisation ends where one machine's does"
    );
    // A batch's runs go only into a state file of the same problem.
    let other = dir.join("other.json");
    std::fs::write(&other, r#"{"problem":"another","runs":[]}"#).unwrap();
    let mut plan_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    plan_json["experiment"]["optimize"]["state"] = other.to_str().unwrap().into();
    std::fs::write(&plan, plan_json.to_string()).unwrap();
    let out = dir.join("results-other");
    ok(cli_in(
        root,
        &[
            "shard",
            plan.to_str().unwrap(),
            "--shard",
            "0/1",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    ));
    let refused = merge(
        root,
        &[out
            .join("shard-0000-of-0001.json")
            .to_string_lossy()
            .to_string()],
        false,
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another scene, other variables"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_variant_changed_since_the_plan_is_refused() {
    let dir = workdir("variant");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("scenes")).unwrap();
    for f in [
        "scenes/machining_cell.ron",
        "scenes/machining_cell_night_shift.ron",
    ] {
        std::fs::copy(root.join(f), dir.join(f)).unwrap();
    }
    let variant = "scenes/machining_cell_night_shift.ron";
    ok(cli_in(
        &dir,
        &[
            "plan",
            "scenes/machining_cell.ron",
            "--compare",
            variant,
            "--reps",
            "2",
            "--out",
            "plan.json",
        ],
        &[],
    ));
    let text = std::fs::read_to_string(dir.join(variant)).unwrap();
    std::fs::write(
        dir.join(variant),
        text.replace("(three shifts)", "(three shifts, changed)"),
    )
    .unwrap();
    let out = cli_in(
        &dir,
        &["shard", "plan.json", "--shard", "0/1", "--out", "r"],
        &[],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains(variant) && said.contains("changed since the plan"),
        "{said}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
