//! Ready-to-draw forms of the scene's distributions, all in seconds.

use super::rng::Stream;
use crate::scene::Dist;
use crate::scene::distribution::LONGEST_S;
use rand::distr::Distribution;
use rand_distr::{Exp, Gamma, LogNormal, Normal, Triangular, Weibull};

/// A distribution prepared once at build time and sampled in the hot loop.
#[derive(Clone, Debug)]
pub enum Sampler {
    Constant(f64),
    Uniform(f64, f64),
    Triangular(Triangular<f64>),
    /// Normal truncated at zero by redrawing.
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
    Exponential(Exp<f64>),
    Weibull(Weibull<f64>),
    Gamma(Gamma<f64>),
    /// Cumulative weights and values.
    Empirical(Vec<f64>, Vec<f64>),
}

impl Sampler {
    /// Prepares `dist`. Parameters were checked by validation; a failure
    /// here is reported as the parameter problem it is.
    pub fn new(dist: &Dist) -> Result<Self, String> {
        dist.check()?;
        let err = |e: &dyn std::fmt::Display| format!("invalid distribution parameters: {e}");
        Ok(match dist {
            Dist::Constant(d) => Sampler::Constant(d.secs()),
            Dist::Uniform { min, max } => Sampler::Uniform(min.secs(), max.secs()),
            Dist::Triangular { min, mode, max } => Sampler::Triangular(
                Triangular::new(min.secs(), max.secs(), mode.secs()).map_err(|e| err(&e))?,
            ),
            Dist::Normal { mean, sd } => {
                Sampler::Normal(Normal::new(mean.secs(), sd.secs()).map_err(|e| err(&e))?)
            }
            Dist::LogNormal { mean, sd } => {
                // Parameters of the underlying normal from the value's mean m and sd s.
                let (m, s) = (mean.secs(), sd.secs());
                let sigma2 = (1.0 + (s / m).powi(2)).ln();
                let mu = m.ln() - sigma2 / 2.0;
                Sampler::LogNormal(LogNormal::new(mu, sigma2.sqrt()).map_err(|e| err(&e))?)
            }
            Dist::Exponential { mean } => {
                Sampler::Exponential(Exp::new(1.0 / mean.secs()).map_err(|e| err(&e))?)
            }
            Dist::Weibull { shape, scale } => {
                Sampler::Weibull(Weibull::new(scale.secs(), *shape).map_err(|e| err(&e))?)
            }
            Dist::Gamma { shape, scale } => {
                Sampler::Gamma(Gamma::new(*shape, scale.secs()).map_err(|e| err(&e))?)
            }
            Dist::Erlang { k, mean } => {
                let k = f64::from(*k);
                Sampler::Gamma(Gamma::new(k, mean.secs() / k).map_err(|e| err(&e))?)
            }
            Dist::Empirical(table) => {
                let total: f64 = table.iter().map(|(_, w)| w).sum();
                let mut acc = 0.0;
                let cum = table
                    .iter()
                    .map(|(_, w)| {
                        acc += w / total;
                        acc
                    })
                    .collect();
                Sampler::Empirical(cum, table.iter().map(|(v, _)| v.secs()).collect())
            }
        })
    }

    /// One draw, in seconds, never negative.
    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        match self {
            Sampler::Exponential(d) => d.sample(rng),
            Sampler::Constant(v) => *v,
            Sampler::Uniform(a, b) => a + (b - a) * rng.uniform(),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::Normal(d) => {
                // Redraw negatives; give up after many tries (a mean far below zero
                // cannot pass validation, so this is only a guard).
                for _ in 0..1000 {
                    let x = d.sample(rng);
                    if x >= 0.0 {
                        return x;
                    }
                }
                0.0
            }
            // Heavy tails (a small Weibull or gamma shape, a large log-normal
            // spread) can draw past any clock; a draw is at most the longest
            // duration a scene may name, so times stay finite.
            Sampler::LogNormal(d) => d.sample(rng).min(LONGEST_S),
            Sampler::Weibull(d) => d.sample(rng).min(LONGEST_S),
            Sampler::Gamma(d) => d.sample(rng).min(LONGEST_S),
            Sampler::Empirical(cum, values) => {
                let u = rng.uniform();
                let i = cum.partition_point(|&c| c <= u).min(values.len() - 1);
                values[i]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::Duration::Seconds as S;
    use crate::sim::rng::Purpose;

    fn mean_of(d: &Dist, n: u32) -> (f64, f64) {
        let s = Sampler::new(d).unwrap();
        let mut rng = Stream::new(3, 0, "t", Purpose::Process);
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / f64::from(n - 1);
        (m, (var / f64::from(n)).sqrt())
    }

    #[test]
    fn sample_means_match_the_distribution_means() {
        let cases = [
            Dist::Exponential { mean: S(40.0) },
            Dist::Uniform {
                min: S(2.0),
                max: S(4.0),
            },
            Dist::Triangular {
                min: S(38.0),
                mode: S(45.0),
                max: S(70.0),
            },
            Dist::LogNormal {
                mean: S(20.0),
                sd: S(8.0),
            },
            Dist::Weibull {
                shape: 1.5,
                scale: S(10.0),
            },
            Dist::Gamma {
                shape: 2.0,
                scale: S(3.0),
            },
            Dist::Erlang { k: 3, mean: S(9.0) },
            Dist::Empirical(vec![(S(1.0), 1.0), (S(5.0), 3.0)]),
            Dist::Normal {
                mean: S(32.0),
                sd: S(3.0),
            },
        ];
        for d in cases {
            let (m, se) = mean_of(&d, 100_000);
            let want = d.mean_secs();
            assert!(
                (m - want).abs() < 4.0 * se + 1e-12,
                "{d:?}: sample mean {m}, expected {want} (se {se})"
            );
        }
    }

    #[test]
    fn truncated_normal_is_never_negative() {
        let s = Sampler::new(&Dist::Normal {
            mean: S(1.0),
            sd: S(2.0),
        })
        .unwrap();
        let mut rng = Stream::new(3, 0, "t", Purpose::Process);
        assert!((0..10_000).all(|_| s.sample(&mut rng) >= 0.0));
    }

    #[test]
    fn heavy_tails_never_draw_past_the_longest_duration() {
        let s = Sampler::new(&Dist::Weibull {
            shape: 0.01,
            scale: S(60.0),
        })
        .unwrap();
        let mut rng = Stream::new(3, 0, "t", Purpose::Process);
        assert!((0..10_000).all(|_| {
            let x = s.sample(&mut rng);
            x.is_finite() && (0.0..=LONGEST_S).contains(&x)
        }));
        let e = Dist::Triangular {
            min: S(45.0),
            mode: S(60.0),
            max: S(1e308),
        }
        .check()
        .unwrap_err();
        assert!(e.contains("longer than any run can hold"), "{e}");
    }
}
