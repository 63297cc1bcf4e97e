//! Random durations: the distributions a scene can use for cycle, repair,
//! interarrival and due-date times.

use super::Duration;
use serde::{Deserialize, Serialize};

/// A distribution of durations. Parameters carry units; sampling happens in
/// `sim::sampler`, which turns a `Dist` into a ready-to-draw form.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Constant(Duration),
    Uniform {
        min: Duration,
        max: Duration,
    },
    Triangular {
        min: Duration,
        mode: Duration,
        max: Duration,
    },
    /// Normal, truncated at zero (negative draws are redrawn).
    Normal {
        mean: Duration,
        sd: Duration,
    },
    /// Log-normal given by the mean and standard deviation of the value itself.
    LogNormal {
        mean: Duration,
        sd: Duration,
    },
    Exponential {
        mean: Duration,
    },
    /// Weibull with shape k and scale λ.
    Weibull {
        shape: f64,
        scale: Duration,
    },
    /// Gamma with shape k and scale θ (mean kθ).
    Gamma {
        shape: f64,
        scale: Duration,
    },
    /// Erlang-k with the given mean (a Gamma with integer shape).
    Erlang {
        k: u32,
        mean: Duration,
    },
    /// An empirical table: (value, weight) pairs, drawn in proportion to weight.
    Empirical(Vec<(Duration, f64)>),
}

/// The longest duration a distribution may name: about 31,700 years. Far
/// beyond any run, and far below where sums of times overflow (a draw near
/// f64's limit makes the clock infinite, and its differences not numbers).
pub const LONGEST_S: f64 = 1e12;

fn longest(name: &str, v: f64) -> Result<(), String> {
    if v <= LONGEST_S {
        Ok(())
    } else {
        Err(format!(
            "{name} is {v:e} s, longer than any run can hold: at most {LONGEST_S:e} s (about 31,700 years)"
        ))
    }
}

impl Dist {
    /// The mean in seconds (for a truncated normal: the untruncated mean,
    /// which differs only when sd is large against the mean).
    pub fn mean_secs(&self) -> f64 {
        match self {
            Dist::Constant(d) => d.secs(),
            Dist::Uniform { min, max } => (min.secs() + max.secs()) / 2.0,
            Dist::Triangular { min, mode, max } => (min.secs() + mode.secs() + max.secs()) / 3.0,
            Dist::Normal { mean, .. } | Dist::LogNormal { mean, .. } => mean.secs(),
            Dist::Exponential { mean } | Dist::Erlang { mean, .. } => mean.secs(),
            Dist::Weibull { shape, scale } => scale.secs() * gamma_fn(1.0 + 1.0 / shape),
            Dist::Gamma { shape, scale } => shape * scale.secs(),
            Dist::Empirical(table) => {
                let total: f64 = table.iter().map(|(_, w)| w).sum();
                table.iter().map(|(v, w)| v.secs() * w).sum::<f64>() / total
            }
        }
    }

