//! Business-case figures in words, the same in the terminal and the HTML
//! report: every figure over replications says whether it is a range of
//! outcomes or an interval of the mean, and a case that does not pay back
//! says so first.

use super::html::grouped;
use crate::economics::{BusinessCase, Outcomes};
use crate::lang::{tr, trf};

/// Rounds to three significant digits: money forecast from a model is not
/// known to the last won.
pub fn round3(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 3 - 1 - v.abs().log10().floor() as i32;
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

/// Money to three significant digits with thousands separators, and in
/// millions or billions from a million up ("512 M", "1.25 B"): the reader
/// follows the currency code.
pub fn money(v: f64) -> String {
    let a = v.abs();
    if crate::lang::current() == crate::lang::Lang::Ko {
        // Korean counts large sums in 억 (10^8) and 만 (10^4).
        return if a >= 1e8 {
            format!("{}억", sig3(v / 1e8))
        } else if a >= 1e4 {
            format!("{}만", sig3(v / 1e4))
        } else {
            grouped(round3(v))
        };
    }
    if a >= 1e9 {
        format!("{} B", sig3(v / 1e9))
    } else if a >= 1e6 {
        format!("{} M", sig3(v / 1e6))
    } else {
        grouped(round3(v))
    }
}

/// Three significant digits without trailing zeros: 512, 1.25, 12.5.
fn sig3(v: f64) -> String {
    let r = round3(v);
    if r == 0.0 {
        return "0".into();
    }
    let d = (2 - r.abs().log10().floor() as i32).max(0) as usize;
    let t = format!("{r:.d$}");
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    };
    group(&t)
}

/// Thousands separators in the whole part of a formatted number, and the
/// minus sign the business case prints: "1237.32" → "1,237.32",
/// "-12345" → "−12,345".
pub fn group(t: &str) -> String {
    let (sign, rest) = match t.strip_prefix(['-', '+']) {
        Some(r) if t.starts_with('-') => ("−", r),
        Some(r) => ("+", r),
        None => ("", t),
    };
    let (whole, frac) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    if whole.len() < 4 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return format!("{sign}{rest}");
    }
    let mut out = String::from(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Money over replications: "1,680,000 ± 0", or "–" when undefined.
pub fn money_estimate(e: &crate::kpi::Estimate) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        return "–".into();
    }
    // Both in the mean's unit: "2.32 ± 0.183 M", not "2.32 M ± 183,000".
    let korean = crate::lang::current() == crate::lang::Lang::Ko;
    let (scale, suffix) = match e.mean.abs() {
        a if korean && a >= 1e8 => (1e8, "억"),
        a if korean && a >= 1e4 => (1e4, "만"),
        _ if korean => (1.0, ""),
        a if a >= 1e9 => (1e9, " B"),
        a if a >= 1e6 => (1e6, " M"),
        _ => (1.0, ""),
    };
    let part = |v: f64| {
        if scale == 1.0 {
            grouped(round3(v))
        } else {
            sig3(v / scale)
        }
    };
    match e.half_width {
        // Korean puts the unit on both: "1.15억 ± 533만" reads, "1.15 ± 0.0533억" does not.
        Some(h) if korean => format!("{} ± {}", money(e.mean), money(h)),
        Some(h) => format!("{} ± {}{suffix}", part(e.mean), part(h)),
        None => format!("{}{suffix}", part(e.mean)),
    }
}

/// Decimals that show `half_width` to two significant digits (at least 2,
/// at most 6): a small difference is not printed as "0.00 ± 0.00".
fn decimals_for(e: &crate::kpi::Estimate) -> usize {
    match e.half_width {
        Some(h) if h > 0.0 && h.is_finite() => (1 - h.log10().floor() as i64).clamp(2, 6) as usize,
        _ => 2,
    }
}

/// "0.0047 ± 0.0012": a mean and its interval, to the interval's precision.
pub fn estimate(e: &crate::kpi::Estimate) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        return "–".into();
    }
    let d = decimals_for(e);
    let m = group(&format!("{:.*}", d, e.mean));
    match e.half_width {
        Some(h) => format!("{m} ± {}", group(&format!("{:.*}", d, h))),
        None => m,
    }
}

/// As [`estimate`] with the sign: "+0.0047 ± 0.0012".
pub fn signed_estimate(e: &crate::kpi::Estimate) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        return "–".into();
    }
    let d = decimals_for(e);
    let m = group(&format!("{:+.*}", d, e.mean));
    match e.half_width {
        Some(h) => format!("{m} ± {}", group(&format!("{:.*}", d, h))),
        None => m,
    }
}

/// "pays back in every replication: median 1.9 years (10–90 % of outcomes 1.8–2.0 years)",
/// or "does not pay back within the 8-year life in 28 of 30 replications …".
pub fn payback(o: &Outcomes, life: u32) -> String {
    payback_over(o, life, "replication")
}

