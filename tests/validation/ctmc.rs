//! The reference model for serial lines with exponential processing (and
//! optionally exponential, operation-dependent failures), a saturated source,
//! finite buffers and blocking after service (BAS): the continuous-time Markov
//! chain of machine states and buffer contents, built state by state and
//! solved for its stationary distribution by Gaussian elimination in f64.
//!
//! State of station i (one server):
//!
//! - `Idle`: no part (starved). Never for station 0: the source is saturated.
//! - `Work`: processing a part, rate μᵢ.
//! - `Down`: failed while processing (failures are operation-dependent, so a
//!   station fails only from `Work`, at rate pᵢ = 1/MTTFᵢ); repaired at rate
//!   rᵢ = 1/MTTRᵢ, then resumes the same part (exponential: memoryless, so
//!   preempt-resume and preempt-repeat look the same).
//! - `Blocked`: holds a finished part because the next buffer is full (and
//!   the next station busy). Never for the last station: the sink takes all.
//!
//! Buffer i (between station i and i + 1) counts waiting parts only,
//! 0..=Bᵢ. Bᵢ = 0 means the stations are connected directly. A buffer with
//! parts implies that the station after it is not idle (a part entering an
//! empty buffer in front of an idle station goes straight through).
//!
//! These are exactly the engine's semantics: a station that finishes offers
//! its part downstream; a free station or buffer slot takes it at once; a
//! station that frees up pulls the next part from upstream in the same
//! instant, which may release a blocked station further up, and so on.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum M {
    Idle,
    Work,
    Down,
    Blocked,
}

/// One station: processing rate and optional (failure rate, repair rate).
#[derive(Clone, Copy, Debug)]
pub struct Stage {
    pub mu: f64,
    pub fail: Option<(f64, f64)>,
}

impl Stage {
    pub fn reliable(mean_cycle: f64) -> Self {
        Self {
            mu: 1.0 / mean_cycle,
            fail: None,
        }
    }

