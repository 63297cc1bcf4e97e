//! Small statistics: confidence intervals over replications and a compact
//! log-bucket histogram for lead-time percentiles.

use serde::{Deserialize, Serialize};

/// A figure estimated over replications: mean and 95 % confidence interval
/// (Student t). With one replication the interval is absent.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    /// Half width of the 95 % interval; `None` with fewer than two values.
    pub half_width: Option<f64>,
    pub n: u32,
}

impl Estimate {
    pub fn of(values: &[f64]) -> Self {
        let n = values.len();
        if n == 0 {
            return Self {
                mean: f64::NAN,
                half_width: None,
                n: 0,
            };
        }
        // From +0.0: a float `sum()` starts at −0.0, which JSON would show.
        let mean = values.iter().fold(0.0, |a, b| a + b) / n as f64;
        let half_width = (n >= 2).then(|| {
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            t_975(n - 1) * (var / n as f64).sqrt()
        });
        Self {
            mean,
            half_width,
            n: n as u32,
        }
    }

    pub fn low(&self) -> f64 {
        self.mean - self.half_width.unwrap_or(0.0)
    }

    pub fn high(&self) -> f64 {
        self.mean + self.half_width.unwrap_or(0.0)
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        // Cornish-Fisher expansion around the normal quantile; < 1e-4 off beyond 30.
        _ => {
            let z: f64 = 1.959_964;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// Log-spaced buckets 0.1 % wide from 1 ms to about 30 years: percentiles
/// to within 0.1 %, in constant memory whatever the number of parts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Only the buckets with parts (see `sparse`): a shard file holds
    /// thousands of histograms, nearly all of their buckets empty.
    #[serde(with = "sparse")]
    counts: Vec<u64>,
    pub count: u64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

const LOW: f64 = 1e-3;
const RATIO_LN: f64 = 0.000_999_500_333; // ln(1.001)

impl Histogram {
    pub fn record(&mut self, x: f64) {
        let b = if x <= LOW {
            0
        } else {
            ((x / LOW).ln() / RATIO_LN) as usize + 1
        };
        let b = b.min(30_000);
        if b >= self.counts.len() {
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] += 1;
        if self.count == 0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.count += 1;
        self.sum += x;
    }

    /// Adds another histogram's observations to this one.
    pub fn merge(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        if self.count == 0 {
            (self.min, self.max) = (other.min, other.max);
        } else {
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
        }
        self.count += other.count;
        self.sum += other.sum;
    }

    /// Counts in `bins` equal bins over [0, `hi`]; values above `hi` go in
    /// the last bin. For charts.
    pub fn linear_bins(&self, bins: usize, hi: f64) -> Vec<u64> {
        let mut out = vec![0; bins.max(1)];
        for (b, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let mid = if b == 0 {
                LOW
            } else {
                LOW * ((b as f64 - 0.5) * RATIO_LN).exp()
            };
            let k = ((mid / hi) * bins as f64) as usize;
            out[k.min(bins - 1)] += c;
        }
        out
    }

    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// The q-quantile (0 < q ≤ 1), to within 0.1 %.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = (q * self.count as f64).ceil().max(1.0) as u64;
        let mut acc = 0;
        for (b, c) in self.counts.iter().enumerate() {
            acc += c;
            if acc >= rank {
                let mid = if b == 0 {
                    LOW
                } else {
                    LOW * ((b as f64 - 0.5) * RATIO_LN).exp()
                };
                return Some(mid.clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_matches_a_hand_computation() {
        // mean 3, sample sd 1.5811, n 5: half width 2.776 * 1.5811 / sqrt(5) = 1.9630
        let e = Estimate::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        assert!((e.half_width.unwrap() - 1.963_0).abs() < 1e-3);
        assert_eq!(Estimate::of(&[4.0]).half_width, None);
    }

    #[test]
    fn t_quantiles_are_continuous_past_the_table() {
        assert!((t_975(31) - 2.0395).abs() < 1e-3);
        assert!((t_975(1000) - 1.9623).abs() < 1e-3);
    }

    #[test]
    fn merged_histograms_count_everything_once() {
        let (mut a, mut b) = (Histogram::default(), Histogram::default());
        (1..=50).for_each(|x| a.record(x as f64));
        (51..=100).for_each(|x| b.record(x as f64));
        a.merge(&b);
        assert_eq!((a.count, a.min, a.max), (100, 1.0, 100.0));
        let bins = a.linear_bins(10, 100.0);
        assert_eq!(bins.iter().sum::<u64>(), 100);
        assert!(bins.iter().all(|&c| (9..=11).contains(&c)), "{bins:?}");
    }

    #[test]
    fn percentiles_within_a_tenth_of_a_percent() {
        let mut h = Histogram::default();
        for i in 1..=10_000 {
            h.record(f64::from(i));
        }
        for (q, want) in [(0.5, 5000.0), (0.9, 9000.0), (0.95, 9500.0)] {
            let got = h.quantile(q).unwrap();
            assert!((got / want - 1.0).abs() < 1e-3, "q{q}: {got}");
        }
        assert_eq!(h.quantile(1.0), Some(10_000.0));
        assert_eq!(h.mean(), Some(5000.5));
    }
}

/// A histogram's counts as the non-empty buckets only: the vector's length,
/// the gaps between their indices (small numbers: the buckets of one run
/// sit close together) and their counts.
mod sparse {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(counts: &[u64], s: S) -> Result<S::Ok, S::Error> {
        let mut gaps = Vec::new();
        let mut filled = Vec::new();
        let mut last = 0;
        for (i, &c) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            gaps.push(i - last);
            filled.push(c);
            last = i;
        }
        (counts.len(), gaps, filled).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        let (len, gaps, filled) = <(usize, Vec<usize>, Vec<u64>)>::deserialize(d)?;
        if gaps.len() != filled.len() {
            return Err(serde::de::Error::custom(
                "a histogram's gaps and counts differ in length",
            ));
        }
        let mut counts = vec![0; len];
        let mut i = 0;
        for (gap, c) in gaps.into_iter().zip(filled) {
            i += gap;
            *counts
                .get_mut(i)
                .ok_or_else(|| serde::de::Error::custom("a bucket beyond the histogram"))? = c;
        }
        Ok(counts)
    }
}
