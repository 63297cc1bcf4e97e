//! The chosen design as a Variant of the scene: one `Set` per decision
//! variable, the investment `--cost` prices, and a header saying what was
//! optimised and how sure the pick is.

use super::{Optimisation, Problem};
use crate::calibrate::variant::relative;
use crate::scene::{Change, Investment, Variant};
use ron::extensions::Extensions;
use std::path::Path;

/// The Variant file text of the best design, or `None` when there is none.
pub fn best_variant(o: &Optimisation, p: &Problem, scene: &Path, out: &Path) -> Option<String> {
    let best = &o.designs[o.best?];
    let gross = best.investment.filter(|g| *g > 0.0);
    let investment = gross.zip(p.life_years).map(|(_, life)| Investment {
        capex: None,
        items: p
            .variables
            .iter()
            .zip(&best.settings)
            .filter_map(|(v, (path, value))| {
                let rise = match value {
                    crate::scene::Value::Number(n) => n - v.base?,
                    _ => return None,
                };
                let cost = v.cost? * rise;
                (cost > 0.0).then(|| (format!("{path}: +{rise}"), cost))
            })
            .collect(),
        subsidy: p.scene.investment.as_ref().and_then(|i| i.subsidy.clone()),
        life_years: life,
        maintenance_per_year: 0.0,
        residual_value: 0.0,
    });
    let variant = Variant {
        base: relative(scene, out.parent().unwrap_or(Path::new("."))),
        name: format!("{} (optimised: {})", o.scene, best.label),
        changes: best
            .settings
            .iter()
            .map(|(path, v)| Change::Set(path.clone(), v.clone()))
            .collect(),
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
