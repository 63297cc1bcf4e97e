//! Comparing scenarios: every scenario runs the same replications with common
//! random numbers (replication k draws the same streams for every object the
//! scenarios share), and each KPI is compared through its paired differences.

use super::{Options, RunError, Summary, run_jobs};
use crate::kpi::{Estimate, RunResult};
use crate::lang::{tr, trf};
use crate::scene::Scene;
use serde::Serialize;

/// One KPI of the comparison.
#[derive(Clone, Copy, Debug)]
pub struct Kpi {
    /// Short name for the command line (`--by good_per_hour`).
    pub key: &'static str,
    pub family: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    /// Whether a larger value is better (for the plain-language verdict).
    pub higher_is_better: bool,
    pub value: fn(&RunResult) -> Option<f64>,
    /// Why a scenario can have no value, said instead of a verdict.
    pub undefined_when: &'static str,
}

impl Kpi {
    /// The unit of a difference: percentage points for a KPI in %.
    pub fn difference_unit(&self) -> &'static str {
        if self.unit == "%" { "pp" } else { self.unit }
    }
}

/// The KPIs compared, grouped in the five families smart-factory programmes report.
pub const KPIS: [Kpi; 13] = [
    Kpi {
        key: "good_per_hour",
        family: "productivity",
        name: "good parts per hour",
        unit: "parts/h",
        higher_is_better: true,
        value: |r| Some(r.line.good_per_hour),
        undefined_when: "no output was measured",
    },
    Kpi {
        key: "good_per_labour_hour",
        family: "productivity",
        name: "good parts per labour hour",
        unit: "parts/h",
        higher_is_better: true,
        value: |r| {
            (r.line.labour_hours > 0.0).then(|| r.line.good_parts as f64 / r.line.labour_hours)
        },
        undefined_when: "it pays no labour (no operator pool, or none on shift)",
    },
    Kpi {
        key: "line_oee",
        family: "productivity",
        name: "line OEE",
        unit: "%",
        higher_is_better: true,
        value: |r| r.line.line_oee.map(|v| v * 100.0),
        undefined_when: "its pacing resource has no OEE (a transfer robot or vehicles)",
    },
    Kpi {
        key: "scrap_rate",
        family: "quality",
        name: "scrap rate",
        unit: "%",
        higher_is_better: false,
        value: |r| Some(r.line.scrap_ratio * 100.0),
        undefined_when: "no part was finished",
    },
    Kpi {
        key: "first_pass_yield",
        family: "quality",
        name: "first-pass yield",
        unit: "%",
        higher_is_better: true,
        value: |r| r.line.first_pass_yield.map(|v| v * 100.0),
        undefined_when: "no part was finished",
    },
    Kpi {
        key: "cost_per_good_part",
        family: "cost",
        name: "running cost per good part",
        unit: "currency",
        higher_is_better: false,
        value: |r| r.line.cost_per_good_part,
        undefined_when: "it made no good part, or the scene has no `economics`",
    },
    Kpi {
        key: "cost_per_good_part_with_capital",
        family: "cost",
        name: "cost per good part with capital",
        unit: "currency",
        higher_is_better: false,
        value: |r| r.line.cost_per_good_part_with_capital,
        undefined_when: "it made no good part, or the scene has no `economics`",
    },
    Kpi {
        key: "energy_per_good_part",
        family: "cost",
        name: "energy per good part",
        unit: "kWh",
        higher_is_better: false,
        value: |r| r.line.energy_kwh_per_good_part,
        undefined_when: "it made no good part, or no station has a power rating (`power_kw`)",
    },
    Kpi {
        key: "lead_time",
        family: "delivery",
        name: "mean lead time",
        unit: "min",
        higher_is_better: false,
        value: |r| r.line.lead_time_s.mean.map(|s| s / 60.0),
        undefined_when: "no part left the line",
    },
    Kpi {
        key: "on_time_share",
        family: "delivery",
        name: "on-time share",
        unit: "%",
        higher_is_better: true,
        value: |r| r.line.on_time_share.map(|v| v * 100.0),
        undefined_when: "its parts have no due date (`due_in`)",
    },
    Kpi {
        key: "orders_on_time",
        family: "delivery",
        name: "orders on time",
        unit: "%",
        higher_is_better: true,
        value: |r| {
            r.line
                .orders
                .as_ref()
                .and_then(|o| o.on_time_share)
                .map(|v| v * 100.0)
        },
        undefined_when: "it has no order book, or no order was completed or late",
    },
    Kpi {
        key: "demand_turned_away",
        family: "delivery",
        name: "demand turned away",
        unit: "%",
        higher_is_better: false,
        value: |r| r.line.demand_turned_away.map(|d| d.share * 100.0),
        undefined_when: "its sources are saturated (no arrivals to turn away)",
    },
    Kpi {
        key: "safety_exposure",
        family: "safety",
        name: "time in robot envelopes",
        unit: "person-h/week",
        higher_is_better: false,
        value: |r| {
            r.line
                .safety_exposure_h
                .map(|h| h / (r.observed_s / 3600.0).max(1e-9) * 168.0)
        },
        undefined_when: "it has neither robots nor operator posts to walk from",
    },
];