/// A share in %, never rounded to "100 %" or "0 %" unless it is exactly
/// that: 1495 of 1500 is 99.7 %, not certain.
pub fn share_pct(share: f64) -> String {
    let p = share * 100.0;
    if (p > 99.5 && p < 100.0) || (p > 0.0 && p < 0.5) {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

/// As [`payback`], counting `each` ("replication", or "outcome" where
/// each replication is paired with many price draws).
pub fn payback_over(o: &Outcomes, life: u32, each: &str) -> String {
    let paid = o.n - o.undefined;
    let years = |y: f64| trf("{n} years", &[("n", &format!("{y:.1}"))]);
    let yrs =
        |v: Option<f64>| v.map_or_else(|| trf("beyond {life} years", &[("life", &life)]), years);
    let range = match (o.p10, o.p90) {
        (Some(a), Some(b)) => trf(
            "10–90 % of outcomes {low} to {high} years",
            &[("low", &format!("{a:.1}")), ("high", &format!("{b:.1}"))],
        ),
        _ => trf(
            "10–90 % of outcomes {low} to {high}",
            &[("low", &yrs(o.p10)), ("high", &yrs(o.p90))],
        ),
    };
    let (one, many) = (tr(each), tr(&format!("{each}s")));
    if o.n == 0 {
        "–".into()
    } else if o.undefined == 0 {
        trf(
            "pays back in every {each}: median {median} ({range})",
            &[
                ("each", &one),
                ("median", &yrs(o.median)),
                ("range", &range),
            ],
        )
    } else if o.median.is_some() {
        trf(
            "pays back within the {life}-year life in {paid} of {n} {each} ({share}): median {median} ({range})",
            &[
                ("life", &life),
                ("paid", &paid),
                ("n", &o.n),
                ("each", &many),
                ("share", &share_pct(o.defined_share())),
                ("median", &yrs(o.median)),
                ("range", &range),
            ],
        )
    } else {
        trf(
            "does not pay back within the {life}-year life in {unpaid} of {n} {each} (pays back in {paid}, {share})",
            &[
                ("life", &life),
                ("unpaid", &o.undefined),
                ("n", &o.n),
                ("each", &many),
                ("paid", &paid),
                ("share", &share_pct(o.defined_share())),
            ],
        )
    }
}

/// "median 512,000,000 KRW (10–90 % of outcomes 480,000,000 to 540,000,000);
/// mean 512,000,000 ± 22,500,000 (95 % interval of the mean); positive in 30 of 30".
pub fn npv(o: &Outcomes, positive_share: f64, currency: &str) -> String {
    let m = |v: Option<f64>| v.map_or("–".into(), money);
    let mut t = trf(
        "median {median} {currency} (10–90 % of outcomes {low} to {high})",
        &[
            ("median", &m(o.median)),
            ("currency", &currency),
            ("low", &m(o.p10)),
            ("high", &m(o.p90)),
        ],
    );
    if let Some(e) = &o.mean {
        t.push_str(&trf(
            "; mean {mean} ± {half} (95 % interval of the mean)",
            &[
                ("mean", &money(e.mean)),
                ("half", &money(e.half_width.unwrap_or(0.0))),
            ],
        ));
    }
    let positive = (positive_share * f64::from(o.n)).round() as u32;
    t.push_str(&trf(
        "; positive in {positive} of {n} ({share})",
        &[
            ("positive", &positive),
            ("n", &o.n),
            ("share", &share_pct(positive_share)),
        ],
    ));
    t
}

/// "median 48.2 % (10–90 % of outcomes 45.0 to 51.3 %)", with the
/// replications that have no IRR said.
pub fn irr(o: &Outcomes) -> String {
    let p = |v: Option<f64>| v.map_or_else(|| tr("none"), |r| format!("{r:.1} %"));
    // A series whose flows never change sign (never any year in profit) has
    // no IRR; it ranks below every rate.
    let none = if o.undefined > 0 {
        trf(
            "; no IRR in {none} of {n} replications (no year's cash flow is positive)",
            &[("none", &o.undefined), ("n", &o.n)],
        )
    } else {
        String::new()
    };
    if o.median.is_none() {
        return trf(
            "no IRR in {none} of {n} replications (no year's cash flow is positive); where there is one, the best 10 % reach {best}",
            &[("none", &o.undefined), ("n", &o.n), ("best", &p(o.p90))],
        );
    }
    trf(
        "median {median} (10–90 % of outcomes {low} to {high}){none}",
        &[
            ("median", &p(o.median)),
            ("low", &p(o.p10)),
            ("high", &p(o.p90)),
            ("none", &none),
        ],
    )
}

/// The business case's answer in one sentence.
pub fn case_answer(c: &BusinessCase) -> String {
    let life = c.investment.life_years;
    let p = &c.payback_years;
    if p.n == 0 {
        return tr("no replications");
    }
    let share = p.defined_share();
    let paid = p.n - p.undefined;
    let subsidy = if c.investment.subsidy > 0.0 {
        let w = &c.payback_without_subsidy_years;
        trf(
            " with the subsidy ({paid} of {n} without it)",
            &[("paid", &(w.n - w.undefined)), ("n", &w.n)],
        )
    } else {
        String::new()
    };
    let median = p.median.map_or("–".into(), |y| {
        trf("{n} years", &[("n", &format!("{y:.1}"))])
    });
    let template = if share >= 0.9 {
        "It pays back: within the {life}-year life in {paid} of {n} replications{subsidy}, after {median} (median)."
    } else if share >= 0.5 {
        "It may pay back: within the {life}-year life in only {paid} of {n} replications{subsidy} (median {median})."
    } else {
        "It does not pay back in most replications: within the {life}-year life in only {paid} of {n}{subsidy}."
    };
    trf(
        template,
        &[
            ("life", &life),
            ("paid", &paid),
            ("n", &p.n),
            ("subsidy", &subsidy),
            ("median", &median),
        ],
    )
}

/// The business case's answer as a line of the comparison's headline
/// ("business case: it pays back …"): `compare` puts it first, and the first
/// page, which says the case in its own words, leaves this line out.
pub fn case_headline(c: &BusinessCase) -> String {
    let answer = case_answer(c).replacen("It ", "it ", 1);
    trf("business case: {answer}", &[("answer", &answer)])
}

/// Why a station's effectiveness (and so its OEE) can read above 100 %:
/// the ideal cycle is the scene's mean, and a run's drawn cycles can
/// average below it. `None` when no station reads above 100 %.
pub fn effectiveness_over_100(s: &crate::experiment::Summary) -> Option<String> {
    let over: Vec<&str> = s
        .stations
        .iter()
        .filter(|st| st.effectiveness.n > 0 && st.effectiveness.mean >= 1.0005)
        .map(|st| st.id.as_str())
        .collect();
    (!over.is_empty()).then(|| {
        format!(
            "effectiveness above 100 % ({}): the ideal cycle is the scene's mean cycle time, and the cycle times drawn in these runs averaged slightly below it; sampling noise, not a machine faster than its rating",
            over.join(", ")
        )
    })
}

/// "vehicles, share of their working time driving empty to fetch a part:
/// agv 31.2 ± 0.4 % (each: 1 busy 40.1 ± 0.9 %, 33.0 % empty; 2 ...)",
/// one clause per fleet; `None` without one.
pub fn empty_travel(s: &crate::experiment::Summary) -> Option<String> {
    let pct = |e: &crate::kpi::Estimate| match e.half_width {
        Some(h) if e.n > 1 => format!("{:.1} ± {:.1} %", e.mean * 100.0, h * 100.0),
        _ => format!("{:.1} %", e.mean * 100.0),
    };
    let each: Vec<String> = s
        .stations
        .iter()
        .filter_map(|st| {
            let e = st.empty_travel_share.as_ref()?;
            let vehicles: Vec<String> = st
                .vehicles
                .iter()
                .enumerate()
                .filter(|(_, v)| v.utilisation.n > 0)
                .map(|(k, v)| {
                    let empty = match v.empty_travel_share.n {
                        0 => String::new(),
                        _ => format!(", {:.1} % empty", v.empty_travel_share.mean * 100.0),
                    };
                    format!("{} busy {}{empty}", k + 1, pct(&v.utilisation))
                })
                .collect();
            let each = if vehicles.len() > 1 {
                format!(" (each: {})", vehicles.join("; "))
            } else {
                String::new()
            };
            (e.n > 0).then(|| format!("{} {}{each}", st.id, pct(e)))
        })
        .collect();
    (!each.is_empty()).then(|| {
        format!(
            "vehicles, share of their working time driving empty to fetch a part: {}",
            each.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::Estimate;

    #[test]
    fn money_in_sensible_units() {
        assert_eq!(money(512_300_000.0), "512 M");
        assert_eq!(money(1_250_000_000.0), "1.25 B");
        assert_eq!(money(3_904.47), "3,900");
        assert_eq!(money(-28_200_000.0), "−28.2 M");
        let e = Estimate {
            mean: 2_320_000.0,
            half_width: Some(183_000.0),
            n: 3,
        };
        assert_eq!(money_estimate(&e), "2.32 ± 0.183 M");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group("1237.32"), "1,237.32");
        assert_eq!(group("-12345"), "−12,345");
        assert_eq!(group("-0.5"), "−0.5");
        assert_eq!(group("+1234567.5"), "+1,234,567.5");
        assert_eq!(group("999.9"), "999.9");
        let e = Estimate {
            mean: 1237.15,
            half_width: Some(5.56),
            n: 20,
        };
        assert_eq!(estimate(&e), "1,237.15 ± 5.56");
    }
}
