//! What an optimisation may claim, in words: the selection's statement with
//! its confidence and indifference zone, and the caveats a reader needs
//! (designs never tried, constraints met only on the mean, a stop).

use super::{Optimisation, Problem};
use crate::report::words::estimate as pm;

/// Writes the selection's statement and the notes.
pub(super) fn explain(o: &mut Optimisation, p: &Problem, stopped: bool) {
    let unit = o.objective_units.first().cloned().unwrap_or_default();
    let tried = o.designs.len();
    if let Some(s) = o.selection.as_mut() {
        let label = |k: usize| o.designs[s.finalists[k]].label.clone();
        let chosen = label(s.chosen);
        let conf = short(s.confidence * 100.0);
        let zone = format!("δ = {} {unit}", short(s.indifference))
            .trim_end()
            .to_string();
        let mut text = if s.settled {
            format!(
                "{chosen} is the pick: if the best of the {} finalists leads the others by {zone} or more, it is this one with probability at least {conf} % (Kim–Nelson with common random numbers on fresh replications: {} to {} each); finalists closer than that are not told apart.",
                s.finalists.len(),
                s.n0,
                s.replications.iter().max().copied().unwrap_or(s.n0),
            )
        } else {
            let open: Vec<String> = s.survivors.iter().map(|&k| label(k)).collect();
            format!(
                "The budget ran out with {} finalists still in contention ({}): {chosen} has the best mean, but the {conf} % confidence is not reached. Raise --budget (the same --state file keeps the runs made) or widen --indifference ({zone}).",
                open.len(),
                open.join("; ")
            )
        };
        if !s.equivalent.is_empty() {
            let eq: Vec<String> = s.equivalent.iter().map(|&k| label(k)).collect();
            text.push_str(&format!(
                " Equally acceptable, equivalent to it within ±{}{} (the 90 % interval of the paired difference lies inside): {}.",
                short(s.indifference),
                if unit.is_empty() { String::new() } else { format!(" {unit}") },
                eq.join("; ")
            ));
        }
        s.statement = text;
    }
    let mut notes = Vec::new();
    if ((tried + o.unbuildable.len()) as u64) < o.space_size {
        let ruled_out = match o.unbuildable.len() {
            0 => String::new(),
            n => format!(" ({n} more ruled out without a run)"),
        };
        notes.push(format!(
            "The search tried {tried} of {} designs{ruled_out}: what it claims covers the designs it tried, not those it never ran.",
            o.space_size
        ));
    }
    if !o.unbuildable.is_empty() {
        notes.push(format!(
            "{} designs were not run: they cannot be built or break a constraint on the design itself (e.g. {}: {}).",
            o.unbuildable.len(),
            o.unbuildable[0].0,
            o.unbuildable[0].1
        ));
    }
    if o.objectives.len() > 1 {
        notes.push("With several objectives there is no single best: rank 0 is the Pareto front, the designs no other tried design beats on every objective (by their means; neighbours whose intervals overlap are not clearly apart).".into());
    } else if o.strategy == super::Strategy::Grid {
        notes.push(format!(
            "A plain grid of {tried} designs, each the same replications: the best is the best mean, without a stated confidence (the baseline the adaptive search is measured against)."
        ));
    } else if o.selection.is_none() && !stopped && o.best.is_some() {
        notes.push("No selection was made (fewer than two designs meet the constraints, or no budget was left for it): the best design is the best mean, without a stated confidence.".into());
    }
    if let Some(best) = o.best {
        let d = &o.designs[best];
        for (c, e) in o.constraints.iter().zip(&d.constraints) {
            let con = p.constraints.iter().find(|x| &x.text == c);
            if let (Some(con), Some(h)) = (con, e.half_width) {
                let clear = if con.at_least {
                    e.mean - h >= con.limit
                } else {
                    e.mean + h <= con.limit
                };
                if !clear {
                    notes.push(format!(
                        "The chosen design meets \"{c}\" on its mean ({}), but its 95 % interval crosses the limit: run more replications of it before relying on it.",
                        pm(e)
                    ));
                }
            }
        }
    }
    if let Some(best) = o.best {
        let edges: Vec<String> = p
            .variables
            .iter()
            .zip(&o.designs[best].settings)
            .filter(|(v, (_, value))| {
                // 0 is the end of a count or a capacity, not of a range.
                v.values.len() > 2
                    && matches!(value, crate::scene::Value::Number(n) if *n != 0.0)
                    && (Some(value) == v.values.first() || Some(value) == v.values.last())
            })
            .map(|(_, (path, value))| format!("{path}={}", crate::experiment::plain(value)))
            .collect();
        if !edges.is_empty() {
            notes.push(format!(
                "The chosen design sits at the end of a range ({}): the best may lie beyond it; widen the range to see.",
                edges.join(", ")
            ));
        }
    }
    if o.designs.iter().all(|d| !d.feasible)
        && !o.constraints.is_empty()
        && let Some(d) = o.designs.first()
    {
        let figures: Vec<String> = o
            .constraints
            .iter()
            .zip(&d.constraints)
            .map(|(c, e)| format!("{}: {}", c, pm(e)))
            .collect();
        notes.push(format!(
            "No design tried meets every constraint by its mean; the nearest is {} ({}). If the designs tried all fall short alike, these variables do not move what the constraint measures: relieve what limits it (`bottleneck`) or vary something else.",
            d.label,
            figures.join("; ")
        ));
    }
    if o.objectives.iter().any(|t| t.contains("npv")) {
        let e = p.scene.economics.as_ref();
        notes.push(format!(
            "npv: against the scene as given, each replication's yearly money (margin on good parts − labour − energy − scrap, its window scaled to {} weeks a year) discounted at {} % over {} years, less the investment (--cost × the rise over the scene's value, and the investment of each variant a design takes{}); a taken variant's maintenance is paid every year and its residual value comes back at the end, nothing else has a residual value.",
            e.and_then(|e| e.weeks_per_year).unwrap_or(0.0),
            e.and_then(|e| e.discount_rate).unwrap_or(0.0) * 100.0,
            p.life_years.unwrap_or(0.0),
            ", net of the subsidy the scene or a taken variant grants (one rate and cap for the project)"
        ));
    }
    if o.objectives
        .iter()
        .chain(&o.constraints)
        .any(|t| t.contains("payback"))
    {
        notes.push(format!(
            "payback: years until the undiscounted cash flows above pay the investment back, restricted to the {} years of the life (a replication that does not pay back within it counts as the whole life, so the mean is defined; `roi` on the written Variant gives the chance of paying back and the median); a design that invests nothing has no payback and is not ranked by it.",
            p.life_years.unwrap_or(0.0)
        ));
    }
    if stopped {
        notes.push("Stopped before the end: run the same command again with the same --state file to go on from here.".into());
    }
    o.notes = notes;
}

/// A figure in few digits: 0.0125, 2.5, 1,234,567.
pub fn short(v: f64) -> String {
    if v.abs() >= 1000.0 {
        crate::report::html::grouped(v.round())
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