/// A KPI of one variant against the base.
#[derive(Clone, Debug, Serialize)]
pub struct KpiComparison {
    /// The KPI's short name (`good_per_hour`).
    pub key: &'static str,
    pub family: &'static str,
    pub kpi: &'static str,
    pub unit: &'static str,
    pub base: Estimate,
    pub variant: Estimate,
    /// Mean and 95 % interval of the paired differences (variant − base).
    pub difference: Estimate,
    /// The difference's unit: "pp" (percentage points) for a KPI in %.
    pub difference_unit: &'static str,
    /// The difference relative to the base's mean, in %.
    pub relative_change: Option<f64>,
    /// The interval of the difference excludes zero.
    pub significant: bool,
    /// "better", "worse", "no significant change", "spare capacity" (line
    /// OEE down while output holds) or "not comparable" (undefined in a scenario).
    pub verdict: &'static str,
    /// What the verdict rests on, where it needs saying.
    pub note: Option<String>,
}

impl KpiComparison {
    /// Neither scenario models it (no order book, no due dates, no
    /// economics…): reports leave its row out and name it once.
    pub fn undefined_in_both(&self) -> bool {
        self.base.n == 0 && self.variant.n == 0
    }
}

/// One variant against the base.
#[derive(Clone, Debug, Serialize)]
pub struct VariantComparison {
    pub variant: String,
    /// What changed most for the decision, in order: output, cost per good
    /// part (with capital when there is an investment), then the other
    /// significant changes by size.
    pub headline: Vec<String>,
    pub kpis: Vec<KpiComparison>,
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The JSON schema's version ([`super::FORMAT_VERSION`]).
    pub format_version: u32,
    pub base: String,
    /// Replications compared (fewer than asked for when stopped early).
    pub replications: u32,
    pub replications_requested: u32,
    pub seed: u64,
    pub variants: Vec<VariantComparison>,
    /// Families the scenes do not model yet, said rather than left out.
    pub not_modelled: Vec<&'static str>,
    /// Every scenario's own summary (base first), for reports.
    #[serde(skip)]
    pub scenarios: Vec<Summary>,
}

/// Paired differences `variant[k] − base[k]` over replications where both are defined.
pub fn paired_difference(base: &[Option<f64>], variant: &[Option<f64>]) -> Estimate {
    let d: Vec<f64> = base
        .iter()
        .zip(variant)
        .filter_map(|(b, v)| Some((*v)? - (*b)?))
        .collect();
    Estimate::of(&d)
}

fn estimate(values: &[Option<f64>]) -> Estimate {
    Estimate::of(&values.iter().flatten().copied().collect::<Vec<_>>())
}

