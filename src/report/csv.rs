//! CSV tables (RFC 4180 quoting) and the event log.

use crate::economics::BusinessCase;
use crate::experiment::{Comparison, Replication, Summary, Sweep};
use crate::kpi::Estimate;
use crate::sim::STATES;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

fn est_cols(e: &Estimate) -> String {
    format!(
        "{},{},{},{}",
        num(e.mean),
        e.half_width.map(num).unwrap_or_default(),
        num(e.low()),
        num(e.high())
    )
}

/// The UTF-8 byte-order mark that makes Excel read a CSV file as UTF-8
/// (Korean names) rather than the system's code page.
pub const BOM: &str = "\u{feff}";

fn write(dir: &Path, name: &str, text: &str, bom: bool) -> std::io::Result<()> {
    let mark = if bom { BOM } else { "" };
    std::fs::write(dir.join(name), format!("{mark}{text}"))
}

/// Writes comparison.csv (one row per variant and KPI) into `dir`, plus
/// every scenario's own tables in a subfolder named by its position
/// (`0-base/`, `1-variant/`, ...).
pub fn write_comparison_csv(c: &Comparison, dir: &Path, bom: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut t = String::from(
        "variant,family,kpi,unit,base_mean,base_ci95_half_width,base_ci95_low,base_ci95_high,variant_mean,variant_ci95_half_width,variant_ci95_low,variant_ci95_high,difference_mean,difference_ci95_half_width,difference_ci95_low,difference_ci95_high,significant,verdict\n",
    );
    for v in &c.variants {
        for k in &v.kpis {
            let _ = writeln!(
                t,
                "{},{},{},{},{},{},{},{},{}",
                field(&v.variant),
                k.family,
                field(k.kpi),
                field(k.unit),
                est_cols(&k.base),
                est_cols(&k.variant),
                est_cols(&k.difference),
                k.significant,
                field(k.verdict)
            );
        }
    }
    write(dir, "comparison.csv", &t, bom)?;
    for (i, s) in c.scenarios.iter().enumerate() {
        let name = if i == 0 {
            "0-base".to_string()
        } else {
            format!("{i}-variant")
        };
        write_csv(s, &dir.join(name), bom)?;
    }
    Ok(())
}

/// Writes sweep.csv: one row per grid point, a column per parameter, then
/// mean and interval of every KPI.
pub fn write_sweep_csv(s: &Sweep, dir: &Path, bom: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut head: Vec<String> = s.axes.iter().map(|a| field(&a.path)).collect();
    for k in crate::experiment::KPIS {
        for c in ["mean", "ci95_half_width", "ci95_low", "ci95_high"] {
            head.push(format!("{}_{c}", k.key));
        }
    }
    head.push("best".into());
    let mut t = head.join(",");
    t.push('\n');
    for (i, p) in s.points.iter().enumerate() {
        let mut row: Vec<String> = p
            .settings
            .iter()
            .map(|(_, v)| field(&crate::experiment::plain(v)))
            .collect();
        row.extend(p.kpis.iter().map(|k| est_cols(&k.estimate)));
        row.push((s.best.as_ref().map(|b| b.point) == Some(i)).to_string());
        t.push_str(&row.join(","));
        t.push('\n');
    }
    write(dir, "sweep.csv", &t, bom)
}

