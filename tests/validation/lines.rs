//! Serial lines with a saturated source, exponential processing, finite
//! buffers and blocking after service (Buzacott & Shanthikumar, *Stochastic
//! Models of Manufacturing Systems*, flow lines; Gershwin, *Manufacturing
//! Systems Engineering*, two-machine lines): the two-machine closed form, and
//! longer lines whose exact figures come from the Markov chain solved in
//! `ctmc`.
//!
//! Warm-up bias: the lines start empty and mix within a few tens of seconds
//! (the slowest relaxation of these small chains is a few cycle times); the
//! warm-up is 1 000 s, so no bias term is added.

use super::ctmc::{Line, Stage, two_machine_closed_form};
use super::{LineSpec, Report, StationLaw, exp, run, scene, throughput};
use factory_twin::kpi::RunResult;

/// Runs a reliable or unreliable exponential line and compares every figure
/// the chain gives: throughput, WIP, lead time, each station's working,
/// failed, blocked and starved shares, each buffer's mean content.
pub fn check_line(
    rep: &mut Report,
    runs: &[RunResult],
    line: &Line,
    exact_x: f64,
    buffer_store: &[Option<usize>],
) {
    let sol = line.solve();
    assert!(
        (sol.throughput - exact_x).abs() < 1e-12 * exact_x.max(1.0) || exact_x.is_nan(),
        "chain {} vs closed form {exact_x}",
        sol.throughput
    );
    let x: Vec<f64> = runs.iter().map(throughput).collect();
    rep.compare(
        &format!("throughput [1/s] (chain: {} states)", sol.states),
        &x,
        sol.throughput,
        0.0,
    );
    let l: Vec<f64> = runs.iter().map(|r| r.line.wip).collect();
    rep.compare("WIP L", &l, sol.wip, 0.0);
    let w: Vec<f64> = runs
        .iter()
        .map(|r| r.line.lead_time_s.mean.unwrap())
        .collect();
    rep.compare("lead time W = L/X [s]", &w, sol.wip / sol.throughput, 0.0);
    let k = line.stages.len();
    for i in 0..k {
        let name = format!("m{}", i + 1);
        let share = |f: fn(&factory_twin::kpi::StateShares) -> f64| -> Vec<f64> {
            runs.iter().map(|r| f(&r.stations[i].states)).collect()
        };
        rep.compare(
            &format!("{name} working"),
            &share(|s| s.working),
            sol.working[i],
            0.0,
        );
        if line.stages[i].fail.is_some() {
            rep.compare(
                &format!("{name} failed"),
                &share(|s| s.failed),
                sol.down[i],
                0.0,
            );
        } else {
            let f = share(|s| s.failed);
            rep.require(
                "no failure time at a reliable station",
                f.iter().all(|v| *v == 0.0),
                format!("{name}: {f:?}"),
            );
        }
        // At the first station (never starved) blocked = 1 − working − failed,
        // at the last (never blocked) starved = 1 − working − failed: with a
        // reliable station that is the working row again, so it is shown only.
        let reliable = line.stages[i].fail.is_none();
        if i + 1 < k {
            let v = share(|s| s.blocked);
            if i == 0 && reliable {
                rep.info(
                    &format!("{name} blocked"),
                    &v,
                    sol.blocked[i],
                    "= 1 − working",
                );
            } else {
                rep.compare(&format!("{name} blocked"), &v, sol.blocked[i], 0.0);
            }
        } else {
            let b = share(|s| s.blocked);
            rep.require(
                "the last station is never blocked",
                b.iter().all(|v| *v == 0.0),
                format!("{name}: {b:?}"),
            );
        }
        if i > 0 {
            let v = share(|s| s.starved);
            if i + 1 == k && reliable {
                rep.info(
                    &format!("{name} starved"),
                    &v,
                    sol.starved[i],
                    "= 1 − working",
                );
            } else {
                rep.compare(&format!("{name} starved"), &v, sol.starved[i], 0.0);
            }
        } else {
            let st = share(|s| s.starved);
            rep.require(
                "the first station is never starved (saturated source)",
                st.iter().all(|v| *v == 0.0),
                format!("{name}: {st:?}"),
            );
        }
        // The states shares sum to one.
        for r in runs {
            let s = r.stations[i].states.to_array().iter().sum::<f64>();
            rep.require(
                "state shares sum to 1",
                (s - 1.0).abs() < 1e-9,
                format!("{name}, replication {}: {s}", r.replication),
            );
        }
    }
    for (b, store) in buffer_store.iter().enumerate() {
        if let Some(si) = store {
            let v: Vec<f64> = runs.iter().map(|r| r.stores[*si].mean_content).collect();
            rep.compare(
                &format!("b{} mean content (capacity {})", b + 1, line.buffers[b]),
                &v,
                sol.buffer_mean[b],
                0.0,
            );
        }
    }
    let laws: Vec<StationLaw> = line
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| StationLaw {
            index: i,
            mean_cycle: 1.0 / s.mu,
            servers: 1,
        })
        .collect();
    rep.laws(runs, &laws);
}

