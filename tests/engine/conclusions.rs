//! The conclusions a reader acts on: which resource limits output (and the
//! relief experiment that settles it), pooled MTBF, the verdicts of a
//! comparison. Each test fails on the behaviour before these were fixed.

use super::{run, scene};
use factory_twin::experiment::{self, Options, Summary};
use factory_twin::scene::{Scene, load_scene};
use std::path::Path;

fn bundled(path: &str) -> Scene {
    load_scene(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_else(|d| panic!("{d}"))
}

fn summary(s: &Scene, reps: u32) -> Summary {
    Summary::from_runs(s, run(s, reps))
}

fn options(reps: u32) -> Options {
    Options {
        replications: Some(reps),
        ..Options::default()
    }
}

#[test]
fn training_5_names_the_crew_never_the_audit() {
    // Audit checks a fifth of the parts and works 5 % of the time; the crew
    // of two is busy 88 % of its paid time (250 s of operator work a unit).
    let s = summary(&bundled("scenes/training/05_operators_and_shifts.ron"), 10);
    let l = &s.line;
    assert_eq!(l.bottleneck.as_deref(), Some("crew"), "{l:?}");
    assert_eq!(l.bottleneck_resource, Some("operators"));
    assert_eq!(l.bottleneck_share, 1.0);
    assert!((l.bottleneck_utilisation.mean - 0.88).abs() < 0.02);
    // Line OEE is the crew's: paid operator-time on ideal-speed work, not audit's 25 %.
    let crew = &s.operators[0];
    assert_eq!(l.line_oee.mean, crew.oee.mean);
    assert!(l.line_oee.mean > 0.8, "{:?}", l.line_oee);
}

#[test]
fn the_relief_experiment_confirms_the_crew_and_clears_the_audit() {
    let scene = bundled("scenes/training/05_operators_and_shifts.ron");
    let e = experiment::relieve_each(&scene, &options(6)).unwrap();
    let top = &e.reliefs[0];
    assert_eq!((top.resource.as_str(), top.kind), ("crew", "operators"));
    assert!(top.raises_output && top.gain_percent > 20.0, "{top:?}");
    let audit = e.reliefs.iter().find(|r| r.resource == "audit").unwrap();
    assert!(!audit.raises_output, "{audit:?}");
    assert!(audit.gain_percent.abs() < 1.0);
    assert!(e.verdict.starts_with("Relieving crew"), "{}", e.verdict);
    assert!(e.verdict.contains("It is the bottleneck `run` names"));
}

#[test]
fn a_pool_too_small_for_its_machines_is_the_bottleneck() {
    // Two 60 s machines in series share one operator for the whole cycle:
    // together they need 120 s of the operator per part, so the operator,
    // not either machine (each busy about half the time), paces the line.
    let s = summary(
        &scene(
            r#"Scene(name: "pool", run: (horizon: Hours(20), warmup: Hours(1), seed: 3), products: [Product(id: "p")],
            objects: [
                Source(id: "raw", pos: (0, 0), product: "p"),
                Machine(id: "m1", pos: (1, 0), cycle: Exponential(mean: Seconds(60)), operator: "crew"),
                Buffer(id: "b", pos: (2, 0), capacity: 5),
                Machine(id: "m2", pos: (3, 0), cycle: Exponential(mean: Seconds(60)), operator: "crew"),
                Sink(id: "out", pos: (4, 0)),
                Operators(id: "crew", pos: (2, 1), count: 1),
            ],
            flow: [("raw", "m1"), ("m1", "b"), ("b", "m2"), ("m2", "out")])"#,
        ),
        4,
    );
    assert_eq!(s.line.bottleneck.as_deref(), Some("crew"));
    assert!(s.line.bottleneck_utilisation.mean > 0.98);
    for st in &s.stations {
        assert!(st.utilisation.mean < 0.6, "{}: {:?}", st.id, st.utilisation);
    }
}

#[test]
fn a_line_that_makes_what_arrives_has_no_bottleneck() {
    // Training 1: the M/M/1 queue, parts arriving every 75 s on average into a
    // large buffer before a mill that needs 60 s: busy 80 %, never held back.
    let s = summary(&bundled("scenes/training/01_single_machine.ron"), 5);
    assert_eq!(s.line.bottleneck, None);
    assert_eq!(s.line.demand_limited_share, 1.0);
    assert_eq!(s.line.busiest.as_deref(), Some("mill"));
    let e = experiment::relieve_each(
        &bundled("scenes/training/01_single_machine.ron"),
        &options(5),
    )
    .unwrap();
    assert!(
        e.reliefs.iter().all(|r| !r.raises_output),
        "{:?}",
        e.reliefs
    );
    assert!(e.verdict.contains("demand-limited"), "{}", e.verdict);
}