/// One KPI of the base and a variant, through the paired differences.
fn compare_kpi(kpi: &Kpi, b: &[Option<f64>], v: &[Option<f64>]) -> KpiComparison {
    let difference = paired_difference(b, v);
    let (base, variant) = (estimate(b), estimate(v));
    let significant = difference
        .half_width
        .is_some_and(|h| difference.mean.abs() > h);
    let missing = match (base.n, variant.n) {
        (0, 0) => Some(format!("undefined in both: {}", kpi.undefined_when)),
        (0, _) => Some(format!("undefined in the base: {}", kpi.undefined_when)),
        (_, 0) => Some(format!("undefined in the variant: {}", kpi.undefined_when)),
        _ => None,
    };
    let verdict = match (
        &missing,
        significant,
        (difference.mean > 0.0) == kpi.higher_is_better,
    ) {
        (Some(_), _, _) => "not comparable",
        (None, false, _) => "no significant change",
        (None, true, true) => "better",
        (None, true, false) => "worse",
    };
    KpiComparison {
        key: kpi.key,
        family: kpi.family,
        kpi: kpi.name,
        unit: kpi.unit,
        relative_change: (base.n > 0 && base.mean.abs() > 0.0 && difference.n > 0)
            .then(|| difference.mean / base.mean.abs() * 100.0),
        base,
        variant,
        difference,
        difference_unit: kpi.difference_unit(),
        significant,
        verdict,
        note: missing,
    }
}

/// Line OEE is the OEE of the resource that paces the line. When it falls
/// while output does not, that resource waits more: spare capacity, not a
/// loss. When the pacing resource differs between the scenarios, the two
/// figures are OEEs of different things: said.
fn explain_line_oee(kpis: &mut [KpiComparison], base: &[RunResult], variant: &[RunResult]) {
    let output_fell = kpis
        .iter()
        .find(|k| k.key == "good_per_hour")
        .is_some_and(|k| k.significant && k.difference.mean < 0.0);
    // Every resource that paced some replication, in id order.
    let pacing = |rs: &[RunResult]| {
        let mut ids: Vec<String> = super::summary::shares(super::summary::pacing(rs))
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        ids.sort_unstable();
        ids.join(", ")
    };
    let (pb, pv) = (pacing(base), pacing(variant));
    let Some(k) = kpis.iter_mut().find(|k| k.key == "line_oee") else {
        return;
    };
    if k.verdict != "worse" && pb == pv {
        return;
    }
    let mut note = Vec::new();
    if pb != pv {
        // OEEs of different resources: a rise or fall says nothing by itself.
        k.verdict = "not comparable";
        note.push(format!(
            "line OEE is the OEE of {pb} in the base and of {pv} in the variant: compare output instead"
        ));
        k.note = Some(note.join("; "));
        return;
    }
    if k.verdict == "worse" && !output_fell {
        k.verdict = "spare capacity";
        note.push(
            "the pacing resource waits more while output does not fall: spare capacity, not a loss"
                .into(),
        );
    }
    k.note = Some(note.join("; "));
}

/// A cost KPI undefined because the scenes have no prices says that, not
/// "no good part or no economics"; the cost with capital of scenes without
/// an investment is the running cost again, and said to be.
fn explain_not_modelled(kpis: &mut [KpiComparison], base: &Scene, variant: &Scene) {
    let priced = (base.economics.is_some(), variant.economics.is_some());
    for k in kpis.iter_mut() {
        if !k.key.starts_with("cost_per_good_part") {
            continue;
        }
        let which = match priced {
            (false, false) => Some("not modelled: neither scene has `economics` (prices)"),
            (false, true) => Some("not modelled in the base: it has no `economics` (prices)"),
            (true, false) => Some("not modelled in the variant: it has no `economics` (prices)"),
            (true, true) => None,
        };
        if let Some(w) = which {
            k.verdict = "not comparable";
            k.note = Some(w.into());
        } else if k.key == "cost_per_good_part_with_capital"
            && base.investment.is_none()
            && variant.investment.is_none()
        {
            k.note = Some("neither scene has an `investment`: the same as the running cost".into());
        }
    }
}

