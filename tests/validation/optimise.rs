//! The optimiser against problems whose answer is known exactly:
//!
//! - buffer allocation in a three-machine exponential line (saturated
//!   source, blocking after service): a fixed number of buffer places to
//!   share between the two buffers, each allocation's throughput solved
//!   exactly by the Markov chain in `ctmc`;
//! - staffing an M/M/c station at the least cost per hour, servers' wages
//!   plus the holding cost of the parts in the system (Erlang C gives the
//!   mean number in system, so the cost of every c exactly);
//! - two designs within the indifference zone: both accepted, the clearly
//!   worse one eliminated.
//!
//! The claim tested is the selection's own: the design chosen is the best
//! or within δ of it. Where the exact optimum leads the runner-up by more
//! than δ, that means the optimum itself.

use super::ctmc::{Line, Stage};
use super::queues::erlang_c;
use super::{LineSpec, exp, scene};
use factory_twin::optimize::{
    self, Problem, Settings, Variable, parse_constraint, parse_objective,
};

fn problem(
    scene_text: &str,
    vary: &[&str],
    objective: &str,
    constraints: &[&str],
    budget: u32,
    delta: f64,
) -> Problem {
    let scene = scene(scene_text);
    let variables: Vec<Variable> = vary
        .iter()
        .map(|v| Variable::parse(&scene, v).unwrap())
        .collect();
    let names: Vec<String> = variables.iter().map(|v| v.path.clone()).collect();
    Problem {
        objectives: vec![parse_objective(objective, &names).unwrap()],
        constraints: constraints
            .iter()
            .map(|c| parse_constraint(c, &names).unwrap())
            .collect(),
        scene,
        variables,
        budget,
        indifference: Some(delta),
        confidence: 0.95,
        life_years: None,
        strategy: Default::default(),
    }
}

/// The chosen design's settings as numbers, in variable order.
fn chosen(o: &optimize::Optimisation) -> Vec<f64> {
    let best = &o.designs[o.best.expect("a design is chosen")];
    best.settings
        .iter()
        .map(|(_, v)| match v {
            factory_twin::scene::Value::Number(n) => *n,
            other => panic!("{other}"),
        })
        .collect()
}

#[test]
fn buffer_allocation_in_an_exponential_line_finds_the_exact_optimum() {
    // Cycles 1.0, 1.25, 0.8 s; six buffer places to share, each buffer ≥ 1.
    let cycles = [1.0, 1.25, 0.8];
    let places = 6;
    let exact = |b1: u32, b2: u32| {
        Line {
            stages: cycles.iter().map(|c| Stage::reliable(*c)).collect(),
            buffers: vec![b1, b2],
        }
        .solve()
        .throughput
            * 3600.0
    };
    let mut table: Vec<((u32, u32), f64)> = (1..places)
        .map(|b1| ((b1, places - b1), exact(b1, places - b1)))
        .collect();
    table.sort_by(|a, b| b.1.total_cmp(&a.1));
    for ((b1, b2), x) in &table {
        println!("exact: b1 = {b1}, b2 = {b2}: {x:.3} parts/h");
    }
    let (optimum, best_x) = table[0];
    let gap = best_x - table[1].1;
    let delta = 0.5 * gap;
    let spec = LineSpec {
        name: "buffer allocation",
        seed: 301,
        horizon_s: 20_000.0,
        warmup_s: 1000.0,
        interarrival: None,
        first_buffer: None,
        stations: cycles.iter().map(|c| (exp(*c), 1, None)).collect(),
        buffers: vec![3, 3],
    };
    let p = problem(
        &spec.ron(),
        &["b1.capacity=1..6", "b2.capacity=1..6"],
        "good_per_hour",
        &[&format!("b1.capacity + b2.capacity <= {places}")],
        400,
        delta,
    );
    let o = optimize::optimise(&p, &Settings::default()).unwrap();
    print!("{}", factory_twin::report::optimisation(&o));
    let s = o.selection.as_ref().expect("a selection");
    assert!(s.settled, "{}", s.statement);
    assert!(o.runs_used <= p.budget, "{} runs", o.runs_used);
    let c = chosen(&o);
    let (b1, b2) = (c[0] as u32, c[1] as u32);
    assert!(b1 + b2 <= places);
    assert!(
        exact(b1, b2) >= best_x - delta,
        "chose ({b1}, {b2}): {:.3} against the optimum {optimum:?}: {best_x:.3}",
        exact(b1, b2)
    );
    assert_eq!(
        (b1, b2),
        optimum,
        "the optimum leads by 2δ, so it is the one"
    );
    // Designs that break the places constraint never ran.
    assert!(o.designs.iter().all(|d| {
        let v: Vec<f64> = d
            .settings
            .iter()
            .map(|(_, v)| match v {
                factory_twin::scene::Value::Number(n) => *n,
                _ => f64::NAN,
            })
            .collect();
        v[0] + v[1] <= places as f64
    }));
}

