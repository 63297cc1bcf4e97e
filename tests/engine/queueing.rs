//! Quick checks against closed-form queueing results (the full validation
//! suite is a separate test binary). Tolerances: 3 standard errors over
//! independent replications plus any stated bias.

use super::{mean_se, run, scene};

#[test]
fn mm1_time_in_system() {
    // λ = 0.5, μ = 1: W = 1 / (μ − λ) = 2 s, L = ρ / (1 − ρ) = 1.
    let s = scene(
        r#"Scene(name: "mm1", run: (horizon: Hours(20), warmup: Minutes(10)), products: [Product(id: "p")],
        objects: [
            Source(id: "arrivals", pos: (0, 0), product: "p", interarrival: Exponential(mean: Seconds(2))),
            Buffer(id: "queue", pos: (1, 0), capacity: 1000000),
            Machine(id: "server", pos: (2, 0), cycle: Exponential(mean: Seconds(1))),
            Sink(id: "out", pos: (3, 0)),
        ],
        flow: [("arrivals", "queue"), ("queue", "server"), ("server", "out")])"#,
    );
    let runs = run(&s, 10);
    let w: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.mean.unwrap())
        .collect();
    let l: Vec<f64> = runs.iter().map(|r| r.line.wip).collect();
    let util: Vec<f64> = runs.iter().map(|r| r.stations[0].states.working).collect();
    for (name, values, want) in [("W", &w, 2.0), ("L", &l, 1.0), ("utilisation", &util, 0.5)] {
        let (m, se) = mean_se(values);
        assert!(
            (m - want).abs() < 3.0 * se + 1e-3,
            "{name}: {m} ± {se}, expected {want}"
        );
    }
    // Little's law holds in every run (edge effects only).
    assert!(
        runs.iter()
            .all(|r| r.line.littles_law.relative_gap.unwrap() < 0.01)
    );
}

#[test]
fn two_machines_with_a_finite_buffer() {
    // Saturated source, μ1 = μ2 = 1, B = 5: throughput = μK/(K+1) with K = B + 2 = 7 → 0.875.
    let s = scene(
        r#"Scene(name: "two", run: (horizon: Hours(10), warmup: Minutes(10)), products: [Product(id: "p")],
        objects: [
            Source(id: "raw", pos: (0, 0), product: "p"),
            Machine(id: "m1", pos: (1, 0), cycle: Exponential(mean: Seconds(1))),
            Buffer(id: "b", pos: (2, 0), capacity: 5),
            Machine(id: "m2", pos: (3, 0), cycle: Exponential(mean: Seconds(1))),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("raw", "m1"), ("m1", "b"), ("b", "m2"), ("m2", "out")])"#,
    );
    let runs = run(&s, 10);
    let x: Vec<f64> = runs.iter().map(|r| r.line.good_per_hour / 3600.0).collect();
    let (m, se) = mean_se(&x);
    assert!(
        (m - 0.875).abs() < 3.0 * se,
        "throughput {m} ± {se}, expected 0.875"
    );
    // utilisation = throughput × mean process time, at each station.
    for r in &runs {
        let x = r.line.good_per_hour / 3600.0;
        for st in &r.stations {
            assert!(
                (st.states.working - x * 1.0).abs() < 0.01,
                "{}: {} vs {x}",
                st.id,
                st.states.working
            );
        }
    }
}

#[test]
fn mmc_waiting_time_matches_erlang_c() {
    // c = 3, λ = 2, μ = 1 (a = 2, ρ = 2/3).
    let (lam, mu, c) = (2.0f64, 1.0f64, 3u32);
    let a = lam / mu;
    let rho = a / f64::from(c);
    let fact = |k: u32| (1..=k).map(f64::from).product::<f64>();
    let sum: f64 = (0..c).map(|k| a.powi(k as i32) / fact(k)).sum();
    let top = a.powi(c as i32) / fact(c) / (1.0 - rho);
    let p_wait = top / (sum + top);
    let w = p_wait / (f64::from(c) * mu - lam) + 1.0 / mu;
    let s = scene(
        r#"Scene(name: "mmc", run: (horizon: Hours(20), warmup: Minutes(10)), products: [Product(id: "p")],
        objects: [
            Source(id: "arrivals", pos: (0, 0), product: "p", interarrival: Exponential(mean: Seconds(0.5))),
            Buffer(id: "queue", pos: (1, 0), capacity: 1000000),
            Machine(id: "servers", pos: (2, 0), capacity: 3, cycle: Exponential(mean: Seconds(1))),
            Sink(id: "out", pos: (3, 0)),
        ],
        flow: [("arrivals", "queue"), ("queue", "servers"), ("servers", "out")])"#,
    );
    let runs = run(&s, 10);
    let ws: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.mean.unwrap())
        .collect();
    let (m, se) = mean_se(&ws);
    assert!((m - w).abs() < 3.0 * se, "W {m} ± {se}, Erlang C gives {w}");
    let util: Vec<f64> = runs.iter().map(|r| r.stations[0].states.working).collect();
    let (u, se) = mean_se(&util);
    assert!(
        (u - rho).abs() < 3.0 * se,
        "utilisation {u} ± {se}, expected {rho}"
    );
}

#[test]
fn an_unreliable_machine_has_availability_mttf_over_mttf_plus_mttr() {
    // Saturated, failures only while working: e = MTTF / (MTTF + MTTR) = 100 / 120.
    let s = scene(
        r#"Scene(name: "unreliable", run: (horizon: Hours(50)), products: [Product(id: "p")],
        objects: [
            Source(id: "raw", pos: (0, 0), product: "p"),
            Machine(id: "m", pos: (1, 0), cycle: Exponential(mean: Seconds(1)),
                    failures: (between: Exponential(mean: Seconds(100)), repair: Exponential(mean: Seconds(20)))),
            Sink(id: "out", pos: (2, 0)),
        ],
        flow: [("raw", "m"), ("m", "out")])"#,
    );
    let runs = run(&s, 10);
    let x: Vec<f64> = runs.iter().map(|r| r.line.good_per_hour / 3600.0).collect();
    let (m, se) = mean_se(&x);
    let e = 100.0 / 120.0;
    assert!(
        (m - e).abs() < 3.0 * se,
        "throughput {m} ± {se}, expected {e}"
    );
    let mtbf: Vec<f64> = runs.iter().map(|r| r.stations[0].mtbf_s.unwrap()).collect();
    let (m, se) = mean_se(&mtbf);
    assert!((m - 100.0).abs() < 3.0 * se + 0.5, "MTBF {m} ± {se}");
}
