//! Open queues with Poisson arrivals and exponential service (Gross & Harris,
//! *Fundamentals of Queueing Theory*, simple Markovian queues and series
//! queues / Jackson networks): M/M/1, M/M/c and a tandem Jackson line; and
//! one vehicle of a fleet as an M/D/1 server (Pollaczek–Khinchine).
//!
//! Modelling: a timed source with exponential interarrival times feeds a
//! buffer of capacity 1 000 000 (never full here, so the source never blocks
//! and no arrival is lost), then the station. The buffer holds the waiting
//! parts (Lq), the station the parts in service. Lead time is the sojourn W.
//!
//! Warm-up bias: the runs start empty; the warm-up (1 200 s) is more than 40
//! relaxation times 1 / (μ (1 − √ρ)²) of the slowest queue used (29 s at
//! ρ = 0.625, μ = 0.8), so the remaining initial-state bias is far below
//! 10⁻⁶ and no bias term is added.

use super::{LineSpec, Report, StationLaw, exp, run, scene, throughput};

/// Lead-time percentiles come from a log-bucket histogram 0.1 % wide and
/// report the bucket middle: at most 0.05 % off.
const BUCKET: f64 = 5e-4;

#[test]
fn mm1() {
    // λ = 0.5 /s, μ = 1 /s, ρ = 0.5.
    let (lam, mu) = (0.5, 1.0);
    let rho: f64 = lam / mu;
    let spec = LineSpec {
        name: "M/M/1",
        seed: 101,
        horizon_s: 100_000.0,
        warmup_s: 1200.0,
        interarrival: Some(&exp(1.0 / lam)),
        first_buffer: Some(1_000_000),
        stations: vec![(exp(1.0 / mu), 1, None)],
        buffers: vec![],
    };
    let runs = run(&scene(&spec.ron()), 30);
    let mut rep = Report::new("1. M/M/1, λ = 0.5, μ = 1");
    let w: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.mean.unwrap())
        .collect();
    rep.compare("W = 1/(μ − λ) [s]", &w, 1.0 / (mu - lam), 0.0);
    let wq: Vec<f64> = w.iter().map(|w| w - 1.0 / mu).collect();
    rep.info("Wq = ρ/(μ − λ) [s]", &wq, rho / (mu - lam), "= W − 1/μ");
    let l: Vec<f64> = runs.iter().map(|r| r.line.wip).collect();
    rep.compare("L = ρ/(1 − ρ)", &l, rho / (1.0 - rho), 0.0);
    let lq: Vec<f64> = runs.iter().map(|r| r.stores[0].mean_content).collect();
    rep.compare(
        "Lq = ρ²/(1 − ρ) (buffer content)",
        &lq,
        rho * rho / (1.0 - rho),
        0.0,
    );
    let u: Vec<f64> = runs.iter().map(|r| r.stations[0].states.working).collect();
    rep.compare("utilisation = ρ = P(wait) (PASTA)", &u, rho, 0.0);
    let x: Vec<f64> = runs.iter().map(throughput).collect();
    rep.compare("throughput = λ [1/s]", &x, lam, 0.0);
    // Sojourn time is exponential with rate μ − λ: the q-quantile is −ln(1 − q)/(μ − λ).
    let p50: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.p50.unwrap())
        .collect();
    let p90: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.p90.unwrap())
        .collect();
    let p95: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.p95.unwrap())
        .collect();
    for (q, v) in [(0.5, &p50), (0.9, &p90), (0.95, &p95)] {
        let want = -(1.0f64 - q).ln() / (mu - lam);
        rep.compare(
            &format!("W quantile {q}: −ln(1 − q)/(μ − λ) [s] (bias: bucket {BUCKET:e})"),
            v,
            want,
            BUCKET * want,
        );
    }
    rep.laws(
        &runs,
        &[StationLaw {
            index: 0,
            mean_cycle: 1.0 / mu,
            servers: 1,
        }],
    );
    rep.finish();
}

/// Erlang C: (P(wait), Lq, Wq, W) of M/M/c.
pub fn erlang_c(lam: f64, mu: f64, c: u32) -> (f64, f64, f64, f64) {
    let a = lam / mu;
    let rho = a / f64::from(c);
    let fact = |k: u32| (1..=k).map(f64::from).product::<f64>();
    let sum: f64 = (0..c).map(|k| a.powi(k as i32) / fact(k)).sum();
    let top = a.powi(c as i32) / (fact(c) * (1.0 - rho));
    let p0 = 1.0 / (sum + top);
    let p_wait = top * p0;
    let lq = p_wait * rho / (1.0 - rho);
    let wq = p_wait / (f64::from(c) * mu - lam);
    (p_wait, lq, wq, wq + 1.0 / mu)
}