    /// The standard deviation in seconds (for a truncated normal: the
    /// untruncated one, as for the mean).
    pub fn sd_secs(&self) -> f64 {
        let var = match self {
            Dist::Constant(_) => 0.0,
            Dist::Uniform { min, max } => (max.secs() - min.secs()).powi(2) / 12.0,
            Dist::Triangular { min, mode, max } => {
                let (a, c, b) = (min.secs(), mode.secs(), max.secs());
                (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0
            }
            Dist::Normal { sd, .. } | Dist::LogNormal { sd, .. } => sd.secs().powi(2),
            Dist::Exponential { mean } => mean.secs().powi(2),
            Dist::Erlang { k, mean } => mean.secs().powi(2) / f64::from((*k).max(1)),
            Dist::Weibull { shape, scale } => {
                let g1 = gamma_fn(1.0 + 1.0 / shape);
                scale.secs().powi(2) * (gamma_fn(1.0 + 2.0 / shape) - g1 * g1)
            }
            Dist::Gamma { shape, scale } => shape * scale.secs().powi(2),
            Dist::Empirical(table) => {
                let total: f64 = table.iter().map(|(_, w)| w).sum();
                let mean = self.mean_secs();
                table
                    .iter()
                    .map(|(v, w)| (v.secs() - mean).powi(2) * w)
                    .sum::<f64>()
                    / total
            }
        };
        var.max(0.0).sqrt()
    }

    /// Multiplies every duration by `factor` (the mean scales by it, the
    /// shape stays).
    pub fn scale(&mut self, factor: f64) {
        let scale = |d: &mut Duration| *d = Duration::Seconds(d.secs() * factor);
        match self {
            Dist::Constant(d) => scale(d),
            Dist::Uniform { min, max } => {
                scale(min);
                scale(max)
            }
            Dist::Triangular { min, mode, max } => {
                scale(min);
                scale(mode);
                scale(max)
            }
            Dist::Normal { mean, sd } | Dist::LogNormal { mean, sd } => {
                scale(mean);
                scale(sd)
            }
            Dist::Exponential { mean } | Dist::Erlang { mean, .. } => scale(mean),
            Dist::Weibull { scale: s, .. } | Dist::Gamma { scale: s, .. } => scale(s),
            Dist::Empirical(table) => table.iter_mut().for_each(|(v, _)| scale(v)),
        }
    }

    /// Checks parameters; the message names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let positive = |name: &str, d: &Duration| {
            let v = d.secs();
            if v.is_finite() && v > 0.0 {
                longest(name, v)
            } else {
                Err(format!("{name} must be a positive duration, got {v} s"))
            }
        };
        let non_negative = |name: &str, d: &Duration| {
            let v = d.secs();
            if v.is_finite() && v >= 0.0 {
                longest(name, v)
            } else {
                Err(format!("{name} must not be negative, got {v} s"))
            }
        };
        match self {
            Dist::Constant(d) => positive("Constant", d),
            Dist::Uniform { min, max } => {
                non_negative("min", min)?;
                positive("max", max)?;
                if min.secs() > max.secs() {
                    return Err("Uniform needs min <= max".into());
                }
                Ok(())
            }
            Dist::Triangular { min, mode, max } => {
                non_negative("min", min)?;
                positive("max", max)?;
                if !(min.secs() <= mode.secs() && mode.secs() <= max.secs())
                    || min.secs() == max.secs()
                {
                    return Err("Triangular needs min <= mode <= max and min < max".into());
                }
                Ok(())
            }
            Dist::Normal { mean, sd } | Dist::LogNormal { mean, sd } => {
                positive("mean", mean)?;
                non_negative("sd", sd)
            }
            Dist::Exponential { mean } => positive("mean", mean),
            Dist::Weibull { shape, scale } | Dist::Gamma { shape, scale } => {
                if !(shape.is_finite() && *shape > 0.0) {
                    return Err(format!("shape must be positive, got {shape}"));
                }
                positive("scale", scale)
            }
            Dist::Erlang { k, mean } => {
                if *k == 0 {
                    return Err("Erlang needs k >= 1".into());
                }
                positive("mean", mean)
            }
            Dist::Empirical(table) => {
                if table.is_empty() {
                    return Err("Empirical needs at least one (value, weight) pair".into());
                }
                for (v, w) in table {
                    non_negative("value", v)?;
                    if !(w.is_finite() && *w >= 0.0) {
                        return Err(format!("weights must not be negative, got {w}"));
                    }
                }
                if table.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
                    return Err("Empirical weights sum to zero".into());
                }
                if self.mean_secs() <= 0.0 {
                    return Err("Empirical table has a zero mean".into());
                }
                Ok(())
            }
        }
    }
}

/// The Lanczos series (g = 7) for x ≥ 0.5: Γ(x) = √(2π) t^(x−½) e^(−t) a,
/// returned as (x − 1, t, a). Γ here and ln Γ in calibration share it.
pub(crate) fn lanczos(x: f64) -> (f64, f64, f64) {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let t = x + 7.5;
    let mut a = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    (x, t, a)
}

/// Γ(x) by the Lanczos approximation (for the Weibull mean).
pub(crate) fn gamma_fn(x: f64) -> f64 {
    if x < 0.5 {
        std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma_fn(1.0 - x))
    } else {
        let (x, t, a) = lanczos(x);
        (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Duration::Seconds as S;

    #[test]
    fn means() {
        assert_eq!(
            Dist::Triangular {
                min: S(38.0),
                mode: S(45.0),
                max: S(70.0)
            }
            .mean_secs(),
            51.0
        );
        assert!(
            (Dist::Weibull {
                shape: 1.0,
                scale: S(10.0)
            }
            .mean_secs()
                - 10.0)
                .abs()
                < 1e-9
        );
        assert!((gamma_fn(5.0) - 24.0).abs() < 1e-9);
        assert_eq!(
            Dist::Empirical(vec![(S(1.0), 1.0), (S(3.0), 3.0)]).mean_secs(),
            2.5
        );
    }

    #[test]
    fn bad_parameters_are_named() {
        let e = Dist::Exponential { mean: S(0.0) }.check().unwrap_err();
        assert!(e.contains("mean must be a positive duration"), "{e}");
        assert!(
            Dist::Normal {
                mean: S(5.0),
                sd: S(-1.0)
            }
            .check()
            .is_err()
        );
        assert!(
            Dist::Uniform {
                min: S(5.0),
                max: S(1.0)
            }
            .check()
            .is_err()
        );
    }
}
