//! MTBF and MTTR pooled over replications.
//!
//! The mean of per-replication ratios (run time / failures in that
//! replication) is biased: a replication with no failure drops out, and one
//! with a single early failure counts as much as one with ten. The pooled
//! estimators add up the exposure and the events of every replication first:
//!
//! - MTBF = Σ run time / Σ failures. Run time is the time the station
//!   worked (its failure clock), so the run time after the last failure of a
//!   replication, a censored interval, is in the numerator with no failure
//!   in the denominator: for exponential times between failures this is the
//!   maximum-likelihood estimate. Its 95 % interval is the time-truncated
//!   chi-square interval (e.g. NIST/SEMATECH e-Handbook 8.4.5.1):
//!   [2T / χ²(0.975; 2r + 2), 2T / χ²(0.025; 2r)], valid however few the
//!   failures; with none, only the lower bound exists.
//! - MTTR = Σ repair time / Σ failures: the mean of every repair in every
//!   replication, with the Student-t interval of those repair times. With
//!   fewer than [`FEW_REPAIRS_FOR_T`] repairs the t-interval is not to be
//!   trusted for skewed repair times (six exponential repairs with a mean of
//!   45 min can give a mean of 85 min and a t-interval of 61–110 min), so it
//!   is widened to also cover the interval that is exact for exponential
//!   repairs, [2D / χ²(0.975; 2r), 2D / χ²(0.025; 2r)] with D the total
//!   repair time: wide, as few repairs warrant. A repair still going at the
//!   end of the run counts whole: its length is known when the failure
//!   happens.

use super::t_975;
use serde::Serialize;

/// Fewer failures than this make an MTBF or MTTR a rough figure: said beside it.
pub const FEW_FAILURES: u64 = 10;

/// From this many repairs on, the MTTR's Student-t interval stands alone.
pub const FEW_REPAIRS_FOR_T: u64 = 30;

/// A pooled reliability figure: point estimate, 95 % interval and the
/// evidence behind it.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Pooled {
    /// Seconds; `None` with no failure observed.
    pub mean: Option<f64>,
    /// Bounds of the 95 % interval, seconds (`high` may be absent).
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Failures observed over all replications.
    pub failures: u64,
    /// The exposure behind the figure: run time (MTBF) or repair time (MTTR), seconds.
    pub exposure_s: f64,
}

impl Pooled {
    /// Whether so few failures were seen that the figure is rough.
    pub fn thin(&self) -> bool {
        self.failures < FEW_FAILURES
    }
}

/// MTBF from (run time, failures) per replication.
pub fn mtbf(per_rep: &[(f64, u64)]) -> Pooled {
    let t: f64 = per_rep.iter().map(|p| p.0).fold(0.0, |a, b| a + b);
    let r: u64 = per_rep.iter().map(|p| p.1).sum();
    let low = (t > 0.0).then(|| 2.0 * t / chi2_even_quantile(r + 1, 0.975));
    Pooled {
        mean: (r > 0).then(|| t / r as f64),
        low,
        high: (r > 0).then(|| 2.0 * t / chi2_even_quantile(r, 0.025)),
        failures: r,
        exposure_s: t,
    }
}

/// MTTR from (Σ repair time, Σ squared repair time, failures) per
/// replication: the repairs are independent draws, so their mean has the
/// Student-t interval of the r repair times pooled from every replication
/// (an interval needs two repairs).
pub fn mttr(per_rep: &[(f64, f64, u64)]) -> Pooled {
    let d: f64 = per_rep.iter().map(|p| p.0).fold(0.0, |a, b| a + b);
    let sq: f64 = per_rep.iter().map(|p| p.1).fold(0.0, |a, b| a + b);
    let r: u64 = per_rep.iter().map(|p| p.2).sum();
    let mean = (r > 0).then(|| d / r as f64);
    let half = mean.filter(|_| r >= 2).map(|m| {
        let var = ((sq - r as f64 * m * m) / (r - 1) as f64).max(0.0);
        t_975(r as usize - 1) * (var / r as f64).sqrt()
    });
    let mut low = mean.zip(half).map(|(m, h)| (m - h).max(0.0));
    let mut high = mean.zip(half).map(|(m, h)| m + h);
    if r > 0 && r < FEW_REPAIRS_FOR_T {
        let exp_low = 2.0 * d / chi2_even_quantile(r, 0.975);
        let exp_high = 2.0 * d / chi2_even_quantile(r, 0.025);
        low = Some(low.map_or(exp_low, |l| l.min(exp_low)));
        high = Some(high.map_or(exp_high, |h| h.max(exp_high)));
    }
    Pooled {
        mean,
        low,
        high,
        failures: r,
        exposure_s: d,
    }
}

