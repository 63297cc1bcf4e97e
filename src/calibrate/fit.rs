//! Fitting a distribution to observed durations: maximum likelihood for
//! each family the scene format can run, then goodness of fit
//! (Kolmogorov–Smirnov and Anderson–Darling) and AIC/BIC to rank them.
//!
//! Censored observations (a time between failures still running when the
//! log ends) count in the likelihood of the families that take them
//! (exponential, Weibull: their survival function); the other families fit
//! the complete observations only. The p-values are those of a fully
//! specified distribution: with parameters estimated from the same data
//! they are conservative (a fitted family looks better than it is), so the
//! ranking uses AIC and the p-values flag a family that does not fit even
//! so.

use super::special::{digamma, gamma_p, ln_gamma, normal_cdf, trigamma};
use serde::Serialize;

/// A family with its fitted parameters, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum Fitted {
    Exponential {
        mean: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
    Weibull {
        shape: f64,
        scale: f64,
    },
    /// Parameters of ln x.
    #[serde(rename = "lognormal")]
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
}

impl Fitted {
    /// The distribution function at `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 && !matches!(self, Fitted::Normal { .. }) {
            return 0.0;
        }
        match *self {
            Fitted::Exponential { mean } => 1.0 - (-x / mean).exp(),
            Fitted::Gamma { shape, scale } => gamma_p(shape, x / scale),
            Fitted::Weibull { shape, scale } => 1.0 - (-(x / scale).powf(shape)).exp(),
            Fitted::LogNormal { mu, sigma } => normal_cdf((x.ln() - mu) / sigma),
            Fitted::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            Fitted::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Fitted::Triangular { min, mode, max } => {
                if x <= min {
                    0.0
                } else if x <= mode {
                    (x - min).powi(2) / ((max - min) * (mode - min))
                } else if x < max {
                    1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
                } else {
                    1.0
                }
            }
        }
    }

    /// The `p` quantile, by bisection on the distribution function.
    pub fn quantile(&self, p: f64) -> f64 {
        let (mut lo, mut hi) = match *self {
            Fitted::Normal { mean, sd } => (mean - 40.0 * sd, mean + 40.0 * sd),
            _ => (0.0, self.mean().max(1e-9)),
        };
        while self.cdf(hi) < p && hi < 1e15 {
            hi *= 2.0;
        }
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if self.cdf(mid) < p {
                lo = mid
            } else {
                hi = mid
            }
        }
        0.5 * (lo + hi)
    }

    /// The density at `x` (0 outside the support).
    pub fn pdf(&self, x: f64) -> f64 {
        let l = self.ln_pdf(x);
        if l.is_finite() { l.exp() } else { 0.0 }
    }

    /// ln f(x).
    fn ln_pdf(&self, x: f64) -> f64 {
        match *self {
            Fitted::Exponential { mean } => -mean.ln() - x / mean,
            Fitted::Gamma { shape, scale } => {
                (shape - 1.0) * x.ln() - x / scale - ln_gamma(shape) - shape * scale.ln()
            }
            Fitted::Weibull { shape, scale } => {
                shape.ln() - scale.ln() + (shape - 1.0) * (x / scale).ln() - (x / scale).powf(shape)
            }
            Fitted::LogNormal { mu, sigma } => {
                let z = (x.ln() - mu) / sigma;
                -x.ln() - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * z * z
            }
            Fitted::Normal { mean, sd } => {
                let z = (x - mean) / sd;
                -sd.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * z * z
            }
            Fitted::Uniform { min, max } => {
                if (min..=max).contains(&x) {
                    -(max - min).ln()
                } else {
                    f64::NEG_INFINITY
                }
            }
            Fitted::Triangular { min, mode, max } => {
                let d = if x < min || x > max {
                    0.0
                } else if x <= mode {
                    2.0 * (x - min) / ((max - min) * (mode - min))
                } else {
                    2.0 * (max - x) / ((max - min) * (max - mode))
                };
                d.ln()
            }
        }
    }

    /// ln S(x), the survival function, for a censored observation.
    fn ln_survival(&self, x: f64) -> Option<f64> {
        match *self {
            Fitted::Exponential { mean } => Some(-x / mean),
            Fitted::Weibull { shape, scale } => Some(-(x / scale).powf(shape)),
            _ => None,
        }
    }

    /// The number of fitted parameters.
    fn parameters(&self) -> usize {
        match self {
            Fitted::Exponential { .. } => 1,
            Fitted::Triangular { .. } => 3,
            _ => 2,
        }
    }

    /// The family's name.
    pub fn name(&self) -> &'static str {
        match self {
            Fitted::Exponential { .. } => "exponential",
            Fitted::Gamma { .. } => "gamma",
            Fitted::Weibull { .. } => "weibull",
            Fitted::LogNormal { .. } => "lognormal",
            Fitted::Normal { .. } => "normal",
            Fitted::Uniform { .. } => "uniform",
            Fitted::Triangular { .. } => "triangular",
        }
    }

    /// The mean in seconds.
    pub fn mean(&self) -> f64 {
        match *self {
            Fitted::Exponential { mean } | Fitted::Normal { mean, .. } => mean,
            Fitted::Gamma { shape, scale } => shape * scale,
            Fitted::Weibull { shape, scale } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
            Fitted::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Fitted::Uniform { min, max } => (min + max) / 2.0,
            Fitted::Triangular { min, mode, max } => (min + mode + max) / 3.0,
        }
    }
}