#[test]
fn a_slow_station_that_sees_little_flow_is_not_the_bottleneck() {
    // Every part is turned (40 s a part, 95 % of the arrivals' pace); one in
    // twenty goes on to a slow check (10 min a part, 40 % busy) before
    // leaving. The slow check has by far the longest active periods, but
    // the lathe limits output.
    let text = r#"Scene(name: "branch", run: (horizon: Hours(40), warmup: Hours(2), seed: 11), products: [Product(id: "p")],
        objects: [
            Source(id: "raw", pos: (0, 0), product: "p", interarrival: Exponential(mean: Seconds(42))),
            Machine(id: "lathe", pos: (1, 0), cycle: Constant(Seconds(40))),
            Buffer(id: "q", pos: (2, 1), capacity: 200),
            Machine(id: "check", pos: (3, 1), cycle: Constant(Minutes(10))),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("raw", "lathe"), Flow(from: "lathe", to: "out", weight: 0.95),
               Flow(from: "lathe", to: "q", weight: 0.05), ("q", "check"), ("check", "out")])"#;
    let s = summary(&scene(text), 4);
    let by_id = |id: &str| s.stations.iter().find(|x| x.id == id).unwrap();
    assert!(
        by_id("check").mean_active_period_s.mean > by_id("lathe").mean_active_period_s.mean,
        "the test needs the slow check to have the longer active periods"
    );
    assert_eq!(s.line.bottleneck.as_deref(), Some("lathe"));
    let e = experiment::relieve_each(&scene(text), &options(4)).unwrap();
    assert_eq!(e.reliefs[0].resource, "lathe");
    let check = e.reliefs.iter().find(|r| r.resource == "check").unwrap();
    assert!(!check.raises_output, "{check:?}");
}

#[test]
fn serial_lines_keep_their_bottleneck() {
    // Training 4: the mill (75 s, the slowest) paces the line; training 3:
    // the press with its failures.
    for (path, id) in [
        ("scenes/training/04_bottleneck_line.ron", "mill"),
        ("scenes/training/03_unreliable_machine.ron", "press"),
    ] {
        let s = summary(&bundled(path), 5);
        assert_eq!(s.line.bottleneck.as_deref(), Some(id), "{path}");
        assert_eq!(s.line.bottleneck_share, 1.0, "{path}");
        let e = experiment::relieve_each(&bundled(path), &options(5)).unwrap();
        assert_eq!(e.reliefs[0].resource, id, "{path}: {:?}", e.reliefs);
    }
}

#[test]
fn the_bracket_line_is_held_back_at_its_entry() {
    // Blanks arrive every 45 s on average but wait at the source while cut
    // is busy or down (no rack before it): cut limits output, although the
    // weld station is busier. Relieving the weld station gains nothing.
    let scene = bundled("scenes/bracket_line.ron");
    let s = summary(&scene, 5);
    assert_eq!(s.line.bottleneck.as_deref(), Some("cut"));
    let weld = s.stations.iter().find(|x| x.id == "weld").unwrap();
    assert!(weld.utilisation.mean > s.line.bottleneck_utilisation.mean);
    let e = experiment::relieve_each(&scene, &options(8)).unwrap();
    assert_eq!(e.reliefs[0].resource, "cut");
    let weld = e.reliefs.iter().find(|r| r.resource == "weld").unwrap();
    assert!(!weld.raises_output, "{weld:?}");
}

#[test]
fn pooled_mtbf_estimates_the_scene_s_mtbf() {
    // The robot cell fails after 120 h of work on average; a replication
    // works about 26 h, so most replications see no failure. The old mean
    // of per-replication ratios over those that did said 25 h.
    let s = summary(&bundled("scenes/bracket_line_robot_weld.ron"), 30);
    let weld = s.stations.iter().find(|x| x.id == "weld").unwrap();
    let m = weld.mtbf_s;
    let h = 3600.0;
    let (lo, hi) = (m.low.unwrap() / h, m.high.unwrap() / h);
    assert!(lo < 120.0 && 120.0 < hi, "{lo}–{hi} h");
    assert!((m.mean.unwrap() / h - 120.0).abs() < 40.0, "{:?}", m.mean);
    assert!(m.thin(), "only a handful of failures in 30 weeks");
}

