//! Special functions the fits need: ln Γ, digamma, trigamma, the normal
//! and regularised incomplete gamma distribution functions. Pure Rust, to
//! double precision where the fits need it (the tests check known values).

use crate::scene::distribution::lanczos;
use std::f64::consts::PI;

/// ln Γ(x) for x > 0, from the Lanczos series the scene's Γ uses (in logs,
/// so that a large shape does not overflow).
pub fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let (x, t, a) = lanczos(x);
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// ψ(x), the derivative of ln Γ, for x > 0: recurrence up to 6, then the
/// asymptotic series.
pub fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 6.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + x.ln()
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))))
}

/// ψ′(x) for x > 0: recurrence up to 10, then the asymptotic series.
pub fn trigamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r += 1.0 / (x * x);
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + 1.0 / x + f / 2.0 + f / x * (1.0 / 6.0 - f * (1.0 / 30.0 - f * (1.0 / 42.0 - f / 30.0)))
}

/// erfc(x), with relative error below 1.2e-7 everywhere (a Chebyshev fit
/// of the complementary error function).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The standard normal distribution function Φ(z).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile Φ⁻¹(p), by bisection (to 1e-12).
pub fn normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0, 40.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if normal_cdf(mid) < p {
            lo = mid
        } else {
            hi = mid
        }
        if hi - lo < 1e-12 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Student's t quantile with `df` degrees of freedom: the Cornish–Fisher
/// expansion about the normal quantile (Abramowitz and Stegun 26.7.5),
/// within 0.1 % of the exact value from 5 degrees of freedom at the levels
/// used here (down to 1 − 0.05/200).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let z = normal_quantile(p);
    let (z2, v) = (z * z, df);
    z + z * (z2 + 1.0) / (4.0 * v)
        + z * ((5.0 * z2 + 16.0) * z2 + 3.0) / (96.0 * v * v)
        + z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / (384.0 * v.powi(3))
        + z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0)
            / (92_160.0 * v.powi(4))
}

/// The regularised lower incomplete gamma function P(a, x): the Gamma(a, 1)
/// distribution function at x. A series below a + 1, a continued fraction
/// above.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let ln_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum.ln() + ln_front).exp().min(1.0)
    } else {
        // Lentz's method for the continued fraction of Q(a, x).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - (ln_front + h.ln()).exp()).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // Exact values (scipy.stats.t.ppf).
        for (p, df, t) in [
            (0.975, 5.0, 2.570_581_8),
            (0.975, 19.0, 2.093_024_1),
            (0.975, 29.0, 2.045_229_6),
            (0.999_687_5, 19.0, 4.089_179_2),
            (0.999_875, 29.0, 4.172_462_9),
        ] {
            let got = t_quantile(p, df);
            assert!((got - t).abs() / t < 2e-3, "t({p}, {df}) = {got}, not {t}");
        }
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-6);
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn known_values() {
        // Γ(5) = 24, Γ(0.5) = √π.
        assert!(close(ln_gamma(5.0), 24f64.ln(), 1e-12));
        assert!(close(ln_gamma(0.5), PI.sqrt().ln(), 1e-12));
        assert!(close(ln_gamma(200.0), 857.933_669_825_857_1, 1e-12));
        // ψ(1) = −γ, ψ′(1) = π²/6.
        assert!(close(digamma(1.0), -0.577_215_664_901_532_9, 1e-10));
        assert!(close(trigamma(1.0), PI * PI / 6.0, 1e-10));
        assert!(close(normal_cdf(1.96), 0.975_002_104_851_780, 1e-6));
        assert!(close(normal_cdf(-1.0), 0.158_655_253_931_457, 1e-6));
        // P(1, x) = 1 − e^−x; P(3, 2) = 1 − 5e^−2.
        assert!(close(gamma_p(1.0, 0.7), 1.0 - (-0.7f64).exp(), 1e-12));
        assert!(close(gamma_p(3.0, 2.0), 1.0 - 5.0 * (-2.0f64).exp(), 1e-12));
        assert!(close(
            gamma_p(3.0, 9.0),
            1.0 - 50.5 * (-9.0f64).exp(),
            1e-12
        ));
    }
}