/// One family's fit and how well it fits.
#[derive(Clone, Debug, Serialize)]
pub struct Fit {
    pub fitted: Fitted,
    pub log_likelihood: f64,
    pub aic: f64,
    pub bic: f64,
    /// Kolmogorov–Smirnov distance and its p-value (complete observations).
    pub ks: f64,
    pub ks_p: f64,
    /// Anderson–Darling statistic A² and its p-value.
    pub ad: f64,
    pub ad_p: f64,
}

/// Observed durations: complete ones, and censored ones (still running at
/// the end of the log: the true value is longer).
#[derive(Clone, Debug, Default)]
pub struct Sample {
    pub complete: Vec<f64>,
    pub censored: Vec<f64>,
    /// When each complete observation ended (the log's time), where known.
    pub ended_at: Vec<f64>,
}

/// Every family that can be fitted to `sample`, best (lowest AIC) first.
/// A family that needs positive values is left out when a value is zero.
/// With censored observations only the families whose fits and
/// likelihoods take them in (exponential, Weibull) are compared: a family
/// fitted to the complete ones alone reads the durations short (the long
/// ones are the censored) and, without the censored terms in its
/// likelihood, would win on AIC for it.
pub fn fit_all(sample: &Sample) -> Vec<Fit> {
    let x = &sample.complete;
    if x.len() < 2 {
        return Vec::new();
    }
    let positive = x.iter().all(|v| *v > 0.0);
    let mut fits: Vec<Fitted> = Vec::new();
    if sample.censored.is_empty() {
        fits.push(normal(x));
        fits.extend(uniform(x));
        fits.extend(triangular(x));
    }
    if positive {
        fits.push(exponential(sample));
        fits.extend(weibull(sample));
        if sample.censored.is_empty() {
            fits.extend(gamma(x));
            fits.extend(lognormal(x));
        }
    }
    let mut out: Vec<Fit> = fits.into_iter().map(|f| judge(f, sample)).collect();
    out.retain(|f| f.aic.is_finite());
    out.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    out
}

fn judge(fitted: Fitted, sample: &Sample) -> Fit {
    let mut ll: f64 = sample.complete.iter().map(|x| fitted.ln_pdf(*x)).sum();
    for c in &sample.censored {
        if let Some(s) = fitted.ln_survival(*c) {
            ll += s;
        }
    }
    let n = (sample.complete.len() + sample.censored.len()) as f64;
    let k = fitted.parameters() as f64;
    let mut sorted = sample.complete.clone();
    sorted.sort_by(f64::total_cmp);
    let (ks, ks_p) = kolmogorov_smirnov(&fitted, &sorted);
    let (ad, ad_p) = anderson_darling(&fitted, &sorted);
    Fit {
        fitted,
        log_likelihood: ll,
        aic: 2.0 * k - 2.0 * ll,
        bic: k * n.ln() - 2.0 * ll,
        ks,
        ks_p,
        ad,
        ad_p,
    }
}