#[test]
fn pooled_mtbf_is_unbiased_where_the_mean_of_ratios_is_not() {
    // MTBF 10 h of run time, 4 h windows: most replications see 0 or 1 failure.
    let text = r#"Scene(name: "rare", run: (horizon: Hours(4), seed: 5), products: [Product(id: "p")],
        objects: [
            Source(id: "raw", pos: (0, 0), product: "p"),
            Machine(id: "m", pos: (1, 0), cycle: Constant(Seconds(10)),
                    failures: (between: Exponential(mean: Hours(10)), repair: Constant(Minutes(6)))),
            Sink(id: "out", pos: (2, 0)),
        ],
        flow: [("raw", "m"), ("m", "out")])"#;
    let runs = run(&scene(text), 500);
    let ratios: Vec<f64> = runs.iter().filter_map(|r| r.stations[0].mtbf_s).collect();
    let mean_of_ratios = ratios.iter().sum::<f64>() / ratios.len() as f64 / 3600.0;
    let s = Summary::from_runs(&scene(text), runs);
    let m = s.stations[0].mtbf_s;
    let pooled = m.mean.unwrap() / 3600.0;
    assert!((pooled - 10.0).abs() < 2.0, "pooled {pooled} h");
    assert!(mean_of_ratios < 5.0, "mean of ratios {mean_of_ratios} h");
    assert!(m.low.unwrap() / 3600.0 < 10.0 && 10.0 < m.high.unwrap() / 3600.0);
    // MTTR: every repair takes 6 min exactly.
    assert!((s.stations[0].mttr_s.mean.unwrap() - 360.0).abs() < 1e-6);
}

#[test]
fn a_faster_pacing_station_shows_spare_capacity_not_a_loss() {
    // Parts arrive every 50 s; the mill needs 45 s (90 % busy), the variant
    // 30 s (60 %). Output is the same; line OEE falls because the mill waits.
    let base = |cycle: u32| {
        scene(&format!(
            r#"Scene(name: "mill {cycle} s", run: (horizon: Hours(40), warmup: Hours(2), seed: 9), products: [Product(id: "p")],
            objects: [
                Source(id: "raw", pos: (0, 0), product: "p", interarrival: Exponential(mean: Seconds(50))),
                Buffer(id: "rack", pos: (1, 0), capacity: 500),
                Machine(id: "mill", pos: (2, 0), cycle: Constant(Seconds({cycle}))),
                Sink(id: "out", pos: (3, 0)),
            ],
            flow: [("raw", "rack"), ("rack", "mill"), ("mill", "out")])"#
        ))
    };
    let c = experiment::compare(&base(45), &[base(30)], &options(6)).unwrap();
    let k = |key: &str| c.variants[0].kpis.iter().find(|k| k.key == key).unwrap();
    let oee = k("line_oee");
    assert_eq!(oee.difference_unit, "pp");
    assert!(oee.difference.mean < -20.0, "{oee:?}");
    assert_eq!(oee.verdict, "spare capacity");
    assert!(oee.note.as_ref().unwrap().contains("not a loss"));
    assert_eq!(k("good_per_hour").verdict, "no significant change");
    // Labour: neither scene pays any; said, not "no significant change".
    let labour = k("good_per_labour_hour");
    assert_eq!(labour.verdict, "not comparable");
    assert!(labour.note.as_ref().unwrap().contains("no operator pool"));
}

#[test]
fn the_robot_comparison_says_what_changed_and_why() {
    let (base, robot) = (
        bundled("scenes/bracket_line.ron"),
        bundled("scenes/bracket_line_robot_weld.ron"),
    );
    let c = experiment::compare(&base, std::slice::from_ref(&robot), &options(5)).unwrap();
    let v = &c.variants[0];
    let k = |key: &str| v.kpis.iter().find(|k| k.key == key).unwrap();
    // No welders are paid in the robot cell: labour productivity is undefined there.
    let labour = k("good_per_labour_hour");
    assert_eq!(labour.verdict, "not comparable");
    assert!(
        labour
            .note
            .as_ref()
            .unwrap()
            .starts_with("undefined in the variant")
    );
    // The capital is a cost of each part too.
    let (run_cost, with_capital) = (
        k("cost_per_good_part"),
        k("cost_per_good_part_with_capital"),
    );
    assert_eq!(
        with_capital.base.mean, run_cost.base.mean,
        "the base buys nothing"
    );
    assert!(with_capital.variant.mean > run_cost.variant.mean * 2.0);
    // Percentages differ in percentage points.
    assert_eq!(k("scrap_rate").difference_unit, "pp");
    // The headline leads with output, then cost with capital.
    assert!(
        v.headline[0].starts_with("good parts per hour"),
        "{:?}",
        v.headline
    );
    assert!(
        v.headline[1].starts_with("cost per good part with capital"),
        "{:?}",
        v.headline
    );
}

