//! The terminal report: headline figures first, then tables with units.

use crate::experiment::Summary;
use crate::kpi::Estimate;
use std::fmt::Write;

/// "62.4 ± 1.3" (or "62.4" with one replication); `scale` converts units.
fn pm(e: &Estimate, scale: f64, decimals: usize) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        return "–".into();
    }
    match e.half_width {
        Some(h) => format!(
            "{:.*} ± {:.*}",
            decimals,
            e.mean * scale,
            decimals,
            h * scale
        ),
        None => format!("{:.*}", decimals, e.mean * scale),
    }
}

fn pct(e: &Estimate) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        "–".into()
    } else {
        format!("{:.1}", e.mean * 100.0)
    }
}

/// A duration in the unit that reads best.
fn dur(e: &Estimate) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        return "–".into();
    }
    let (scale, unit) = if e.mean >= 7200.0 {
        (1.0 / 3600.0, "h")
    } else if e.mean >= 120.0 {
        (1.0 / 60.0, "min")
    } else {
        (1.0, "s")
    };
    format!("{} {unit}", pm(e, scale, 1))
}

fn hours(s: f64) -> String {
    if s >= 3600.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{s} s")
    }
}

/// Formats the summary for a terminal.
pub fn terminal(s: &Summary) -> String {
    let mut o = String::new();
    let l = &s.line;
    let reps = if s.replications == 1 {
        "1 replication".to_string()
    } else {
        format!(
            "{} replications, ± = 95 % confidence interval",
            s.replications
        )
    };
    let _ = writeln!(o, "{}", s.scene);
    let _ = writeln!(
        o,
        "{}, {} observed after {} warm-up, seed {}\n",
        reps,
        hours(s.horizon_s),
        hours(s.warmup_s),
        s.seed
    );
    let _ = writeln!(
        o,
        "  Good parts per hour    {}",
        pm(&l.good_per_hour, 1.0, 1)
    );
    let _ = writeln!(
        o,
        "  Line OEE               {} %",
        pm(&l.line_oee, 100.0, 1)
    );
    match &l.bottleneck {
        Some(b) => {
            let _ = writeln!(
                o,
                "  Bottleneck             {b} (longest active periods in {:.0} % of replications)",
                l.bottleneck_share * 100.0
            );
        }
        None => {
            let _ = writeln!(o, "  Bottleneck             –");
        }
    }
    let _ = writeln!(o, "  Good parts             {}", pm(&l.good_parts, 1.0, 0));
    let _ = writeln!(o, "  WIP (parts)            {}", pm(&l.wip, 1.0, 2));
    let _ = writeln!(
        o,
        "  Lead time              mean {}, p50 {}, p90 {}, p95 {}, max {}",
        dur(&l.lead_time_mean_s),
        dur(&l.lead_time_p50_s),
        dur(&l.lead_time_p90_s),
        dur(&l.lead_time_p95_s),
        dur(&l.lead_time_max_s)
    );
    let _ = writeln!(
        o,
        "  Scrap                  {} % ({} parts)",
        pm(&l.scrap_ratio, 100.0, 2),
        pm(&l.scrapped, 1.0, 0)
    );
    if l.energy_kwh.mean > 0.0 {
        let _ = writeln!(
            o,
            "  Energy                 {} kWh, {} kWh per good part",
            pm(&l.energy_kwh, 1.0, 1),
            pm(&l.energy_kwh_per_good_part, 1.0, 3)
        );
    }
    if l.on_time_share.n > 0 {
        let _ = writeln!(
            o,
            "  On-time delivery       {} %",
            pm(&l.on_time_share, 100.0, 1)
        );
    }
    if l.labour_hours.mean > 0.0 {
        let cur = s.currency.as_deref().unwrap_or("");
        let _ = writeln!(
            o,
            "  Labour                 {} paid hours, {} {cur}",
            pm(&l.labour_hours, 1.0, 1),
            pm(&l.labour_cost, 1.0, 0)
        );
    }
    if let Some(cur) = &s.currency {
        let _ = writeln!(
            o,
            "  Cost per good part     {} {cur} (labour, energy, scrap)",
            pm(&l.cost_per_good_part, 1.0, 1)
        );
    }

    let _ = writeln!(
        o,
        "\nStations: share of time in each state (%), ISO 22400 figures"
    );
    let _ = writeln!(
        o,
        "  {:<14} {:<14} {:>3} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} {:>6} {:>9} {:>8} {:>7} {:>8}",
        "id",
        "kind",
        "cap",
        "work",
        "setup",
        "failed",
        "starve",
        "block",
        "w.op",
        "off",
        "avail",
        "effect",
        "qual",
        "OEE",
        "produced",
        "MTBF h",
        "MTTR m",
        "kWh"
    );
    for st in &s.stations {
        let state = |k: &str| pct(&st.states[k]);
        let mark = if l.bottleneck.as_deref() == Some(st.id.as_str()) {
            "*"
        } else {
            " "
        };
        let _ = writeln!(
            o,
            " {mark}{:<14} {:<14} {:>3} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} {:>6} {:>9} {:>8} {:>7} {:>8}",
            truncate(&st.id, 14),
            st.kind,
            st.capacity,
            state("working"),
            state("setup"),
            state("failed"),
            state("starved"),
            state("blocked"),
            state("waiting_for_operator"),
            state("off_shift"),
            pct(&st.availability),
            pct(&st.effectiveness),
            pct(&st.quality),
            pct(&st.oee),
            pm(&st.produced, 1.0, 0).split(' ').next().unwrap_or(""),
            fmt_opt(&st.mtbf_s, 1.0 / 3600.0, 1),
            fmt_opt(&st.mttr_s, 1.0 / 60.0, 1),
            fmt_opt(&st.energy_kwh, 1.0, 1),
        );
    }
    let _ = writeln!(
        o,
        "  (* bottleneck; percentages are means over replications)"
    );
    if !s.stores.is_empty() {
        let _ = writeln!(o, "\nBuffers and conveyors");
        let _ = writeln!(
            o,
            "  {:<14} {:<9} {:>8} {:>14} {:>5} {:>12}",
            "id", "kind", "capacity", "mean content", "max", "transit"
        );
        for b in &s.stores {
            let _ = writeln!(
                o,
                "  {:<14} {:<9} {:>8} {:>14} {:>5} {:>12}",
                truncate(&b.id, 14),
                b.kind,
                b.capacity,
                pm(&b.mean_content, 1.0, 2),
                fmt_opt(&b.max_content, 1.0, 0),
                if b.mean_transit_s.n > 0 {
                    dur(&b.mean_transit_s)
                } else {
                    "".into()
                }
            );
        }
    }
    if !s.operators.is_empty() {
        let _ = writeln!(o, "\nOperators");
        let _ = writeln!(
            o,
            "  {:<14} {:>5} {:>12} {:>11}",
            "id", "count", "utilisation", "paid hours"
        );
        for p in &s.operators {
            let _ = writeln!(
                o,
                "  {:<14} {:>5} {:>10} % {:>11}",
                truncate(&p.id, 14),
                p.count,
                pct(&p.utilisation),
                fmt_opt(&p.paid_hours, 1.0, 1)
            );
        }
    }
    let _ = writeln!(
        o,
        "\nChecked in every replication: parts are conserved, state times add up to the observed time,\n\
         ∫WIP dt equals the parts' time inside. Little's law L = λW differs by {} %: the parts\n\
         still inside at the end (and at the end of the warm-up) make the difference.",
        pm(&l.littles_law_gap, 100.0, 2)
    );
    o
}

