//! The robot business case: from the simulated differences between a base
//! scene and a variant (good output, labour hours, energy, scrap) to yearly
//! cash flows, payback, NPV and IRR, each with a 95 % interval over the
//! paired replications, plus a tornado of the main assumptions.
//!
//! Every replication k of the base is paired with replication k of the
//! variant (common random numbers), turned into its own cash-flow series,
//! and the figures are estimated over those series. Payback, NPV and IRR
//! are distributions over the replications ([`outcomes`]): the chance of
//! paying back within the life, the median and the 10–90 % range of
//! outcomes, and the mean with the 95 % interval of the mean, each labelled.

pub mod finance;
pub(crate) mod outcomes;

pub use outcomes::{Outcomes, Undefined};

use crate::error::Diagnostic;
use crate::experiment::{Options, RunError, run_jobs};
use crate::kpi::{Estimate, RunResult};
use crate::scene::{Economics, Investment, Object, Scene, Value, set_param};
use serde::Serialize;

/// The assumptions that turn simulated figures into money.
#[derive(Clone, Debug, Serialize)]
pub struct Assumptions {
    pub currency: String,
    pub unit_margin: f64,
    pub energy_per_kwh: f64,
    pub scrap_cost: f64,
    pub discount_rate: f64,
    pub weeks_per_year: f64,
    /// The measured window (the horizon after warm-up), hours.
    pub window_h: f64,
    /// Measured window → one year: `weeks_per_year × 168 / window_h`.
    pub annual_factor: f64,
}

/// The investment as entered, and the subsidy it earns.
#[derive(Clone, Debug, Serialize)]
pub struct InvestmentFigures {
    pub items: Vec<(String, f64)>,
    pub gross: f64,
    pub subsidy_rate: Option<f64>,
    pub subsidy_cap: Option<f64>,
    pub subsidy: f64,
    /// Whether the cap, not the rate, set the subsidy.
    pub cap_binding: bool,
    pub net: f64,
    pub life_years: u32,
    pub maintenance_per_year: f64,
    pub residual_value: f64,
}

/// What the change does in a year, variant − base, each over the replications.
#[derive(Clone, Debug, Serialize)]
pub struct YearlyEffects {
    pub extra_good_parts: Estimate,
    pub margin_gain: Estimate,
    pub labour_hours_saved: Estimate,
    pub labour_saving: Estimate,
    pub energy_saving: Estimate,
    pub scrap_saving: Estimate,
    pub maintenance: f64,
    /// The sum of the above: the yearly cash flow the investment buys.
    pub net_cash_flow: Estimate,
}