/// Index in `RunResult.stores` of each inter-station buffer (None: direct).
pub fn store_indices(buffers: &[u32]) -> Vec<Option<usize>> {
    let mut next = 0;
    buffers
        .iter()
        .map(|&b| {
            (b > 0).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

fn reliable_line(
    case: &str,
    seed: u64,
    horizon_s: f64,
    reps: u32,
    cycles: &[f64],
    buffers: &[u32],
    closed: f64,
) {
    let spec = LineSpec {
        name: case,
        seed,
        horizon_s,
        warmup_s: 1000.0,
        interarrival: None,
        first_buffer: None,
        stations: cycles.iter().map(|c| (exp(*c), 1, None)).collect(),
        buffers: buffers.to_vec(),
    };
    let runs = run(&scene(&spec.ron()), reps);
    let line = Line {
        stages: cycles.iter().map(|c| Stage::reliable(*c)).collect(),
        buffers: buffers.to_vec(),
    };
    let mut rep = Report::new(case);
    check_line(&mut rep, &runs, &line, closed, &store_indices(buffers));
    rep.finish();
}

#[test]
fn two_machines_r_not_one() {
    // μ1 = 1, μ2 = 1.25 (r = 0.8), B = 3, K = 5:
    // X = μ1 (1 − r^K)/(1 − r^(K+1)) = 0.911180...
    let x = two_machine_closed_form(1.0, 1.25, 3);
    reliable_line(
        "4a. Two machines, μ = (1, 1.25), B = 3 (r = 0.8)",
        201,
        60_000.0,
        30,
        &[1.0, 0.8],
        &[3],
        x,
    );
}

#[test]
fn two_machines_r_one() {
    // μ1 = μ2 = 1, B = 2, K = 4: X = μK/(K + 1) = 0.8.
    let x = two_machine_closed_form(1.0, 1.0, 2);
    assert!((x - 0.8).abs() < 1e-15);
    reliable_line(
        "4b. Two machines, μ = (1, 1), B = 2 (r = 1)",
        202,
        60_000.0,
        30,
        &[1.0, 1.0],
        &[2],
        x,
    );
}

#[test]
fn three_machine_line_ctmc() {
    // Mean cycles 1.0, 1.2, 0.9 s; buffers 2 and 1.
    reliable_line(
        "5a. Three machines, cycles (1, 1.2, 0.9) s, B = (2, 1)",
        203,
        60_000.0,
        30,
        &[1.0, 1.2, 0.9],
        &[2, 1],
        f64::NAN,
    );
}

#[test]
fn four_machine_line_ctmc() {
    // Mean cycles 0.9, 1.0, 1.1, 0.95 s; buffers 1, none (m2 → m3 directly), 2.
    //
    // 150 replications: the first version of this test (seed 204, 30
    // replications) had m2's starved share at +3.38 SE (0.06488 vs 0.06402),
    // the only comparison in the binary outside 3 SE. Four more seeds with 30
    // replications gave +0.16, +1.18, −0.53 and −1.57 SE for it (seed 208 had
    // m2's working share at +3.27 SE instead), and this run (seed 209, 150
    // replications, standard errors 2.2 times smaller) puts every figure
    // within 1.4 SE (3 SE is 0.09 % of the throughput): no systematic
    // deviation, chance exceedances (about one in 180 comparisons at 3 SE
    // with 29 degrees of freedom). The larger run is kept so that the line
    // with a direct connection is tested at the higher precision.
    reliable_line(
        "5b. Four machines, cycles (0.9, 1, 1.1, 0.95) s, B = (1, 0, 2)",
        209,
        60_000.0,
        150,
        &[0.9, 1.0, 1.1, 0.95],
        &[1, 0, 2],
        f64::NAN,
    );
}
