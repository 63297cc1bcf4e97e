//! Random factories: a property test over a few hundred scenes generated from
//! a fixed seed. Hand-written scenes test what their authors thought of; these
//! test the combinations nobody wrote down.
//!
//! Each scene is valid by construction and mixes the features of
//! `docs/scene-format.md`: timed, saturated and limited sources with product
//! mixes, due dates and shifts; machines with parallel servers, per-product
//! cycles, setups, failures, scrap, operators and power; robot cells and
//! transfer robots; buffers; accumulating and non-accumulating conveyors;
//! assemblies fed by their own component sources; routing by product, by
//! probability, both, and to the first free target; rework loops through a
//! buffer or a belt; shifts with breaks, night shifts and 24-hour shifts;
//! every kind of distribution, including ones that draw zero; economics, an
//! investment and layout rules. Horizons are short and cycle times scale with
//! them, so each run is a few hundred parts. A quarter of the scenes use whole
//! numbers, mostly constant, so that events coincide and ties are exercised.
//!
//! For every scene the test checks that:
//! - it parses and passes validation, as `factory-twin run` loads it (a
//!   refusal is a generator bug, or a rule the generator has to learn);
//! - every replication finishes within [`TIME_LIMIT`] and passes the engine's
//!   own invariants (`kpi::measure`: parts conserved, state times summing to
//!   the observed time, ∫ WIP dt accounted for by the parts);
//! - running it again, on one worker thread, gives the same results and the
//!   same JSON, bit for bit;
//! - the figures agree with the scene and with each other (shares and ratios
//!   in [0, 1], no failures without `failures`, energy from the state times
//!   and `power_kw`, store contents within capacity, and so on: [`check_run`]).
//!
//! A failure prints the scene and writes it to a file, to replay with
//! `factory-twin run FILE`. `RANDOM_FACTORIES=N` (scene count) and
//! `RANDOM_FACTORIES_SEED=S` run more or other scenes, e.g. for a longer hunt
//! in release mode.

use factory_twin::experiment::{self, Options, Summary};
use factory_twin::kpi::RunResult;
use factory_twin::scene::{Object, RobotTask, Scene, parse_scene_str};
use factory_twin::sim::State;
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Scenes per run of the test: enough to meet every feature in many
/// combinations, few enough for a debug build.
const SCENES: u64 = 300;
const SEED: u64 = 20_261_122;
/// Replications per scene: two, so that the replications run in parallel
/// and the summary has a confidence interval to compute.
const REPS: u32 = 2;
/// Far beyond what any generated scene needs (milliseconds); reaching it
/// means a run that does not end.
const TIME_LIMIT: Duration = Duration::from_secs(60);

#[test]
fn random_factories_run_deterministically_and_keep_their_invariants() {
    let count = env_u64("RANDOM_FACTORIES", SCENES);
    let seed = env_u64("RANDOM_FACTORIES_SEED", SEED);
    let started = Instant::now();
    let mut events = 0;
    for i in 0..count {
        let text = generate(seed, i);
        match check_scene(&text) {
            Ok(n) => events += n,
            Err(message) => fail(seed, i, &text, &message),
        }
    }
    eprintln!(
        "random factories: {count} scenes (seed {seed}), {events} events, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a whole number"))
    })
}

/// Writes the scene where `factory-twin run` can replay it, and fails.
fn fail(seed: u64, i: u64, text: &str, message: &str) -> ! {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("random_factories");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("seed{seed}_scene{i}.ron"));
    std::fs::write(&path, text).unwrap();
    panic!(
        "random factory {i} (seed {seed}) fails: {message}\n\
         replay: factory-twin run {} --reps {REPS}\n{text}",
        path.display()
    );
}

// ---------------------------------------------------------------------------
// Running and checking one scene

/// Loads, runs and checks one scene; returns the events it took.
fn check_scene(text: &str) -> Result<u64, String> {
    let scene = parse_scene_str(text).map_err(|d| {
        format!("the generated scene does not load (a generator bug, or a rule to learn):\n{d}")
    })?;
    let (first, second) = run_with_time_limit(&scene)?;
    if first.results != second.results {
        // Every figure, lead-time histograms included (a NaN is unequal to itself).
        return Err(format!(
            "two runs with the same seed differ (the second on one thread):\n{}",
            first_difference(
                &format!("{:#?}", first.results),
                &format!("{:#?}", second.results)
            )
        ));
    }
    if first.json != second.json {
        return Err(format!(
            "two runs with the same seed give different JSON:\n{}",
            first_difference(&first.json, &second.json)
        ));
    }
    for r in &first.results {
        check_run(&scene, r).map_err(|m| format!("replication {}: {m}", r.replication))?;
    }
    Ok(first.results.iter().map(|r| r.events).sum())
}

/// What one experiment produced, in the forms compared between runs.
struct Outcome {
    results: Vec<RunResult>,
    /// What `factory-twin run --json` prints.
    json: String,
}

fn experiment(scene: &Scene, threads: Option<usize>) -> Result<Outcome, String> {
    let options = Options {
        replications: Some(REPS),
        threads,
        ..Options::default()
    };
    let runs = experiment::run_all(scene, &options).map_err(|e| e.to_string())?;
    let results: Vec<RunResult> = runs.into_iter().map(|r| r.result).collect();
    let summary = Summary::new(scene, &results);
    // The terminal report and the layout check only need to not panic.
    factory_twin::report::terminal(&summary);
    factory_twin::layout::check(scene);
    Ok(Outcome {
        json: factory_twin::report::json(&summary),
        results,
    })
}

/// Runs the scene twice (all threads, then one) on a watched thread, so a
/// run that never ends fails the test instead of blocking it.
fn run_with_time_limit(scene: &Scene) -> Result<(Outcome, Outcome), String> {
    let (tx, rx) = mpsc::channel();
    let scene = scene.clone();
    std::thread::spawn(move || {
        let out = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let first = experiment(&scene, None)?;
            Ok::<_, String>((first, experiment(&scene, Some(1))?))
        }));
        let _ = tx.send(out);
    });
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(panic)) => Err(format!(
            "the engine panicked: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)")
        )),
        Err(_) => Err(format!(
            "no result after {} s: the run does not end",
            TIME_LIMIT.as_secs()
        )),
    }
}

fn first_difference(a: &str, b: &str) -> String {
    let (n, (x, y)) = a
        .lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .unwrap_or((0, ("(the same text: a NaN somewhere?)", "")));
    format!("line {}: {x}\n  vs: {y}", n + 1)
}

/// Relative closeness, for figures computed two ways.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn fraction(name: &str, v: f64) -> Result<(), String> {
    if (-1e-12..=1.0 + 1e-9).contains(&v) {
        Ok(())
    } else {
        Err(format!("{name} = {v}, outside [0, 1]"))
    }
}

fn non_negative(name: &str, v: f64) -> Result<(), String> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(format!("{name} = {v}, not a finite non-negative number"))
    }
}

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {{
        // Through a binding, so a NaN fails the check like any wrong value.
        let holds: bool = $cond;
        if !holds {
            return Err(format!($($fmt)+));
        }
    }};
}

/// What a station's configuration promises about its figures.
struct StationSpec<'a> {
    id: &'a str,
    kind: &'static str,
    capacity: u32,
    failures: bool,
    setup: bool,
    scrap: f64,
    /// An operator pool, to work or as setters.
    operator: bool,
    maintenance: bool,
    /// Its own shift, or its operator pool's.
    shift: bool,
    power: Option<&'a factory_twin::scene::Power>,
}