/// One year of the cumulative cash flow: mean and 95 % interval.
#[derive(Clone, Debug, Serialize)]
pub struct CumulativePoint {
    pub year: u32,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// One bar of the tornado: NPV with the assumption at its low and high setting.
#[derive(Clone, Debug, Serialize)]
pub struct TornadoBar {
    pub assumption: String,
    pub low_setting: String,
    pub high_setting: String,
    pub npv_low: f64,
    pub npv_high: f64,
}

/// The whole business case of one variant against the base.
#[derive(Clone, Debug, Serialize)]
pub struct BusinessCase {
    pub base: String,
    pub variant: String,
    pub replications: u32,
    pub assumptions: Assumptions,
    pub investment: InvestmentFigures,
    pub yearly: YearlyEffects,
    /// NPV over the replications (with the subsidy).
    pub npv: Outcomes,
    pub npv_without_subsidy: Outcomes,
    /// Share of replications with a positive NPV, with and without the subsidy.
    pub npv_positive_share: f64,
    pub npv_positive_share_without_subsidy: f64,
    /// IRR in %, with and without the subsidy; a replication whose flows never
    /// turn positive has none (ranked below every rate).
    pub irr: Outcomes,
    pub irr_without_subsidy: Outcomes,
    /// Years to pay back; a replication that does not pay back within the
    /// life has none (ranked after every payback).
    pub payback_years: Outcomes,
    pub payback_without_subsidy_years: Outcomes,
    /// The same figures (with the subsidy) when the price assumptions are
    /// uncertain too: see [`PriceUncertainty`].
    pub with_price_uncertainty: PriceUncertainty,
    /// Cumulative cash flow, years 0 to life, with the subsidy.
    pub cumulative: Vec<CumulativePoint>,
    /// Largest swing first.
    pub tornado: Vec<TornadoBar>,
    /// Caveats the reader should know.
    pub notes: Vec<String>,
}

/// What a business case needs from the scenes, checked before anything runs.
pub fn check_inputs(base: &Scene, variant: &Scene) -> Result<(), Diagnostic> {
    assumptions(base)?;
    investment(variant)?;
    Ok(())
}

fn assumptions(base: &Scene) -> Result<Assumptions, Diagnostic> {
    let e: &Economics = base.economics.as_ref().ok_or_else(|| {
        Diagnostic::new(format!(
            "the base scene \"{}\" has no `economics`: a business case needs prices",
            base.name
        ))
        .with_help("add economics: (currency: \"EUR\", unit_margin: ..., energy_per_kwh: ..., scrap_cost: ..., discount_rate: 0.06, weeks_per_year: 48)")
    })?;
    let need = |v: Option<f64>, field: &str, example: &str| {
        v.ok_or_else(|| {
            Diagnostic::new(format!(
                "the base scene's economics has no `{field}`: the business case needs it"
            ))
            .with_help(format!("add `{field}: {example}` to economics"))
        })
    };
    let discount_rate = need(e.discount_rate, "discount_rate", "0.06")?;
    let weeks_per_year = need(e.weeks_per_year, "weeks_per_year", "48")?;
    let window_h = base.run.horizon.secs() / 3600.0;
    Ok(Assumptions {
        currency: e.currency.clone(),
        unit_margin: e.unit_margin,
        energy_per_kwh: e.energy_per_kwh,
        scrap_cost: e.scrap_cost,
        discount_rate,
        weeks_per_year,
        window_h,
        annual_factor: weeks_per_year * 168.0 / window_h,
    })
}

fn investment(variant: &Scene) -> Result<InvestmentFigures, Diagnostic> {
    let inv: &Investment = variant.investment.as_ref().ok_or_else(|| {
        Diagnostic::new(format!(
            "\"{}\" has no `investment`: a business case needs what the change costs",
            variant.name
        ))
        .with_help("add investment: (capex: ..., subsidy: (rate: 0.5, cap: ...), life_years: 8) to the variant")
    })?;
    Ok(InvestmentFigures::of(inv))
}

impl InvestmentFigures {
    /// The figures of an investment as entered.
    pub fn of(inv: &Investment) -> Self {
        let gross = inv.gross();
        let subsidy = inv.subsidy_amount();
        InvestmentFigures {
            items: if inv.items.is_empty() {
                vec![("capital cost".to_string(), gross)]
            } else {
                inv.items.clone()
            },
            gross,
            subsidy_rate: inv.subsidy.as_ref().map(|s| s.rate),
            subsidy_cap: inv.subsidy.as_ref().map(|s| s.cap),
            subsidy,
            cap_binding: inv.subsidy.as_ref().is_some_and(|s| s.rate * gross > s.cap),
            net: gross - subsidy,
            life_years: inv.life_years as u32,
            maintenance_per_year: inv.maintenance_per_year,
            residual_value: inv.residual_value,
        }
    }