/// The mean of `x` (0 for none).
pub(crate) fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len().max(1) as f64
}

fn normal(x: &[f64]) -> Fitted {
    let m = mean(x);
    let sd = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
    Fitted::Normal {
        mean: m,
        sd: sd.max(1e-12),
    }
}

/// The ends a bounded family is fitted with: the sample's extremes moved
/// out by one n-th of the range (the extremes themselves are the maximum
/// likelihood, but underestimate the range and leave no room for the next
/// observation).
fn ends(x: &[f64]) -> Option<(f64, f64)> {
    let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = (hi - lo) / x.len() as f64;
    (hi > lo).then_some((lo - pad, hi + pad))
}

fn uniform(x: &[f64]) -> Option<Fitted> {
    ends(x).map(|(min, max)| Fitted::Uniform { min, max })
}

/// With the ends fixed, the mode of highest likelihood, searched over the
/// observations (a sorted pass per candidate would be quadratic; a grid of
/// 200 candidates between the ends is enough for a cycle time).
fn triangular(x: &[f64]) -> Option<Fitted> {
    let (min, max) = ends(x)?;
    (1..200)
        .map(|i| min + (max - min) * f64::from(i) / 200.0)
        .map(|mode| Fitted::Triangular { min, mode, max })
        .map(|f| (x.iter().map(|v| f.ln_pdf(*v)).sum::<f64>(), f))
        .filter(|(ll, _)| ll.is_finite())
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, f)| f)
}

/// Censored too: the mean is the total time over the complete count.
fn exponential(s: &Sample) -> Fitted {
    let total: f64 = s.complete.iter().chain(&s.censored).sum();
    Fitted::Exponential {
        mean: total / s.complete.len() as f64,
    }
}

fn lognormal(x: &[f64]) -> Option<Fitted> {
    let logs: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let mu = mean(&logs);
    let sigma = (logs.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / logs.len() as f64).sqrt();
    (sigma > 0.0).then_some(Fitted::LogNormal { mu, sigma })
}

/// Newton's method on ln k − ψ(k) = ln x̄ − mean(ln x), from the usual
/// closed-form start.
fn gamma(x: &[f64]) -> Option<Fitted> {
    let m = mean(x);
    let s = m.ln() - mean(&x.iter().map(|v| v.ln()).collect::<Vec<_>>());
    if s <= 0.0 || !s.is_finite() {
        return None;
    }
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let f = k.ln() - digamma(k) - s;
        let step = f / (1.0 / k - trigamma(k));
        let next = (k - step).max(k / 10.0);
        if (next - k).abs() < 1e-12 * k {
            k = next;
            break;
        }
        k = next;
    }
    Some(Fitted::Gamma {
        shape: k,
        scale: m / k,
    })
}

/// The profile equation for the shape, solved by bisection on ln k (it
/// rises with k); censored times count in the sums over all times.
fn weibull(s: &Sample) -> Option<Fitted> {
    let r = s.complete.len() as f64;
    let all: Vec<f64> = s.complete.iter().chain(&s.censored).copied().collect();
    let mean_ln = s.complete.iter().map(|v| v.ln()).sum::<f64>() / r;
    // Scaled by the largest value so that t^k stays finite.
    let top = all.iter().copied().fold(0.0, f64::max);
    let g = |k: f64| {
        let (mut a, mut b) = (0.0, 0.0);
        for t in &all {
            let w = (t / top).powf(k);
            a += w * t.ln();
            b += w;
        }
        a / b - 1.0 / k - mean_ln
    };
    let (mut lo, mut hi) = (0.02f64.ln(), 100f64.ln());
    if g(lo.exp()) > 0.0 || g(hi.exp()) < 0.0 {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if g(mid.exp()) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let k = (0.5 * (lo + hi)).exp();
    let sum: f64 = all.iter().map(|t| (t / top).powf(k)).sum();
    let scale = top * (sum / r).powf(1.0 / k);
    Some(Fitted::Weibull { shape: k, scale })
}

/// D = sup |F_n − F| of sorted values and its p-value.
fn kolmogorov_smirnov(f: &Fitted, sorted: &[f64]) -> (f64, f64) {
    let n = sorted.len() as f64;
    let d = sorted
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let c = f.cdf(*v);
            (((i + 1) as f64 / n) - c).max(c - i as f64 / n)
        })
        .fold(0.0, f64::max);
    (d, ks_p(n, d))
}