/// The properties every replication of every scene must have.
fn check_run(scene: &Scene, r: &RunResult) -> Result<(), String> {
    let horizon = scene.run.horizon.secs();
    let warmup = scene.run.warmup.map_or(0.0, |w| w.secs());
    let observed = r.observed_s;
    ensure!(
        close(observed, horizon),
        "observed {observed} s, but the horizon is {horizon} s"
    );
    let pool_shift = |pool: &Option<String>| {
        pool.as_ref().is_some_and(|p| {
            scene
                .objects
                .iter()
                .any(|o| matches!(o, Object::Operators(x) if &x.id == p && (!x.shift.is_empty() || !x.crews.is_empty())))
        })
    };
    let setter =
        |s: &Option<factory_twin::scene::Setup>| s.as_ref().is_some_and(|s| s.operator.is_some());
    let specs: Vec<StationSpec> = scene
        .objects
        .iter()
        .filter_map(|o| {
            Some(match o {
                Object::Machine(m) => StationSpec {
                    id: &m.id,
                    kind: "machine",
                    capacity: m.capacity,
                    failures: m.failures.is_some(),
                    setup: m.setup.is_some(),
                    scrap: m.scrap,
                    operator: m.operator.is_some() || setter(&m.setup),
                    maintenance: !m.maintenance.is_empty(),
                    shift: !m.shift.is_empty() || pool_shift(&m.operator),
                    power: m.power_kw.as_ref(),
                },
                Object::Robot(rb) => StationSpec {
                    id: &rb.id,
                    kind: match rb.task {
                        RobotTask::Process { .. } => "robot_cell",
                        RobotTask::Transfer { .. } => "transfer_robot",
                    },
                    capacity: 1,
                    failures: rb.failures.is_some(),
                    setup: matches!(&rb.task, RobotTask::Process { setup: Some(_), .. }),
                    scrap: rb.scrap,
                    operator: rb.operator.is_some()
                        || matches!(&rb.task, RobotTask::Process { setup, .. } if setter(setup)),
                    maintenance: !rb.maintenance.is_empty(),
                    shift: !rb.shift.is_empty() || pool_shift(&rb.operator),
                    power: rb.power_kw.as_ref(),
                },
                Object::Vehicles(v) => StationSpec {
                    id: &v.id,
                    kind: "vehicles",
                    capacity: v.count,
                    failures: v.failures.is_some(),
                    setup: false,
                    scrap: 0.0,
                    operator: v.operator.is_some(),
                    maintenance: !v.maintenance.is_empty(),
                    shift: !v.shift.is_empty() || pool_shift(&v.operator),
                    power: v.power_kw.as_ref(),
                },
                Object::Assembly(a) => StationSpec {
                    id: &a.id,
                    kind: "assembly",
                    capacity: a.capacity,
                    failures: a.failures.is_some(),
                    setup: false,
                    scrap: a.scrap,
                    operator: a.operator.is_some(),
                    maintenance: !a.maintenance.is_empty(),
                    shift: !a.shift.is_empty() || pool_shift(&a.operator),
                    power: a.power_kw.as_ref(),
                },
                _ => return None,
            })
        })
        .collect();
    ensure!(
        specs.len() == r.stations.len(),
        "{} stations reported for {} in the scene",
        r.stations.len(),
        specs.len()
    );
    for (spec, st) in specs.iter().zip(&r.stations) {
        check_station(spec, st, observed).map_err(|m| format!("station \"{}\": {m}", spec.id))?;
    }
    check_stores(scene, r)?;
    check_pools(scene, r, observed)?;
    check_line(scene, r, observed, warmup)
}

fn check_station(
    spec: &StationSpec,
    st: &factory_twin::kpi::StationResult,
    observed: f64,
) -> Result<(), String> {
    ensure!(
        st.id == spec.id && st.kind == spec.kind && st.capacity == spec.capacity,
        "reported as {} {} with capacity {}, but the scene has {} {} with capacity {} (stations are reported in scene order)",
        st.kind,
        st.id,
        st.capacity,
        spec.kind,
        spec.id,
        spec.capacity
    );
    let s = &st.states;
    // `to_array` follows `State::ALL`.
    for (state, v) in State::ALL.iter().zip(s.to_array()) {
        fraction(&format!("the {} share", state.name()), v)?;
    }
    let sum: f64 = s.to_array().iter().sum();
    ensure!((sum - 1.0).abs() < 1e-6, "state shares sum to {sum}, not 1");
    ensure!(
        spec.failures || (s.failed == 0.0 && st.failures == 0 && st.mtbf_s.is_none()),
        "no `failures`, yet failed {} of the time with {} failures",
        s.failed,
        st.failures
    );
    ensure!(
        spec.setup || (s.setup == 0.0 && st.setups == 0),
        "no `setup`, yet {} setups taking {} of the time",
        st.setups,
        s.setup
    );
    ensure!(
        spec.operator || s.waiting_for_operator == 0.0,
        "no `operator`, yet waiting for one {} of the time",
        s.waiting_for_operator
    );
    ensure!(
        spec.maintenance || s.maintenance == 0.0,
        "no `maintenance`, yet in maintenance {} of the time",
        s.maintenance
    );
    ensure!(
        spec.shift || s.off_shift == 0.0,
        "no shift (its own or its pool's), yet off shift {} of the time",
        s.off_shift
    );
    for (name, v) in [("availability", st.availability), ("quality", st.quality)] {
        if let Some(v) = v {
            fraction(name, v)?;
        }
    }
    if let Some(e) = st.effectiveness {
        // Not capped at 1 (docs/json-schema.md): short draws can beat the mean.
        non_negative("effectiveness", e)?;
    }
    if let (Some(a), Some(e), Some(q), Some(oee)) =
        (st.availability, st.effectiveness, st.quality, st.oee)
    {
        ensure!(close(oee, a * e * q), "oee {oee} is not {a} × {e} × {q}");
    }
    if spec.kind == "transfer_robot" || spec.kind == "vehicles" {
        ensure!(
            st.effectiveness.is_none() && st.quality.is_none() && st.oee.is_none(),
            "a transfer robot with effectiveness, quality or OEE"
        );
    } else {
        ensure!(
            st.good + st.scrapped == st.produced,
            "{} good + {} scrapped != {} produced",
            st.good,
            st.scrapped,
            st.produced
        );
        ensure!(
            spec.scrap > 0.0 || st.scrapped == 0,
            "scrap 0, yet {} parts scrapped",
            st.scrapped
        );
        ensure!(
            spec.scrap < 1.0 || st.good == 0,
            "scrap 1, yet {} good parts",
            st.good
        );
        if let Some(c) = st.ideal_cycle_s {
            ensure!(c.is_finite() && c > 0.0, "ideal cycle {c} s");
        }
    }
    // (Not MTTR: it counts each failure's whole drawn repair, also one
    // that ends after the run, so one long repair can outlast the window.)
    if let Some(v) = st.mttr_s {
        non_negative("mttr_s", v)?;
    }
    for (name, v) in [
        ("mtbf_s", st.mtbf_s),
        ("mean_active_period_s", st.mean_active_period_s),
    ] {
        if let Some(v) = v {
            non_negative(name, v)?;
            ensure!(
                v <= observed * (1.0 + 1e-9),
                "{name} = {v} s, longer than the {observed} s observed"
            );
        }
    }
    // Energy: time in each state (all servers) × that state's power.
    // (Planned maintenance draws the off-shift power.)
    let kw = spec.power.map_or([0.0; 8], |p| {
        [
            p.working,
            p.setup.unwrap_or(p.working),
            p.failed,
            p.idle,
            p.idle,
            p.idle,
            p.off_shift,
            p.off_shift,
        ]
    });
    let expected: f64 = s
        .to_array()
        .iter()
        .zip(kw)
        .map(|(share, kw)| share * f64::from(st.capacity) * observed * kw / 3600.0)
        .sum();
    ensure!(
        (st.energy_kwh - expected).abs() <= 1e-6 * expected.max(1.0),
        "energy {} kWh, but its state times and power_kw give {expected}",
        st.energy_kwh
    );
    Ok(())
}

fn check_stores(scene: &Scene, r: &RunResult) -> Result<(), String> {
    let stores: Vec<&Object> = scene
        .objects
        .iter()
        .filter(|o| matches!(o, Object::Buffer(_) | Object::Conveyor(_)))
        .collect();
    ensure!(
        stores.len() == r.stores.len(),
        "{} stores reported for {} in the scene",
        r.stores.len(),
        stores.len()
    );
    for (o, st) in stores.into_iter().zip(&r.stores) {
        let (capacity, least_transit) = match o {
            Object::Buffer(b) => (b.capacity, None),
            Object::Conveyor(c) => {
                let length = (c.to.0 - c.from.0).hypot(c.to.1 - c.from.1);
                let fits = ((length / c.spacing + 1e-9).floor() as u32).max(1);
                (fits, Some(length / c.speed))
            }
            _ => unreachable!(),
        };
        let id = o.id();
        ensure!(
            st.id == id && st.capacity == capacity,
            "store \"{}\" reported with capacity {}; the scene's \"{id}\" holds {capacity}",
            st.id,
            st.capacity
        );
        ensure!(
            st.max_content <= capacity,
            "store \"{id}\" held {} parts at once; its capacity is {capacity}",
            st.max_content
        );
        non_negative("mean content", st.mean_content)?;
        ensure!(
            st.mean_content <= f64::from(st.max_content) + 1e-9,
            "store \"{id}\": mean content {} above its maximum {}",
            st.mean_content,
            st.max_content
        );
        match (least_transit, st.mean_transit_s) {
            (None, None) => {}
            (None, Some(t)) => return Err(format!("buffer \"{id}\" with a transit time {t}")),
            (Some(_), None) => {}
            (Some(least), Some(t)) => ensure!(
                t >= least * (1.0 - 1e-9),
                "conveyor \"{id}\": mean transit {t} s, shorter than length / speed = {least} s"
            ),
        }
    }
    Ok(())
}