#[test]
fn erlang_c_reference_values() {
    // c = 3, a = 2: P0 = 1/9, P(wait) = 4/9, Lq = 8/9, Wq = 4/9, W = 13/9.
    let (pw, lq, wq, w) = erlang_c(2.0, 1.0, 3);
    assert!((pw - 4.0 / 9.0).abs() < 1e-14);
    assert!((lq - 8.0 / 9.0).abs() < 1e-14);
    assert!((wq - 4.0 / 9.0).abs() < 1e-14);
    assert!((w - 13.0 / 9.0).abs() < 1e-14);
    // c = 1 reduces to M/M/1.
    let (pw, lq, _, w) = erlang_c(0.5, 1.0, 1);
    assert!((pw - 0.5).abs() < 1e-14 && (lq - 0.5).abs() < 1e-14 && (w - 2.0).abs() < 1e-14);
}

#[test]
fn mmc_erlang_c() {
    // c = 3 servers, λ = 2 /s, μ = 1 /s: a = 2, ρ = 2/3.
    let (lam, mu, c) = (2.0, 1.0, 3u32);
    let rho = lam / (mu * f64::from(c));
    let (_p_wait, lq, wq, w) = erlang_c(lam, mu, c);
    let spec = LineSpec {
        name: "M/M/3",
        seed: 102,
        horizon_s: 30_000.0,
        warmup_s: 1200.0,
        interarrival: Some(&exp(1.0 / lam)),
        first_buffer: Some(1_000_000),
        stations: vec![(exp(1.0 / mu), c, None)],
        buffers: vec![],
    };
    let runs = run(&scene(&spec.ron()), 30);
    let mut rep = Report::new("2. M/M/3 (Erlang C), λ = 2, μ = 1");
    let ws: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.mean.unwrap())
        .collect();
    rep.compare("W = Wq + 1/μ [s]", &ws, w, 0.0);
    let wqs: Vec<f64> = ws.iter().map(|v| v - 1.0 / mu).collect();
    rep.info("Wq = P(wait)/(cμ − λ) [s]", &wqs, wq, "= W − 1/μ");
    let lqs: Vec<f64> = runs.iter().map(|r| r.stores[0].mean_content).collect();
    rep.compare("Lq = P(wait)·ρ/(1 − ρ) (buffer content)", &lqs, lq, 0.0);
    let l: Vec<f64> = runs.iter().map(|r| r.line.wip).collect();
    rep.compare("L = Lq + λ/μ", &l, lq + lam / mu, 0.0);
    let u: Vec<f64> = runs.iter().map(|r| r.stations[0].states.working).collect();
    rep.compare("utilisation per server = ρ", &u, rho, 0.0);
    let x: Vec<f64> = runs.iter().map(throughput).collect();
    rep.compare("throughput = λ [1/s]", &x, lam, 0.0);
    rep.laws(
        &runs,
        &[StationLaw {
            index: 0,
            mean_cycle: 1.0 / mu,
            servers: c,
        }],
    );
    rep.finish();
}

#[test]
fn jackson_tandem_line() {
    // λ = 0.5 /s through three exponential stations, μ = 1, 0.8, 1.25 /s, each
    // behind an (effectively) infinite buffer. By Jackson's theorem each is an
    // M/M/1 with arrival rate λ: W = Σ 1/(μᵢ − λ), Lqᵢ = ρᵢ²/(1 − ρᵢ).
    let lam = 0.5;
    let mus = [1.0, 0.8, 1.25];
    let spec = LineSpec {
        name: "Jackson",
        seed: 103,
        horizon_s: 80_000.0,
        warmup_s: 1200.0,
        interarrival: Some(&exp(1.0 / lam)),
        first_buffer: Some(1_000_000),
        stations: mus.iter().map(|mu| (exp(1.0 / mu), 1, None)).collect(),
        buffers: vec![1_000_000, 1_000_000],
    };
    let runs = run(&scene(&spec.ron()), 30);
    let mut rep = Report::new("3. Tandem Jackson line, λ = 0.5, μ = (1, 0.8, 1.25)");
    let w: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.mean.unwrap())
        .collect();
    let want_w: f64 = mus.iter().map(|mu| 1.0 / (mu - lam)).sum();
    rep.compare("W = Σ 1/(μᵢ − λ) [s]", &w, want_w, 0.0);
    let l: Vec<f64> = runs.iter().map(|r| r.line.wip).collect();
    let want_l: f64 = mus.iter().map(|mu| (lam / mu) / (1.0 - lam / mu)).sum();
    rep.compare("L = Σ ρᵢ/(1 − ρᵢ)", &l, want_l, 0.0);
    let x: Vec<f64> = runs.iter().map(throughput).collect();
    rep.compare("throughput = λ [1/s]", &x, lam, 0.0);
    for (i, mu) in mus.iter().enumerate() {
        let rho = lam / mu;
        let u: Vec<f64> = runs.iter().map(|r| r.stations[i].states.working).collect();
        rep.compare(&format!("m{} utilisation = λ/μ", i + 1), &u, rho, 0.0);
        let lq: Vec<f64> = runs.iter().map(|r| r.stores[i].mean_content).collect();
        rep.compare(
            &format!("b{i} content = ρ²/(1 − ρ) (queue of m{})", i + 1),
            &lq,
            rho * rho / (1.0 - rho),
            0.0,
        );
    }
    let laws: Vec<StationLaw> = mus
        .iter()
        .enumerate()
        .map(|(i, mu)| StationLaw {
            index: i,
            mean_cycle: 1.0 / mu,
            servers: 1,
        })
        .collect();
    rep.laws(&runs, &laws);
    rep.finish();
}