/// A line whose buffer fills for about 6.7 h (m1 makes a part every 30 s,
/// m2 takes 40 s), then stays full.
fn filling_line(warmup_h: u32) -> Scene {
    scene(&format!(
        r#"Scene(name: "filling", run: (horizon: Hours(20), warmup: Hours({warmup_h}), seed: 1), products: [Product(id: "p")],
        objects: [
            Source(id: "raw", pos: (0, 0), product: "p"),
            Machine(id: "m1", pos: (1, 0), cycle: Constant(Seconds(30))),
            Buffer(id: "b", pos: (2, 0), capacity: 200),
            Machine(id: "m2", pos: (3, 0), cycle: Constant(Seconds(40))),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("raw", "m1"), ("m1", "b"), ("b", "m2"), ("m2", "out")])"#
    ))
}

#[test]
fn a_warm_up_too_short_for_the_line_to_fill_is_said() {
    let short = summary(&filling_line(0), 2);
    let w = short
        .warnings
        .iter()
        .find(|w| w.contains("MSER-5"))
        .unwrap_or_else(|| panic!("{:?}", short.warnings));
    assert!(
        w.contains("settles only after about 6.") || w.contains("settles only after about 7."),
        "{w}"
    );
    let long = summary(&filling_line(10), 2);
    assert!(
        long.warnings.iter().all(|w| !w.contains("MSER-5")),
        "{:?}",
        long.warnings
    );
}

#[test]
fn more_operators_than_places_is_said() {
    // The bracket line's weld station has two places; a third welder cannot work.
    let mut s = bundled("scenes/bracket_line.ron");
    factory_twin::scene::set_param(
        &mut s,
        "welders.count",
        &factory_twin::scene::Value::Number(3.0),
    )
    .unwrap();
    let w = factory_twin::experiment::warnings::scene_warnings(&s);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("\"welders\" has 3 operators") && w[0].contains("2 places"));
    assert!(
        factory_twin::experiment::warnings::scene_warnings(&bundled("scenes/bracket_line.ron"))
            .is_empty()
    );
}

#[test]
fn uncertain_prices_widen_the_range_of_outcomes_not_the_median() {
    let (base, robot) = (
        bundled("scenes/bracket_line.ron"),
        bundled("scenes/bracket_line_robot_weld.ron"),
    );
    let c = experiment::compare(&base, std::slice::from_ref(&robot), &options(5)).unwrap();
    let case = factory_twin::economics::business_case(
        &base,
        &robot,
        &c.scenarios[0].runs,
        &c.scenarios[1].runs,
        &options(5),
    )
    .unwrap();
    let u = &case.with_price_uncertainty;
    assert_eq!(u.npv.n, 5 * u.draws_per_replication);
    let (p10, p90) = (case.npv.p10.unwrap(), case.npv.p90.unwrap());
    assert!(
        u.npv.p10.unwrap() < p10 && u.npv.p90.unwrap() > p90,
        "{u:?}"
    );
    // Prices symmetric around the values entered: the median stays close.
    let m = case.npv.median.unwrap();
    assert!((u.npv.median.unwrap() / m - 1.0).abs() < 0.1);
}

#[test]
fn two_identical_machines_share_the_limit() {
    // Training 2: m1 and m2 are the same; each replication names the busier
    // one, so neither is "the bottleneck": the headline says shared.
    let s = summary(&bundled("scenes/training/02_two_machines_buffer.ron"), 10);
    let ids: Vec<&str> = s.line.shared_limit.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{:?}", s.line.shared_limit);
    assert!(ids.contains(&"m1") && ids.contains(&"m2"));
    let line = factory_twin::report::bottleneck_line(&s);
    assert!(line.starts_with("shared by "), "{line}");
    // A real bottleneck is not called shared.
    let mill = summary(&bundled("scenes/training/04_bottleneck_line.ron"), 5);
    assert!(mill.line.shared_limit.is_empty());
    assert!(factory_twin::report::bottleneck_line(&mill).starts_with("mill ("));
}