fn check_pools(scene: &Scene, r: &RunResult, observed: f64) -> Result<(), String> {
    let pools: Vec<&factory_twin::scene::Operators> = scene
        .objects
        .iter()
        .filter_map(|o| match o {
            Object::Operators(p) => Some(p),
            _ => None,
        })
        .collect();
    ensure!(
        pools.len() == r.operators.len(),
        "{} operator pools reported for {} in the scene",
        r.operators.len(),
        pools.len()
    );
    for (p, res) in pools.into_iter().zip(&r.operators) {
        let id = &p.id;
        ensure!(
            res.id == *id && res.count == p.largest_crew(),
            "pool \"{}\" of {} reported for \"{id}\" of {}",
            res.id,
            res.count,
            p.largest_crew()
        );
        non_negative("busy hours", res.busy_hours)?;
        ensure!(
            res.busy_hours <= res.paid_hours * (1.0 + 1e-9) + 1e-9,
            "pool \"{id}\": busy {} h of {} h paid",
            res.busy_hours,
            res.paid_hours
        );
        if let Some(u) = res.utilisation {
            fraction(&format!("pool \"{id}\" utilisation"), u)?;
        }
        // Crews on overlapping shifts add up: at most all of them at once.
        let most = p.count.unwrap_or_else(|| p.crews.values().sum());
        let all_hours = f64::from(most) * observed / 3600.0;
        ensure!(
            res.paid_hours <= all_hours * (1.0 + 1e-9),
            "pool \"{id}\": {} h paid, more than its most operators × observed = {all_hours} h",
            res.paid_hours
        );
        ensure!(
            !p.shift.is_empty() || !p.crews.is_empty() || close(res.paid_hours, all_hours),
            "pool \"{id}\" has no shift, yet {} h paid, not count × observed = {all_hours} h",
            res.paid_hours
        );
        ensure!(
            close(res.labour_cost, res.paid_hours * p.wage_per_hour),
            "pool \"{id}\": labour cost {} is not {} h × {}",
            res.labour_cost,
            res.paid_hours,
            p.wage_per_hour
        );
    }
    Ok(())
}

fn check_line(scene: &Scene, r: &RunResult, observed: f64, warmup: f64) -> Result<(), String> {
    let l = &r.line;
    let good = l.good_parts;
    ensure!(
        l.lead_time_s.count == good,
        "{good} good parts, but {} lead times",
        l.lead_time_s.count
    );
    ensure!(
        close(l.good_per_hour, good as f64 / (observed / 3600.0)),
        "{} good parts per hour from {good} parts in {observed} s",
        l.good_per_hour
    );
    let scrapped: u64 = r.stations.iter().map(|s| s.scrapped).sum();
    ensure!(
        l.scrapped == scrapped,
        "line scrap {} is not the stations' {scrapped}",
        l.scrapped
    );
    fraction("scrap ratio", l.scrap_ratio)?;
    match l.first_pass_yield {
        None => ensure!(
            good + scrapped == 0,
            "no first-pass yield with {good} good and {scrapped} scrapped"
        ),
        Some(y) => {
            fraction("first-pass yield", y)?;
            ensure!(
                close(y + l.scrap_ratio, 1.0),
                "first-pass yield {y} + scrap ratio {} is not 1",
                l.scrap_ratio
            );
        }
    }
    non_negative("WIP", l.wip)?;
    // The Little's-law gap is the WIP of parts still inside at the end: L ≥ λW.
    let ll = &l.littles_law;
    non_negative("Little's-law throughput", ll.throughput_per_s)?;
    non_negative("Little's-law time in system", ll.time_in_system_s)?;
    ensure!(
        ll.throughput_per_s * ll.time_in_system_s <= ll.wip * (1.0 + 1e-6) + 1e-9,
        "λW = {} × {} exceeds L = {}",
        ll.throughput_per_s,
        ll.time_in_system_s,
        ll.wip
    );
    let lt = &l.lead_time_s;
    if let (Some(mean), Some(p50), Some(p90), Some(p95), Some(max)) =
        (lt.mean, lt.p50, lt.p90, lt.p95, lt.max)
    {
        ensure!(
            0.0 <= p50 && p50 <= p90 && p90 <= p95 && p95 <= max && mean <= max * (1.0 + 1e-9),
            "lead times out of order: mean {mean}, p50 {p50}, p90 {p90}, p95 {p95}, max {max}"
        );
        non_negative("mean lead time", mean)?;
    } else {
        ensure!(
            good == 0 && lt.mean.is_none() && lt.max.is_none(),
            "lead-time figures missing with {good} good parts: {lt:?}"
        );
    }
    let energy: f64 = r.stations.iter().map(|s| s.energy_kwh).sum();
    ensure!(
        close(l.energy_kwh, energy),
        "line energy {} kWh is not the stations' {energy}",
        l.energy_kwh
    );
    // Energy per part needs a power rating, cost per part the economics.
    let powered = scene.objects.iter().any(|o| {
        let p = match o {
            Object::Machine(m) => m.power_kw.as_ref(),
            Object::Robot(rb) => rb.power_kw.as_ref(),
            Object::Assembly(a) => a.power_kw.as_ref(),
            Object::Vehicles(v) => v.power_kw.as_ref(),
            _ => None,
        };
        p.is_some_and(|p| {
            p.working > 0.0
                || p.idle > 0.0
                || p.setup.is_some_and(|s| s > 0.0)
                || p.failed > 0.0
                || p.off_shift > 0.0
        })
    });
    ensure!(
        l.energy_kwh_per_good_part.is_some() == (good > 0 && powered)
            && l.cost_per_good_part.is_some() == (good > 0 && scene.economics.is_some()),
        "per-part figures with {good} good parts: {:?} kWh, {:?} per part",
        l.energy_kwh_per_good_part,
        l.cost_per_good_part
    );
    // The bottleneck is the busiest resource of its rule unless the line
    // is demand-limited; line OEE is that resource's OEE either way.
    let c = &l.constraint;
    ensure!(
        l.bottleneck.is_none() == (c.demand_limited || c.busiest.is_none()),
        "bottleneck {:?} with constraint {c:?}",
        l.bottleneck
    );
    match &c.busiest {
        None => ensure!(l.line_oee.is_none(), "a line OEE without a pacing resource"),
        Some(b) => {
            if !c.demand_limited {
                ensure!(l.bottleneck.as_deref() == Some(b.id.as_str()), "{c:?}");
            }
            fraction("pacing resource's utilisation", b.utilisation)?;
            let oee = match b.resource {
                "operators" => r.operators.iter().find(|p| p.id == b.id).map(|p| p.oee),
                _ => r.stations.iter().find(|s| s.id == b.id).map(|s| s.oee),
            };
            ensure!(
                oee.is_some(),
                "the pacing resource \"{}\" is neither a station nor a pool",
                b.id
            );
            ensure!(
                l.line_oee == oee.unwrap(),
                "line OEE {:?} is not the pacing resource's {:?}",
                l.line_oee,
                oee
            );
        }
    }
    for p in &r.operators {
        if let (Some(o), Some(u)) = (p.oee, p.utilisation) {
            fraction("pool OEE", o)?;
            ensure!(
                o <= u + 1e-9,
                "pool {} OEE {o} above its utilisation {u}",
                p.id
            );
        }
    }
    let due_dates = scene
        .objects
        .iter()
        .any(|o| matches!(o, Object::Source(s) if s.due_in.is_some() || !s.orders.is_empty()));
    // Orders: completed ones are scored, none without an order book.
    let books = scene
        .objects
        .iter()
        .any(|o| matches!(o, Object::Source(s) if !s.orders.is_empty()));
    ensure!(
        l.orders.is_some() == books,
        "order figures {:?} with an order book: {books}",
        l.orders
    );
    if let Some(o) = &l.orders {
        let total: usize = scene
            .objects
            .iter()
            .map(|x| match x {
                Object::Source(s) => s.orders.len(),
                _ => 0,
            })
            .sum();
        ensure!(
            o.completed as usize + o.open_late as usize <= total,
            "{} completed and {} late and open, of {total} orders",
            o.completed,
            o.open_late
        );
        if let Some(v) = o.on_time_share {
            fraction("orders on time", v)?;
        }
        if let Some(v) = o.mean_tardiness_s {
            non_negative("mean tardiness", v)?;
        }
    }
    if let Some(v) = l.on_time_share {
        ensure!(due_dates, "an on-time share without due dates");
        fraction("on-time share", v)?;
    }
    let paid: f64 = r.operators.iter().map(|p| p.paid_hours).sum();
    let wages: f64 = r.operators.iter().map(|p| p.labour_cost).sum();
    ensure!(
        close(l.labour_hours, paid) && close(l.labour_cost, wages),
        "line labour {} h / {} is not the pools' {paid} h / {wages}",
        l.labour_hours,
        l.labour_cost
    );
    if let Some(c) = l.cost_per_good_part {
        let (energy_price, scrap_price) = scene
            .economics
            .as_ref()
            .map_or((0.0, 0.0), |e| (e.energy_per_kwh, e.scrap_cost));
        let cost = l.labour_cost + l.energy_kwh * energy_price + l.scrapped as f64 * scrap_price;
        ensure!(
            close(c, cost / good as f64),
            "cost per good part {c}, but the costs give {}",
            cost / good as f64
        );
    }
    let robots = scene.objects.iter().any(|o| matches!(o, Object::Robot(_)));
    let walkers = scene.objects.iter().any(|o| match o {
        Object::Operators(p) if p.pos.is_some() => scene.objects.iter().any(|s| match s {
            Object::Machine(m) => m.operator.as_ref() == Some(&p.id),
            Object::Assembly(a) => a.operator.as_ref() == Some(&p.id),
            _ => false,
        }),
        _ => false,
    });
    match l.safety_exposure_h {
        None => ensure!(
            !robots && !walkers,
            "no safety exposure figure, though the scene has robots or walking paths"
        ),
        Some(h) => {
            ensure!(
                robots || walkers,
                "a safety exposure figure without robots or walking paths"
            );
            non_negative("safety exposure", h)?;
        }
    }

    let s = &r.series;
    ensure!(
        !s.t_s.is_empty() && s.t_s.len() == s.good_per_hour.len() && s.t_s.len() == s.wip.len(),
        "series of lengths {}, {}, {}",
        s.t_s.len(),
        s.good_per_hour.len(),
        s.wip.len()
    );
    ensure!(
        s.t_s.windows(2).all(|w| w[0] < w[1]) && close(*s.t_s.last().unwrap(), warmup + observed),
        "series times do not rise to the end of the run at {} s: {:?}",
        warmup + observed,
        s.t_s
    );
    for (name, v) in s
        .good_per_hour
        .iter()
        .map(|v| ("series good per hour", *v))
        .chain(s.wip.iter().map(|v| ("series WIP", *v)))
    {
        non_negative(name, v)?;
    }

    let c = &r.conservation;
    ensure!(
        c.entered == c.exited + c.scrapped + c.consumed_by_assembly + c.wip_at_end,
        "parts not conserved: {c:?}"
    );
    ensure!(
        c.exited >= good && c.scrapped >= l.scrapped,
        "the run's totals {c:?} are below the window's {good} good, {} scrapped",
        l.scrapped
    );
    // Limited sources and no assemblies (which make new parts): at most the limits enter.
    let mut limits = Some(0);
    for o in &scene.objects {
        limits = match o {
            Object::Source(s) => limits.zip(s.limit).map(|(a, b)| a + b),
            Object::Assembly(_) => None,
            _ => limits,
        };
    }
    if let Some(most) = limits {
        ensure!(
            c.entered <= most,
            "{} parts entered, but the sources' limits add up to {most}",
            c.entered
        );
    }
    ensure!(r.events > 0, "no events");
    Ok(())
}