    pub fn unreliable(mean_cycle: f64, mttf: f64, mttr: f64) -> Self {
        Self {
            mu: 1.0 / mean_cycle,
            fail: Some((1.0 / mttf, 1.0 / mttr)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct State {
    pub m: Vec<M>,
    pub n: Vec<u32>,
}

/// A serial line: stations and the capacities of the buffers between them.
pub struct Line {
    pub stages: Vec<Stage>,
    pub buffers: Vec<u32>,
}

/// Stationary figures of a line.
#[derive(Debug)]
pub struct Solution {
    pub states: usize,
    pub throughput: f64,
    /// Per station: P(working), P(down), P(blocked), P(starved).
    pub working: Vec<f64>,
    pub down: Vec<f64>,
    pub blocked: Vec<f64>,
    pub starved: Vec<f64>,
    /// Mean number of parts in each buffer.
    pub buffer_mean: Vec<f64>,
    /// Mean number of parts in the system (stations holding a part + buffers).
    pub wip: f64,
}

impl Line {
    fn last(&self) -> usize {
        self.stages.len() - 1
    }

    /// Station `i` (just made idle) pulls the next part from upstream.
    fn pull(&self, s: &mut State, i: usize) {
        if i == 0 {
            s.m[0] = M::Work; // saturated source
            return;
        }
        let up = i - 1;
        if s.n[up] > 0 {
            s.n[up] -= 1;
            s.m[i] = M::Work;
            if s.m[up] == M::Blocked {
                s.n[up] += 1;
                s.m[up] = M::Idle;
                self.pull(s, up);
            }
        } else if s.m[up] == M::Blocked {
            // Only with a direct connection (Bᵢ = 0): the part passes at once.
            debug_assert_eq!(self.buffers[up], 0);
            s.m[i] = M::Work;
            s.m[up] = M::Idle;
            self.pull(s, up);
        } else {
            s.m[i] = M::Idle;
        }
    }

    /// Station `i` finishes its part.
    fn finish(&self, s: &mut State, i: usize) {
        if i == self.last() {
            s.m[i] = M::Idle;
            self.pull(s, i);
        } else if s.m[i + 1] == M::Idle {
            debug_assert_eq!(s.n[i], 0);
            s.m[i + 1] = M::Work;
            s.m[i] = M::Idle;
            self.pull(s, i);
        } else if s.n[i] < self.buffers[i] {
            s.n[i] += 1;
            s.m[i] = M::Idle;
            self.pull(s, i);
        } else {
            s.m[i] = M::Blocked;
        }
    }

    /// Outgoing transitions (target, rate) of a state.
    fn transitions(&self, s: &State) -> Vec<(State, f64)> {
        let mut out = Vec::new();
        for (i, st) in self.stages.iter().enumerate() {
            match s.m[i] {
                M::Work => {
                    let mut t = s.clone();
                    self.finish(&mut t, i);
                    out.push((t, st.mu));
                    if let Some((p, _)) = st.fail {
                        let mut t = s.clone();
                        t.m[i] = M::Down;
                        out.push((t, p));
                    }
                }
                M::Down => {
                    let (_, r) = st.fail.expect("only unreliable stations go down");
                    let mut t = s.clone();
                    t.m[i] = M::Work;
                    out.push((t, r));
                }
                M::Idle | M::Blocked => {}
            }
        }
        out
    }

    /// Builds the reachable chain from the empty line and solves it.
    pub fn solve(&self) -> Solution {
        assert_eq!(self.buffers.len() + 1, self.stages.len());
        let k = self.stages.len();
        let mut start = State {
            m: vec![M::Idle; k],
            n: vec![0; k - 1],
        };
        self.pull(&mut start, 0);
        // Breadth-first enumeration of the reachable states.
        let mut index = std::collections::HashMap::new();
        let mut states = vec![start.clone()];
        index.insert(start, 0usize);
        let mut edges: Vec<(usize, usize, f64)> = Vec::new();
        let mut next = 0;
        while next < states.len() {
            let s = states[next].clone();
            for (t, rate) in self.transitions(&s) {
                let j = *index.entry(t.clone()).or_insert_with(|| {
                    states.push(t);
                    states.len() - 1
                });
                if j != next {
                    edges.push((next, j, rate));
                }
            }
            next += 1;
        }
        let pi = stationary(states.len(), &edges);
        let mut sol = Solution {
            states: states.len(),
            throughput: 0.0,
            working: vec![0.0; k],
            down: vec![0.0; k],
            blocked: vec![0.0; k],
            starved: vec![0.0; k],
            buffer_mean: vec![0.0; k - 1],
            wip: 0.0,
        };
        for (s, p) in states.iter().zip(&pi) {
            for i in 0..k {
                match s.m[i] {
                    M::Work => sol.working[i] += p,
                    M::Down => sol.down[i] += p,
                    M::Blocked => sol.blocked[i] += p,
                    M::Idle => sol.starved[i] += p,
                }
                if s.m[i] != M::Idle {
                    sol.wip += p;
                }
            }
            for (b, n) in s.n.iter().enumerate() {
                sol.buffer_mean[b] += p * f64::from(*n);
                sol.wip += p * f64::from(*n);
            }
        }
        sol.throughput = sol.working[k - 1] * self.stages[k - 1].mu;
        sol
    }
}

/// Solves π Q = 0, Σ π = 1 for the generator given by its off-diagonal
/// entries, by Gaussian elimination with partial pivoting on Qᵀ with the last
/// equation replaced by the normalisation.
pub fn stationary(n: usize, edges: &[(usize, usize, f64)]) -> Vec<f64> {
    // a = Qᵀ (row j holds the balance equation of state j), row-major.
    let mut a = vec![0.0f64; n * n];
    for &(i, j, rate) in edges {
        a[j * n + i] += rate; // inflow into j from i
        a[i * n + i] -= rate; // outflow from i
    }
    let mut b = vec![0.0f64; n];
    for c in 0..n {
        a[(n - 1) * n + c] = 1.0;
    }
    b[n - 1] = 1.0;
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&x, &y| a[x * n + col].abs().total_cmp(&a[y * n + col].abs()))
            .unwrap();
        assert!(a[pivot * n + col].abs() > 1e-300, "singular generator");
        if pivot != col {
            for c in 0..n {
                a.swap(pivot * n + c, col * n + c);
            }
            b.swap(pivot, col);
        }
        let d = a[col * n + col];
        for r in col + 1..n {
            let f = a[r * n + col] / d;
            if f != 0.0 {
                for c in col..n {
                    a[r * n + c] -= f * a[col * n + c];
                }
                b[r] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0f64; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r * n + c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r * n + r];
    }
    x
}

/// Two machines, saturated source, exponential, buffer B, BAS:
/// X = μ1 (1 − r^K) / (1 − r^(K+1)), K = B + 2, r = μ1/μ2; μK/(K+1) if r = 1.
pub fn two_machine_closed_form(mu1: f64, mu2: f64, buffer: u32) -> f64 {
    let k = f64::from(buffer + 2);
    let r = mu1 / mu2;
    if (r - 1.0).abs() < 1e-12 {
        mu1 * k / (k + 1.0)
    } else {
        mu1 * (1.0 - r.powf(k)) / (1.0 - r.powf(k + 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctmc_two_machines_matches_the_closed_form() {
        for (m1, m2) in [(1.0, 1.0), (1.0, 1.25), (1.3, 0.9), (0.5, 2.0)] {
            for b in [0, 1, 2, 5] {
                let line = Line {
                    stages: vec![Stage::reliable(1.0 / m1), Stage::reliable(1.0 / m2)],
                    buffers: vec![b],
                };
                let s = line.solve();
                let want = two_machine_closed_form(m1, m2, b);
                // K + 1 = B + 3 states: n = 0 (m2 idle), 1..=B+1, B+2 (m1 blocked).
                assert_eq!(s.states as u32, b + 3);
                assert!(
                    (s.throughput - want).abs() < 1e-12,
                    "μ = ({m1}, {m2}), B = {b}: CTMC {} vs closed form {want}",
                    s.throughput
                );
                // The utilisation law holds exactly in the chain.
                assert!((s.working[0] - want / m1).abs() < 1e-12);
                assert!((s.working[1] - want / m2).abs() < 1e-12);
                let total = s.working[0] + s.blocked[0] + s.starved[0] + s.down[0];
                assert!((total - 1.0).abs() < 1e-12);
                assert_eq!(s.starved[0], 0.0);
                assert_eq!(s.blocked[1], 0.0);
            }
        }
        // The reference example: μ1 = μ2 = 1, B = 5 ⇒ 0.875.
        assert!((two_machine_closed_form(1.0, 1.0, 5) - 0.875).abs() < 1e-15);
    }

    #[test]
    fn ctmc_single_unreliable_machine_has_throughput_mu_times_availability() {
        // One station (no buffers): X = μ · MTTF / (MTTF + MTTR).
        let line = Line {
            stages: vec![Stage::unreliable(2.0, 30.0, 7.0)],
            buffers: vec![],
        };
        let s = line.solve();
        assert_eq!(s.states, 2);
        assert!((s.throughput - 0.5 * 30.0 / 37.0).abs() < 1e-14);
        assert!((s.down[0] - 7.0 / 37.0).abs() < 1e-14);
    }

    #[test]
    fn ctmc_flow_balance_and_little_in_longer_lines() {
        // Every station passes every part: working_i · μ_i = X for all i, and
        // the chain's states are consistent with the BAS rules.
        let line = Line {
            stages: vec![
                Stage::reliable(1.0),
                Stage::unreliable(0.8, 20.0, 3.0),
                Stage::reliable(1.1),
                Stage::unreliable(0.9, 15.0, 2.0),
            ],
            buffers: vec![1, 0, 2],
        };
        let s = line.solve();
        for (i, st) in line.stages.iter().enumerate() {
            assert!(
                (s.working[i] * st.mu - s.throughput).abs() < 1e-12,
                "station {i}"
            );
            if let Some((p, r)) = st.fail {
                // Failures only while working: P(down) = P(working) · p / r.
                assert!((s.down[i] - s.working[i] * p / r).abs() < 1e-12);
            }
        }
        assert_eq!(s.starved[0], 0.0);
        assert_eq!(s.blocked[3], 0.0);
    }

    #[test]
    fn ctmc_solver_solves_a_birth_death_chain() {
        // M/M/1/3 with λ = 1, μ = 2: π_n ∝ (1/2)^n.
        let edges = [
            (0, 1, 1.0),
            (1, 2, 1.0),
            (2, 3, 1.0),
            (1, 0, 2.0),
            (2, 1, 2.0),
            (3, 2, 2.0),
        ];
        let pi = stationary(4, &edges);
        let z = 1.0 + 0.5 + 0.25 + 0.125;
        for (n, p) in pi.iter().enumerate() {
            assert!((p - 0.5f64.powi(n as i32) / z).abs() < 1e-14);
        }
    }
}
