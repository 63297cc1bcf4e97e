//! Unreliable machines with operation-dependent failures (time to failure
//! counted in working time only; exponential times between failures and
//! repair times): a single machine, a transfer line without buffers
//! (Buzacott), and a two-machine line with a finite buffer (Gershwin's
//! continuous-time two-machine model, solved exactly as a Markov chain here).

use super::ctmc::{Line, Stage};
use super::lines::{check_line, store_indices};
use super::{LineSpec, Report, StationLaw, exp, exp_failures, run, scene, throughput};

#[test]
fn single_unreliable_machine() {
    // Saturated source, exponential cycles (mean 1 s), MTTF = 50 s of working
    // time, MTTR = 10 s. Per unit of working time the machine is down
    // MTTR/MTTF on average, so availability e = MTTF/(MTTF + MTTR) = 5/6 and
    // X = μ e (Buzacott & Shanthikumar; Gershwin).
    let (cycle, mttf, mttr) = (1.0, 50.0, 10.0);
    let horizon = 60_000.0;
    let spec = LineSpec {
        name: "unreliable",
        seed: 301,
        horizon_s: horizon,
        warmup_s: 1000.0,
        interarrival: None,
        first_buffer: None,
        stations: vec![(exp(cycle), 1, Some(exp_failures(mttf, mttr)))],
        buffers: vec![],
    };
    let runs = run(&scene(&spec.ron()), 30);
    let e = mttf / (mttf + mttr);
    let mut rep = Report::new("6. One unreliable machine, cycle 1 s, MTTF 50 s, MTTR 10 s");
    let x: Vec<f64> = runs.iter().map(throughput).collect();
    rep.compare(
        "throughput = μ·MTTF/(MTTF + MTTR) [1/s]",
        &x,
        e / cycle,
        0.0,
    );
    let a: Vec<f64> = runs
        .iter()
        .map(|r| r.stations[0].availability.unwrap())
        .collect();
    rep.compare("availability (ISO 22400 APT/PBT) = e", &a, e, 0.0);
    let f: Vec<f64> = runs.iter().map(|r| r.stations[0].states.failed).collect();
    rep.info(
        "failed share = MTTR/(MTTF + MTTR)",
        &f,
        1.0 - e,
        "= 1 − availability",
    );
    // MTBF and MTTR are ratio estimators (time / number of failures); with
    // ν ≈ horizon · e / MTTF ≈ 1 000 failures per replication their relative
    // bias is of order 1/ν (MTBF) and 2/ν (one repair cut at each end of the
    // window): stated bias terms.
    let nu = horizon * e / mttf;
    let mtbf: Vec<f64> = runs.iter().map(|r| r.stations[0].mtbf_s.unwrap()).collect();
    rep.compare("MTBF (working time) = MTTF [s]", &mtbf, mttf, mttf / nu);
    let mttr_v: Vec<f64> = runs.iter().map(|r| r.stations[0].mttr_s.unwrap()).collect();
    rep.compare("MTTR [s]", &mttr_v, mttr, 2.0 * mttr / nu);
    rep.laws(
        &runs,
        &[StationLaw {
            index: 0,
            mean_cycle: cycle,
            servers: 1,
        }],
    );
    rep.finish();
}

/// Poisson probabilities P(K > m) for m = 0..len, K ~ Poisson(a).
fn poisson_tail(a: f64, len: usize) -> Vec<f64> {
    let mut p = (-a).exp();
    let mut cdf = 0.0;
    let mut tail = Vec::with_capacity(len);
    for m in 0..len {
        cdf += p;
        tail.push((1.0 - cdf).max(0.0));
        p *= a / (m + 1) as f64;
    }
    tail
}

/// E[min(S1, S2)] for independent compound-Poisson sums Sᵢ of Kᵢ ~ Poisson(aᵢ)
/// exponential repair times with means Rᵢ:
/// E[min] = ∫ P(S1 > x) P(S2 > x) dx, with P(S > x) = Σ_m P(K > m) e^{−x/R} (x/R)^m / m!,
/// which integrates term by term to
/// (1/c) Σ_{m,n} P(K1 > m) P(K2 > n) C(m+n, m) q1^m q2^n, c = 1/R1 + 1/R2, q1 = R2/(R1+R2).
pub fn expected_min(a1: f64, r1: f64, a2: f64, r2: f64) -> f64 {
    const N: usize = 60;
    let (t1, t2) = (poisson_tail(a1, N), poisson_tail(a2, N));
    let c = 1.0 / r1 + 1.0 / r2;
    let (q1, q2) = (r2 / (r1 + r2), r1 / (r1 + r2));
    // binom(m+n, m) q1^m q2^n by the recurrence over m and n.
    let mut total = 0.0;
    let mut row = vec![0.0f64; N]; // row[n] = C(m+n, m) q1^m q2^n for the current m
    for (m, tail1) in t1.iter().enumerate() {
        for n in 0..N {
            row[n] = if m == 0 && n == 0 {
                1.0
            } else if m == 0 {
                row[n - 1] * q2
            } else if n == 0 {
                row[0] * q1
            } else {
                // C(m+n, m) = C(m−1+n, m−1) + C(m+n−1, m): previous row and this row.
                row[n] * q1 + row[n - 1] * q2
            };
            total += tail1 * t2[n] * row[n];
        }
    }
    total / c
}