/// The changes that matter most for the decision, in words.
fn headline(kpis: &[KpiComparison], investment: bool, currency: Option<&str>) -> Vec<String> {
    let by_key = |key: &str| kpis.iter().find(|k| k.key == key);
    let unit = |u: &'static str| -> String {
        match (u, currency) {
            ("currency", Some(c)) => c.to_string(),
            _ => u.to_string(),
        }
    };
    // Signed figures print the minus sign (U+2212), as the reports do.
    let signed = |v: f64, digits: usize| format!("{v:+.digits$}").replace('-', "\u{2212}");
    let line = |k: &KpiComparison| {
        let rel = k
            .relative_change
            .filter(|_| k.unit != "%")
            .map(|r| format!(" ({} %)", signed(r, 1)))
            .unwrap_or_default();
        let half = k.difference.half_width.unwrap_or(f64::NAN);
        let kpi = tr(k.kpi);
        match k.verdict {
            "not comparable" => format!("{kpi}: {}", k.note.as_deref().map(tr).unwrap_or_default()),
            "no significant change" => trf(
                "{kpi}: no significant change ({difference} ± {half} {unit})",
                &[
                    ("kpi", &kpi),
                    ("difference", &signed(k.difference.mean, 2)),
                    ("half", &format!("{half:.2}")),
                    ("unit", &unit(k.difference_unit)),
                ],
            ),
            v => format!(
                "{kpi} {}: {:.2} → {:.2} {}, {} ± {half:.2} {}{rel}{}",
                tr(v),
                k.base.mean,
                k.variant.mean,
                unit(k.unit),
                signed(k.difference.mean, 2),
                unit(k.difference_unit),
                k.note
                    .as_ref()
                    .map(|n| format!(" ({})", tr(n)))
                    .unwrap_or_default()
            ),
        }
    };
    let cost_key = if investment {
        "cost_per_good_part_with_capital"
    } else {
        "cost_per_good_part"
    };
    let lead = ["good_per_hour", cost_key];
    // A cost per good part can fall while output falls more: the margin on
    // the parts no longer made is in no per-part cost, so say so beside it.
    let fewer = by_key("good_per_hour")
        .filter(|k| k.verdict == "worse")
        .map(|k| -k.difference.mean);
    let line = |k: &KpiComparison| {
        let text = line(k);
        match fewer {
            Some(f) if k.key.starts_with("cost_per_good_part") && k.verdict == "better" => trf(
                "{line}; the margin on the {fewer} fewer good parts per hour is not in it",
                &[
                    (
                        "line",
                        &text.replacen(
                            &format!(" {}:", tr("better")),
                            &format!(" {}:", tr("lower per part made")),
                            1,
                        ),
                    ),
                    ("fewer", &format!("{f:.2}")),
                ],
            ),
            _ => text,
        }
    };
    let mut out: Vec<String> = lead.iter().filter_map(|k| by_key(k)).map(line).collect();
    let mut rest: Vec<&KpiComparison> = kpis
        .iter()
        .filter(|k| !lead.contains(&k.key) && k.significant && k.note.is_none())
        .collect();
    rest.sort_by(|a, b| {
        let size = |k: &KpiComparison| k.relative_change.map_or(0.0, f64::abs);
        size(b).total_cmp(&size(a))
    });
    out.extend(rest.into_iter().map(line));
    // The KPIs that need a word, except a cost with capital that only
    // repeats the running cost (no investment).
    out.extend(
        kpis.iter()
            .filter(|k| {
                !lead.contains(&k.key)
                    && k.note.is_some()
                    && (k.base.n > 0 || k.variant.n > 0)
                    && (investment || k.key != "cost_per_good_part_with_capital")
            })
            .map(line),
    );
    out
}