/// The asymptotic p-value of a KS distance `d` over `n` observations (for
/// two samples, n = n₁n₂/(n₁+n₂)), with Stephens' correction.
pub(crate) fn ks_p(n: f64, d: f64) -> f64 {
    kolmogorov_q((n.sqrt() + 0.12 + 0.11 / n.sqrt()) * d)
}

/// Q(λ) = 2 Σ (−1)^(j−1) e^(−2j²λ²), the tail of the Kolmogorov distribution.
fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for j in 1..=100 {
        let j = j as f64;
        let term = (-2.0 * j * j * lambda * lambda).exp();
        sum += if j as u32 % 2 == 1 { term } else { -term };
        if term < 1e-12 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// A² of sorted values and the p-value of its limiting distribution
/// (Marsaglia and Marsaglia's approximation of the Anderson–Darling limit).
fn anderson_darling(f: &Fitted, sorted: &[f64]) -> (f64, f64) {
    let n = sorted.len();
    let eps = 1e-300;
    let s: f64 = (0..n)
        .map(|i| {
            let a = f.cdf(sorted[i]).clamp(eps, 1.0 - 1e-16);
            let b = f.cdf(sorted[n - 1 - i]).clamp(eps, 1.0 - 1e-16);
            (2 * i + 1) as f64 * (a.ln() + (1.0 - b).ln())
        })
        .sum();
    let a2 = -(n as f64) - s / n as f64;
    (a2, 1.0 - ad_limit(a2))
}

fn ad_limit(z: f64) -> f64 {
    if z <= 0.0 {
        return 0.0;
    }
    if z < 2.0 {
        (-1.233_714_1 / z).exp() / z.sqrt()
            * (2.000_12
                + (0.247_105
                    - (0.064_982_1 - (0.034_796_2 - (0.011_672 - 0.001_686_91 * z) * z) * z) * z)
                    * z)
    } else {
        (-(1.0776
            - (2.30695 - (0.43424 - (0.082433 - (0.008056 - 0.000_314_6 * z) * z) * z) * z) * z)
            .exp())
        .exp()
    }
    .clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A "perfect" sample: the quantiles at (i − ½)/n, found by bisection
    /// on the distribution function.
    fn quantiles(f: &Fitted, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let p = (i as f64 + 0.5) / n as f64;
                let (mut lo, mut hi) = (1e-9, 1e7);
                for _ in 0..200 {
                    let mid = 0.5 * (lo + hi);
                    if f.cdf(mid) < p {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                0.5 * (lo + hi)
            })
            .collect()
    }

    fn within(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn each_family_recovers_its_parameters_and_ranks_first() {
        let truth = [
            Fitted::Gamma {
                shape: 4.0,
                scale: 8.0,
            },
            Fitted::Weibull {
                shape: 1.6,
                scale: 3600.0,
            },
            Fitted::LogNormal {
                mu: 6.0,
                sigma: 0.5,
            },
            Fitted::Exponential { mean: 90.0 },
        ];
        for t in truth {
            let sample = Sample {
                complete: quantiles(&t, 2000),
                censored: Vec::new(),
                ..Sample::default()
            };
            let fits = fit_all(&sample);
            let best = &fits[0];
            assert_eq!(best.fitted.name(), t.name(), "{fits:#?}");
            assert!(
                within(best.fitted.mean(), t.mean(), 0.01),
                "{best:?} vs {t:?}"
            );
            match (best.fitted, t) {
                (Fitted::Gamma { shape: a, .. }, Fitted::Gamma { shape: b, .. })
                | (Fitted::Weibull { shape: a, .. }, Fitted::Weibull { shape: b, .. })
                | (Fitted::LogNormal { sigma: a, .. }, Fitted::LogNormal { sigma: b, .. }) => {
                    assert!(within(a, b, 0.03), "{a} vs {b}")
                }
                _ => {}
            }
            assert!(best.ks < 0.01 && best.ks_p > 0.9, "{best:?}");
            assert!(best.ad_p > 0.5, "{best:?}");
        }
    }

    #[test]
    fn bounded_families_are_found_with_their_ends_and_mode() {
        for t in [
            Fitted::Uniform {
                min: 20.0,
                max: 30.0,
            },
            Fitted::Triangular {
                min: 70.0,
                mode: 90.0,
                max: 140.0,
            },
        ] {
            let sample = Sample {
                complete: quantiles(&t, 3000),
                censored: Vec::new(),
                ..Sample::default()
            };
            let best = &fit_all(&sample)[0];
            assert_eq!(best.fitted.name(), t.name(), "{best:?}");
            assert!(within(best.fitted.mean(), t.mean(), 0.005), "{best:?}");
            if let (Fitted::Triangular { mode: a, .. }, Fitted::Triangular { mode: b, .. }) =
                (best.fitted, t)
            {
                assert!((a - b).abs() < 1.5, "mode {a} vs {b}");
            }
        }
    }

    #[test]
    fn a_wrong_family_is_rejected_by_both_tests() {
        // Normal with a small spread: an exponential cannot fit it.
        let t = Fitted::Normal {
            mean: 100.0,
            sd: 5.0,
        };
        let sample = Sample {
            complete: quantiles(&t, 500),
            censored: Vec::new(),
            ..Sample::default()
        };
        let fits = fit_all(&sample);
        let exp = fits
            .iter()
            .find(|f| f.fitted.name() == "exponential")
            .unwrap();
        assert!(exp.ks_p < 1e-6 && exp.ad_p < 1e-3, "{exp:?}");
    }

    #[test]
    fn with_censored_times_only_fits_that_take_them_in_compete() {
        // Exponential times of mean 100 s, a long tail censored: a gamma or
        // lognormal fitted to the complete ones alone would read them short.
        let complete: Vec<f64> = (0..200)
            .map(|i| -100.0 * (1.0 - (i as f64 + 0.5) / 200.0).ln())
            .filter(|x| *x < 250.0)
            .collect();
        let s = Sample {
            censored: vec![250.0; 200 - complete.len()],
            complete,
            ended_at: Vec::new(),
        };
        let fits = fit_all(&s);
        assert!(
            fits.iter()
                .all(|f| matches!(f.fitted.name(), "exponential" | "weibull")),
            "{fits:?}"
        );
        let best = fits[0].fitted.mean();
        assert!((best - 100.0).abs() < 15.0, "{best}: {fits:?}");
    }

    #[test]
    fn censored_times_lengthen_the_exponential_and_weibull_fits() {
        // Five failures after about 100 h each (500 h in all) and five
        // machines still running at 300 h (1 500 h): the mean time between
        // failures is 2 000 h over 5 failures, 400 h.
        let sample = Sample {
            complete: vec![90.0, 95.0, 100.0, 105.0, 110.0],
            censored: vec![300.0; 5],
            ..Sample::default()
        };
        match exponential(&sample) {
            Fitted::Exponential { mean } => assert!(within(mean, 400.0, 1e-9), "{mean}"),
            other => panic!("{other:?}"),
        }
        let w = weibull(&sample).unwrap();
        let uncensored = weibull(&Sample {
            complete: sample.complete.clone(),
            censored: Vec::new(),
            ..Sample::default()
        })
        .unwrap();
        assert!(
            w.mean() > 2.0 * uncensored.mean(),
            "{w:?} vs {uncensored:?}"
        );
    }
}