#[test]
fn staffing_an_mmc_station_finds_the_least_cost_by_erlang_c() {
    // λ = 1/10 s, service 35 s (a = 3.5); cost per hour: 20 a server, 6 a
    // part in the system (L = Lq + a).
    let (lam, mu) = (0.1, 1.0 / 35.0);
    let (wage, holding) = (20.0, 6.0);
    let cost = |c: u32| {
        let (_, lq, _, _) = erlang_c(lam, mu, c);
        wage * f64::from(c) + holding * (lq + lam / mu)
    };
    let mut table: Vec<(u32, f64)> = (4..=9).map(|c| (c, cost(c))).collect();
    table.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (c, k) in &table {
        println!("exact: c = {c}: {k:.3} per hour");
    }
    let (optimum, least) = table[0];
    let delta = 0.5 * (table[1].1 - least);
    let spec = LineSpec {
        name: "M/M/c staffing",
        seed: 302,
        horizon_s: 100_000.0,
        warmup_s: 2000.0,
        interarrival: Some(&exp(1.0 / lam)),
        first_buffer: Some(1_000_000),
        stations: vec![(exp(1.0 / mu), 5, None)],
        buffers: vec![],
    };
    let p = problem(
        &spec.ron(),
        &["m1.capacity=4..9"],
        &format!("min: {wage}*m1.capacity + {holding}*wip"),
        &[],
        300,
        delta,
    );
    let o = optimize::optimise(&p, &Settings::default()).unwrap();
    print!("{}", factory_twin::report::optimisation(&o));
    let s = o.selection.as_ref().expect("a selection");
    assert!(s.settled, "{}", s.statement);
    let c = chosen(&o)[0] as u32;
    assert!(cost(c) <= least + delta, "chose c = {c}: {:.3}", cost(c));
    assert_eq!(c, optimum);
}

#[test]
fn two_designs_within_the_indifference_zone_are_both_accepted() {
    // The second machine's mean cycle 1.0 s or 1.001 s (throughput 0.05 %
    // apart) or 1.3 s (clearly slower); δ = 1 % of the throughput.
    let spec = LineSpec {
        name: "indifference",
        seed: 303,
        horizon_s: 20_000.0,
        warmup_s: 1000.0,
        interarrival: None,
        first_buffer: None,
        stations: vec![(exp(0.8), 1, None), (exp(1.0), 1, None)],
        buffers: vec![4],
    };
    let x = 3600.0 * 0.95;
    let p = problem(
        &spec.ron(),
        &["m2.cycle.mean=1,1.001,1.3"],
        "good_per_hour",
        &[],
        200,
        0.01 * x,
    );
    let o = optimize::optimise(&p, &Settings::default()).unwrap();
    print!("{}", factory_twin::report::optimisation(&o));
    let s = o.selection.as_ref().expect("a selection");
    let label = |k: usize| o.designs[s.finalists[k]].label.clone();
    let mut accepted: Vec<String> = s.equivalent.iter().map(|&k| label(k)).collect();
    accepted.push(label(s.chosen));
    accepted.sort();
    assert_eq!(
        accepted,
        ["m2.cycle.mean=1", "m2.cycle.mean=1.001"],
        "{}",
        s.statement
    );
    assert!(
        s.statement.contains("Equally acceptable"),
        "{}",
        s.statement
    );
}

#[test]
fn the_same_seed_gives_the_same_optimisation_on_one_thread_or_many() {
    let spec = LineSpec {
        name: "threads",
        seed: 304,
        horizon_s: 5_000.0,
        warmup_s: 500.0,
        interarrival: None,
        first_buffer: None,
        stations: vec![
            (exp(1.0), 1, None),
            (exp(1.1), 1, None),
            (exp(0.9), 1, None),
        ],
        buffers: vec![2, 2],
    };
    let p = problem(
        &spec.ron(),
        &["b1.capacity=1..8", "b2.capacity=1..8"],
        "max: good_per_hour - 20*b1.capacity - 20*b2.capacity",
        &[],
        150,
        5.0,
    );
    let json = |threads| {
        let o = optimize::optimise(
            &p,
            &Settings {
                threads: Some(threads),
                ..Settings::default()
            },
        )
        .unwrap();
        serde_json::to_string(&o).unwrap()
    };
    assert_eq!(json(1), json(3));
}
