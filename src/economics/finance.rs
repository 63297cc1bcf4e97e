//! Investment arithmetic on yearly cash flows (`flows[0]` at the start, then
//! one figure per year): net present value, internal rate of return, payback.

/// Net present value at yearly `rate`.
pub fn npv(rate: f64, flows: &[f64]) -> f64 {
    flows
        .iter()
        .enumerate()
        .map(|(t, f)| f / (1.0 + rate).powi(t as i32))
        .sum()
}

/// Why a cash-flow series has no internal rate of return.
#[derive(Clone, Debug, PartialEq)]
pub enum NoIrr {
    /// All flows have the same sign: nothing is invested or nothing comes back.
    NoSignChange,
    /// NPV does not cross zero between −99 % and 10 000 % a year.
    OutOfRange,
}

impl std::fmt::Display for NoIrr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoIrr::NoSignChange => write!(
                f,
                "no IRR: the cash flows never change sign (the investment never earns anything back, or costs nothing)"
            ),
            NoIrr::OutOfRange => write!(f, "no IRR between −99 % and 10 000 % a year"),
        }
    }
}

/// The internal rate of return: the rate at which NPV is zero, found by
/// bisection (to 1e-10) where NPV changes sign.
pub fn irr(flows: &[f64]) -> Result<f64, NoIrr> {
    let pos = flows.iter().any(|&f| f > 0.0);
    let neg = flows.iter().any(|&f| f < 0.0);
    if !(pos && neg) {
        return Err(NoIrr::NoSignChange);
    }
    let (mut lo, mut hi) = (-0.99, 100.0);
    let (f_lo, f_hi) = (npv(lo, flows), npv(hi, flows));
    if f_lo.signum() == f_hi.signum() {
        return Err(NoIrr::OutOfRange);
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        let f_mid = npv(mid, flows);
        if f_mid.signum() == f_lo.signum() {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-10 {
            break;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// The equivalent annual cost of an investment: the yearly amount that,
/// paid over `life` years at `rate`, is worth as much as the outlay less the
/// residual value at the end (the capital recovery factor), plus the yearly
/// maintenance. What the investment costs per year of use, for costs per part.
pub fn equivalent_annual_cost(
    outlay: f64,
    residual: f64,
    maintenance: f64,
    rate: f64,
    life: f64,
) -> f64 {
    if life <= 0.0 {
        return maintenance;
    }
    let recovery = if rate.abs() < 1e-12 {
        1.0 / life
    } else {
        rate / (1.0 - (1.0 + rate).powf(-life))
    };
    (outlay - residual * (1.0 + rate).powf(-life)) * recovery + maintenance
}

/// Years until the cumulative (undiscounted) cash flow turns non-negative,
/// interpolated within the year; `None` if it never does.
pub fn payback_years(flows: &[f64]) -> Option<f64> {
    let mut cum = 0.0;
    for (t, &f) in flows.iter().enumerate() {
        let before = cum;
        cum += f;
        if cum >= 0.0 {
            if t == 0 {
                return Some(0.0);
            }
            // The year's flow arrives evenly: the share of it still needed.
            return Some(t as f64 - 1.0 + (-before / f));
        }
    }
    None
}

/// Cumulative sums: what the project has earned back by the end of each year.
pub fn cumulative(flows: &[f64]) -> Vec<f64> {
    flows
        .iter()
        .scan(0.0, |acc, f| {
            *acc += f;
            Some(*acc)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_annual_cost_by_hand() {
        // 1 000 over 5 years at 10 %: capital recovery factor 0.263797 → 263.80 a year.
        let eac = equivalent_annual_cost(1000.0, 0.0, 0.0, 0.10, 5.0);
        assert!((eac - 263.797_48).abs() < 1e-4, "{eac}");
        // Its NPV over the life is the outlay again.
        let flows: Vec<f64> = std::iter::once(-1000.0).chain([eac; 5]).collect();
        assert!(npv(0.10, &flows).abs() < 1e-9);
        // No interest: straight line; a residual value and maintenance shift it.
        assert_eq!(equivalent_annual_cost(1000.0, 200.0, 50.0, 0.0, 4.0), 250.0);
    }

    #[test]
    fn npv_matches_a_hand_computation() {
        // −100 + 60/1.1 + 60/1.21 = −100 + 54.545 + 49.587 = 4.132
        assert!((npv(0.1, &[-100.0, 60.0, 60.0]) - 4.1322).abs() < 1e-4);
        assert_eq!(npv(0.0, &[-100.0, 60.0, 60.0]), 20.0);
    }

    #[test]
    fn irr_of_two_equal_returns() {
        // −100 + 60/(1+r) + 60/(1+r)² = 0 → 1+r = (60 + √(3600+24000))/200 = 1.13066
        let r = irr(&[-100.0, 60.0, 60.0]).unwrap();
        assert!((r - 0.130_662).abs() < 1e-6, "{r}");
        assert!(npv(r, &[-100.0, 60.0, 60.0]).abs() < 1e-6);
    }

    #[test]
    fn irr_needs_a_sign_change() {
        assert_eq!(irr(&[-100.0, -5.0, -5.0]), Err(NoIrr::NoSignChange));
        assert_eq!(irr(&[0.0, 5.0]), Err(NoIrr::NoSignChange));
        // Losing half the money in a year: −50 % a year.
        assert!(irr(&[-100.0, 50.0]).is_ok_and(|r| (r + 0.5).abs() < 1e-9));
    }

    #[test]
    fn payback_interpolates_within_the_year() {
        // Cumulative: −100, −40, +20 → 1 + 40/60 years.
        let p = payback_years(&[-100.0, 60.0, 60.0]).unwrap();
        assert!((p - (1.0 + 40.0 / 60.0)).abs() < 1e-12);
        assert_eq!(payback_years(&[-100.0, 10.0, 10.0]), None);
        assert_eq!(cumulative(&[-100.0, 60.0, 60.0]), [-100.0, -40.0, 20.0]);
    }
}