#[test]
fn demand_turned_away_at_the_entry_is_counted() {
    // The bracket line's cut has no place in front of it: blanks that arrive
    // while one waits at the source are lost, about one in five. Waiting
    // overnight (the source is off shift then) loses nothing.
    let s = summary(&bundled("scenes/bracket_line.ron"), 5);
    let share = s.line.demand_turned_away_share.mean;
    assert!((0.15..0.25).contains(&share), "{share}");
    assert!(factory_twin::report::terminal(&s).contains("Demand turned away"));
    // A saturated source has no demand to turn away.
    let t2 = summary(&bundled("scenes/training/02_two_machines_buffer.ron"), 2);
    assert_eq!(t2.line.demand_turned_away.n, 0);
    assert!(!factory_twin::report::terminal(&t2).contains("Demand turned away"));
}

#[test]
fn figures_the_scene_does_not_model_are_undefined_not_zero() {
    // Training 2 has neither economics nor power ratings nor failures.
    let s = summary(&bundled("scenes/training/02_two_machines_buffer.ron"), 2);
    assert_eq!(s.line.cost_per_good_part.n, 0);
    assert_eq!(s.line.energy_kwh_per_good_part.n, 0);
    for st in &s.stations {
        assert!(!st.can_fail);
        assert_eq!((st.mtbf_s.mean, st.mtbf_s.low), (None, None), "{}", st.id);
    }
    let html = factory_twin::report::run_report(&s, None, &factory_twin::report::Inputs::none());
    assert!(html.contains("no failure model") && !html.contains("&gt; "));
    // The bracket line has all three.
    let b = summary(&bundled("scenes/bracket_line.ron"), 2);
    assert_eq!(b.line.cost_per_good_part.n, 2);
    assert_eq!(b.line.energy_kwh_per_good_part.n, 2);
    assert!(
        b.stations
            .iter()
            .any(|s| s.can_fail && s.mtbf_s.low.is_some())
    );
}

#[test]
fn sweeps_say_when_settings_change_nothing_and_when_line_oee_changes_resource() {
    let opts = options(4);
    let by = experiment::kpi_by_key("good_per_hour").unwrap();
    // A six times faster audit changes nothing: the crew limits training 5.
    let audit = experiment::sweep(
        &bundled("scenes/training/05_operators_and_shifts.ron"),
        &[experiment::Axis::parse("audit.cycle.mean=180,30").unwrap()],
        by,
        &opts,
    )
    .unwrap();
    assert!(
        audit
            .notes
            .iter()
            .any(|n| n.starts_with("no setting changes good parts per hour")),
        "{:?}",
        audit.notes
    );
    let best = audit.best.as_ref().unwrap();
    assert!(best.negligible || !best.significant, "{best:?}");
    // A second mill moves the limit to the saw: line OEE is of another station.
    let mill = experiment::sweep(
        &bundled("scenes/training/04_bottleneck_line.ron"),
        &[experiment::Axis::parse("mill.capacity=1,2").unwrap()],
        by,
        &opts,
    )
    .unwrap();
    assert!(
        mill.notes
            .iter()
            .any(|n| n.starts_with("line_oee is the OEE of the resource")),
        "{:?}",
        mill.notes
    );
    assert!(
        !mill
            .notes
            .iter()
            .any(|n| n.starts_with("no setting changes"))
    );
    // Without economics the cost column is left out and said why.
    let text = factory_twin::report::sweep(&mill);
    assert!(
        text.contains("Not shown, undefined: cost_per_good_part"),
        "{text}"
    );
}