fn fmt_opt(e: &Estimate, scale: f64, decimals: usize) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        "–".into()
    } else {
        format!("{:.*}", decimals, e.mean * scale)
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(std::iter::once('…')).collect()
    }
}

/// The comparison table: per KPI, base, variant and the paired difference.
pub fn comparison(c: &crate::experiment::Comparison) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Compared with \"{}\": {} paired replications with common random numbers, seed {}; ± = 95 % interval\n",
        c.base, c.replications, c.seed
    );
    for v in &c.variants {
        let _ = writeln!(o, "{}", v.variant);
        let _ = writeln!(
            o,
            "  {:<13} {:<38} {:>18} {:>18} {:>20}  verdict",
            "family", "KPI", "base", "variant", "difference"
        );
        for k in &v.kpis {
            let signed = |e: &Estimate| {
                if e.n == 0 || !e.mean.is_finite() {
                    "–".to_string()
                } else {
                    format!(
                        "{:+.2}{}",
                        e.mean,
                        e.half_width
                            .map(|h| format!(" ± {h:.2}"))
                            .unwrap_or_default()
                    )
                }
            };
            let _ = writeln!(
                o,
                "  {:<13} {:<38} {:>18} {:>18} {:>20}  {}",
                k.family,
                format!("{} ({})", k.kpi, k.unit),
                pm(&k.base, 1.0, 2),
                pm(&k.variant, 1.0, 2),
                signed(&k.difference),
                if k.difference.n == 0 {
                    "–"
                } else {
                    k.verdict
                }
            );
        }
        let _ = writeln!(o);
    }
    for n in &c.not_modelled {
        let _ = writeln!(o, "Not modelled yet: {n}.");
    }
    o
}

