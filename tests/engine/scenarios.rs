//! Comparing, sweeping, the business case and the HTML report, through the
//! library and the command line: paired intervals computed by hand, the
//! report parsed as XML and searched for anything that would fetch or run,
//! ids with markup shown as text, results independent of the thread count,
//! and Ctrl-C that still writes what finished.

use factory_twin::economics::finance;
use factory_twin::experiment::{self, Axis, Options, kpi_by_key};
use factory_twin::kpi::Estimate;
use factory_twin::report;
use factory_twin::scene::load_scene;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub(super) fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// Runs the command and asserts that it succeeded, showing its stderr if not.
pub(super) fn succeeds(args: &[&str]) -> Output {
    let out = cli(args);
    assert!(
        out.status.success(),
        "factory-twin {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn ok(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&succeeds(args).stdout).unwrap()
}

fn bracket() -> (factory_twin::scene::Scene, factory_twin::scene::Scene) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    (
        load_scene(&root.join("scenes/bracket_line.ron")).unwrap(),
        load_scene(&root.join("scenes/bracket_line_robot_weld.ron")).unwrap(),
    )
}

fn opts(reps: u32, threads: usize) -> Options {
    Options {
        replications: Some(reps),
        threads: Some(threads),
        ..Options::default()
    }
}

#[test]
fn paired_intervals_match_a_hand_computation_from_the_replications() {
    let (base, variant) = bracket();
    let c = experiment::compare(&base, std::slice::from_ref(&variant), &opts(5, 2)).unwrap();
    // The same replications, run one scene at a time.
    let b = crate::run(&base, 5);
    let v = crate::run(&variant, 5);
    let d: Vec<f64> = b
        .iter()
        .zip(&v)
        .map(|(b, v)| v.line.good_per_hour - b.line.good_per_hour)
        .collect();
    let mean = d.iter().sum::<f64>() / 5.0;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 4.0).sqrt();
    let half = 2.776 * sd / 5f64.sqrt(); // t(0.975, 4) from a printed table
    let k = &c.variants[0].kpis[0];
    assert_eq!(k.kpi, "good parts per hour");
    assert!((k.difference.mean - mean).abs() < 1e-9);
    assert!((k.difference.half_width.unwrap() - half).abs() < 1e-9 * half.max(1.0));
    assert_eq!(k.significant, mean.abs() > half);
}

#[test]
fn compare_and_sweep_are_identical_whatever_the_thread_count() {
    let args = |t: &'static str| {
        vec![
            "compare",
            "scenes/bracket_line.ron",
            "scenes/bracket_line_robot_weld.ron",
            "--reps",
            "4",
            "--json",
            "--threads",
            t,
        ]
    };
    assert_eq!(ok(&args("1")), ok(&args("2")));
    let (base, _) = bracket();
    let axes = [Axis::parse("welders.count=1..2").unwrap()];
    let by = kpi_by_key("good_per_hour").unwrap();
    let one = experiment::sweep(&base, &axes, by, &opts(3, 1)).unwrap();
    let two = experiment::sweep(&base, &axes, by, &opts(3, 2)).unwrap();
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&two).unwrap()
    );
}

#[test]
fn a_sweep_finds_the_setting_that_relieves_the_bottleneck() {
    let v = ok(&[
        "sweep",
        "scenes/bracket_line.ron",
        "--set",
        "welders.count=1..2",
        "--set",
        "b1.capacity=4,8",
        "--reps",
        "4",
        "--json",
    ]);
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 4, "a 2 × 2 grid");
    assert_eq!(
        points[0]["settings"][0],
        serde_json::json!(["welders.count", 1.0])
    );
    let best = &v["best"];
    assert!(
        best["label"].as_str().unwrap().contains("welders.count=2"),
        "one welder for a two-place weld station halves its output: {best}"
    );
    // The runner-up also has two welders (the buffer size does not matter here).
    assert!(
        best["runner_up"][1]
            .as_str()
            .unwrap()
            .contains("welders.count=2")
    );
    let bad = cli(&[
        "sweep",
        "scenes/bracket_line.ron",
        "--set",
        "welders.cuont=1..2",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("did you mean `count`"));
    let bad = cli(&[
        "sweep",
        "scenes/bracket_line.ron",
        "--set",
        "b1.capacity=1",
        "--by",
        "throughput",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("KPIs: good_per_hour"));
}

/// Parses the report as XML and checks that nothing in it fetches or runs anything.
fn check_self_contained(html: &str) -> roxmltree::Document<'_> {
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("the report is not well-formed: {e}"));
    for n in doc.descendants().filter(|n| n.is_element()) {
        let tag = n.tag_name().name();
        assert!(
            !matches!(
                tag,
                "script" | "link" | "iframe" | "img" | "object" | "embed"
            ),
            "<{tag}> in a self-contained report"
        );
        for a in n.attributes() {
            let v = a.value().to_ascii_lowercase();
            assert!(
                !(a.name() == "src" || a.name() == "href" || a.name().starts_with("on")),
                "attribute {}=\"{}\"",
                a.name(),
                a.value()
            );
            assert!(!v.contains("url(") && !v.contains("javascript:"), "{v}");
        }
    }
    assert!(!html.contains("@import") && !html.contains("url("));
    doc
}