/// Writes line.csv, stations.csv, stores.csv, operators.csv, series.csv and
/// replications.csv into `dir` (created if needed).
pub fn write_csv(summary: &Summary, dir: &Path, bom: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let l = &summary.line;
    let mut t = String::from("metric,unit,mean,ci95_half_width,ci95_low,ci95_high\n");
    for f in &crate::experiment::LINE_FIGURES {
        let _ = writeln!(t, "{},{},{}", f.csv, f.unit, est_cols((f.value)(l)));
    }
    let share = Estimate {
        mean: l.bottleneck_share,
        half_width: None,
        n: summary.replications,
    };
    let rows: [(&str, &str, &Estimate); 1] = [("bottleneck_share", "ratio", &share)];
    for (name, unit, e) in rows {
        let _ = writeln!(t, "{name},{unit},{}", est_cols(e));
    }
    let _ = writeln!(
        t,
        "bottleneck,id,{},,,",
        field(l.bottleneck.as_deref().unwrap_or(""))
    );
    let _ = writeln!(
        t,
        "demand_limited_share,ratio,{},,,",
        num(l.demand_limited_share)
    );
    write(dir, "line.csv", &t, bom)?;

    let mut t = String::from("id,kind,capacity");
    let figures = [
        "availability",
        "effectiveness",
        "quality",
        "oee",
        "produced",
        "scrapped",
        "failures",
        "setups",
        "energy_kwh",
        "mean_active_period_s",
        "utilisation",
    ];
    // The state shares first, in the order of the state table.
    for m in STATES.iter().map(|i| i.key).chain(figures) {
        let _ = write!(t, ",{m},{m}_ci95");
    }
    // Pooled over replications, with an asymmetric interval.
    t.push_str(
        ",failures_total,run_time_s,mtbf_s,mtbf_low_s,mtbf_high_s,mttr_s,mttr_low_s,mttr_high_s\n",
    );
    for s in &summary.stations {
        let _ = write!(t, "{},{},{}", field(&s.id), s.kind, s.capacity);
        let figures = [
            &s.availability,
            &s.effectiveness,
            &s.quality,
            &s.oee,
            &s.produced,
            &s.scrapped,
            &s.failures,
            &s.setups,
            &s.energy_kwh,
            &s.mean_active_period_s,
            &s.utilisation,
        ];
        let states = STATES.iter().map(|i| &s.states[i.key]);
        for e in states.chain(figures) {
            let _ = write!(
                t,
                ",{},{}",
                num(e.mean),
                e.half_width.map(num).unwrap_or_default()
            );
        }
        let opt = |v: Option<f64>| v.map(num).unwrap_or_default();
        let _ = writeln!(
            t,
            ",{},{},{},{},{},{},{},{}",
            s.mtbf_s.failures,
            num(s.mtbf_s.exposure_s),
            opt(s.mtbf_s.mean),
            opt(s.mtbf_s.low),
            opt(s.mtbf_s.high),
            opt(s.mttr_s.mean),
            opt(s.mttr_s.low),
            opt(s.mttr_s.high)
        );
    }
    write(dir, "stations.csv", &t, bom)?;

    let mut t = String::from(
        "id,kind,capacity,mean_content,mean_content_ci95,max_content,mean_transit_s\n",
    );
    for s in &summary.stores {
        let _ = writeln!(
            t,
            "{},{},{},{},{},{},{}",
            field(&s.id),
            s.kind,
            s.capacity,
            num(s.mean_content.mean),
            s.mean_content.half_width.map(num).unwrap_or_default(),
            num(s.max_content.mean),
            num(s.mean_transit_s.mean)
        );
    }
    write(dir, "stores.csv", &t, bom)?;

    let mut t = String::from("id,count,utilisation,utilisation_ci95,paid_hours,labour_cost\n");
    for p in &summary.operators {
        let _ = writeln!(
            t,
            "{},{},{},{},{},{}",
            field(&p.id),
            p.count,
            num(p.utilisation.mean),
            p.utilisation.half_width.map(num).unwrap_or_default(),
            num(p.paid_hours.mean),
            num(p.labour_cost.mean)
        );
    }
    write(dir, "operators.csv", &t, bom)?;

    let mut t = String::from("t_s,good_per_hour,wip\n");
    for k in 0..summary.series.t_s.len() {
        let _ = writeln!(
            t,
            "{},{},{}",
            num(summary.series.t_s[k]),
            num(summary.series.good_per_hour[k]),
            num(summary.series.wip[k])
        );
    }
    write(dir, "series.csv", &t, bom)?;

    let mut t = String::from(
        "replication,good_per_hour,good_parts,line_oee,wip,lead_time_mean_s,scrapped,energy_kwh,bottleneck,events\n",
    );
    for r in &summary.runs {
        let _ = writeln!(
            t,
            "{},{},{},{},{},{},{},{},{},{}",
            r.replication,
            num(r.line.good_per_hour),
            r.line.good_parts,
            r.line.line_oee.map(num).unwrap_or_default(),
            num(r.line.wip),
            r.line.lead_time_s.mean.map(num).unwrap_or_default(),
            r.line.scrapped,
            num(r.line.energy_kwh),
            field(r.line.bottleneck.as_deref().unwrap_or("")),
            r.events
        );
    }
    write(dir, "replications.csv", &t, bom)
}