#[test]
fn the_relief_experiment_skips_idle_pools_and_negligible_gains() {
    // A pool no station asks for cannot limit output: it is not relieved.
    let scene = scene(
        r#"Scene(name: "idle pool", run: (horizon: Hours(20), warmup: Hours(1), seed: 3), products: [Product(id: "p")],
        objects: [
            Source(id: "raw", pos: (0, 0), product: "p"),
            Machine(id: "m1", pos: (1, 0), cycle: Exponential(mean: Seconds(60)), operator: "crew"),
            Buffer(id: "b", pos: (2, 0), capacity: 4),
            Machine(id: "m2", pos: (3, 0), cycle: Exponential(mean: Seconds(50))),
            Sink(id: "out", pos: (4, 0)),
            Operators(id: "crew", pos: (1, 2), count: 1),
            Operators(id: "spare", pos: (3, 2), count: 1),
        ],
        flow: [("raw", "m1"), ("m1", "b"), ("b", "m2"), ("m2", "out")])"#,
    );
    let e = experiment::relieve_each(&scene, &options(4)).unwrap();
    assert!(e.reliefs.iter().all(|r| r.resource != "spare"));
    // Every gain called "raises output" is at least half a percent.
    for r in &e.reliefs {
        assert!(!r.raises_output || r.gain_percent >= 0.5, "{r:?}");
    }
}

#[test]
fn the_tornado_leaves_out_assumptions_that_do_not_move_npv() {
    // Without a subsidy, "subsidy: none vs as granted" has no width.
    let base = bundled("scenes/bracket_line.ron");
    let mut robot = bundled("scenes/bracket_line_robot_weld.ron");
    robot.investment.as_mut().unwrap().subsidy = None;
    let c = experiment::compare(&base, std::slice::from_ref(&robot), &options(3)).unwrap();
    let case = factory_twin::economics::business_case(
        &base,
        &robot,
        &c.scenarios[0].runs,
        &c.scenarios[1].runs,
        &options(3),
    )
    .unwrap();
    assert!(case.tornado.iter().all(|b| b.assumption != "subsidy"));
    assert!(
        case.notes
            .iter()
            .any(|n| n.starts_with("not in the tornado") && n.contains("subsidy")),
        "{:?}",
        case.notes
    );
    assert!(case.tornado.iter().all(|b| b.npv_high != b.npv_low));
}

#[test]
fn effectiveness_above_100_percent_is_explained() {
    let s = summary(&bundled("scenes/bracket_line.ron"), 3);
    let over: Vec<&str> = s
        .stations
        .iter()
        .filter(|st| st.effectiveness.mean >= 1.0005)
        .map(|st| st.id.as_str())
        .collect();
    assert!(!over.is_empty(), "the test needs a station above 100 %");
    let note = factory_twin::report::words::effectiveness_over_100(&s).unwrap();
    assert!(over.iter().all(|id| note.contains(id)) && note.contains("sampling noise"));
    assert!(super::flat(&factory_twin::report::terminal(&s)).contains(&super::flat(&note)));
}

/// The terminal headline and the HTML run report print the KPI table's
/// figures (the list compare uses): every KPI the scene models is there,
/// in the table's order, and one it does not model is left out, not 0.
#[test]
fn the_run_headline_is_the_kpi_table() {
    let s = summary(&bundled("scenes/bracket_line_robot_weld.ron"), 3);
    let text = factory_twin::report::terminal(&s);
    let html = factory_twin::report::run_report(&s, None, &factory_twin::report::Inputs::none());
    let label = |name: &str| {
        let mut c = name.chars();
        c.next()
            .unwrap()
            .to_uppercase()
            .chain(c)
            .collect::<String>()
    };
    let mut last = 0;
    for kpi in experiment::KPIS.iter() {
        let modelled = s.runs.iter().any(|r| (kpi.value)(r).is_some());
        let at = text.find(&format!("  {}  ", label(kpi.name)));
        if kpi.key == "good_per_labour_hour" || kpi.key == "orders_on_time" {
            // The robot cell's line pays no operator and has no order book.
            assert!(!modelled && at.is_none(), "{text}");
            continue;
        }
        assert!(modelled, "{}", kpi.key);
        let at = at.unwrap_or_else(|| panic!("{} missing:\n{text}", kpi.name));
        assert!(at > last, "{} out of the table's order:\n{text}", kpi.name);
        last = at;
        assert!(
            html.contains(&format!("<td>{}</td>", label(kpi.name))),
            "{}",
            kpi.name
        );
    }
}