/// The two-machine transfer line in the engine's semantics (see
/// `buzacott_transfer_line`): (X, E[C], E[S1], E[S2], E[min(S1, S2)]).
fn transfer_line_exact(tau: f64, f: [f64; 2], r: [f64; 2]) -> (f64, f64, f64, f64, f64) {
    let s1 = tau * r[0] / f[0];
    let s2 = tau * r[1] / f[1];
    let min = expected_min(tau / f[0], r[0], tau / f[1], r[1]);
    let cycle = tau + s1 + s2 - min;
    (1.0 / cycle, cycle, s1, s2, min)
}

#[test]
fn expected_min_agrees_with_numerical_integration() {
    let (a1, r1, a2, r2) = (0.3, 1.5, 0.8, 4.0);
    let tail = |a: f64, r: f64, x: f64| {
        let t = poisson_tail(a, 60);
        let mut term = (-x / r).exp();
        let mut s = 0.0;
        for (m, tm) in t.iter().enumerate() {
            s += tm * term;
            term *= x / r / (m + 1) as f64;
        }
        s
    };
    let h = 1e-3;
    let mut integral = 0.0;
    let mut x = h / 2.0;
    while x < 200.0 {
        integral += tail(a1, r1, x) * tail(a2, r2, x) * h;
        x += h;
    }
    let closed = expected_min(a1, r1, a2, r2);
    assert!(
        (integral - closed).abs() < 1e-6,
        "numerical {integral} vs series {closed}"
    );
    // No failures: nothing to wait for.
    assert!((expected_min(0.0, 1.0, 0.0, 2.0)).abs() < 1e-15);
}