#[test]
fn mm1k_demand_turned_away() {
    // A timed source in front of a buffer of B places and one machine: the
    // source holds an arrived part while the buffer is full and stops its
    // arrival clock, so it is one more place and the arrivals that fall in
    // that time are lost: M/M/1/K with K = B + 2 (Gross & Harris, M/M/1/K).
    // The share turned away is P(K) = ρ^K (1 − ρ) / (1 − ρ^(K+1)) (PASTA),
    // and throughput λ (1 − P(K)).
    let (lam, mu, b) = (0.8, 1.0, 1u32);
    let rho: f64 = lam / mu;
    let k = b as i32 + 2;
    let p_k = rho.powi(k) * (1.0 - rho) / (1.0 - rho.powi(k + 1));
    let spec = LineSpec {
        name: "M/M/1/3",
        seed: 104,
        horizon_s: 50_000.0,
        warmup_s: 1200.0,
        interarrival: Some(&exp(1.0 / lam)),
        first_buffer: Some(b),
        stations: vec![(exp(1.0 / mu), 1, None)],
        buffers: vec![],
    };
    let runs = run(&scene(&spec.ron()), 30);
    let mut rep =
        Report::new("M/M/1/3 (a blocking source before a 1-place buffer), λ = 0.8, μ = 1");
    let lost: Vec<f64> = runs
        .iter()
        .map(|r| r.line.demand_turned_away.expect("a timed source").share)
        .collect();
    rep.compare("demand turned away = P(K)", &lost, p_k, 0.0);
    let x: Vec<f64> = runs.iter().map(throughput).collect();
    rep.compare(
        "throughput = λ (1 − P(K)) [1/s]",
        &x,
        lam * (1.0 - p_k),
        0.0,
    );
    rep.finish();
}

#[test]
fn one_vehicle_is_an_md1_server() {
    // Parts arrive at a dock at random (Poisson, λ = 1/80 per s) and wait
    // in a buffer for the one vehicle of a fleet, parked at the drop point
    // 10 m away. Each trip is the same: 20 s empty to the dock at 0.5 m/s, a
    // 10 s load, 20 s back, a 10 s unload: a deterministic service of
    // S = 60 s, so the line is M/D/1 (Gross & Harris, M/G/1 with the
    // Pollaczek–Khinchine formula): W = S + ρS / (2(1 − ρ)), ρ = λS = 0.75,
    // W = 150 s. The vehicle works ρ of the time, a third of it empty.
    let (lam, s) = (1.0 / 80.0, 60.0);
    let rho = lam * s;
    let text = r#"Scene(name: "M/D/1 vehicle", run: (horizon: Seconds(200000), warmup: Seconds(4000), seed: 106),
        products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p", interarrival: Exponential(mean: Seconds(80))),
            Buffer(id: "dock", pos: (0, 0), capacity: 1000000),
            Vehicles(id: "agv", pos: (10, 0), count: 1, speed: 0.5, load: Seconds(10), unload: Seconds(10)),
            Sink(id: "out", pos: (10, 0)),
        ],
        flow: [("src", "dock"), Flow(from: "dock", to: "out", via: "agv")])"#;
    let runs = run(&scene(text), 30);
    let mut rep = Report::new("M/D/1: one vehicle, λ = 1/80 /s, S = 60 s");
    let w: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.mean.unwrap())
        .collect();
    rep.compare(
        "W = S + ρS / (2(1 − ρ)) [s]",
        &w,
        s + rho * s / (2.0 * (1.0 - rho)),
        0.0,
    );
    let busy: Vec<f64> = runs.iter().map(|r| r.stations[0].states.working).collect();
    rep.compare("vehicle working share = ρ", &busy, rho, 0.0);
    // Counted per completed pick: a leg cut by the end of the run is left
    // out, at most one 20 s leg in 200 000 s.
    let empty: Vec<f64> = runs
        .iter()
        .map(|r| r.stations[0].empty_travel_share.unwrap())
        .collect();
    rep.compare("empty travel share = 20 / 60", &empty, 1.0 / 3.0, 1e-3);
    rep.finish();
}