/// The sweep as a table, best setting last.
pub fn sweep(s: &crate::experiment::Sweep) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Sweep of \"{}\": {} settings × {} replications with common random numbers, seed {}; ± = 95 % interval\n",
        s.scene,
        s.points.len(),
        s.replications,
        s.seed
    );
    let shown = [
        "good_per_hour",
        "line_oee",
        "lead_time",
        "cost_per_good_part",
    ];
    let mut head = format!("  {:<40}", "setting");
    let mut keys: Vec<&str> = vec![s.by];
    keys.extend(shown.iter().filter(|k| **k != s.by));
    for k in &keys {
        let kpi = crate::experiment::KPIS
            .iter()
            .find(|x| x.key == *k)
            .expect("known key");
        head.push_str(&format!(" {:>22}", format!("{} ({})", kpi.key, kpi.unit)));
    }
    let _ = writeln!(o, "{head}");
    for (i, p) in s.points.iter().enumerate() {
        let mark = if s.best.as_ref().map(|b| b.point) == Some(i) {
            "*"
        } else {
            " "
        };
        let mut row = format!("{mark} {:<40}", p.label());
        for k in &keys {
            row.push_str(&format!(
                " {:>22}",
                p.kpi(k).map_or("–".into(), |x| pm(&x.estimate, 1.0, 2))
            ));
        }
        let _ = writeln!(o, "{row}");
    }
    match &s.best {
        Some(b) => {
            let _ = write!(
                o,
                "\nBest by {} ({}): {} with {} {}",
                s.by_name,
                if s.higher_is_better {
                    "higher is better"
                } else {
                    "lower is better"
                },
                b.label,
                pm(&b.estimate, 1.0, 2),
                s.by_unit
            );
            if let Some((_, label, d)) = &b.runner_up {
                let _ = write!(
                    o,
                    "; ahead of {label} by {} {} ({})",
                    pm(
                        &Estimate {
                            mean: d.mean.abs(),
                            ..*d
                        },
                        1.0,
                        2
                    ),
                    s.by_unit,
                    if b.significant {
                        "significant"
                    } else {
                        "not significant"
                    }
                );
            }
            let _ = writeln!(o, ".");
        }
        None => {
            let _ = writeln!(o, "\nNo setting gives a value for {}.", s.by_name);
        }
    }
    o
}