#[test]
fn buzacott_transfer_line() {
    // Two machines with a constant cycle τ = 1 s, connected directly (no
    // buffer), saturated source; operation-dependent exponential failures:
    // MTTF 10 s and 20 s (working time), exponential MTTR 1 s and 2 s.
    //
    // Buzacott (1968; Buzacott & Shanthikumar, transfer lines) assumes that a failure
    // anywhere stops the whole line at once and that no machine fails while
    // the line is stopped: E = 1 / (1 + Σ MTTRᵢ/MTTFᵢ) = 1/1.2 = 0.8333.
    //
    // How the engine's model maps to it: failures are counted in each
    // machine's own working time, and a machine that is blocked or starved
    // does not fail (as in Buzacott). But a failure of one machine does not
    // stop the other at once: the other finishes its current cycle (and only
    // then blocks or starves), and can fail during that time too. With equal
    // constant cycles the two machines start every cycle together, each works
    // exactly τ per cycle, so the number of failures of machine i in a cycle
    // is Kᵢ ~ Poisson(τ/MTTFᵢ) and its completion is delayed by Sᵢ, the sum of
    // Kᵢ exponential repairs. The next cycle starts when both are done:
    // cycle C = τ + max(S1, S2), i.i.d. from cycle to cycle (a renewal
    // process), so exactly
    //
    //   X = 1 / (τ + E[S1] + E[S2] − E[min(S1, S2)]),  E[Sᵢ] = τ MTTRᵢ/MTTFᵢ,
    //
    // with E[min] computed in `expected_min`. Buzacott's E drops the
    // E[min(S1, S2)] term (two failures in the same cycle overlap here, but
    // add up in Buzacott's model): the engine's throughput is higher by a
    // second-order term ≈ τ² MTTR1 MTTR2 / (MTTF1 MTTF2 (MTTR1 + MTTR2)),
    // here +0.0023 (0.3 %). The test compares with the exact value of the
    // engine's model, and compares with Buzacott's E allowing exactly that
    // computed bias.
    //
    // 150 replications of 30 000 s: SE ≈ 0.00028 on X, so the 0.00225
    // difference between the two models is resolved at about 8 SE. (With 30
    // replications, seed 302, X was 0.83410 ± 0.00124: −2.45 SE from the
    // exact value and +1.27 SE from Buzacott, which could not tell the two
    // apart.)
    //
    // Shares: working = τ/E[C] at both; failed i = E[Sᵢ]/E[C];
    // m1 blocked = E[(S2 − S1)⁺]/E[C] = (E[S2] − E[min])/E[C];
    // m2 starved = (E[S1] − E[min])/E[C].
    let tau = 1.0;
    let f = [10.0, 20.0];
    let r = [1.0, 2.0];
    let (x, cycle, s1, s2, min) = transfer_line_exact(tau, f, r);
    let buzacott = 1.0 / (1.0 + r[0] / f[0] + r[1] / f[1]) / tau;
    let bias = x - buzacott;
    let spec = LineSpec {
        name: "transfer line",
        seed: 310,
        horizon_s: 30_000.0,
        warmup_s: 1000.0,
        interarrival: None,
        first_buffer: None,
        stations: (0..2)
            .map(|i| {
                (
                    format!("Constant(Seconds({tau}))"),
                    1,
                    Some(exp_failures(f[i], r[i])),
                )
            })
            .collect(),
        buffers: vec![0],
    };
    let runs = run(&scene(&spec.ron()), 150);
    let mut rep = Report::new(
        "7. Transfer line, 2 machines, τ = 1 s, MTTF (10, 20) s, MTTR (1, 2) s, no buffer",
    );
    let xs: Vec<f64> = runs.iter().map(throughput).collect();
    rep.compare(
        "throughput, exact for the engine's model [1/s]",
        &xs,
        x,
        0.0,
    );
    rep.compare(
        &format!("throughput vs Buzacott E/τ (bias = {bias:+.5}, computed)"),
        &xs,
        buzacott,
        bias.abs(),
    );
    for i in 0..2 {
        let w: Vec<f64> = runs
            .iter()
            .map(|rr| rr.stations[i].states.working)
            .collect();
        rep.compare(
            &format!("m{} working = τ/E[C]", i + 1),
            &w,
            tau / cycle,
            0.0,
        );
        let fl: Vec<f64> = runs.iter().map(|rr| rr.stations[i].states.failed).collect();
        let si = if i == 0 { s1 } else { s2 };
        rep.compare(
            &format!("m{} failed = E[S{}]/E[C]", i + 1, i + 1),
            &fl,
            si / cycle,
            0.0,
        );
    }
    let b: Vec<f64> = runs
        .iter()
        .map(|rr| rr.stations[0].states.blocked)
        .collect();
    rep.compare(
        "m1 blocked = (E[S2] − E[min])/E[C]",
        &b,
        (s2 - min) / cycle,
        0.0,
    );
    let st: Vec<f64> = runs
        .iter()
        .map(|rr| rr.stations[1].states.starved)
        .collect();
    rep.compare(
        "m2 starved = (E[S1] − E[min])/E[C]",
        &st,
        (s1 - min) / cycle,
        0.0,
    );
    let laws: Vec<StationLaw> = (0..2)
        .map(|i| StationLaw {
            index: i,
            mean_cycle: tau,
            servers: 1,
        })
        .collect();
    rep.laws(&runs, &laws);
    rep.finish();
}

#[test]
fn unreliable_two_machine_line_with_buffer() {
    // Exponential cycles 1 s and 0.9 s; MTTF 30 s and 20 s (working time),
    // MTTR 3 s and 4 s; buffer of 4. The exact figures come from the chain of
    // (machine states × buffer level) with up/down × working/blocked/starved
    // (see `ctmc`), the continuous-time model of Gershwin & Berman (1981) with the
    // engine's BAS conventions.
    let cycles = [1.0, 0.9];
    let f = [30.0, 20.0];
    let r = [3.0, 4.0];
    let buffers = [4u32];
    let spec = LineSpec {
        name: "unreliable line",
        seed: 303,
        horizon_s: 100_000.0,
        warmup_s: 1000.0,
        interarrival: None,
        first_buffer: None,
        stations: (0..2)
            .map(|i| (exp(cycles[i]), 1, Some(exp_failures(f[i], r[i]))))
            .collect(),
        buffers: buffers.to_vec(),
    };
    let runs = run(&scene(&spec.ron()), 30);
    let line = Line {
        stages: (0..2)
            .map(|i| Stage::unreliable(cycles[i], f[i], r[i]))
            .collect(),
        buffers: buffers.to_vec(),
    };
    let mut rep = Report::new(
        "8. Unreliable two-machine line, cycles (1, 0.9) s, MTTF (30, 20) s, MTTR (3, 4) s, B = 4",
    );
    check_line(&mut rep, &runs, &line, f64::NAN, &store_indices(&buffers));
    rep.finish();
}