/// The machining cell: `run` names the lathes (the busiest station), but
/// relieving each resource shows the setters (one per shift, shared by two
/// lathes) limit output most; the late crew of machinists can gain too.
#[test]
fn the_machining_cell_waits_for_its_setters() {
    let scene = bundled("scenes/machining_cell.ron");
    let s = summary(&scene, 6);
    assert_eq!(s.line.bottleneck.as_deref(), Some("lathe"));
    let e = experiment::relieve_each(&scene, &options(6)).unwrap();
    assert_eq!(e.reliefs[0].resource, "setters", "{:?}", e.reliefs);
    assert!(e.reliefs[0].raises_output);
    assert_eq!(
        e.reliefs[0].change,
        "crews early 2, late 2 instead of early 1, late 1"
    );
    let machinists = e
        .reliefs
        .iter()
        .find(|r| r.resource == "machinists")
        .unwrap();
    assert_eq!(
        machinists.change, "crews early 3, late 3 instead of early 3, late 2",
        "only the late crew is below the 3 places"
    );
}

/// A night shift raises output and delivery, but its crew, paid a premium
/// to work off what the day brought in, makes each part dearer.
#[test]
fn a_night_shift_buys_delivery_not_cheaper_parts() {
    let (base, night) = (
        bundled("scenes/machining_cell.ron"),
        bundled("scenes/machining_cell_night_shift.ron"),
    );
    let c = experiment::compare(&base, std::slice::from_ref(&night), &options(6)).unwrap();
    let k = |key: &str| c.variants[0].kpis.iter().find(|k| k.key == key).unwrap();
    assert_eq!(k("good_per_hour").verdict, "better");
    assert_eq!(k("demand_turned_away").verdict, "better");
    assert_eq!(k("lead_time").verdict, "better");
    assert_eq!(k("cost_per_good_part").verdict, "worse");
    assert_eq!(k("good_per_labour_hour").verdict, "worse");
}

/// The tended CNC cell: the machining centres look busiest, but one
/// operator tending three stations limits output: a second operator gains,
/// a faster machining cycle does not.
#[test]
fn a_tended_cell_is_limited_by_its_operator_not_its_machines() {
    let scene = bundled("scenes/tended_cnc_cell.ron");
    let e = experiment::relieve_each(&scene, &options(6)).unwrap();
    assert_eq!(e.reliefs[0].resource, "operator", "{:?}", e.reliefs);
    assert!(e.reliefs[0].raises_output);
    for mc in ["mc1", "mc2"] {
        let r = e.reliefs.iter().find(|r| r.resource == mc).unwrap();
        assert!(!r.raises_output, "{r:?}");
    }
}

/// The AGV plant: its two AGVs limit output (run and the relief experiment
/// agree), and a third takes in the demand turned away.
#[test]
fn the_agv_plant_waits_for_its_vehicles() {
    let scene = bundled("scenes/agv_plant.ron");
    let s = summary(&scene, 6);
    assert_eq!(s.line.bottleneck.as_deref(), Some("agv"));
    assert!(factory_twin::report::bottleneck_line(&s).starts_with("agv (vehicle fleet,"));
    let e = experiment::relieve_each(&scene, &options(6)).unwrap();
    assert_eq!(e.reliefs[0].resource, "agv", "{:?}", e.reliefs);
    let three = bundled("scenes/agv_plant_three_agvs.ron");
    let c = experiment::compare(&scene, std::slice::from_ref(&three), &options(6)).unwrap();
    let k = |key: &str| c.variants[0].kpis.iter().find(|k| k.key == key).unwrap();
    assert_eq!(k("good_per_hour").verdict, "better");
    assert_eq!(k("demand_turned_away").verdict, "better");
}

/// Two replications cannot tell a third AGV from a second although their
/// means differ by 8 %: the sweep says so, and does not say nothing changes.
#[test]
fn a_sweep_with_too_few_replications_says_so() {
    let by = experiment::kpi_by_key("good_per_hour").unwrap();
    let s = experiment::sweep(
        &bundled("scenes/agv_plant.ron"),
        &[experiment::Axis::parse("agv.count=2..4").unwrap()],
        by,
        &options(2),
    )
    .unwrap();
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("cannot tell the settings apart")),
        "{:?}",
        s.notes
    );
    assert!(
        !s.notes.iter().any(|n| n.starts_with("no setting changes")),
        "{:?}",
        s.notes
    );
}

