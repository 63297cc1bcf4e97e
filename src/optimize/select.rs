//! Ranking and selection among noisy designs: where to spend the next
//! replications (OCBA) and which design to name the best with a stated
//! confidence (Kim–Nelson), both for a figure to make as large as possible
//! (a figure to minimise is negated by the caller).
//!
//! - OCBA (Chen, Lin, Yücesan, Chick 2000): for a budget of further
//!   replications, give design i ≠ b (b the best mean) a share ∝
//!   (σᵢ/(x̄_b − x̄ᵢ))² and b the share σ_b·√Σ(Nᵢ/σᵢ)², which asymptotically
//!   maximises the probability of selecting the best.
//! - Kim–Nelson (KN, 2001), fully sequential with common random numbers:
//!   from n₀ first replications, the variance S²ᵢₗ of each paired difference
//!   fixes a triangular continuation region; designs falling below it are
//!   eliminated one replication at a time. If the best leads the others by
//!   δ or more, the design left (or the best mean when the region closes)
//!   is the best with probability ≥ 1 − α; designs closer than δ are not
//!   told apart.

/// Extra replications for each design under OCBA, `extra` in all.
/// `means`, `sds` and `counts` describe the designs so far.
pub fn ocba(means: &[f64], sds: &[f64], counts: &[u32], extra: u32) -> Vec<u32> {
    let k = means.len();
    let mut give = vec![0u32; k];
    if k == 0 || extra == 0 {
        return give;
    }
    if k == 1 {
        give[0] = extra;
        return give;
    }
    let b = (0..k)
        .max_by(|&i, &j| means[i].total_cmp(&means[j]).then(j.cmp(&i)))
        .expect("k ≥ 2");
    // A design's noise: at least a small share of the spread of the means,
    // so a design with no variance yet (two equal replications) still counts.
    let spread = means.iter().fold(f64::NEG_INFINITY, |a, &m| a.max(m))
        - means.iter().fold(f64::INFINITY, |a, &m| a.min(m));
    let floor = (spread.abs() * 1e-3).max(1e-12);
    let sd = |i: usize| sds[i].max(floor);
    let mut ratio = vec![0.0; k];
    for i in (0..k).filter(|&i| i != b) {
        let gap = (means[b] - means[i]).max(floor);
        ratio[i] = (sd(i) / gap).powi(2);
    }
    ratio[b] = sd(b)
        * (0..k)
            .filter(|&i| i != b)
            .map(|i| (ratio[i] / sd(i)).powi(2))
            .sum::<f64>()
            .sqrt();
    let total_ratio: f64 = ratio.iter().sum();
    let total = counts.iter().map(|&c| c as f64).sum::<f64>() + extra as f64;
    let target: Vec<f64> = ratio.iter().map(|r| total * r / total_ratio).collect();
    for _ in 0..extra {
        // The design furthest below its target share gets the next one.
        let i = (0..k)
            .max_by(|&i, &j| {
                let di = target[i] - (counts[i] + give[i]) as f64;
                let dj = target[j] - (counts[j] + give[j]) as f64;
                di.total_cmp(&dj).then(j.cmp(&i))
            })
            .expect("k ≥ 1");
        give[i] += 1;
    }
    give
}

/// The state of a Kim–Nelson procedure over `k` finalists.
#[derive(Clone, Debug)]
pub struct KimNelson {
    pub delta: f64,
    pub alpha: f64,
    pub n0: usize,
    /// h² = 2η(n₀ − 1).
    pub h2: f64,
    /// S²ᵢₗ of the first n₀ paired differences.
    s2: Vec<Vec<f64>>,
    /// Finalists still in contention (indices into the finalists).
    pub survivors: Vec<usize>,
    /// The stage by which the continuation region has closed.
    pub last_stage: usize,
}