// ---------------------------------------------------------------------------
// The generator

/// splitmix64: a tiny generator of our own, so the scenes never change with
/// a dependency (also used by `bad_input`'s mangled scenes).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A whole number in lo..=hi.
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in [lo, hi), to two decimals (short, readable scene text).
    fn real(&mut self, lo: f64, hi: f64) -> f64 {
        r2(lo + (hi - lo) * self.unit())
    }

    pub(crate) fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `x` > 0 to three significant digits.
fn significant(x: f64) -> f64 {
    let scale = 10f64.powi(2 - x.log10().floor() as i32);
    (x * scale).round() / scale
}

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// An object that parts can reach, with the products that can leave it.
#[derive(Clone)]
struct Node {
    id: String,
    /// Where a transfer robot places parts (a belt's `from`).
    entry: (f64, f64),
    /// Where it picks them (a belt's `to`).
    exit: (f64, f64),
    products: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Machine,
    Cell,
    Buffer,
    Conveyor,
    Sink,
}

/// A transfer robot, written out at the end when its reach is known.
struct Mover {
    id: String,
    pos: (f64, f64),
    /// A fleet of this many vehicles instead of a transfer robot.
    fleet: Option<u32>,
    fields: String,
    /// Pick and place points of the edges it serves.
    points: Vec<(f64, f64)>,
}

struct Gen {
    rng: Rng,
    /// Mean processing time, seconds: the horizon ÷ a few hundred parts.
    tempo: f64,
    /// Whole numbers of seconds, minutes or hours, mostly constant: events
    /// of different objects fall on the same instant, and ties get tested.
    whole: bool,
    products: Vec<String>,
    shifts: Vec<String>,
    /// Operator pools stations may name (count ≥ 1).
    pools: Vec<String>,
    /// Those whose operators do not walk (carriers' drivers).
    riders: Vec<String>,
    objects: Vec<String>,
    flow: Vec<String>,
    movers: Vec<Mover>,
    robots: Vec<String>,
    next_id: usize,
    /// Floor position of the next stage, metres.
    x: f64,
}

/// The scene text of factory `i` of the run with `seed`.
/// What a station's extras may include.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Extras {
    /// A machine or robot cell: an operator, who may only load and unload.
    Tendable,
    /// An assembly: an operator for the whole cycle.
    Assembly,
    /// A transfer robot: no operator, no stops by parts.
    Transfer,
}

pub fn generate(seed: u64, i: u64) -> String {
    let mut g = Gen {
        rng: Rng(seed ^ i.wrapping_mul(0xA24B_AED4_963E_E407)),
        tempo: 0.0,
        whole: false,
        products: Vec::new(),
        shifts: Vec::new(),
        pools: Vec::new(),
        riders: Vec::new(),
        objects: Vec::new(),
        flow: Vec::new(),
        movers: Vec::new(),
        robots: Vec::new(),
        next_id: 0,
        x: 0.0,
    };
    g.factory(i)
}

impl Gen {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    fn factory(&mut self, index: u64) -> String {
        self.whole = self.rng.chance(0.25);
        let rng = &mut self.rng;
        let horizon_h = if self.whole {
            f64::from(rng.int(1, 30))
        } else {
            rng.real(0.5, 30.0)
        };
        let parts = f64::from(rng.int(30, 250));
        self.tempo = horizon_h * 3600.0 / parts;
        let mut run = format!("horizon: {}", duration_h(rng, horizon_h));
        if rng.chance(0.5) {
            let w = rng.real(0.0, 0.2) * horizon_h;
            let w = if self.whole {
                format!("Minutes({})", (w * 60.0).round())
            } else {
                duration_h(rng, w)
            };
            write!(run, ", warmup: {w}").unwrap();
        }
        write!(run, ", seed: {}", rng.next() >> rng.int(0, 63)).unwrap();
        if rng.chance(0.5) {
            write!(run, ", replications: {}", rng.int(1, 5)).unwrap();
        }
        if rng.chance(0.2) {
            // Down to 3 samples, or one interval longer than the whole run.
            let share = if rng.chance(0.2) {
                2.0
            } else {
                0.004 + 0.35 * rng.unit()
            };
            let every = horizon_h * share;
            write!(run, ", sample_every: {}", duration_h(rng, every)).unwrap();
        }

        let shifts = (0..self.rng.pick(&[0, 0, 1, 1, 2, 3]))
            .map(|_| self.shift(horizon_h))
            .collect::<Vec<_>>();
        let base: Vec<String> = (0..self.rng.int(1, 3)).map(|k| format!("p{k}")).collect();
        self.products = base.clone();
        if self.rng.chance(0.1) {
            self.products.push("unused".into()); // declared, never made
        }
        for _ in 0..self.rng.pick(&[0, 0, 1, 1, 2]) {
            self.pool(true);
        }
        if self.rng.chance(0.05) {
            self.pool(false); // count 0, named by no station
        }

        let mut open = Vec::new();
        for k in 0..self.rng.int(1, 3) {
            let start = self.line_start(&base, f64::from(k) * 3.0);
            open.push(start);
        }
        self.x += 3.0;
        for _ in 0..self.rng.int(1, 6) {
            if open.is_empty() {
                // Every branch ended in a sink: a new line starts here.
                let start = self.line_start(&base, 0.0);
                open.push(start);
            }
            self.stage(&mut open);
            self.x += 3.0;
        }
        self.finish(open);
        self.write(index, &run, &shifts)
    }

    /// A source of the base products. A saturated one is followed (after a
    /// buffer, now and then) by a station that takes time, as validation
    /// demands before any sink (a transfer robot counts only when its move
    /// takes time; tests/engine/bad_input.rs has the instant one refused).
    fn line_start(&mut self, base: &[String], y: f64) -> Node {
        let (source, saturated) = self.source(base, y);
        if !saturated {
            return source;
        }
        let mut from = source;
        if self.rng.chance(0.3) {
            // A store of raw parts, filled at once.
            let store = self.node(Kind::Buffer, from.products.clone(), y);
            self.edge(&from, &store, None, None);
            from = store;
        }
        let kind = self.rng.pick(&[Kind::Machine, Kind::Cell, Kind::Conveyor]);
        let first = self.node(kind, from.products.clone(), y);
        self.edge(&from, &first, None, None);
        first
    }