/// Writes the event logs as CSV: replication, time, object, part, product,
/// event (`fit` reads it back).
pub fn write_events(
    path: &Path,
    object_ids: &[String],
    products: &[String],
    runs: &[Replication],
    bom: bool,
) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    if bom {
        write!(out, "{BOM}")?;
    }
    writeln!(out, "replication,time_s,object,part,product,event")?;
    let ids: Vec<String> = object_ids.iter().map(|s| field(s)).collect();
    let products: Vec<String> = products.iter().map(|s| field(s)).collect();
    for run in runs {
        for rec in run.log.iter().flatten() {
            let part = if rec.part == 0 {
                String::new()
            } else {
                rec.part.to_string()
            };
            let product = products
                .get(usize::from(rec.product))
                .map_or("", String::as_str);
            writeln!(
                out,
                "{},{},{},{},{product},{}",
                run.result.replication,
                rec.time,
                ids[rec.node as usize],
                part,
                rec.event.name()
            )?;
        }
    }
    out.flush()
}

/// One row per variant and figure: mean and 95 % interval of the mean;
/// payback, NPV and IRR also as their 10th, 50th and 90th percentiles over
/// the replications (rows `…_p10`, `…_median`, `…_p90`, value in `mean`).
pub fn business_case_csv(cases: &[BusinessCase]) -> String {
    let mut t =
        String::from("variant,figure,unit,mean,ci95_low,ci95_high,undefined_replications\n");
    let row = |t: &mut String,
               c: &BusinessCase,
               name: &str,
               unit: &str,
               e: Option<&Estimate>,
               undefined: u32| {
        let (m, lo, hi) = e.map_or((String::new(), String::new(), String::new()), |e| {
            (num(e.mean), num(e.low()), num(e.high()))
        });
        let _ = writeln!(
            t,
            "{},{name},{},{m},{lo},{hi},{undefined}",
            field(&c.variant),
            field(unit)
        );
    };
    for c in cases {
        let cur = c.assumptions.currency.as_str();
        let i = &c.investment;
        for (name, v) in [
            ("gross_investment", i.gross),
            ("subsidy", i.subsidy),
            ("net_investment", i.net),
        ] {
            let e = Estimate {
                mean: v,
                half_width: None,
                n: 1,
            };
            row(&mut t, c, name, cur, Some(&e), 0);
        }
        let y = &c.yearly;
        for (name, unit, e) in [
            ("extra_good_parts_per_year", "parts", &y.extra_good_parts),
            ("labour_saving_per_year", cur, &y.labour_saving),
            ("energy_saving_per_year", cur, &y.energy_saving),
            ("scrap_saving_per_year", cur, &y.scrap_saving),
            ("margin_gain_per_year", cur, &y.margin_gain),
            ("net_cash_flow_per_year", cur, &y.net_cash_flow),
        ] {
            row(&mut t, c, name, unit, Some(e), 0);
        }
        for (name, unit, o) in [
            ("npv", cur, &c.npv),
            ("npv_without_subsidy", cur, &c.npv_without_subsidy),
            ("irr", "%", &c.irr),
            ("irr_without_subsidy", "%", &c.irr_without_subsidy),
            ("payback", "years", &c.payback_years),
            (
                "payback_without_subsidy",
                "years",
                &c.payback_without_subsidy_years,
            ),
        ] {
            row(&mut t, c, name, unit, o.mean.as_ref(), o.undefined);
            for (q, v) in [("p10", o.p10), ("median", o.median), ("p90", o.p90)] {
                let _ = writeln!(
                    t,
                    "{},{name}_{q},{},{},,,{}",
                    field(&c.variant),
                    field(unit),
                    v.map(num).unwrap_or_default(),
                    o.undefined
                );
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("weld"), "weld");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