/// The AGV plant's order book: serving by earliest due date puts the
/// urgent orders first and gets more orders out on time.
#[test]
fn earliest_due_date_gets_more_orders_out_on_time() {
    let (fifo, edd) = (
        bundled("scenes/agv_plant_orders.ron"),
        bundled("scenes/agv_plant_orders_edd.ron"),
    );
    let s = summary(&fifo, 4);
    let o = s.line.orders.as_ref().expect("an order book");
    assert!(
        o.completed.mean > 150.0 && o.on_time_share.mean < 0.95,
        "{o:?}"
    );
    let c = experiment::compare(&fifo, std::slice::from_ref(&edd), &options(6)).unwrap();
    let k = c.variants[0]
        .kpis
        .iter()
        .find(|k| k.key == "orders_on_time")
        .unwrap();
    assert_eq!(k.verdict, "better", "{k:?}");
    assert!(k.variant.mean > 99.0, "{k:?}");
}

/// An order of `quantity` parts every 4 h for a week, straight into a
/// machine of 3 min a part (no buffer).
fn order_bursts(quantity: u32) -> Scene {
    let orders: Vec<String> = (0..42)
        .map(|k| {
            format!(
                r#"(id: "o{k}", release: Hours({}), product: "p", quantity: {quantity}, due: Hours({}))"#,
                4 * k,
                4 * k + 4
            )
        })
        .collect();
    scene(&format!(
        r#"Scene(name: "bursts", run: (horizon: Hours(168), replications: 3), products: [Product(id: "p")],
        objects: [
            Source(id: "book", pos: (0, 0), orders: [{}]),
            Machine(id: "m", pos: (2, 0), cycle: Exponential(mean: Minutes(3))),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("book", "m"), ("m", "out")])"#,
        orders.join(", ")
    ))
}

#[test]
fn an_order_book_the_line_clears_is_demand_not_a_bottleneck() {
    // 20 parts every 4 h: an hour of work, then 3 h idle. Parts wait at
    // the source a quarter of the time, yet the line keeps up: more
    // capacity would ship nothing more.
    let s = summary(&order_bursts(20), 3);
    assert_eq!(s.line.bottleneck, None, "{:?}", s.line);
    assert_eq!(s.line.demand_limited_share, 1.0);
    assert_eq!(s.line.busiest.as_deref(), Some("m"));
    // 100 parts every 4 h (5 h of work): the backlog never clears, and the
    // machine is what limits the output.
    let s = summary(&order_bursts(100), 3);
    assert_eq!(s.line.bottleneck.as_deref(), Some("m"), "{:?}", s.line);
}

/// The forklift job shop: the one press-brake operator limits output while
/// the driver idles half of his time; letting the driver help at the press
/// and the bench (`helps`) gets the week's orders out on time at the same
/// wages.
#[test]
fn a_driver_who_helps_the_crew_gets_the_orders_out() {
    let (base, helps) = (
        bundled("scenes/forklift_shop.ron"),
        bundled("scenes/forklift_shop_driver_helps.ron"),
    );
    let s = summary(&base, 4);
    assert_eq!(s.line.bottleneck.as_deref(), Some("crew"), "{:?}", s.line);
    let o = s.line.orders.as_ref().expect("an order book");
    assert!(
        o.open_late.mean >= 5.0 && o.on_time_share.mean < 0.8,
        "{o:?}"
    );
    // Lots move together: none had to be split (the racks hold 40).
    assert_eq!(o.lots_split.as_ref().map(|e| e.mean), Some(0.0));
    let drivers = s.operators.iter().find(|p| p.id == "drivers").unwrap();
    assert!(drivers.utilisation.mean < 0.7, "{drivers:?}");
    // With the driver helping, the line keeps up with its book.
    let v = summary(&helps, 4);
    assert_eq!(v.line.bottleneck, None, "{:?}", v.line);
    let c = experiment::compare(&base, std::slice::from_ref(&helps), &options(6)).unwrap();
    let verdict = |key: &str| {
        let k = c.variants[0].kpis.iter().find(|k| k.key == key).unwrap();
        (k.verdict, k.variant.mean)
    };
    // 39 of 40 orders on time: the one left open is due on Sunday, when the
    // shop is closed; a late open order counts as late.
    assert_eq!(verdict("orders_on_time"), ("better", 97.5));
    let base_on_time = c.variants[0]
        .kpis
        .iter()
        .find(|k| k.key == "orders_on_time")
        .unwrap()
        .base
        .mean;
    assert!(base_on_time < 55.0, "{base_on_time}");
    assert_eq!(verdict("good_per_hour").0, "better");
    assert_eq!(verdict("cost_per_good_part").0, "better");
}