/// The business case in plain terms: money in, money back, when.
pub fn business_case(c: &crate::economics::BusinessCase) -> String {
    use crate::report::html::grouped;
    let cur = &c.assumptions.currency;
    let mut o = String::new();
    let money = |e: &Estimate| {
        if e.n == 0 || !e.mean.is_finite() {
            "–".to_string()
        } else {
            match e.half_width {
                Some(h) => format!("{} ± {} {cur}", grouped(e.mean), grouped(h)),
                None => format!("{} {cur}", grouped(e.mean)),
            }
        }
    };
    let part = |p: &crate::economics::Partial, unit: &str, digits: usize| {
        let mut t = p
            .estimate
            .as_ref()
            .map_or("–".into(), |e| format!("{} {unit}", pm(e, 1.0, digits)));
        if let Some(n) = &p.note {
            t.push_str(&format!(" ({n})"));
        }
        t
    };
    let _ = writeln!(
        o,
        "Business case: \"{}\" against \"{}\" ({} paired replications)",
        c.variant, c.base, c.replications
    );
    let i = &c.investment;
    for (name, v) in &i.items {
        let _ = writeln!(o, "  {name:<34} {:>20} {cur}", grouped(*v));
    }
    let _ = writeln!(
        o,
        "  {:<34} {:>20} {cur}",
        "gross investment",
        grouped(i.gross)
    );
    let rule = match (i.subsidy_rate, i.subsidy_cap) {
        (Some(r), Some(cap)) => format!(
            "subsidy ({:.0} %, cap {}{})",
            r * 100.0,
            grouped(cap),
            if i.cap_binding { ", cap applies" } else { "" }
        ),
        _ => "subsidy".into(),
    };
    let _ = writeln!(
        o,
        "  {rule:<34} {:>20} {cur}",
        format!("−{}", grouped(i.subsidy))
    );
    let _ = writeln!(
        o,
        "  {:<34} {:>20} {cur}\n",
        "net investment",
        grouped(i.net)
    );
    let y = &c.yearly;
    let _ = writeln!(
        o,
        "  per year (variant − base, window × {:.2}):",
        c.assumptions.annual_factor
    );
    let _ = writeln!(
        o,
        "    extra good parts      {:>28}",
        pm(&y.extra_good_parts, 1.0, 0)
    );
    let _ = writeln!(o, "    margin gained         {:>28}", money(&y.margin_gain));
    let _ = writeln!(
        o,
        "    labour hours saved    {:>28}",
        pm(&y.labour_hours_saved, 1.0, 0)
    );
    let _ = writeln!(
        o,
        "    labour cost saved     {:>28}",
        money(&y.labour_saving)
    );
    let _ = writeln!(
        o,
        "    energy cost saved     {:>28}",
        money(&y.energy_saving)
    );
    let _ = writeln!(
        o,
        "    scrap cost saved      {:>28}",
        money(&y.scrap_saving)
    );
    let _ = writeln!(
        o,
        "    maintenance           {:>28}",
        format!("−{} {cur}", grouped(y.maintenance))
    );
    let _ = writeln!(
        o,
        "    net cash flow         {:>28}\n",
        money(&y.net_cash_flow)
    );
    let _ = writeln!(
        o,
        "  payback (with subsidy)    {}",
        part(&c.payback_years, "years", 2)
    );
    let _ = writeln!(
        o,
        "  payback (without subsidy) {}",
        part(&c.payback_without_subsidy_years, "years", 2)
    );
    let _ = writeln!(
        o,
        "  NPV at {:.1} % over {} years  {}",
        c.assumptions.discount_rate * 100.0,
        i.life_years,
        money(&c.npv)
    );
    let _ = writeln!(
        o,
        "  NPV without subsidy        {}",
        money(&c.npv_without_subsidy)
    );
    let _ = writeln!(o, "  IRR                        {}", part(&c.irr, "%", 1));
    if !c.tornado.is_empty() {
        let _ = writeln!(
            o,
            "\n  What moves the NPV most (low setting → high setting):"
        );
        for t in &c.tornado {
            let _ = writeln!(
                o,
                "    {:<14} {:>10} {:>22} → {:<10} {:>22}",
                t.assumption,
                t.low_setting,
                grouped(t.npv_low),
                t.high_setting,
                grouped(t.npv_high)
            );
        }
    }
    for n in &c.notes {
        let _ = writeln!(o, "\n  Note: {n}.");
    }
    o
}