/// Splits replication-major job results into one list per scenario, keeping
/// only the replications every scenario finished (a stop can cut the last
/// ones short).
pub(crate) fn pair_up(
    done: Vec<Option<super::Replication>>,
    scenarios: usize,
) -> Vec<Vec<RunResult>> {
    let mut runs: Vec<Vec<RunResult>> = vec![Vec::new(); scenarios];
    let mut done = done.into_iter();
    loop {
        let rep: Vec<_> = done.by_ref().take(scenarios).collect();
        if rep.len() < scenarios {
            break;
        }
        if rep.iter().all(Option::is_some) {
            for (i, r) in rep.into_iter().enumerate() {
                runs[i].push(r.expect("checked").result);
            }
        }
    }
    runs
}

/// Runs the base and each variant with common random numbers and compares them.
pub fn compare(
    base: &Scene,
    variants: &[Scene],
    options: &Options,
) -> Result<Comparison, RunError> {
    let mut scenes = vec![base.clone()];
    for v in variants {
        let mut v = v.clone();
        // Common random numbers need the same seed in every scenario.
        v.run.seed = base.run.seed;
        scenes.push(v);
    }
    let requested = options.replications.unwrap_or(base.run.replications).max(2);
    // Replication-major order: when stopped early, whole pairs are done.
    let jobs: Vec<(&Scene, u32)> = (0..requested)
        .flat_map(|r| scenes.iter().map(move |s| (s, r)))
        .collect();
    let runs = pair_up(run_jobs(&jobs, options)?, scenes.len());
    if runs[0].len() < 2 {
        return Err(RunError::Stopped);
    }
    let values = |rs: &[RunResult], kpi: &Kpi| rs.iter().map(kpi.value).collect::<Vec<_>>();
    let variants = scenes[1..]
        .iter()
        .zip(&runs[1..])
        .map(|(scene, vr)| {
            let kpis: Vec<KpiComparison> = KPIS
                .iter()
                .map(|kpi| compare_kpi(kpi, &values(&runs[0], kpi), &values(vr, kpi)))
                .collect();
            let mut kpis = kpis;
            explain_line_oee(&mut kpis, &runs[0], vr);
            explain_not_modelled(&mut kpis, base, scene);
            VariantComparison {
                variant: scene.name.clone(),
                headline: headline(
                    &kpis,
                    scene.investment.is_some(),
                    base.economics.as_ref().map(|e| e.currency.as_str()),
                ),
                kpis,
            }
        })
        .collect();
    let replications = runs[0].len() as u32;
    Ok(Comparison {
        format_version: super::FORMAT_VERSION,
        base: base.name.clone(),
        replications,
        replications_requested: requested,
        seed: base.run.seed,
        variants,
        not_modelled: if runs
            .iter()
            .flatten()
            .any(|r| r.line.safety_exposure_h.is_some())
        {
            Vec::new()
        } else {
            vec![
                "safety (operator time inside robot envelopes: these scenes have neither robots nor operator pools with a `pos` to walk from)",
            ]
        },
        scenarios: scenes
            .iter()
            .zip(runs)
            .map(|(s, r)| Summary::from_runs(s, r))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_interval_matches_a_hand_computation() {
        // Differences 1, 2, 2, 3: mean 2, sd 0.8165, se 0.40825, t(3) = 3.182 → ±1.2991.
        let base = [Some(10.0), Some(11.0), Some(9.0), Some(10.0)];
        let variant = [Some(11.0), Some(13.0), Some(11.0), Some(13.0)];
        let d = paired_difference(&base, &variant);
        assert_eq!(d.mean, 2.0);
        assert!(
            (d.half_width.unwrap() - 1.2991).abs() < 1e-3,
            "{:?}",
            d.half_width
        );
        assert_eq!(d.n, 4);
    }

    #[test]
    fn undefined_replications_drop_out_of_the_pairs() {
        let d = paired_difference(&[Some(1.0), None, Some(3.0)], &[Some(2.0), Some(5.0), None]);
        assert_eq!((d.mean, d.n), (1.0, 1));
    }
}