/// The p-quantile of the chi-square distribution with 2k degrees of
/// freedom (k ≥ 1). For even degrees of freedom the distribution function
/// has a closed form, P(χ²₂ₖ ≤ x) = 1 − Σ_{j<k} e^{−x/2} (x/2)^j / j!,
/// solved here by bisection.
pub fn chi2_even_quantile(k: u64, p: f64) -> f64 {
    let cdf = |x: f64| {
        let h = x / 2.0;
        // Σ_{j<k} e^{−h} h^j / j!, term by term in logs to stay finite.
        let mut term = (-h).exp();
        let mut sum = 0.0;
        if term > 0.0 {
            for j in 0..k {
                sum += term;
                term *= h / (j + 1) as f64;
            }
        } else {
            let mut log_term = -h;
            for j in 0..k {
                sum += log_term.exp();
                log_term += h.ln() - ((j + 1) as f64).ln();
            }
        }
        1.0 - sum
    };
    let (mut lo, mut hi) = (0.0, 2.0 * k as f64 + 10.0);
    while cdf(hi) < p {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_quantiles_match_the_tables() {
        // Abramowitz & Stegun table 26.8 / any chi-square table.
        for (k, p, want) in [
            (1, 0.975, 7.377_76),
            (1, 0.025, 0.050_636),
            (5, 0.975, 20.483_2),
            (5, 0.025, 3.246_97),
            (15, 0.975, 46.979_2),
            (15, 0.025, 16.790_8),
        ] {
            let got = chi2_even_quantile(k, p);
            assert!(
                (got / want - 1.0).abs() < 1e-4,
                "χ²({}; {p}) = {got}",
                2 * k
            );
        }
    }

    #[test]
    fn pooled_mtbf_counts_censored_run_time_and_skips_no_replication() {
        // Three replications of 100 h run time: 2, 0 and 1 failures. The mean
        // of ratios over those with a failure would say (50 + 100) / 2 = 75 h;
        // pooled, 300 h / 3 failures = 100 h.
        let h = 3600.0;
        let m = mtbf(&[(100.0 * h, 2), (100.0 * h, 0), (100.0 * h, 1)]);
        assert_eq!(m.mean, Some(100.0 * h));
        assert_eq!(m.failures, 3);
        // 2 × 300 / χ²(0.975; 8) = 600 / 17.5345 and 600 / χ²(0.025; 6) = 600 / 1.2373.
        assert!((m.low.unwrap() / h - 34.218).abs() < 0.01, "{:?}", m.low);
        assert!((m.high.unwrap() / h - 484.92).abs() < 0.1, "{:?}", m.high);
        assert!(m.thin());
    }

    #[test]
    fn no_failure_gives_only_a_lower_bound() {
        let m = mtbf(&[(3600.0, 0), (3600.0, 0)]);
        assert_eq!((m.mean, m.high), (None, None));
        // 2 × 7200 / χ²(0.975; 2) = 14 400 / 7.3778 s.
        assert!((m.low.unwrap() - 1951.8).abs() < 0.5, "{:?}", m.low);
    }

    #[test]
    fn pooled_mttr_is_the_mean_of_every_repair_with_its_t_interval() {
        // 30 repairs, 15 of 100 s and 15 of 200 s: mean 150, sd 50.855,
        // t(29) = 2.045 → ± 2.045 × 50.855 / √30 = 18.99.
        let m = mttr(&[
            (2250.0, 375_000.0, 15),
            (0.0, 0.0, 0),
            (2250.0, 375_000.0, 15),
        ]);
        assert_eq!(m.mean, Some(150.0));
        let h = m.high.unwrap() - 150.0;
        assert!((h - 18.99).abs() < 0.05, "{h}");
        assert!((m.low.unwrap() - (150.0 - h)).abs() < 1e-9);
    }

    #[test]
    fn few_repairs_widen_the_mttr_interval_to_the_exponential_one() {
        // Repairs 100, 200 | none | 50, 150: mean 125; t-interval 125 ± 102.7
        // = [22.3, 227.7]; exponential, D = 500, r = 4: [1000 / χ²(0.975; 8),
        // 1000 / χ²(0.025; 8)] = [1000 / 17.535, 1000 / 2.180] = [57.0, 458.7].
        // The interval is the envelope of the two.
        let m = mttr(&[(300.0, 50_000.0, 2), (0.0, 0.0, 0), (200.0, 25_000.0, 2)]);
        assert_eq!(m.mean, Some(125.0));
        assert!((m.low.unwrap() - 22.3).abs() < 0.1, "{:?}", m.low);
        assert!((m.high.unwrap() - 458.7).abs() < 0.5, "{:?}", m.high);
        // One repair: no t-interval, the exponential one only:
        // [120 / χ²(0.975; 2), 120 / χ²(0.025; 2)] = [16.26, 2370].
        let one = mttr(&[(60.0, 3600.0, 1), (0.0, 0.0, 0)]);
        assert_eq!(one.mean, Some(60.0));
        assert!((one.low.unwrap() - 16.26).abs() < 0.05, "{:?}", one.low);
        assert!(
            (one.high.unwrap() / 2370.0 - 1.0).abs() < 0.01,
            "{:?}",
            one.high
        );
    }
}