#[test]
fn the_compare_report_is_one_self_contained_file_with_every_chart() {
    let dir = std::env::temp_dir().join(format!("ft-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.html");
    let out = cli(&[
        "compare",
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
        "--reps",
        "4",
        "--report",
        file.to_str().unwrap(),
        "--csv",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&file).unwrap();
    let doc = check_self_contained(&html);
    let titles: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title") && n.parent().is_some_and(|p| p.has_tag_name("svg")))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    for wanted in [
        "good parts per hour (productivity)",
        "Good parts per hour",
        "Parts in process (WIP)",
        "Lead time of the parts shipped (every longer one in the last bar)",
        "Bracket line (robot welding cell)",
        "Cumulative cash flow over the robot's life (with the subsidy)",
        "What moves the NPV most",
    ] {
        assert!(
            titles.iter().any(|t| t == wanted),
            "no chart \"{wanted}\" in {titles:?}"
        );
    }
    let summary = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("summary"))
        .expect("a plain-language summary");
    let text: String = summary.descendants().filter_map(|n| n.text()).collect();
    assert!(text.contains("scrap rate better"), "{text}");
    assert!(text.contains("It pays back"), "{text}");
    let csv = std::fs::read_to_string(dir.join("comparison.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + experiment::KPIS.len());
    assert!(dir.join("business_case.csv").exists() && dir.join("1-variant/line.csv").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn ids_and_names_with_markup_are_shown_as_text() {
    let scene = crate::scene(
        r#"Scene(
            name: "A & B <i>line</i>",
            run: (horizon: Hours(4), seed: 1, replications: 2),
            products: [Product(id: "p")],
            objects: [
                Source(id: "in", pos: (0, 0), product: "p", interarrival: Exponential(mean: Seconds(60))),
                Machine(id: "<script>alert(1)</script>", pos: (2, 0), cycle: Constant(Seconds(30))),
                Sink(id: "out", pos: (4, 0)),
            ],
            flow: [("in", "<script>alert(1)</script>"), ("<script>alert(1)</script>", "out")],
        )"#,
    );
    let summary = experiment::replicate(&scene, &opts(2, 1)).unwrap();
    let html = report::run_report(&summary, None, &report::Inputs::none());
    let doc = check_self_contained(&html);
    let text: String = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(
        text.contains("<script>alert(1)</script>"),
        "the id is shown as text"
    );
    assert!(text.contains("A & B <i>line</i>"));
    assert!(!doc.descendants().any(|n| n.has_tag_name("i")));
}

#[test]
fn the_business_case_adds_up() {
    let v = ok(&[
        "roi",
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
        "--reps",
        "5",
        "--json",
    ]);
    let c = &v["business_cases"][0];
    let f = |p: &str| {
        c.pointer(p)
            .and_then(|x| x.as_f64())
            .unwrap_or_else(|| panic!("{p}"))
    };
    // 420 M gross, half of it is under the 300 M cap.
    assert_eq!(f("/investment/gross"), 420e6);
    assert_eq!(f("/investment/subsidy"), 210e6);
    assert_eq!(c["investment"]["cap_binding"], false);
    // Two welders on a 40-hour week for 48 weeks are no longer paid.
    assert!((f("/yearly/labour_hours_saved/mean") - 2.0 * 40.0 * 48.0).abs() < 1e-6);
    // NPV from the mean yearly cash flow by hand: constant flows, residual in year 8.
    let cf = f("/yearly/net_cash_flow/mean");
    let annuity: f64 = (1..=8).map(|t| 1.06f64.powi(-t)).sum();
    let npv = -210e6 + cf * annuity + 20e6 / 1.06f64.powi(8);
    assert!(
        (f("/npv/mean/mean") - npv).abs() < 1e-6 * npv.abs(),
        "{npv}"
    );
    // Without the subsidy the NPV is exactly the subsidy lower, payback later.
    assert!((f("/npv/mean/mean") - f("/npv_without_subsidy/mean/mean") - 210e6).abs() < 1.0);
    assert!(f("/payback_without_subsidy_years/median") > f("/payback_years/median"));
    // Every replication pays back, so the mean exists beside the median.
    assert_eq!(f("/payback_years/undefined"), 0.0);
    let mut flows = vec![-210e6];
    flows.extend([cf; 8]);
    let payback = finance::payback_years(&flows).unwrap();
    assert!(
        (f("/payback_years/mean/mean") - payback).abs() < 0.05,
        "{payback}"
    );
    // The range of outcomes brackets the median.
    assert!(f("/payback_years/p10") <= f("/payback_years/median"));
    assert!(f("/payback_years/median") <= f("/payback_years/p90"));
    assert_eq!(f("/npv_positive_share"), 1.0);
    let tornado: Vec<&str> = c["tornado"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["assumption"].as_str().unwrap())
        .collect();
    for a in ["wage", "unit margin", "demand", "robot MTBF", "subsidy"] {
        assert!(tornado.contains(&a), "{a} missing from {tornado:?}");
    }
}

/// A variant of the bracket line written next to the test's temp folder.
fn variant_file(name: &str, investment: &str) -> std::path::PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenes/bracket_line.ron");
    let dir = std::env::temp_dir().join(format!("ft-roi-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("variant.ron");
    std::fs::write(
        &path,
        format!(
            "Variant(base: {:?}, name: \"{name}\", changes: [], investment: {investment})",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_change_that_earns_nothing_has_no_irr_and_says_why() {
    let v = variant_file(
        "nothing changes",
        "(capex: 800_000_000, subsidy: (rate: 0.5, cap: 300_000_000), life_years: 5, maintenance_per_year: 5_000_000)",
    );
    let out = ok(&[
        "roi",
        "scenes/bracket_line.ron",
        v.to_str().unwrap(),
        "--reps",
        "3",
        "--json",
    ]);
    let c = &out["business_cases"][0];
    // Cap binding: half of 800 M is more than 300 M.
    assert_eq!(c["investment"]["subsidy"], 300e6);
    assert_eq!(c["investment"]["cap_binding"], true);
    // Same streams, same scene: exactly no difference, so only maintenance flows.
    assert_eq!(c["yearly"]["net_cash_flow"]["mean"], -5e6);
    assert!(c["irr"]["median"].is_null() && c["irr"]["mean"].is_null());
    assert_eq!(c["irr"]["undefined"], 3);
    // No replication pays back: no median, no mean built from the lucky ones.
    assert_eq!(c["payback_years"]["undefined"], 3);
    assert!(c["payback_years"]["median"].is_null() && c["payback_years"]["mean"].is_null());
    assert_eq!(c["npv_positive_share"], 0.0);
    let text = String::from_utf8(
        cli(&[
            "roi",
            "scenes/bracket_line.ron",
            v.to_str().unwrap(),
            "--reps",
            "3",
        ])
        .stdout,
    )
    .unwrap();
    assert!(
        text.contains("It does not pay back")
            && text.contains("does not pay back within the 5-year life in 3 of 3 replications")
            && text.contains("no IRR in 3 of 3 replications"),
        "{text}"
    );
    std::fs::remove_dir_all(v.parent().unwrap()).ok();
}

#[test]
fn roi_without_prices_or_investment_is_bad_input() {
    let out = cli(&[
        "roi",
        "scenes/training/01_single_machine.ron",
        "scenes/bracket_line_robot_weld.ron",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has no `economics`") && err.contains("01_single_machine.ron"),
        "{err}"
    );
    let out = cli(&["roi", "scenes/bracket_line.ron", "scenes/bracket_line.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no `investment`"));
    let v = variant_file(
        "bad subsidy",
        "(capex: 1e6, subsidy: (rate: 1.5, cap: 1e6), life_years: 5)",
    );
    let out = cli(&["roi", "scenes/bracket_line.ron", v.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("investment.subsidy.rate must be in [0, 1]")
    );
    std::fs::remove_dir_all(v.parent().unwrap()).ok();
}

#[test]
fn ctrl_c_stops_cleanly_and_writes_what_finished() {
    let dir = std::env::temp_dir().join(format!("ft-stop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("csv");
    let child = Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args([
            "run",
            "scenes/bracket_line.ron",
            "--reps",
            "100000",
            "--threads",
            "1",
            "--json",
            "--csv",
        ])
        .arg(&csv)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until replications are running, then interrupt.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("of 100000 replications finished"), "{err}");
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the summary is still printed");
    let n = v["replications"].as_u64().unwrap();
    assert!((1..100_000).contains(&n), "{n}");
    assert!(csv.join("line.csv").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn estimates_of_the_business_case_are_over_replications() {
    // The interval of NPV is the interval of its per-replication values.
    let e = Estimate::of(&[1.0, 2.0, 3.0]);
    assert_eq!(e.n, 3);
    let (base, variant) = bracket();
    let c = experiment::compare(&base, std::slice::from_ref(&variant), &opts(3, 2)).unwrap();
    let bc = factory_twin::economics::business_case(
        &base,
        &variant,
        &c.scenarios[0].runs,
        &c.scenarios[1].runs,
        &opts(3, 2),
    )
    .unwrap();
    assert_eq!(bc.npv.n, 3);
    assert_eq!(bc.cumulative.len(), 9, "years 0 to 8");
    assert_eq!(bc.cumulative[0].mean, -210e6);
}

#[test]
fn names_with_markup_and_korean_survive_every_report_once_escaped() {
    // Scene names are text in every format: escaped exactly once in HTML
    // (a table header escaped twice showed "A & B" as "A &amp;amp; B"),
    // unchanged in JSON, quoted in CSV.
    let dir = std::env::temp_dir().join(format!("ft-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base_name = r#"A & B <line> "용접""#;
    let variant_name = r#"로봇 & <cell> 'r'"#;
    let base = std::fs::read_to_string(root.join("scenes/bracket_line.ron"))
        .unwrap()
        .replace(
            r#"name: "Bracket line (manual welding)""#,
            &format!("name: {base_name:?}"),
        );
    let variant = std::fs::read_to_string(root.join("scenes/bracket_line_robot_weld.ron"))
        .unwrap()
        .replace(
            r#"name: "Bracket line (robot welding cell)""#,
            &format!("name: {variant_name:?}"),
        );
    assert!(!base.contains("manual welding)\"") && !variant.contains("welding cell)\""));
    std::fs::write(dir.join("bracket_line.ron"), base).unwrap();
    std::fs::write(dir.join("robot.ron"), variant).unwrap();
    let (b, v) = (dir.join("bracket_line.ron"), dir.join("robot.ron"));
    let (b, v) = (b.to_str().unwrap(), v.to_str().unwrap());
    let report = dir.join("r.html");
    let r = report.to_str().unwrap();
    let cases: [Vec<&str>; 5] = [
        vec!["compare", b, v, "--reps", "2", "--report", r],
        vec!["roi", b, v, "--reps", "2", "--report", r],
        vec!["run", b, "--reps", "2", "--report", r],
        vec![
            "sweep",
            b,
            "--set",
            "b1.capacity=2,4",
            "--reps",
            "2",
            "--report",
            r,
        ],
        vec!["bottleneck", b, "--reps", "2", "--report", r],
    ];
    for args in cases {
        let out = cli(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let html = std::fs::read_to_string(&report).unwrap();
        let doc = check_self_contained(&html);
        let text: String = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(text.contains(base_name), "{args:?}: the name as text");
        if args[0] == "compare" || args[0] == "roi" {
            assert!(text.contains(variant_name), "{args:?}");
        }
        // Once unescaped, no entity may remain: it was escaped twice.
        for entity in ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"] {
            assert!(!text.contains(entity), "{args:?}: {entity} in the text");
        }
    }
    let json = ok(&["compare", b, v, "--reps", "2", "--json"]);
    assert_eq!(json["base"], base_name);
    assert_eq!(json["variants"][0]["variant"], variant_name);
    let csv_dir = dir.join("csv");
    let out = cli(&[
        "compare",
        b,
        v,
        "--reps",
        "2",
        "--csv",
        csv_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let csv = std::fs::read_to_string(csv_dir.join("comparison.csv")).unwrap();
    assert!(
        csv.contains(&format!("{variant_name},")) || csv.contains(&format!("\"{variant_name}\",")),
        "{csv}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `roi --report` is the business case's own report: the first page (the
/// question, the answer, the figures with what their ± means, the case,
/// the caveats), then the business case, then the comparison behind it,
/// and the inputs last, each file with its SHA-256.
#[test]
fn the_roi_report_opens_with_the_decision_and_closes_with_its_inputs() {
    use sha2::{Digest, Sha256};
    let dir = std::env::temp_dir().join(format!("ft-roi-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("roi.html");
    let out = cli(&[
        "roi",
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
        "--reps",
        "3",
        "--report",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&file).unwrap();
    check_self_contained(&html);
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in the report"))
    };
    let order = [
        "<section class=\"first\">",
        "The question.",
        "The answer.",
        "± is the 95 % confidence interval of the mean",
        "Business case.",
        "Caveats.",
        "</section>",
        "<h2>Business case: Bracket line (robot welding cell)</h2>",
        "<h2>The simulated figures behind it</h2>",
        "<h2>KPIs side by side</h2>",
        "<h2>Inputs</h2>",
    ];
    for pair in order.windows(2) {
        assert!(
            at(pair[0]) < at(pair[1]),
            "{:?} before {:?}",
            pair[0],
            pair[1]
        );
    }
    assert!(html.contains("<title>Business case: Bracket line (robot welding cell)</title>"));
    // Money in millions on the first page; every input file with its hash.
    let first = &html[at("<section class=\"first\">")..at("</section>")];
    assert!(first.contains("420 M KRW"), "{first}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in [
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
    ] {
        let digest = Sha256::digest(std::fs::read(root.join(f)).unwrap());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let inputs = &html[at("<h2>Inputs</h2>")..];
        assert!(inputs.contains(f) && inputs.contains(&hex), "{f} {hex}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_flow_diagram_marks_the_bottleneck_the_run_names_and_the_line_output() {
    let dir = std::env::temp_dir().join(format!("ft-flow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("run.html");
    let json = ok(&[
        "run",
        "scenes/machining_cell.ron",
        "--reps",
        "3",
        "--json",
        "--report",
        html.to_str().unwrap(),
    ]);
    let bottleneck = json["line"]["bottleneck"].as_str().expect("a bottleneck");
    let page = std::fs::read_to_string(&html).unwrap();
    let doc = check_self_contained(&page);
    let svg = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("svg")
                && n.children()
                    .any(|c| c.has_tag_name("title") && c.text() == Some("Flow of parts"))
        })
        .expect("a flow diagram");
    let text_of = |n: roxmltree::Node| n.text().unwrap_or("").to_string();
    // The red-outlined box is the bottleneck's, and only it.
    let red: Vec<String> = svg
        .children()
        .filter(|n| n.has_tag_name("rect") && n.attribute("stroke") == Some("#c62828"))
        .map(|r| {
            let label = r
                .next_sibling_element()
                .filter(|t| t.has_tag_name("text"))
                .expect("a box's label follows it");
            text_of(label)
        })
        .collect();
    assert_eq!(red, [bottleneck]);
    // Where parts leave, the line's good parts per hour.
    let good = json["line"]["good_per_hour"]["mean"].as_f64().unwrap();
    let out = format!("out: {good:.1} good parts/h");
    assert!(
        svg.descendants().any(|t| text_of(t) == out),
        "{out:?} not in the diagram"
    );
    std::fs::remove_dir_all(&dir).ok();
}
