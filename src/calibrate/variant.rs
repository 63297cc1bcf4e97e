//! The calibrated model as a Variant of the user's scene: each fitted
//! distribution replaces the one the scene had, object by object, so the
//! change is a reviewable diff that names the evidence for each fit.

use super::fit::Fitted;
use super::{Fitting, Measure};
use crate::scene::{Dist, Duration, Object, RobotTask, Scene, Setup};
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
    // Per-product cycles (or per-pair setups) of a resource that had
    // several, where at least one differs from the others (KS p < 0.01):
    // otherwise one distribution serves them all.
    let by_product = |id: &str, m: Measure| {
        let each: Vec<&Fitting> = fittings
            .iter()
            .filter(|f| f.resource == id && f.measure == m && f.product.is_some())
            .collect();
        if !each.iter().any(|f| f.differs_p.is_some_and(|p| p < ACCEPT)) {
            return Vec::new();
        }
        each.into_iter()
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
                let products = by_product(&id, Measure::Cycle);
                // Products apart: each its own cycle, and the scene's `cycle`
                // stays for products the log did not show.
                if products.is_empty() {
                    set(&mut m.cycle, Measure::Cycle, &mut notes);
                }
                for (product, (d, why)) in products {
                    notes.push(format!("cycle of {product}: {why}"));
                    m.product_cycles.insert(product, d);
                }
                if let Some(setup) = &mut m.setup {
                    set_setups(setup, &by_product(&id, Measure::Setup), &mut notes, || {
                        find(&id, Measure::Setup)
                    });
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

/// A machine's changeovers from the fits: with a setup matrix, each pair
/// the log shows gets its own fit (and the default `time` is left: the
/// pairs it covers are mixed with others in the pooled fit); without one,
/// the pooled fit replaces `time`.
fn set_setups(
    setup: &mut Setup,
    pairs: &[(String, (Dist, String))],
    notes: &mut Vec<String>,
    pooled: impl Fn() -> Option<(Dist, String)>,
) {
    if setup.changes.is_empty() {
        if let Some((d, why)) = pooled() {
            notes.push(format!("setup: {why}"));
            setup.time = d;
        }
        return;
    }
    for change in &mut setup.changes {
        let name = super::setup_pair(&change.from, &change.to);
        if let Some((_, (d, why))) = pairs.iter().find(|(p, _)| *p == name) {
            notes.push(format!("setup {name}: {why}"));
            change.time = d.clone();
        }
    }
}

/// `path` relative to the folder `from` (both as given, made absolute).
pub(crate) fn relative(path: &Path, from: &Path) -> String {
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