    fn stage(&mut self, open: &mut Vec<Node>) {
        let many = open.len() >= 2;
        let choice = if open.len() >= 4 {
            1 // merge: keep the factory from fanning out without end
        } else {
            self.rng.pick(&[0, 0, 0, 1, 2, 2, 3, 4])
        };
        match choice {
            1 if many => {
                let n = self.rng.int(2, open.len() as u32) as usize;
                let from: Vec<Node> = (0..n)
                    .map(|_| {
                        let k = self.rng.below(open.len());
                        open.remove(k)
                    })
                    .collect();
                let products = union(from.iter().map(|n| &n.products));
                let kind = self.pick_kind();
                let to = self.node(kind, products, 0.0);
                for f in &from {
                    self.edge(f, &to, None, None);
                }
                open.push(to);
            }
            2 => {
                let k = self.rng.below(open.len());
                let from = open.remove(k);
                let branches = self.split(&from);
                open.extend(branches);
            }
            3 => {
                let n = if many && self.rng.chance(0.3) { 2 } else { 1 };
                let from: Vec<Node> = (0..n)
                    .map(|_| {
                        let k = self.rng.below(open.len());
                        open.remove(k)
                    })
                    .collect();
                let assembled = self.assembly(&from);
                open.push(assembled);
            }
            4 => {
                let k = self.rng.below(open.len());
                let from = open.remove(k);
                let ok = self.rework(&from);
                open.push(ok);
            }
            _ => {
                let k = self.rng.below(open.len());
                let from = open.remove(k);
                let kind = self.pick_kind();
                let to = self.node(kind, from.products.clone(), from.exit.1);
                self.edge(&from, &to, None, None);
                open.push(to);
            }
        }
    }

    fn pick_kind(&mut self) -> Kind {
        self.rng.pick(&[
            Kind::Machine,
            Kind::Machine,
            Kind::Machine,
            Kind::Cell,
            Kind::Buffer,
            Kind::Buffer,
            Kind::Conveyor,
        ])
    }