    /// The cash-flow series, year 0 to life, of a change that brings in
    /// `annual` a year before maintenance: the outlay (net of the subsidy,
    /// or gross) at year 0, the residual value in the last year.
    pub fn flows(&self, annual: f64, with_subsidy: bool) -> Vec<f64> {
        let outlay = if with_subsidy { self.net } else { self.gross };
        let mut flows = vec![-outlay];
        flows.extend((0..self.life_years).map(|_| annual - self.maintenance_per_year));
        *flows.last_mut().expect("life ≥ 1 year") += self.residual_value;
        flows
    }
}

/// Scales applied to the assumptions for the tornado (1 = as entered).
#[derive(Clone, Copy)]
struct Levers {
    wage: f64,
    margin: f64,
    energy_price: f64,
    with_subsidy: bool,
}

const AS_ENTERED: Levers = Levers {
    wage: 1.0,
    margin: 1.0,
    energy_price: 1.0,
    with_subsidy: true,
};

/// One replication pair's yearly effects: [extra good, margin, labour h, labour, energy, scrap].
fn yearly(a: &Assumptions, b: &RunResult, v: &RunResult, l: Levers) -> [f64; 6] {
    let f = a.annual_factor;
    let extra = (v.line.good_parts as f64 - b.line.good_parts as f64) * f;
    [
        extra,
        extra * a.unit_margin * l.margin,
        (b.line.labour_hours - v.line.labour_hours) * f,
        (b.line.labour_cost - v.line.labour_cost) * f * l.wage,
        (b.line.energy_kwh - v.line.energy_kwh) * a.energy_per_kwh * f * l.energy_price,
        (b.line.scrapped as f64 - v.line.scrapped as f64) * a.scrap_cost * f,
    ]
}

/// The cash-flow series of one replication pair: year 0 to life.
fn flows(
    a: &Assumptions,
    inv: &InvestmentFigures,
    b: &RunResult,
    v: &RunResult,
    l: Levers,
) -> Vec<f64> {
    let y = yearly(a, b, v, l);
    inv.flows(y[1] + y[3] + y[4] + y[5], l.with_subsidy)
}

fn mean_npv(
    a: &Assumptions,
    inv: &InvestmentFigures,
    base: &[RunResult],
    var: &[RunResult],
    l: Levers,
) -> f64 {
    let npvs: Vec<f64> = base
        .iter()
        .zip(var)
        .map(|(b, v)| finance::npv(a.discount_rate, &flows(a, inv, b, v, l)))
        .collect();
    Estimate::of(&npvs).mean
}

/// NPV and payback over the replications *and* the price assumptions'
/// ranges: for every replication pair, [`PRICE_DRAWS`] draws of the wage,
/// the unit margin and the energy price, each uniform within the tornado's
/// ±20 % (the subsidy as granted). Demand and robot reliability change the
/// simulation itself and stay as entered.
#[derive(Clone, Debug, Serialize)]
pub struct PriceUncertainty {
    /// Each lever's range, as a factor on the value entered.
    pub range: (f64, f64),
    /// Draws per replication pair.
    pub draws_per_replication: u32,
    pub npv: Outcomes,
    pub npv_positive_share: f64,
    pub payback_years: Outcomes,
}

/// Price draws per replication pair for [`PriceUncertainty`].
pub const PRICE_DRAWS: u32 = 50;

fn price_uncertainty(
    a: &Assumptions,
    inv: &InvestmentFigures,
    br: &[RunResult],
    vr: &[RunResult],
    seed: u64,
) -> PriceUncertainty {
    let (lo, hi) = (0.8, 1.2);
    // Its own stream: the draws are the same whatever the thread count.
    let mut rng = crate::sim::rng::Stream::new(
        seed,
        0,
        "business case prices",
        crate::sim::rng::Purpose::Mix,
    );
    let mut draw = || lo + (hi - lo) * rng.uniform();
    let mut series = Vec::with_capacity(br.len() * PRICE_DRAWS as usize);
    for (b, v) in br.iter().zip(vr) {
        for _ in 0..PRICE_DRAWS {
            let l = Levers {
                wage: draw(),
                margin: draw(),
                energy_price: draw(),
                with_subsidy: true,
            };
            series.push(flows(a, inv, b, v, l));
        }
    }
    let f = figures(a.discount_rate, &series);
    // The draws of one replication share its simulated figures: they are
    // not independent, so an interval of the mean over all of them would be
    // too narrow. Only the range of outcomes and the shares are kept.
    let no_mean = |o: Outcomes| Outcomes { mean: None, ..o };
    PriceUncertainty {
        range: (lo, hi),
        draws_per_replication: PRICE_DRAWS,
        npv: no_mean(f.npv),
        npv_positive_share: f.npv_positive_share,
        payback_years: no_mean(f.payback),
    }
}

/// Payback, NPV and IRR of each replication's cash-flow series.
struct Figures {
    npv: Outcomes,
    npv_positive_share: f64,
    irr: Outcomes,
    payback: Outcomes,
}

fn figures(rate: f64, series: &[Vec<f64>]) -> Figures {
    let npvs: Vec<Option<f64>> = series.iter().map(|f| Some(finance::npv(rate, f))).collect();
    let positive = npvs.iter().flatten().filter(|v| **v > 0.0).count();
    Figures {
        npv_positive_share: positive as f64 / series.len().max(1) as f64,
        npv: Outcomes::of(&npvs, Undefined::Low),
        irr: Outcomes::of(
            &series
                .iter()
                .map(|f| finance::irr(f).ok().map(|r| r * 100.0))
                .collect::<Vec<_>>(),
            Undefined::Low,
        ),
        payback: Outcomes::of(
            &series
                .iter()
                .map(|f| finance::payback_years(f))
                .collect::<Vec<_>>(),
            Undefined::High,
        ),
    }
}

/// Builds the business case of `variant` against `base` from their paired
/// replications, and reruns both at the tornado's demand and robot-MTBF
/// settings.
pub fn business_case(
    base: &Scene,
    variant: &Scene,
    base_runs: &[RunResult],
    variant_runs: &[RunResult],
    options: &Options,
) -> Result<BusinessCase, RunError> {
    let a = assumptions(base).map_err(RunError::Input)?;
    let inv = investment(variant).map_err(RunError::Input)?;
    let n = base_runs.len().min(variant_runs.len());
    let (br, vr) = (&base_runs[..n], &variant_runs[..n]);
    let per_rep: Vec<[f64; 6]> = br
        .iter()
        .zip(vr)
        .map(|(b, v)| yearly(&a, b, v, AS_ENTERED))
        .collect();
    let col = |i: usize| Estimate::of(&per_rep.iter().map(|y| y[i]).collect::<Vec<_>>());
    let series: Vec<Vec<f64>> = br
        .iter()
        .zip(vr)
        .map(|(b, v)| flows(&a, &inv, b, v, AS_ENTERED))
        .collect();
    let gross_series: Vec<Vec<f64>> = br
        .iter()
        .zip(vr)
        .map(|(b, v)| {
            flows(
                &a,
                &inv,
                b,
                v,
                Levers {
                    with_subsidy: false,
                    ..AS_ENTERED
                },
            )
        })
        .collect();
    let life = inv.life_years;
    let with = figures(a.discount_rate, &series);
    let without = figures(a.discount_rate, &gross_series);
    let cumulative = (0..=life as usize)
        .map(|t| {
            let e = Estimate::of(
                &series
                    .iter()
                    .map(|f| finance::cumulative(f)[t])
                    .collect::<Vec<_>>(),
            );
            CumulativePoint {
                year: t as u32,
                mean: e.mean,
                low: e.low(),
                high: e.high(),
            }
        })
        .collect();

    let mut notes = Vec::new();
    let week_h = 168.0;
    if !base.shifts.is_empty() && ((a.window_h / week_h).fract() > 1e-9) {
        notes.push(format!(
            "the measured window is {:.1} h, not a whole number of weeks: with shifts, scaling it to a year over-weights the weekdays it covers (a window of whole weeks avoids this)",
            a.window_h
        ));
    }
    if base.run.horizon != variant.run.horizon || base.run.warmup != variant.run.warmup {
        notes.push("the base and the variant measure different windows; the comparison scales each by the base's window".into());
    }

    let mut tornado = tornado(base, variant, &a, &inv, br, vr, options)?;
    let flat = without_effect(&mut tornado);
    if !flat.is_empty() {
        notes.push(format!(
            "not in the tornado, as they do not move NPV here: {}",
            flat.join(", ")
        ));
    }
    Ok(BusinessCase {
        base: base.name.clone(),
        variant: variant.name.clone(),
        replications: n as u32,
        yearly: YearlyEffects {
            extra_good_parts: col(0),
            margin_gain: col(1),
            labour_hours_saved: col(2),
            labour_saving: col(3),
            energy_saving: col(4),
            scrap_saving: col(5),
            maintenance: inv.maintenance_per_year,
            net_cash_flow: Estimate::of(&series.iter().map(|f| f[1]).collect::<Vec<_>>()),
        },
        npv: with.npv,
        npv_without_subsidy: without.npv,
        npv_positive_share: with.npv_positive_share,
        npv_positive_share_without_subsidy: without.npv_positive_share,
        irr: with.irr,
        irr_without_subsidy: without.irr,
        payback_years: with.payback,
        payback_without_subsidy_years: without.payback,
        with_price_uncertainty: price_uncertainty(&a, &inv, br, vr, base.run.seed),
        cumulative,
        tornado,
        notes,
        assumptions: a,
        investment: inv,
    })
}

/// Scenes with every source's interarrival mean scaled so demand is `factor` × as entered.
/// The scenes the tornado reruns for a variant's business case (demand
/// −10 %/+10 % for both, the robots' MTBF −50 %/+50 % for the variant),
/// each with the replications of the comparison: what a cluster's plan of
/// a `roi` must run besides the comparison itself.
pub fn tornado_scenes(base: &Scene, variant: &Scene) -> Result<Vec<Scene>, Diagnostic> {
    let mut out = Vec::new();
    for factor in [0.9, 1.1] {
        if let (Some(b), Some(v)) = (with_demand(base, factor)?, with_demand(variant, factor)?) {
            out.extend([b, v]);
        }
    }
    for factor in [0.5, 1.5] {
        out.extend(with_robot_mtbf(variant, factor)?);
    }
    Ok(out)
}

fn with_demand(scene: &Scene, factor: f64) -> Result<Option<Scene>, Diagnostic> {
    with_means(scene, |o| match o {
        Object::Source(src) => src.interarrival.as_ref().map(|d| {
            let path = format!("{}.interarrival.mean", src.id);
            (path, d.mean_secs() / factor)
        }),
        _ => None,
    })
}

/// The variant with the MTBF of every robot that fails scaled by `factor`.
fn with_robot_mtbf(scene: &Scene, factor: f64) -> Result<Option<Scene>, Diagnostic> {
    with_means(scene, |o| match o {
        Object::Robot(r) => r.failures.as_ref().map(|f| {
            let path = format!("{}.failures.between.mean", r.id);
            (path, f.between.mean_secs() * factor)
        }),
        _ => None,
    })
}

/// The scene with the means `pick` names set (parameter path, new mean in
/// seconds); `None` when it names none.
fn with_means(
    scene: &Scene,
    pick: impl Fn(&Object) -> Option<(String, f64)>,
) -> Result<Option<Scene>, Diagnostic> {
    let mut s = scene.clone();
    let mut any = false;
    for (path, mean) in scene.objects.iter().filter_map(pick) {
        set_param(&mut s, &path, &Value::Number(mean))?;
        any = true;
    }
    Ok(any.then_some(s))
}

#[allow(clippy::too_many_arguments)]
fn tornado(
    base: &Scene,
    variant: &Scene,
    a: &Assumptions,
    inv: &InvestmentFigures,
    br: &[RunResult],
    vr: &[RunResult],
    options: &Options,
) -> Result<Vec<TornadoBar>, RunError> {
    let npv = |b: &[RunResult], v: &[RunResult], l: Levers| mean_npv(a, inv, b, v, l);
    let bar = |name: &str, lo: &str, hi: &str, npv_low: f64, npv_high: f64| TornadoBar {
        assumption: name.to_string(),
        low_setting: lo.to_string(),
        high_setting: hi.to_string(),
        npv_low,
        npv_high,
    };
    let mut bars = vec![
        bar(
            "wage",
            "−20 %",
            "+20 %",
            npv(
                br,
                vr,
                Levers {
                    wage: 0.8,
                    ..AS_ENTERED
                },
            ),
            npv(
                br,
                vr,
                Levers {
                    wage: 1.2,
                    ..AS_ENTERED
                },
            ),
        ),
        bar(
            "unit margin",
            "−20 %",
            "+20 %",
            npv(
                br,
                vr,
                Levers {
                    margin: 0.8,
                    ..AS_ENTERED
                },
            ),
            npv(
                br,
                vr,
                Levers {
                    margin: 1.2,
                    ..AS_ENTERED
                },
            ),
        ),
        bar(
            "energy price",
            "−20 %",
            "+20 %",
            npv(
                br,
                vr,
                Levers {
                    energy_price: 0.8,
                    ..AS_ENTERED
                },
            ),
            npv(
                br,
                vr,
                Levers {
                    energy_price: 1.2,
                    ..AS_ENTERED
                },
            ),
        ),
        bar(
            "subsidy",
            "none",
            "as granted",
            npv(
                br,
                vr,
                Levers {
                    with_subsidy: false,
                    ..AS_ENTERED
                },
            ),
            npv(br, vr, AS_ENTERED),
        ),
    ];
    // Demand and robot reliability change the simulation itself: rerun.
    let reps = Options {
        replications: Some(br.len() as u32),
        progress: false,
        event_log: false,
        ..options.clone()
    };
    let rerun = |scenes: &[&Scene]| -> Result<Option<Vec<Vec<RunResult>>>, RunError> {
        let n = br.len() as u32;
        let jobs: Vec<(&Scene, u32)> = (0..n)
            .flat_map(|r| scenes.iter().map(move |s| (*s, r)))
            .collect();
        let done = run_jobs(&jobs, &reps)?;
        if done.iter().any(Option::is_none) {
            return Ok(None);
        }
        let mut out = vec![Vec::new(); scenes.len()];
        for (k, r) in done.into_iter().enumerate() {
            out[k % scenes.len()].push(r.expect("checked").result);
        }
        Ok(Some(out))
    };
    let input = RunError::Input;
    if let (Some(b_lo), Some(v_lo), Some(b_hi), Some(v_hi)) = (
        with_demand(base, 0.9).map_err(input)?,
        with_demand(variant, 0.9).map_err(input)?,
        with_demand(base, 1.1).map_err(input)?,
        with_demand(variant, 1.1).map_err(input)?,
    ) && let Some(r) = rerun(&[&b_lo, &v_lo, &b_hi, &v_hi])?
    {
        bars.push(bar(
            "demand",
            "−10 %",
            "+10 %",
            npv(&r[0], &r[1], AS_ENTERED),
            npv(&r[2], &r[3], AS_ENTERED),
        ));
    }
    if let (Some(v_lo), Some(v_hi)) = (
        with_robot_mtbf(variant, 0.5).map_err(input)?,
        with_robot_mtbf(variant, 1.5).map_err(input)?,
    ) && let Some(r) = rerun(&[&v_lo, &v_hi])?
    {
        bars.push(bar(
            "robot MTBF",
            "−50 %",
            "+50 %",
            npv(br, &r[0], AS_ENTERED),
            npv(br, &r[1], AS_ENTERED),
        ));
    }
    bars.sort_by(|x, y| {
        let w = |b: &TornadoBar| (b.npv_high - b.npv_low).abs();
        w(y).total_cmp(&w(x))
    });
    Ok(bars)
}

/// Splits off the tornado bars whose assumption does not move NPV (a
/// subsidy of none, a wage where no one is paid): a bar of zero width tells
/// the reader nothing; a note names them instead.
fn without_effect(bars: &mut Vec<TornadoBar>) -> Vec<String> {
    let scale = bars
        .iter()
        .map(|b| b.npv_low.abs().max(b.npv_high.abs()))
        .fold(1.0, f64::max);
    let flat = |b: &TornadoBar| (b.npv_high - b.npv_low).abs() <= 1e-9 * scale;
    let names = bars
        .iter()
        .filter(|b| flat(b))
        .map(|b| b.assumption.clone())
        .collect();
    bars.retain(|b| !flat(b));
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::Subsidy;

    fn figures(cap: f64) -> InvestmentFigures {
        InvestmentFigures::of(&Investment {
            capex: Some(400.0),
            items: Vec::new(),
            subsidy: Some(Subsidy { rate: 0.5, cap }),
            life_years: 5.0,
            maintenance_per_year: 10.0,
            residual_value: 0.0,
        })
    }

    /// 110 a year in, 10 of it to maintenance: 100 a year for 5 years.
    fn check(inv: &InvestmentFigures, net: f64, payback: f64, npv: f64, irr: f64) {
        assert_eq!(inv.net, net);
        let f = inv.flows(110.0, true);
        assert_eq!(f, [-net, 100.0, 100.0, 100.0, 100.0, 100.0]);
        assert!((finance::payback_years(&f).unwrap() - payback).abs() < 1e-12);
        assert!(
            (finance::npv(0.10, &f) - npv).abs() < 1e-6,
            "{}",
            finance::npv(0.10, &f)
        );
        assert!((finance::irr(&f).unwrap() - irr).abs() < 1e-7);
        // Without the subsidy the company pays all 400: back after exactly 4 years.
        let g = inv.flows(110.0, false);
        assert_eq!(g[0], -400.0);
        assert_eq!(finance::payback_years(&g), Some(4.0));
    }

    #[test]
    fn cap_binding_business_case_by_hand() {
        // Half of 400 is 200, above the cap of 150: the cap decides.
        let inv = figures(150.0);
        assert!(inv.cap_binding);
        assert_eq!(inv.subsidy, 150.0);
        // Payback 2.5 years; NPV at 10 % = −250 + 100 × 3.790787 = 129.0787;
        // IRR: the rate where the 5-year annuity factor is 2.5 → 28.649 %.
        check(&inv, 250.0, 2.5, 129.078_677, 0.286_492_90);
    }

    #[test]
    fn cap_not_binding_business_case_by_hand() {
        let inv = figures(300.0);
        assert!(!inv.cap_binding);
        assert_eq!(inv.subsidy, 200.0);
        // Payback 2 years; NPV = −200 + 379.0787; annuity factor 2 → 41.041 %.
        check(&inv, 200.0, 2.0, 179.078_677, 0.410_414_97);
    }

    #[test]
    fn items_add_up_to_the_gross_investment() {
        let inv = Investment {
            capex: None,
            items: vec![("robot".into(), 250.0), ("fences".into(), 50.0)],
            subsidy: None,
            life_years: 3.0,
            maintenance_per_year: 0.0,
            residual_value: 30.0,
        };
        let f = InvestmentFigures::of(&inv);
        assert_eq!((f.gross, f.subsidy, f.net), (300.0, 0.0, 300.0));
        assert_eq!(f.flows(100.0, true), [-300.0, 100.0, 100.0, 130.0]);
    }
}
