//! A money figure over replications as a plant manager reads it: the range
//! of outcomes (median, 10th and 90th percentiles) and the chance of the
//! outcome that matters (paying back, a positive NPV), beside the mean and
//! the 95 % interval of the mean.
//!
//! The interval of the mean says how well the replications pin down the
//! average outcome; it narrows as replications are added. The 10–90 %
//! range says how much one replication's outcome (its measured window scaled
//! to a year) differs from another under the model's randomness; it does not
//! narrow. Both are reported, each labelled for what it is.

use crate::kpi::Estimate;
use serde::Serialize;

/// Where replications without a value (no payback, no IRR) rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undefined {
    /// Above every value: "does not pay back within the life" is a payback
    /// later than any that happened.
    High,
    /// Below every value: no IRR because the flows never turn positive.
    Low,
}

/// A figure over the replications.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Outcomes {
    /// Replications.
    pub n: u32,
    /// Replications with no value (does not pay back within the life, no IRR).
    pub undefined: u32,
    /// Mean and 95 % interval of the mean; only when every replication has a value.
    pub mean: Option<Estimate>,
    /// 10th percentile, median, 90th percentile over the replications (the
    /// range of outcomes); `None` where that rank has no value.
    pub p10: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

impl Outcomes {
    /// From one value per replication (`None`: no value).
    pub fn of(values: &[Option<f64>], undefined_rank: Undefined) -> Self {
        let defined: Vec<f64> = values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        let undefined = values.len() - defined.len();
        Outcomes {
            n: values.len() as u32,
            undefined: undefined as u32,
            mean: (undefined == 0 && !defined.is_empty()).then(|| Estimate::of(&defined)),
            p10: quantile(&defined, undefined, undefined_rank, 0.1),
            median: quantile(&defined, undefined, undefined_rank, 0.5),
            p90: quantile(&defined, undefined, undefined_rank, 0.9),
        }
    }

    /// Share of replications with a value (for payback: that pay back).
    pub fn defined_share(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            f64::from(self.n - self.undefined) / f64::from(self.n)
        }
    }
}

/// The q-quantile (linear between order statistics, Hyndman & Fan type 7)
/// of the defined values with `undefined` more ranked at one end; `None`
/// where the quantile falls on or next to an undefined one.
fn quantile(defined: &[f64], undefined: usize, at: Undefined, q: f64) -> Option<f64> {
    let n = defined.len() + undefined;
    if n == 0 {
        return None;
    }
    let mut sorted = defined.to_vec();
    sorted.sort_by(f64::total_cmp);
    // Ranks 0..n; the defined values occupy `offset..offset + len`.
    let offset = if at == Undefined::Low { undefined } else { 0 };
    let h = q * (n - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    let value = |rank: usize| {
        rank.checked_sub(offset)
            .and_then(|i| sorted.get(i).copied())
    };
    let (a, b) = (value(lo)?, value(hi)?);
    Some(a + (b - a) * (h - lo as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_replications() {
        let v: Vec<Option<f64>> = (1..=11).map(|x| Some(f64::from(x))).collect();
        let o = Outcomes::of(&v, Undefined::High);
        assert_eq!((o.p10, o.median, o.p90), (Some(2.0), Some(6.0), Some(10.0)));
        assert_eq!(o.mean.unwrap().mean, 6.0);
        assert_eq!(o.defined_share(), 1.0);
    }

    #[test]
    fn replications_that_never_pay_back_rank_last_and_void_the_mean() {
        // 28 of 30 never pay back: the median is "does not pay back", not
        // the mean of the two that did.
        let mut v = vec![None; 28];
        v.extend([Some(5.0), Some(7.7)]);
        let o = Outcomes::of(&v, Undefined::High);
        assert_eq!(o.undefined, 28);
        assert!(o.mean.is_none());
        assert_eq!((o.p10, o.median, o.p90), (None, None, None));
        assert!((o.defined_share() - 2.0 / 30.0).abs() < 1e-12);
        // A few that never pay back leave the low percentiles defined.
        let mut v: Vec<Option<f64>> = (1..=9).map(|x| Some(f64::from(x))).collect();
        v.push(None);
        let o = Outcomes::of(&v, Undefined::High);
        assert_eq!(o.median, Some(5.5));
        assert_eq!(o.p90, None);
    }

    #[test]
    fn a_missing_irr_ranks_below_every_rate() {
        let v = [None, Some(0.1), Some(0.2), Some(0.3), Some(0.4)];
        let o = Outcomes::of(&v, Undefined::Low);
        assert_eq!(o.median, Some(0.2));
        assert_eq!(o.p10, None);
    }
}