impl KimNelson {
    /// Starts from the first `n0` replications of each finalist (`first[i]`,
    /// replication r of every finalist under the same random numbers).
    pub fn new(first: &[Vec<f64>], delta: f64, alpha: f64) -> Self {
        let k = first.len();
        let n0 = first.iter().map(Vec::len).min().unwrap_or(0);
        assert!(n0 >= 2, "Kim–Nelson needs two first replications");
        let eta = if k > 1 {
            0.5 * ((2.0 * alpha / (k as f64 - 1.0)).powf(-2.0 / (n0 as f64 - 1.0)) - 1.0)
        } else {
            0.0
        };
        let h2 = 2.0 * eta * (n0 as f64 - 1.0);
        let mut s2 = vec![vec![0.0; k]; k];
        for i in 0..k {
            for l in 0..k {
                if i != l {
                    let d: Vec<f64> = (0..n0).map(|r| first[i][r] - first[l][r]).collect();
                    let m = d.iter().sum::<f64>() / n0 as f64;
                    s2[i][l] = d.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n0 - 1) as f64;
                }
            }
        }
        let last_stage = s2
            .iter()
            .flatten()
            .map(|&s| (h2 * s / (delta * delta)).floor() as usize)
            .max()
            .unwrap_or(0);
        KimNelson {
            delta,
            alpha,
            n0,
            h2,
            s2,
            survivors: (0..k).collect(),
            last_stage,
        }
    }

    /// Whether the procedure is over: one finalist left, or the region closed.
    pub fn done(&self, stage: usize) -> bool {
        self.survivors.len() <= 1 || stage > self.last_stage
    }

    /// Screens the survivors with their means over the first `stage`
    /// replications (`means[i]` for every finalist i).
    pub fn screen(&mut self, means: &[f64], stage: usize) {
        // An undefined mean (a KPI a replication did not define) loses
        // every comparison instead of passing none.
        let defined: Vec<f64> = means
            .iter()
            .map(|m| if m.is_nan() { f64::NEG_INFINITY } else { *m })
            .collect();
        let means = defined.as_slice();
        let r = stage as f64;
        let w = |i: usize, l: usize| {
            (self.delta / (2.0 * r) * (self.h2 * self.s2[i][l] / (self.delta * self.delta) - r))
                .max(0.0)
        };
        let before = self.survivors.clone();
        self.survivors = before
            .iter()
            .copied()
            .filter(|&i| {
                before
                    .iter()
                    .all(|&l| l == i || means[i] >= means[l] - w(i, l))
            })
            .collect();
        if self.survivors.is_empty() {
            // Cannot happen with exact arithmetic (the best mean always
            // passes); keep the best mean whatever rounding did.
            let best = before
                .iter()
                .copied()
                .max_by(|&a, &b| means[a].total_cmp(&means[b]).then(b.cmp(&a)))
                .expect("there were survivors");
            self.survivors = vec![best];
        }
    }

    /// The pick: the surviving finalist with the largest mean.
    pub fn pick(&self, means: &[f64]) -> usize {
        let m = |i: usize| {
            if means[i].is_nan() {
                f64::NEG_INFINITY
            } else {
                means[i]
            }
        };
        self.survivors
            .iter()
            .copied()
            .max_by(|&a, &b| m(a).total_cmp(&m(b)).then(b.cmp(&a)))
            .expect("at least one survivor")
    }
}

/// Whether two designs are equivalent within ±δ: the 90 % interval of the
/// mean paired difference lies inside (−δ, δ) (two one-sided tests at 5 %).
pub fn equivalent(a: &[f64], b: &[f64], delta: f64) -> bool {
    let n = a.len().min(b.len());
    if n < 2 {
        return false;
    }
    let d: Vec<f64> = (0..n).map(|r| a[r] - b[r]).collect();
    let m = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_95(n - 1) * (var / n as f64).sqrt();
    m - half > -delta && m + half < delta
}

/// The 0.95 quantile of Student's t.
fn t_95(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812, 1.796, 1.782, 1.771,
        1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706,
        1.703, 1.701, 1.699, 1.697,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        // Continues the table smoothly (1.697 at 30).
        _ => 1.645 + 1.52 / df as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocba_spends_on_the_close_and_the_noisy_not_the_hopeless() {
        // Design 0 leads, 1 is close behind, 2 is far behind.
        let give = ocba(&[10.0, 9.8, 5.0], &[1.0, 1.0, 1.0], &[5, 5, 5], 30);
        assert_eq!(give.iter().sum::<u32>(), 30);
        assert!(give[2] <= 1, "{give:?}");
        assert!(give[0] > 5 && give[1] > 5, "{give:?}");
        assert_eq!(ocba(&[1.0], &[1.0], &[3], 4), vec![4]);
    }

    /// Replication r of design i: its true mean plus a common term (the
    /// common random numbers) and its own noise, from a fixed LCG.
    fn data(means: &[f64], reps: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut s = seed;
        let mut u = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let common: Vec<f64> = (0..reps).map(|_| 4.0 * u()).collect();
        means
            .iter()
            .map(|m| (0..reps).map(|r| m + common[r] + u()).collect())
            .collect()
    }

    fn kn(means: &[f64], delta: f64, seed: u64) -> (usize, usize) {
        let x = data(means, 2000, seed);
        let first: Vec<Vec<f64>> = x.iter().map(|v| v[..5].to_vec()).collect();
        let mut p = KimNelson::new(&first, delta, 0.05);
        let mut stage = 5;
        loop {
            let m: Vec<f64> = x
                .iter()
                .map(|v| v[..stage].iter().sum::<f64>() / stage as f64)
                .collect();
            p.screen(&m, stage);
            if p.done(stage) {
                return (p.pick(&m), stage);
            }
            stage += 1;
        }
    }

    #[test]
    fn kim_nelson_picks_the_best_when_it_leads_by_the_zone() {
        // The best leads by δ: over 100 seeds it is picked in ≥ 95 % (the
        // guarantee), and designs far behind go early.
        let correct = (0..100)
            .filter(|&s| kn(&[1.0, 1.2, 0.0, 1.4], 0.2, s).0 == 3)
            .count();
        assert!(correct >= 95, "{correct} of 100");
    }

    #[test]
    fn designs_within_the_zone_are_equivalent() {
        let x = data(&[1.0, 1.01, 3.0], 40, 9);
        assert!(equivalent(&x[0], &x[1], 0.2));
        assert!(!equivalent(&x[0], &x[2], 0.2));
        assert!(equivalent(&[2.0, 3.0, 4.0], &[2.0, 3.0, 4.0], 0.1));
    }
}
