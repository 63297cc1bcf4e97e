//! CSV tables (RFC 4180 quoting) and the event log.

use crate::economics::BusinessCase;
use crate::experiment::{Comparison, Replication, Summary, Sweep};
use crate::kpi::Estimate;
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

fn write(dir: &Path, name: &str, text: &str) -> std::io::Result<()> {
    std::fs::write(dir.join(name), text)
}

/// Writes comparison.csv (one row per variant and KPI) into `dir`, plus
/// every scenario's own tables in a subfolder named by its position
/// (`0-base/`, `1-variant/`, ...).
pub fn write_comparison_csv(c: &Comparison, dir: &Path) -> std::io::Result<()> {
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
    write(dir, "comparison.csv", &t)?;
    for (i, s) in c.scenarios.iter().enumerate() {
        let name = if i == 0 {
            "0-base".to_string()
        } else {
            format!("{i}-variant")
        };
        write_csv(s, &dir.join(name))?;
    }
    Ok(())
}

/// Writes sweep.csv: one row per grid point, a column per parameter, then
/// mean and interval of every KPI.
pub fn write_sweep_csv(s: &Sweep, dir: &Path) -> std::io::Result<()> {
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
    write(dir, "sweep.csv", &t)
}

/// Writes line.csv, stations.csv, stores.csv, operators.csv, series.csv and
/// replications.csv into `dir` (created if needed).
pub fn write_csv(summary: &Summary, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let l = &summary.line;
    let mut t = String::from("metric,unit,mean,ci95_half_width,ci95_low,ci95_high\n");
    let rows: [(&str, &str, &Estimate); 21] = [
        ("good_per_hour", "parts/h", &l.good_per_hour),
        ("good_parts", "parts", &l.good_parts),
        ("line_oee", "ratio", &l.line_oee),
        ("wip", "parts", &l.wip),
        ("lead_time_mean", "s", &l.lead_time_mean_s),
        ("lead_time_p50", "s", &l.lead_time_p50_s),
        ("lead_time_p90", "s", &l.lead_time_p90_s),
        ("lead_time_p95", "s", &l.lead_time_p95_s),
        ("lead_time_max", "s", &l.lead_time_max_s),
        ("scrapped", "parts", &l.scrapped),
        ("scrap_ratio", "ratio", &l.scrap_ratio),
        ("first_pass_yield", "ratio", &l.first_pass_yield),
        ("energy", "kWh", &l.energy_kwh),
        (
            "energy_per_good_part",
            "kWh/part",
            &l.energy_kwh_per_good_part,
        ),
        ("on_time_share", "ratio", &l.on_time_share),
        ("labour_hours", "h", &l.labour_hours),
        ("labour_cost", "currency", &l.labour_cost),
        ("cost_per_good_part", "currency/part", &l.cost_per_good_part),
        ("safety_exposure", "person-h", &l.safety_exposure_h),
        ("littles_law_gap", "ratio", &l.littles_law_gap),
        (
            "bottleneck_share",
            "ratio",
            &Estimate {
                mean: l.bottleneck_share,
                half_width: None,
                n: summary.replications,
            },
        ),
    ];
    for (name, unit, e) in rows {
        let _ = writeln!(t, "{name},{unit},{}", est_cols(e));
    }
    let _ = writeln!(
        t,
        "bottleneck,id,{},,,",
        field(l.bottleneck.as_deref().unwrap_or(""))
    );
    write(dir, "line.csv", &t)?;

    let mut t = String::from("id,kind,capacity");
    let metrics = [
        "working",
        "setup",
        "failed",
        "starved",
        "blocked",
        "waiting_for_operator",
        "off_shift",
        "availability",
        "effectiveness",
        "quality",
        "oee",
        "produced",
        "scrapped",
        "failures",
        "mtbf_s",
        "mttr_s",
        "setups",
        "energy_kwh",
        "mean_active_period_s",
    ];
    for m in metrics {
        let _ = write!(t, ",{m},{m}_ci95");
    }
    t.push('\n');
    for s in &summary.stations {
        let _ = write!(t, "{},{},{}", field(&s.id), s.kind, s.capacity);
        let values = [
            &s.states["working"],
            &s.states["setup"],
            &s.states["failed"],
            &s.states["starved"],
            &s.states["blocked"],
            &s.states["waiting_for_operator"],
            &s.states["off_shift"],
            &s.availability,
            &s.effectiveness,
            &s.quality,
            &s.oee,
            &s.produced,
            &s.scrapped,
            &s.failures,
            &s.mtbf_s,
            &s.mttr_s,
            &s.setups,
            &s.energy_kwh,
            &s.mean_active_period_s,
        ];
        for e in values {
            let _ = write!(
                t,
                ",{},{}",
                num(e.mean),
                e.half_width.map(num).unwrap_or_default()
            );
        }
        t.push('\n');
    }
    write(dir, "stations.csv", &t)?;

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
    write(dir, "stores.csv", &t)?;

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
    write(dir, "operators.csv", &t)?;

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
    write(dir, "series.csv", &t)?;

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
    write(dir, "replications.csv", &t)
}

/// Writes the event logs as CSV: replication, time, object, part, event.
pub fn write_events(
    path: &Path,
    object_ids: &[String],
    runs: &[Replication],
) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "replication,time_s,object,part,event")?;
    let ids: Vec<String> = object_ids.iter().map(|s| field(s)).collect();
    for run in runs {
        for rec in run.log.iter().flatten() {
            let part = if rec.part == 0 {
                String::new()
            } else {
                rec.part.to_string()
            };
            writeln!(
                out,
                "{},{},{},{},{}",
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

/// One row per variant and figure: mean and 95 % interval.
pub fn business_case_csv(cases: &[BusinessCase]) -> String {
    let mut t =
        String::from("variant,figure,unit,mean,ci95_low,ci95_high,undefined_replications\n");
    for c in cases {
        let cur = c.assumptions.currency.as_str();
        let mut row = |name: &str, unit: &str, e: Option<&Estimate>, undefined: u32| {
            let (m, lo, hi) = e.map_or((String::new(), String::new(), String::new()), |e| {
                (num(e.mean), num(e.low()), num(e.high()))
            });
            t.push_str(&format!(
                "{},{name},{},{m},{lo},{hi},{undefined}\n",
                field(&c.variant),
                field(unit)
            ));
        };
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
            row(name, cur, Some(&e), 0);
        }
        let y = &c.yearly;
        row(
            "extra_good_parts_per_year",
            "parts",
            Some(&y.extra_good_parts),
            0,
        );
        row("labour_saving_per_year", cur, Some(&y.labour_saving), 0);
        row("energy_saving_per_year", cur, Some(&y.energy_saving), 0);
        row("scrap_saving_per_year", cur, Some(&y.scrap_saving), 0);
        row("margin_gain_per_year", cur, Some(&y.margin_gain), 0);
        row("net_cash_flow_per_year", cur, Some(&y.net_cash_flow), 0);
        row("npv", cur, Some(&c.npv), 0);
        row("npv_without_subsidy", cur, Some(&c.npv_without_subsidy), 0);
        row("irr", "%", c.irr.estimate.as_ref(), c.irr.undefined);
        row(
            "payback",
            "years",
            c.payback_years.estimate.as_ref(),
            c.payback_years.undefined,
        );
        row(
            "payback_without_subsidy",
            "years",
            c.payback_without_subsidy_years.estimate.as_ref(),
            c.payback_without_subsidy_years.undefined,
        );
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
