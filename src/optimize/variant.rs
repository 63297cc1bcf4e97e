//! The chosen design as a Variant of the scene: one `Set` per decision
//! variable, the investment `--cost` prices, and a header saying what was
//! optimised and how sure the pick is.

use super::{Optimisation, Problem};
use crate::calibrate::variant::relative;
use crate::scene::{Change, Investment, Value, Variant};
use ron::extensions::Extensions;
use std::path::Path;

/// The Variant file text of the best design, or `None` when there is none.
pub fn best_variant(o: &Optimisation, p: &Problem, scene: &Path, out: &Path) -> Option<String> {
    let best = &o.designs[o.best?];
    let taken: Vec<&Variant> = p
        .variables
        .iter()
        .zip(&best.settings)
        .filter_map(|(v, (_, value))| match (&v.choice, value) {
            (Some(c), Value::Bool(true)) => Some(&c.variant),
            _ => None,
        })
        .collect();
    let mut items: Vec<(String, f64)> = p
        .variables
        .iter()
        .zip(&best.settings)
        .filter_map(|(v, (path, value))| {
            let rise = match value {
                Value::Number(n) => n - v.base?,
                _ => return None,
            };
            let cost = v.cost? * rise;
            (cost > 0.0).then(|| (format!("{path}: +{rise}"), cost))
        })
        .collect();
    for v in &taken {
        if let Some(inv) = &v.investment {
            if inv.items.is_empty() {
                items.push((v.name.clone(), inv.gross()));
            } else {
                items.extend(inv.items.iter().cloned());
            }
        }
    }
    let invested = taken.iter().filter_map(|v| v.investment.as_ref());
    let (maintenance, residual) = invested.clone().fold((0.0, 0.0), |(m, r), i| {
        (m + i.maintenance_per_year, r + i.residual_value)
    });
    let subsidy = p
        .scene
        .investment
        .as_ref()
        .and_then(|i| i.subsidy.clone())
        .or_else(|| invested.clone().find_map(|i| i.subsidy.clone()));
    let investment = (!items.is_empty())
        .then_some(())
        .and(p.life_years)
        .map(|life| Investment {
            capex: None,
            items,
            subsidy,
            life_years: life,
            maintenance_per_year: maintenance,
            residual_value: residual,
        });
    let mut changes: Vec<Change> = taken.iter().flat_map(|v| v.changes.clone()).collect();
    changes.extend(
        p.variables
            .iter()
            .zip(&best.settings)
            .filter(|(v, _)| v.choice.is_none())
            .map(|(_, (path, value))| Change::Set(path.clone(), value.clone())),
    );
    let variant = Variant {
        base: relative(scene, out.parent().unwrap_or(Path::new("."))),
        name: format!("{} (optimised: {})", o.scene, best.label),
        changes,
        investment,
    };
    let mut text = format!(
        "// Written by `factory-twin optimize`: {}{}.\n",
        o.objectives.join(", "),
        if o.constraints.is_empty() {
            String::new()
        } else {
            format!(" subject to {}", o.constraints.join(", "))
        }
    );
    match &o.selection {
        Some(s) => text.push_str(&format!("// {}\n", s.statement)),
        None => text
            .push_str("// The best mean of the designs tried; no selection stated a confidence.\n"),
    }
    text.push_str(&format!(
        "// {} runs, {} of {} designs tried, seed {}.\n",
        o.runs_used,
        o.designs.len(),
        o.space_size,
        o.seed
    ));
    // Written as scene files are: `Some` left implicit, as people write them.
    let body = ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
        .to_string_pretty(
            &variant,
            ron::ser::PrettyConfig::default().struct_names(true),
        )
        .expect("a variant serialises");
    text.push_str(&body);
    text.push('\n');
    Some(text)
}
