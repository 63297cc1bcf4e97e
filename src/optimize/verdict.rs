//! What an optimisation may claim, in words: the selection's statement with
//! its confidence and indifference zone, and the caveats a reader needs
//! (designs never tried, constraints met only on the mean, a stop).

use super::{Optimisation, Problem};
use crate::lang::{tr, trf};
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
            trf(
                "{chosen} is the pick: if the best of the {n} finalists leads the others by {zone} or more, it is this one with probability at least {conf} % (Kim–Nelson with common random numbers on fresh replications: {from} to {to} each); finalists closer than that are not told apart.",
                &[
                    ("chosen", &chosen),
                    ("n", &s.finalists.len()),
                    ("zone", &zone),
                    ("conf", &conf),
                    ("from", &s.n0),
                    ("to", &s.replications.iter().max().copied().unwrap_or(s.n0)),
                ],
            )
        } else {
            let open: Vec<String> = s.survivors.iter().map(|&k| label(k)).collect();
            trf(
                "The budget ran out with {n} finalists still in contention ({open}): {chosen} has the best mean, but the {conf} % confidence is not reached. Raise --budget (the same --state file keeps the runs made) or widen --indifference ({zone}).",
                &[
                    ("n", &open.len()),
                    ("open", &open.join("; ")),
                    ("chosen", &chosen),
                    ("conf", &conf),
                    ("zone", &zone),
                ],
            )
        };
        if !s.equivalent.is_empty() {
            let eq: Vec<String> = s.equivalent.iter().map(|&k| label(k)).collect();
            text.push(' ');
            text.push_str(&trf(
                "Equally acceptable, equivalent to it within ±{delta} (the 90 % interval of the paired difference lies inside): {designs}.",
                &[
                    ("delta", &format!("{} {unit}", short(s.indifference)).trim_end()),
                    ("designs", &eq.join("; ")),
                ],
            ));
        }
        s.statement = text;
    }
    let mut notes = Vec::new();
    if ((tried + o.unbuildable.len()) as u64) < o.space_size {
        let ruled_out = match o.unbuildable.len() {
            0 => String::new(),
            n => trf(" ({n} more ruled out without a run)", &[("n", &n)]),
        };
        notes.push(trf(
            "The search tried {tried} of {all} designs{ruled_out}: what it claims covers the designs it tried, not those it never ran.",
            &[
                ("tried", &tried),
                ("all", &o.space_size),
                ("ruled_out", &ruled_out),
            ],
        ));
    }
    if !o.unbuildable.is_empty() {
        notes.push(trf(
            "{n} designs were not run: they cannot be built or break a constraint on the design itself (e.g. {design}: {why}).",
            &[
                ("n", &o.unbuildable.len()),
                ("design", &o.unbuildable[0].0),
                ("why", &o.unbuildable[0].1),
            ],
        ));
    }
    if o.objectives.len() > 1 {
        notes.push(tr("With several objectives there is no single best: rank 0 is the Pareto front, the designs no other tried design beats on every objective (by their means; neighbours whose intervals overlap are not clearly apart)."));
    } else if o.strategy == super::Strategy::Grid {
        notes.push(trf(
            "A plain grid of {tried} designs, each the same replications: the best is the best mean, without a stated confidence (the baseline the adaptive search is measured against).",
            &[("tried", &tried)],
        ));
    } else if o.selection.is_none() && !stopped && o.best.is_some() {
        notes.push(tr("No selection was made (fewer than two designs meet the constraints, or no budget was left for it): the best design is the best mean, without a stated confidence."));
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
                    notes.push(trf(
                        "The chosen design meets \"{c}\" on its mean ({value}), but its 95 % interval crosses the limit: run more replications of it before relying on it.",
                        &[("c", c), ("value", &pm(e))],
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
            notes.push(trf(
                "The chosen design sits at the end of a range ({edges}): the best may lie beyond it; widen the range to see.",
                &[("edges", &edges.join(", "))],
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
        notes.push(trf(
            "No design tried meets every constraint by its mean; the nearest is {design} ({figures}). If the designs tried all fall short alike, these variables do not move what the constraint measures: relieve what limits it (`bottleneck`) or vary something else.",
            &[("design", &d.label), ("figures", &figures.join("; "))],
        ));
    }
    if o.objectives.iter().any(|t| t.contains("npv")) {
        let e = p.scene.economics.as_ref();
        notes.push(trf(
            "npv: against the scene as given, each replication's yearly money (margin on good parts − labour − energy − scrap, its window scaled to {weeks} weeks a year) discounted at {rate} % over {years} years, less the investment (--cost × the rise over the scene's value, and the investment of each variant a design takes, net of the subsidy the scene or a taken variant grants (one rate and cap for the project)); a taken variant's maintenance is paid every year and its residual value comes back at the end, nothing else has a residual value.",
            &[
                ("weeks", &e.and_then(|e| e.weeks_per_year).unwrap_or(0.0)),
                ("rate", &(e.and_then(|e| e.discount_rate).unwrap_or(0.0) * 100.0)),
                ("years", &p.life_years.unwrap_or(0.0)),
            ],
        ));
    }
    if o.objectives
        .iter()
        .chain(&o.constraints)
        .any(|t| t.contains("payback"))
    {
        notes.push(trf(
            "payback: years until the undiscounted cash flows above pay the investment back, restricted to the {years} years of the life (a replication that does not pay back within it counts as the whole life, so the mean is defined; `roi` on the written Variant gives the chance of paying back and the median); a design that invests nothing has no payback and is not ranked by it.",
            &[("years", &p.life_years.unwrap_or(0.0))],
        ));
    }
    if stopped {
        notes.push(tr("Stopped before the end: run the same command again with the same --state file to go on from here."));
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
