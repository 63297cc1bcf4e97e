//! The calibrated model as a Variant of the user's scene: each fitted
//! distribution replaces the one the scene had, object by object, so the
//! change is a reviewable diff that names the evidence for each fit.

use super::fit::Fitted;
use super::{Fitting, Measure};
use crate::scene::{Dist, Duration, Object, RobotTask, Scene};
use ron::extensions::Extensions;
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};

/// A family is used when its Kolmogorov–Smirnov p-value is at least this;
/// below it, the data themselves (an Empirical table).
pub const ACCEPT: f64 = 0.01;

/// The distribution to use for a fitting: the best family if it fits,
/// else the observations as an Empirical table; and why.
pub fn chosen(f: &Fitting) -> Option<(Dist, String)> {
    let best = f.fits.first()?;
    if best.ks_p >= ACCEPT {
        let why = format!(
            "{} of {} fitted, n {}{}, KS p {:.3}, AD p {:.3}{}",
            best.fitted.name(),
            f.fits.len(),
            f.n,
            if f.censored > 0 {
                format!(" (+{} censored)", f.censored)
            } else {
                String::new()
            },
            best.ks_p,
            best.ad_p,
            f.fits
                .get(1)
                .map(|n| format!(", next {} ΔAIC {:.1}", n.fitted.name(), n.aic - best.aic))
                .unwrap_or_default()
        );
        return Some((dist(&best.fitted), why));
    }
    (!f.histogram.is_empty()).then(|| {
        (
            Dist::Empirical(
                f.histogram
                    .iter()
                    .map(|(v, w)| (Duration::Seconds(round(*v)), *w))
                    .collect(),
            ),
            format!(
                "no family fits (best {} KS p {:.4}): the {} observations as a table",
                best.fitted.name(),
                best.ks_p,
                f.n
            ),
        )
    })
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// A value as a scene file writes it, on one line, spaced as people write
/// scenes (the extensions the scene reader accepts).
pub fn scene_syntax<T: serde::Serialize>(value: &T) -> Result<String, ron::Error> {
    let pretty = ron::ser::PrettyConfig::new()
        .compact_structs(true)
        .compact_arrays(true)
        .compact_maps(true)
        .separator(" ");
    ron::Options::default()
        .with_default_extension(Extensions::UNWRAP_VARIANT_NEWTYPES | Extensions::IMPLICIT_SOME)
        .to_string_pretty(value, pretty)
}

/// A fitted family as the scene's distribution.
pub fn dist(f: &Fitted) -> Dist {
    let s = |v: f64| Duration::Seconds(round(v));
    match *f {
        Fitted::Exponential { mean } => Dist::Exponential { mean: s(mean) },
        Fitted::Gamma { shape, scale } => Dist::Gamma {
            shape: (shape * 1e4).round() / 1e4,
            scale: s(scale),
        },
        Fitted::Weibull { shape, scale } => Dist::Weibull {
            shape: (shape * 1e4).round() / 1e4,
            scale: s(scale),
        },
        Fitted::LogNormal { mu, sigma } => {
            let mean = (mu + sigma * sigma / 2.0).exp();
            Dist::LogNormal {
                mean: s(mean),
                sd: s(mean * ((sigma * sigma).exp() - 1.0).sqrt()),
            }
        }
        Fitted::Normal { mean, sd } => Dist::Normal {
            mean: s(mean),
            sd: s(sd),
        },
        Fitted::Uniform { min, max } => Dist::Uniform {
            min: s(min),
            max: s(max),
        },
        Fitted::Triangular { min, mode, max } => Dist::Triangular {
            min: s(min),
            mode: s(mode),
            max: s(max),
        },
    }
}

/// The variant file's text: `base` relative to the file's folder, one
/// `Replace` per object whose cycle, setup or failure distributions were
/// fitted (a machine that made several products gets its per-product
/// cycles too).
/// Sources keep their arrivals: a log records the parts that entered, not
/// those turned away at a full entry, so its interarrival times are not the
/// demand's.
pub fn write(
    scene: &Scene,
    scene_path: &Path,
    out_path: &Path,
    log_name: &str,
    fittings: &[Fitting],
) -> Result<(String, usize), String> {
    let find = |id: &str, m: Measure| {
        fittings
            .iter()
            .find(|f| f.resource == id && f.measure == m && f.product.is_none())
            .and_then(chosen)
    };
    // Per-product cycles of a resource that made several products.
    let by_product = |id: &str| {
        fittings
            .iter()
            .filter(|f| f.resource == id && f.measure == Measure::Cycle)
            .filter_map(|f| Some((f.product.clone()?, chosen(f)?)))
            .collect::<Vec<_>>()
    };
    let mut changes = String::new();
    let mut replaced = 0;
    for object in &scene.objects {
        let mut o = object.clone();
        let mut notes: Vec<String> = Vec::new();
        let id = o.id().to_string();
        let set = |slot: &mut Dist, m: Measure, notes: &mut Vec<String>| {
            if let Some((d, why)) = find(&id, m) {
                notes.push(format!("{}: {why}", m.label()));
                *slot = d;
            }
        };
        match &mut o {
            Object::Machine(m) => {
                set(&mut m.cycle, Measure::Cycle, &mut notes);
                for (product, (d, why)) in by_product(&id) {
                    notes.push(format!("cycle of {product}: {why}"));
                    m.product_cycles.insert(product, d);
                }
                if let Some(setup) = &mut m.setup {
                    set(&mut setup.time, Measure::Setup, &mut notes);
                }
                if let Some(f) = &mut m.failures {
                    set(&mut f.between, Measure::BetweenFailures, &mut notes);
                    set(&mut f.repair, Measure::Repair, &mut notes);
                }
            }
            Object::Assembly(a) => {
                set(&mut a.cycle, Measure::Cycle, &mut notes);
                if let Some(f) = &mut a.failures {
                    set(&mut f.between, Measure::BetweenFailures, &mut notes);
                    set(&mut f.repair, Measure::Repair, &mut notes);
                }
            }
            Object::Robot(r) => {
                if let RobotTask::Process { cycle, .. } = &mut r.task {
                    set(cycle, Measure::Cycle, &mut notes);
                }
                if let Some(f) = &mut r.failures {
                    set(&mut f.between, Measure::BetweenFailures, &mut notes);
                    set(&mut f.repair, Measure::Repair, &mut notes);
                }
            }
            _ => {}
        }
        if notes.is_empty() {
            continue;
        }
        replaced += 1;
        let text = scene_syntax(&o).map_err(|e| format!("cannot write {id}: {e}"))?;
        for n in &notes {
            let _ = writeln!(changes, "        // {id} {n}");
        }
        let _ = writeln!(changes, "        Replace({id:?}, {text}),");
    }
    let base = relative(scene_path, out_path.parent().unwrap_or(Path::new(".")));
    let text = format!(
        "// Calibrated from the event log {log_name} by `factory-twin fit`: each fitted\n\
         // distribution replaces the scene's (the evidence beside it). Arrivals are\n\
         // left as they were: a log records the parts that entered, not the demand.\n\
         Variant(\n    base: {base:?},\n    name: {:?},\n    changes: [\n{changes}    ],\n)\n",
        format!("{} (calibrated)", scene.name),
    );
    Ok((text, replaced))
}

/// `path` relative to the folder `from` (both as given, made absolute).
fn relative(path: &Path, from: &Path) -> String {
    let abs = |p: &Path| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        std::path::absolute(p)
            .map(|a| {
                a.components()
                    .filter(|c| *c != Component::CurDir)
                    .collect::<PathBuf>()
            })
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let (p, f) = (abs(path), abs(from));
    let (pc, fc): (Vec<_>, Vec<_>) = (p.components().collect(), f.components().collect());
    let common = pc.iter().zip(&fc).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..fc.len() {
        out.push("..");
    }
    for c in &pc[common..] {
        out.push(c);
    }
    out.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_is_written_relative_to_the_variant() {
        assert_eq!(
            relative(Path::new("scenes/a.ron"), Path::new("scenes")),
            "a.ron"
        );
        assert_eq!(
            relative(Path::new("scenes/a.ron"), Path::new("out/x")),
            "../../scenes/a.ron"
        );
        assert_eq!(relative(Path::new("a.ron"), Path::new("")), "a.ron");
    }
}