    /// One object to several: to the first free target, by probability, by
    /// product, or by probability per product.
    fn split(&mut self, from: &Node) -> Vec<Node> {
        let k = self.rng.int(2, 3) as usize;
        let products = from.products.clone();
        let mode = if products.len() >= 2 {
            self.rng.below(4)
        } else {
            self.rng.pick(&[0, 1, 3])
        };
        // Which products each branch receives, and each edge (branch, product, weight).
        let mut edges: Vec<(usize, Option<String>, Option<f64>)> = Vec::new();
        match mode {
            0 => edges.extend((0..k).map(|b| (b, None, None))),
            1 => {
                let w = self.weights(k);
                edges.extend((0..k).map(|b| (b, None, Some(w[b]))));
            }
            2 => {
                // Every branch gets at least one product, every product one branch.
                let k = k.min(products.len());
                let mut order = products.clone();
                self.shuffle(&mut order);
                for (n, p) in order.iter().enumerate() {
                    let b = if n < k { n } else { self.rng.below(k) };
                    edges.push((b, Some(p.clone()), None));
                }
                if self.rng.chance(0.3) {
                    let b = self.rng.below(k);
                    edges.push((b, None, None)); // a fallback, tried last
                }
            }
            _ => {
                let mut sets: Vec<Vec<usize>> = products
                    .iter()
                    .map(|_| (0..k).filter(|_| self.rng.chance(0.6)).collect())
                    .collect();
                for b in 0..k {
                    if !sets.iter().any(|s| s.contains(&b)) {
                        let p = self.rng.below(sets.len());
                        sets[p].push(b);
                    }
                }
                for (p, set) in products.iter().zip(&mut sets) {
                    if set.is_empty() {
                        set.push(self.rng.below(k));
                    }
                    let w = self.weights(set.len());
                    for (&b, w) in set.iter().zip(w) {
                        edges.push((b, Some(p.clone()), Some(w)));
                    }
                }
            }
        }
        let used = edges.iter().map(|e| e.0).max().unwrap() + 1;
        let branches: Vec<Node> = (0..used)
            .map(|b| {
                let got: Vec<String> = if edges.iter().any(|e| e.0 == b && e.1.is_none()) {
                    products.clone()
                } else {
                    products
                        .iter()
                        .filter(|p| edges.iter().any(|e| e.0 == b && e.1.as_ref() == Some(*p)))
                        .cloned()
                        .collect()
                };
                let kind = if self.rng.chance(0.15) {
                    Kind::Sink
                } else {
                    self.pick_kind()
                };
                self.node(kind, got, b as f64 * 3.0)
            })
            .collect();
        for (b, product, weight) in &edges {
            self.edge(from, &branches[*b], product.as_deref(), *weight);
        }
        branches
            .into_iter()
            .filter(|n| !n.id.starts_with("out"))
            .collect()
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.rng.below(i + 1);
            xs.swap(i, j);
        }
    }

    /// `n` routing weights summing to 1, a zero among them now and then.
    fn weights(&mut self, n: usize) -> Vec<f64> {
        let mut raw: Vec<u32> = (0..n).map(|_| self.rng.int(0, 10)).collect();
        if raw.iter().all(|&w| w == 0) {
            raw[0] = 1;
        }
        let total: u32 = raw.iter().sum();
        raw.iter()
            .map(|&w| f64::from(w) / f64::from(total))
            .collect()
    }

    /// An assembly of everything that reaches it from `from`, with a
    /// component source of its own now and then.
    fn assembly(&mut self, from: &[Node]) -> Node {
        let mut inputs: Vec<(String, u32)> = union(from.iter().map(|n| &n.products))
            .into_iter()
            .map(|p| (p, self.rng.int(1, 2)))
            .collect();
        let id = self.id("asm");
        let output = format!("a{}", self.next_id);
        self.products.push(output.clone());
        let y = from[0].exit.1;
        let pos = (self.x, y);
        let node = Node {
            id: id.clone(),
            entry: pos,
            exit: pos,
            products: vec![output.clone()],
        };
        let component = self.rng.chance(0.7).then(|| {
            let product = format!("c{}", self.next_id);
            self.products.push(product.clone());
            inputs.push((product.clone(), self.rng.int(1, 3)));
            product
        });
        let cycle = self.dist(self.tempo, 0.3, 1.2);
        let mut f = format!(
            "id: \"{id}\", pos: ({}, {y}), inputs: [{}], output: \"{output}\", cycle: {cycle}",
            self.x,
            inputs
                .iter()
                .map(|(p, q)| format!("(\"{p}\", {q})"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        let most = inputs.iter().map(|i| i.1).max().unwrap();
        if self.rng.chance(0.3) {
            write!(f, ", bin_capacity: {}", self.rng.int(most, most + 4)).unwrap();
        }
        if self.rng.chance(0.3) {
            write!(f, ", capacity: {}", self.rng.int(1, 3)).unwrap();
        }
        self.station_extras(&mut f, Extras::Assembly);
        self.objects.push(format!("Assembly({f})"));
        for n in from {
            self.edge(n, &node, None, None);
        }
        if let Some(product) = component {
            let (source, _) = self.source(&[product], y - 3.0);
            if self.rng.chance(0.5) {
                let b = self.node(Kind::Buffer, source.products.clone(), y - 3.0);
                self.edge(&source, &b, None, None);
                self.edge(&b, &node, None, None);
            } else {
                self.edge(&source, &node, None, None);
            }
        }
        node
    }

    /// An inspection that sends a share of its parts back through a buffer
    /// or a belt (a loop, allowed because it passes one).
    fn rework(&mut self, from: &Node) -> Node {
        let y = from.exit.1;
        let kind = self.rng.pick(&[Kind::Machine, Kind::Cell]);
        let inspect = self.node(kind, from.products.clone(), y);
        self.edge(from, &inspect, None, None);
        let x = self.x;
        self.x += 1.5;
        let kind = self.rng.pick(&[Kind::Buffer, Kind::Buffer, Kind::Conveyor]);
        let back = self.node(kind, from.products.clone(), y + 2.0);
        let fix = self
            .rng
            .chance(0.5)
            .then(|| self.node(Kind::Machine, from.products.clone(), y + 2.0));
        self.x = x + 3.0;
        let kind = self.pick_kind();
        let ok = self.node(kind, from.products.clone(), y);
        let w = self.rng.real(0.05, 0.5);
        self.edge(&inspect, &ok, None, Some(r2(1.0 - w)));
        self.edge(&inspect, &back, None, Some(w));
        match fix {
            Some(fix) => {
                self.edge(&back, &fix, None, None);
                self.edge(&fix, &inspect, None, None);
            }
            None => self.edge(&back, &inspect, None, None),
        }
        ok
    }

    /// Every open end to a sink; a few sinks, each reached.
    fn finish(&mut self, open: Vec<Node>) {
        if open.is_empty() {
            return;
        }
        let n = self.rng.int(1, open.len().min(3) as u32) as usize;
        let sinks: Vec<Node> = (0..n)
            .map(|k| self.node(Kind::Sink, Vec::new(), k as f64 * 3.0))
            .collect();
        for (k, node) in open.iter().enumerate() {
            let sink = &sinks[k % n];
            if n > 1 && self.rng.chance(0.2) {
                // Two sinks by probability.
                let other = &sinks[(k + 1) % n];
                let w = self.rng.real(0.0, 1.0);
                self.edge(node, sink, None, Some(w));
                self.edge(node, other, None, Some(r2(1.0 - w)));
            } else {
                self.edge(node, sink, None, None);
            }
        }
    }

    /// A source of some of `products`; whether it is saturated without a limit.
    fn source(&mut self, products: &[String], y: f64) -> (Node, bool) {
        let id = self.id("src");
        let pos = (self.x, y);
        let mut f = format!("id: \"{id}\", pos: ({}, {})", pos.0, pos.1);
        if self.rng.chance(0.15) {
            return self.order_source(id, f, products, pos);
        }
        let mut made: Vec<String> = products
            .iter()
            .filter(|_| self.rng.chance(0.6))
            .cloned()
            .collect();
        if made.is_empty() {
            made.push(products[self.rng.below(products.len())].clone());
        }
        if made.len() == 1 && self.rng.chance(0.8) {
            write!(f, ", product: \"{}\"", made[0]).unwrap();
        } else {
            let mut w: Vec<f64> = made.iter().map(|_| self.rng.real(0.0, 5.0)).collect();
            if w.iter().all(|&x| x == 0.0) {
                w[0] = 1.0;
            }
            let mix = made
                .iter()
                .zip(&w)
                .map(|(p, w)| format!("(\"{p}\", {w})"))
                .collect::<Vec<_>>()
                .join(", ");
            write!(f, ", mix: [{mix}]").unwrap();
        }
        let timed = self.rng.chance(0.7);
        if timed {
            let d = self.dist(self.tempo, 0.6, 2.0);
            write!(f, ", interarrival: {d}").unwrap();
        }
        if self.rng.chance(0.3) {
            let d = self.dist(self.tempo, 2.0, 60.0);
            write!(f, ", due_in: {d}").unwrap();
        }
        let limited = self.rng.chance(0.15);
        if limited {
            write!(f, ", limit: {}", self.rng.int(0, 200)).unwrap();
        }
        self.shift_field(&mut f, 0.2);
        self.footprint(&mut f);
        self.objects.push(format!("Source({f})"));
        let node = Node {
            id,
            entry: pos,
            exit: pos,
            products: made,
        };
        (node, !timed && !limited)
    }

    /// A source fed by a few orders of the given products (released within
    /// the run, some several at once, with priorities); finite, so it never
    /// counts as saturated.
    fn order_source(
        &mut self,
        id: String,
        mut f: String,
        products: &[String],
        pos: (f64, f64),
    ) -> (Node, bool) {
        let mut made = Vec::new();
        let mut orders = Vec::new();
        for k in 0..self.rng.int(1, 6) {
            let p = products[self.rng.below(products.len())].clone();
            let release = r3(self.tempo * f64::from(self.rng.int(0, 150)));
            let due = r3(release + self.tempo * self.rng.real(0.5, 40.0));
            let mut o = format!(
                "(id: \"{id}_o{k}\", release: Seconds({release}), product: \"{p}\", quantity: {}, due: Seconds({due})",
                self.rng.int(1, 20)
            );
            if self.rng.chance(0.3) {
                write!(o, ", priority: {}", self.rng.int(0, 3)).unwrap();
            }
            o.push(')');
            orders.push(o);
            if !made.contains(&p) {
                made.push(p);
            }
        }
        write!(f, ", orders: [{}]", orders.join(", ")).unwrap();
        if self.rng.chance(0.4) {
            f.push_str(", lots: Together");
        }
        self.shift_field(&mut f, 0.2);
        self.objects.push(format!("Source({f})"));
        let node = Node {
            id,
            entry: pos,
            exit: pos,
            products: made,
        };
        (node, false)
    }

    fn node(&mut self, kind: Kind, products: Vec<String>, y: f64) -> Node {
        let prefix = match kind {
            Kind::Machine => "m",
            Kind::Cell => "cell",
            Kind::Buffer => "b",
            Kind::Conveyor => "belt",
            Kind::Sink => "out",
        };
        let id = self.id(prefix);
        let y = r2(y + self.rng.real(-0.5, 0.5));
        let pos = (self.x, y);
        let mut entry = pos;
        let mut exit = pos;
        let text = match kind {
            Kind::Machine => {
                let capacity = self.rng.pick(&[1, 1, 1, 2, 3, 4]);
                let cycle = self.dist(self.tempo * f64::from(capacity), 0.3, 1.2);
                let mut f = format!("id: \"{id}\", pos: ({}, {y}), cycle: {cycle}", self.x);
                if capacity > 1 || self.rng.chance(0.1) {
                    write!(f, ", capacity: {capacity}").unwrap();
                }
                self.processing(&mut f, capacity);
                self.station_extras(&mut f, Extras::Tendable);
                format!("Machine({f})")
            }
            Kind::Cell => {
                let mut task = format!("cycle: {}", self.dist(self.tempo, 0.3, 1.2));
                self.processing(&mut task, 1);
                let mut f = format!(
                    "id: \"{id}\", pos: ({}, {y}), reach: {}, task: Process({task})",
                    self.x,
                    self.rng.real(0.5, 3.0)
                );
                self.station_extras(&mut f, Extras::Tendable);
                self.robots.push(id.clone());
                format!("Robot({f})")
            }
            Kind::Buffer => {
                let capacity = self.rng.pick(&[1, 2, 3, 5, 8, 20, 1000]);
                let mut f = format!("id: \"{id}\", pos: ({}, {y}), capacity: {capacity}", self.x);
                if self.rng.chance(0.2) {
                    let rule = self
                        .rng
                        .pick(&["Fifo", "EarliestDue", "ShortestProcessing"]);
                    write!(f, ", dispatch: {rule}").unwrap();
                }
                self.footprint(&mut f);
                format!("Buffer({f})")
            }
            Kind::Conveyor => {
                let length = self.rng.real(1.0, 8.0);
                let angle = self.rng.real(-0.5, 0.5);
                let to = (
                    r2(self.x + length * f64::cos(angle)),
                    r2(y + length * f64::sin(angle)),
                );
                let length = (to.0 - self.x).hypot(to.1 - y);
                let spacing = if self.rng.chance(0.1) {
                    length // room for one part
                } else {
                    ((length * self.rng.real(0.05, 1.0) * 100.0).floor() / 100.0)
                        .clamp(0.01, length)
                };
                // Free transit of a fraction of a cycle to a few cycles.
                let speed = significant(length / (self.tempo * self.rng.real(0.2, 4.0)));
                let mut f = format!(
                    "id: \"{id}\", from: ({}, {y}), to: ({}, {}), speed: {speed}, spacing: {spacing}",
                    self.x, to.0, to.1
                );
                if self.rng.chance(0.6) {
                    write!(f, ", accumulating: {}", self.rng.chance(0.5)).unwrap();
                }
                if self.rng.chance(0.2) {
                    write!(f, ", width: {}", self.rng.real(0.3, 1.5)).unwrap();
                }
                exit = to;
                entry = (self.x, y);
                format!("Conveyor({f})")
            }
            Kind::Sink => {
                let mut f = format!("id: \"{id}\", pos: ({}, {y})", self.x + 3.0);
                entry = (self.x + 3.0, y);
                self.footprint(&mut f);
                format!("Sink({f})")
            }
        };
        self.objects.push(text);
        Node {
            id,
            entry,
            exit,
            products,
        }
    }

    /// Per-product cycles and setups, for machines and robot cells.
    fn processing(&mut self, f: &mut String, capacity: u32) {
        if self.rng.chance(0.3) {
            let k = self.rng.below(self.products.len());
            let p = self.products[k].clone();
            let d = self.dist(self.tempo * f64::from(capacity), 0.2, 1.5);
            write!(f, ", product_cycles: {{\"{p}\": {d}}}").unwrap();
        }
        if self.rng.chance(0.3) {
            let d = self.dist(self.tempo, 0.1, 3.0);
            let mut setup = format!("time: {d}");
            if self.products.len() >= 2 && self.rng.chance(0.4) {
                // A setup matrix entry for one pair of products.
                let a = self.rng.below(self.products.len());
                let b = (a + 1 + self.rng.below(self.products.len() - 1)) % self.products.len();
                let d = self.dist(self.tempo, 0.1, 5.0);
                let (a, b) = (&self.products[a], &self.products[b]);
                write!(
                    setup,
                    ", changes: [(from: \"{a}\", to: \"{b}\", time: {d})]"
                )
                .unwrap();
            }
            if !self.pools.is_empty() && self.rng.chance(0.3) {
                let k = self.rng.below(self.pools.len());
                write!(setup, ", operator: \"{}\"", self.pools[k]).unwrap();
            }
            write!(f, ", setup: ({setup})").unwrap();
        }
    }

    /// Failures, scrap, an operator (and tending), power, maintenance, a
    /// shift, layout fields.
    fn station_extras(&mut self, f: &mut String, kind: Extras) {
        let (operator, transfer) = (kind != Extras::Transfer, kind == Extras::Transfer);
        if self.rng.chance(0.35) {
            // Now and then failing all the time, mid-cycle.
            let most = self.rng.pick(&[1.0, 60.0, 60.0, 60.0]);
            let between = self.dist(self.tempo, 0.2, most);
            let repair = self.dist(self.tempo, 0.3, 8.0);
            write!(f, ", failures: (between: {between}, repair: {repair})").unwrap();
        }
        if !transfer && self.rng.chance(0.3) {
            let scrap = if self.rng.chance(0.05) {
                1.0
            } else {
                self.rng.real(0.0, 0.3)
            };
            write!(f, ", scrap: {scrap}").unwrap();
        }
        if transfer {
            self.driver(f);
        }
        if operator && !self.pools.is_empty() && self.rng.chance(0.4) {
            let k = self.rng.below(self.pools.len());
            let pool = &self.pools[k];
            if self.rng.chance(0.2) {
                write!(f, ", operator: Some(\"{pool}\")").unwrap(); // the explicit spelling
            } else {
                write!(f, ", operator: \"{pool}\"").unwrap();
            }
            if kind == Extras::Tendable && self.rng.chance(0.3) {
                let load = self.dist(self.tempo, 0.05, 0.5);
                let unload = self.dist(self.tempo, 0.05, 0.5);
                write!(f, ", tending: (load: {load}, unload: {unload})").unwrap();
            }
        }
        self.maintenance(f, transfer);
        if self.rng.chance(0.4) {
            let mut p = format!("working: {}", self.rng.real(0.0, 20.0));
            for name in ["idle", "setup", "failed", "off_shift"] {
                if self.rng.chance(0.5) {
                    write!(p, ", {name}: {}", self.rng.real(0.0, 5.0)).unwrap();
                }
            }
            write!(f, ", power_kw: ({p})").unwrap();
        }
        self.shift_field(f, 0.25);
        self.footprint(f);
    }

    /// Now and then a pool whose operators drive the carrier.
    fn driver(&mut self, f: &mut String) {
        if !self.riders.is_empty() && self.rng.chance(0.3) {
            let k = self.rng.below(self.riders.len());
            write!(f, ", operator: \"{}\"", self.riders[k]).unwrap();
        }
    }

    fn shift_field(&mut self, f: &mut String, p: f64) {
        if !self.shifts.is_empty() && self.rng.chance(p) {
            let k = self.rng.below(self.shifts.len());
            if self.shifts.len() >= 2 && self.rng.chance(0.3) {
                // Two shifts followed as one.
                let other = (k + 1 + self.rng.below(self.shifts.len() - 1)) % self.shifts.len();
                write!(
                    f,
                    ", shift: [\"{}\", \"{}\"]",
                    self.shifts[k], self.shifts[other]
                )
                .unwrap();
            } else {
                write!(f, ", shift: \"{}\"", self.shifts[k]).unwrap();
            }
        }
    }

    /// Now and then planned maintenance: a stop after every few parts or
    /// so much work (not on a transfer robot), a weekly window, or several.
    fn maintenance(&mut self, f: &mut String, transfer: bool) {
        if !self.rng.chance(0.15) {
            return;
        }
        let mut each = Vec::new();
        if !transfer && self.rng.chance(0.6) {
            let duration = self.dist(self.tempo, 0.2, 3.0);
            each.push(format!(
                "EveryParts(parts: {}, duration: {duration})",
                self.rng.int(1, 20)
            ));
        }
        if !transfer && self.rng.chance(0.3) {
            let duration = self.dist(self.tempo, 0.2, 3.0);
            let work = r3(self.tempo * self.rng.real(1.0, 20.0));
            each.push(format!(
                "EveryWork(work: Seconds({work}), duration: {duration})"
            ));
        }
        if each.is_empty() || self.rng.chance(0.4) {
            let start = self.rng.int(0, 23 * 60);
            let length = self.rng.int(10, 180);
            let clock = |m: u32| format!("{:02}:{:02}", m % 1440 / 60, m % 60);
            each.push(format!(
                "Weekly(days: [Mon], start: \"{}\", end: \"{}\")",
                clock(start),
                clock(start + length)
            ));
        }
        write!(f, ", maintenance: [{}]", each.join(", ")).unwrap();
    }

    fn footprint(&mut self, f: &mut String) {
        if self.rng.chance(0.15) {
            let (w, d) = (self.rng.real(0.3, 3.0), self.rng.real(0.3, 3.0));
            write!(f, ", rot: {}, footprint: ({w}, {d})", self.rng.int(0, 359)).unwrap();
        }
    }

    fn pool(&mut self, used: bool) {
        let id = self.id("ops");
        let count = if used { self.rng.int(1, 3) } else { 0 };
        let mut walks = false;
        // A crew on every shift (each at least 1, so any station's own shift
        // is covered), or one count.
        let crews = used && !self.shifts.is_empty() && self.rng.chance(0.35);
        let mut f = if crews {
            let each: Vec<String> = (0..self.shifts.len())
                .map(|k| format!("\"{}\": {}", self.shifts[k], self.rng.int(1, 3)))
                .collect();
            format!("id: \"{id}\", crews: {{{}}}", each.join(", "))
        } else {
            format!("id: \"{id}\", count: {count}")
        };
        if self.rng.chance(0.5) {
            write!(
                f,
                ", pos: ({}, {})",
                self.rng.real(0.0, 20.0),
                self.rng.real(-3.0, 9.0)
            )
            .unwrap();
            if self.rng.chance(0.3) {
                f.push_str(", walks: true"); // the walk takes time in the model
                walks = true;
            }
        }
        if !crews {
            self.shift_field(&mut f, 0.5);
        }
        if self.rng.chance(0.6) {
            write!(f, ", wage_per_hour: {}", self.rng.real(0.0, 40.0)).unwrap();
        }
        // Helping pools made before, in a random order of priority.
        if !self.pools.is_empty() && self.rng.chance(0.3) {
            let mut helps: Vec<String> = Vec::new();
            for _ in 0..self.rng.int(1, 2) {
                let k = self.rng.below(self.pools.len());
                let p = format!("\"{}\"", self.pools[k]);
                if !helps.contains(&p) {
                    helps.push(p);
                }
            }
            write!(f, ", helps: [{}]", helps.join(", ")).unwrap();
        }
        self.objects.push(format!("Operators({f})"));
        if used && !walks {
            self.riders.push(id.clone());
        }
        if used {
            self.pools.push(id);
        }
    }

    /// A weekly shift whose hours are likely to fall inside a short horizon
    /// starting Monday 00:00: day, night (past midnight) or 24-hour shifts,
    /// with breaks.
    fn shift(&mut self, horizon_h: f64) -> String {
        let id = format!("s{}", self.shifts.len());
        self.shifts.push(id.clone());
        let rng = &mut self.rng;
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let mut days: Vec<&str> = DAYS.iter().copied().filter(|_| rng.chance(0.4)).collect();
        if days.is_empty() || (rng.chance(0.7) && !days.contains(&"Mon")) {
            days.insert(0, "Mon");
        }
        let latest = (horizon_h as u32).min(23);
        let start = rng.int(0, latest) * 60 + rng.pick(&[0, 0, 15, 30, 45, 7]);
        let length = match rng.below(10) {
            0 => 24 * 60,
            1 => 24 * 60 - start, // to midnight, written "00:00" or "24:00"
            _ => rng.int(60, 16 * 60),
        };
        let clock = |m: u32| format!("{:02}:{:02}", m % 1440 / 60, m % 60);
        let end = if (start + length).is_multiple_of(1440) && rng.chance(0.5) {
            "24:00".to_string()
        } else {
            clock(start + length)
        };
        let mut breaks = Vec::new();
        for _ in 0..rng.pick(&[0, 0, 1, 1, 2]) {
            let a = rng.int(1, length - 2);
            let b = rng.int(a + 1, (a + 90).min(length));
            breaks.push(format!(
                "(\"{}\", \"{}\")",
                clock(start + a),
                clock(start + b)
            ));
        }
        let mut f = format!(
            "Shift(id: \"{id}\", days: [{}], start: \"{}\", end: \"{end}\"",
            days.join(", "),
            clock(start)
        );
        if !breaks.is_empty() {
            write!(f, ", breaks: [{}]", breaks.join(", ")).unwrap();
        }
        f.push(')');
        f
    }

    /// A flow edge; now and then carried by a transfer robot.
    fn edge(&mut self, from: &Node, to: &Node, product: Option<&str>, weight: Option<f64>) {
        let via = self.rng.chance(0.12).then(|| {
            let k = if !self.movers.is_empty() && self.rng.chance(0.5) {
                self.rng.below(self.movers.len())
            } else {
                self.mover(from.exit, to.entry)
            };
            self.movers[k].points.extend([from.exit, to.entry]);
            self.movers[k].id.clone()
        });
        let (a, b) = (&from.id, &to.id);
        if product.is_none() && weight.is_none() && via.is_none() && self.rng.chance(0.8) {
            self.flow.push(format!("(\"{a}\", \"{b}\")"));
            return;
        }
        let mut f = format!("Flow(from: \"{a}\", to: \"{b}\"");
        if let Some(p) = product {
            write!(f, ", product: \"{p}\"").unwrap();
        }
        if let Some(w) = weight {
            write!(f, ", weight: {w}").unwrap();
        }
        if let Some(r) = via {
            write!(f, ", via: \"{r}\"").unwrap();
        }
        f.push(')');
        self.flow.push(f);
    }

    /// A new transfer robot (or, now and then, a fleet of vehicles)
    /// between two points; returns its index.
    fn mover(&mut self, a: (f64, f64), b: (f64, f64)) -> usize {
        let id = self.id("mover");
        let pos = (
            r2((a.0 + b.0) / 2.0 + self.rng.real(-1.0, 1.0)),
            r2((a.1 + b.1) / 2.0 + self.rng.real(-1.0, 1.0)),
        );
        let pick = self.rng.pick(&[0.0, 0.5, 1.0, 2.0, 4.0]);
        let place = self.rng.pick(&[0.0, 0.5, 1.0, 3.0]);
        if self.rng.chance(0.3) {
            let count = self.rng.int(1, 3);
            let mut fields = format!(
                "speed: {}, load: Seconds({pick}), unload: Seconds({place})",
                self.rng.real(0.2, 3.0)
            );
            if self.rng.chance(0.4) {
                write!(fields, ", capacity: {}", self.rng.int(1, 4)).unwrap();
            }
            self.driver(&mut fields);
            if self.rng.chance(0.3) {
                let between = self.dist(self.tempo, 0.2, 60.0);
                let repair = self.dist(self.tempo, 0.3, 8.0);
                write!(fields, ", failures: (between: {between}, repair: {repair})").unwrap();
            }
            if self.rng.chance(0.3) {
                write!(
                    fields,
                    ", power_kw: (working: {}, idle: 0.2)",
                    self.rng.real(0.0, 3.0)
                )
                .unwrap();
            }
            self.shift_field(&mut fields, 0.25);
            self.movers.push(Mover {
                id,
                pos,
                fleet: Some(count),
                fields,
                points: Vec::new(),
            });
            return self.movers.len() - 1;
        }
        let mut fields = format!(
            "task: Transfer(speed: {}, pick: Seconds({pick}), place: Seconds({place}))",
            self.rng.real(0.2, 3.0)
        );
        self.station_extras(&mut fields, Extras::Transfer);
        self.robots.push(id.clone());
        self.movers.push(Mover {
            id,
            pos,
            fleet: None,
            fields,
            points: Vec::new(),
        });
        self.movers.len() - 1
    }

    /// A random distribution in a random unit, with a mean of about `scale`
    /// seconds × a number drawn from [lo, hi).
    fn dist(&mut self, scale: f64, lo: f64, hi: f64) -> String {
        let rng = &mut self.rng;
        let mean = scale * rng.real(lo, hi);
        let units: &[(&str, f64)] = &[
            ("Seconds", 1.0),
            ("Minutes", 60.0),
            ("Hours", 3600.0),
            ("Days", 86_400.0),
        ];
        // A unit in which the mean is at least 0.1 (at least 1 for whole numbers).
        let least = if self.whole { 1.0 } else { 0.1 };
        let usable = units.iter().filter(|u| mean / u.1 >= least).count().max(1);
        let (unit, scale) = units[rng.below(usable)];
        let d = |v: f64| format!("{unit}({v})");
        let (q, step): (fn(f64) -> f64, f64) = if self.whole {
            (f64::round, 1.0)
        } else {
            (r3, 0.001)
        };
        let m = q(mean / scale).max(step);
        let kind = if self.whole {
            rng.pick(&[0, 0, 0, 0, 1, 2, 9, 9])
        } else {
            rng.below(10)
        };
        match kind {
            0 => format!("Constant({})", d(m)),
            1 => {
                let a = rng.unit();
                format!(
                    "Uniform(min: {}, max: {})",
                    d(q(m * (1.0 - a))),
                    d(q(m * (1.0 + a)).max(step))
                )
            }
            2 => {
                let lo = q(m * (1.0 - rng.unit()));
                let hi = q(m * (1.0 + rng.unit())).max(lo + step);
                let mode = q(lo + (hi - lo) * rng.unit()).clamp(lo, hi);
                format!(
                    "Triangular(min: {}, mode: {}, max: {})",
                    d(lo),
                    d(mode),
                    d(hi)
                )
            }
            3 => format!(
                "Normal(mean: {}, sd: {})",
                d(m),
                d(r3(m * rng.real(0.0, 1.5)))
            ),
            4 => format!(
                "LogNormal(mean: {}, sd: {})",
                d(m),
                d(r3(m * rng.real(0.0, 2.0)))
            ),
            5 => format!("Exponential(mean: {})", d(m)),
            6 => format!("Weibull(shape: {}, scale: {})", rng.real(0.5, 4.0), d(m)),
            7 => {
                let shape = rng.real(0.3, 5.0);
                format!(
                    "Gamma(shape: {shape}, scale: {})",
                    d(r3(m / shape).max(0.001))
                )
            }
            8 => format!("Erlang(k: {}, mean: {})", rng.int(1, 5), d(m)),
            _ => {
                // Values may be zero; the first is positive with a positive weight.
                let mut table = vec![format!("({}, {})", d(m), rng.int(1, 4))];
                for _ in 0..rng.int(0, 3) {
                    let v = q(m * rng.pick(&[0.0, 0.5, 1.0, 2.0, 3.0]));
                    table.push(format!("({}, {})", d(v), rng.int(0, 4)));
                }
                format!("Empirical([{}])", table.join(", "))
            }
        }
    }

    fn write(&mut self, index: u64, run: &str, shifts: &[String]) -> String {
        let mut movers = std::mem::take(&mut self.movers);
        for m in &mut movers {
            if let Some(count) = m.fleet {
                self.objects.push(format!(
                    "Vehicles(id: \"{}\", pos: ({}, {}), count: {count}, {})",
                    m.id, m.pos.0, m.pos.1, m.fields
                ));
                continue;
            }
            let reach = m
                .points
                .iter()
                .map(|p| (p.0 - m.pos.0).hypot(p.1 - m.pos.1))
                .fold(0.0, f64::max);
            let reach = r2(reach + self.rng.real(0.01, 2.0));
            self.objects.push(format!(
                "Robot(id: \"{}\", pos: ({}, {}), reach: {reach}, {})",
                m.id, m.pos.0, m.pos.1, m.fields
            ));
        }
        let mut t = format!("Scene(\n    name: \"random factory {index}\",\n    run: ({run}),\n");
        if !shifts.is_empty() {
            writeln!(
                t,
                "    shifts: [\n        {},\n    ],",
                shifts.join(",\n        ")
            )
            .unwrap();
        }
        let products = self
            .products
            .iter()
            .map(|p| format!("Product(id: \"{p}\")"))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(t, "    products: [{products}],").unwrap();
        writeln!(
            t,
            "    objects: [\n        {},\n    ],",
            self.objects.join(",\n        ")
        )
        .unwrap();
        writeln!(
            t,
            "    flow: [\n        {},\n    ],",
            self.flow.join(",\n        ")
        )
        .unwrap();
        let rng = &mut self.rng;
        if rng.chance(0.4) {
            let mut e = "currency: \"EUR\"".to_string();
            for (name, hi) in [
                ("unit_margin", 50.0),
                ("energy_per_kwh", 0.5),
                ("scrap_cost", 20.0),
                ("discount_rate", 0.2),
                ("weeks_per_year", 53.0),
            ] {
                if rng.chance(0.6) {
                    let v = if name == "weeks_per_year" {
                        f64::from(rng.int(1, 53))
                    } else {
                        rng.real(0.0, hi)
                    };
                    write!(e, ", {name}: {v}").unwrap();
                }
            }
            writeln!(t, "    economics: ({e}),").unwrap();
        }
        if rng.chance(0.1) {
            let items = [rng.real(1.0, 9e5), rng.real(0.0, 1e5)];
            let money = if rng.chance(0.5) {
                format!("capex: {}", items[0])
            } else {
                format!(
                    "items: [(\"robot\", {}), (\"fence\", {})]",
                    items[0], items[1]
                )
            };
            writeln!(
                t,
                "    investment: ({money}, subsidy: (rate: {}, cap: {}), life_years: {}, maintenance_per_year: {}, residual_value: {}),",
                rng.real(0.0, 1.0),
                rng.real(0.0, 1e5),
                rng.int(1, 50),
                rng.real(0.0, 1e4),
                rng.real(0.0, 1e4)
            )
            .unwrap();
        }
        if rng.chance(0.3) {
            let fenced: Vec<String> = self
                .robots
                .iter()
                .filter(|_| rng.chance(0.5))
                .map(|r| format!("\"{r}\""))
                .collect();
            writeln!(
                t,
                "    layout: (min_aisle: {}, fenced: [{}], walk_speed: {}),",
                rng.real(0.0, 2.0),
                fenced.join(", "),
                rng.real(0.5, 2.0)
            )
            .unwrap();
        }
        t.push_str(")\n");
        t
    }
}

/// A duration of `hours`, in a random unit that keeps it readable.
fn duration_h(rng: &mut Rng, hours: f64) -> String {
    match rng.below(3) {
        0 => format!("Minutes({})", r2(hours * 60.0)),
        1 => format!("Seconds({})", r2(hours * 3600.0)),
        _ => format!("Hours({})", r3(hours)),
    }
}

/// The products of several nodes, each once, in a stable order.
fn union<'a>(sets: impl Iterator<Item = &'a Vec<String>>) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for p in sets.flatten() {
        if !all.contains(p) {
            all.push(p.clone());
        }
    }
    all
}
