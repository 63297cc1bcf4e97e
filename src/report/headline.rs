//! A run's headline figures: one row per KPI of the KPI table
//! ([`crate::experiment::KPIS`], the list `compare` and `sweep` use) that the
//! scene models, each over the run's replications and to the precision of
//! its interval, with what only a single run shows beside the KPI it belongs
//! with (the bottleneck beside line OEE, WIP and the lead-time percentiles
//! beside lead time). The terminal and the HTML run report print these rows,
//! so they name the same figures in the same order.

use super::words;
use crate::experiment::{KPIS, Kpi, Summary};
use crate::kpi::Estimate;
use crate::lang::{tr, trf};

/// One headline figure.
pub(crate) struct Row {
    /// "Good parts per hour": sentence case, no unit.
    pub label: String,
    /// "14.33 ± 1.20 parts/h", or the text of a figure that is not a number.
    pub value: String,
    /// What the figure rests on or leaves out, where it needs saying ("" if not).
    pub note: String,
}

impl Row {
    fn new(label: &str, value: String, note: String) -> Self {
        let mut chars = label.chars();
        let label = match chars.next() {
            Some(c) => c.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        Self { label, value, note }
    }
}

/// The headline rows of `s`, KPIs in the table's order.
pub(crate) fn rows(s: &Summary) -> Vec<Row> {
    let mut rows = Vec::new();
    for kpi in KPIS.iter() {
        let values: Vec<f64> = s.runs.iter().filter_map(kpi.value).collect();
        if values.is_empty() || shown_elsewhere(s, kpi) {
            // The bottleneck is said even where its line OEE is undefined.
            // So are the orders, when none was completed (late ones open).
            if kpi.key == "line_oee" || kpi.key == "orders_on_time" {
                rows.extend(beside(s, kpi.key));
            }
            continue;
        }
        let e = Estimate::of(&values);
        rows.push(Row::new(kpi.name, value(s, kpi, &e), note(s, kpi)));
        rows.extend(beside(s, kpi.key));
    }
    rows
}

/// A KPI the rows leave out although the scene defines it: the cost with
/// capital without an investment (it is the running cost), and the demand
/// turned away below half a percent (a rounding error, not a finding).
fn shown_elsewhere(s: &Summary, kpi: &Kpi) -> bool {
    match kpi.key {
        "cost_per_good_part_with_capital" => s
            .runs
            .iter()
            .all(|r| r.line.cost_per_good_part_with_capital == r.line.cost_per_good_part),
        "demand_turned_away" => !turned_away_shown(s),
        _ => false,
    }
}

/// Whether the demand turned away is worth a headline (half a percent or more).
pub(crate) fn turned_away_shown(s: &Summary) -> bool {
    let share = &s.line.demand_turned_away_share;
    share.n > 0 && share.mean >= 0.005
}

/// The formatter of the KPI table: money to three significant digits in
/// the scene's currency, every other figure to its interval's precision.
pub(crate) fn value(s: &Summary, kpi: &Kpi, e: &Estimate) -> String {
    match (kpi.unit, &s.currency) {
        ("currency", Some(c)) => format!("{} {c}", words::money_estimate(e)),
        (unit, _) => format!("{} {unit}", words::estimate(e)),
    }
}

/// What a KPI's figure rests on, said beside it.
fn note(s: &Summary, kpi: &Kpi) -> String {
    let l = &s.line;
    match kpi.key {
        "good_per_hour" if off_shift(s) => {
            tr("per hour of the whole window, off-shift hours included")
        }
        "line_oee" => line_oee_of(s),
        "scrap_rate" => trf("{n} parts", &[("n", &pm(&l.scrapped, 1.0, 0))]),
        "cost_per_good_part" => tr("labour, energy and scrap"),
        "lead_time" => {
            let mut t = format!(
                "p50 {}, p90 {}, p95 {}, max {}",
                duration(&l.lead_time_p50_s),
                duration(&l.lead_time_p90_s),
                duration(&l.lead_time_p95_s),
                duration(&l.lead_time_max_s)
            );
            if l.lead_time_mean_s.n > 0 && l.lead_time_mean_s.mean > l.lead_time_p95_s.mean {
                t.push_str(&tr("; the mean is above the 95th percentile: a few parts wait far longer than the rest, e.g. left in the line over a night or a weekend off shift"));
            }
            t
        }
        "on_time_share" if turned_away_shown(s) => tr("of the parts that entered"),
        "orders_on_time" => tr("of the orders completed, and those late and still open at the end"),
        "demand_turned_away" => trf(
            "{n} parts: the entry was full, so they never entered; not in lead time or on-time delivery",
            &[("n", &pm(&l.demand_turned_away, 1.0, 0))],
        ),
        _ => String::new(),
    }
}

/// The figures only a run shows, beside the KPI they belong with.
fn beside(s: &Summary, key: &str) -> Vec<Row> {
    let l = &s.line;
    match key {
        "good_per_hour" => vec![Row::new(
            "good parts",
            trf("{n} parts", &[("n", &pm(&l.good_parts, 1.0, 0))]),
            String::new(),
        )],
        "good_per_labour_hour" => {
            let cost = match &s.currency {
                Some(c) => format!(", {} {c}", words::money_estimate(&l.labour_cost)),
                None => String::new(),
            };
            vec![Row::new(
                "labour",
                trf(
                    "{n} paid hours{cost}",
                    &[("n", &pm(&l.labour_hours, 1.0, 1)), ("cost", &cost)],
                ),
                tr("in the window"),
            )]
        }
        "line_oee" => {
            let (name, note) = bottleneck(s);
            vec![Row::new("bottleneck", name, note)]
        }
        "energy_per_good_part" => vec![Row::new(
            "energy",
            format!("{} kWh", pm(&l.energy_kwh, 1.0, 1)),
            tr("in the window"),
        )],
        "orders_on_time" => match &l.orders {
            Some(o) => vec![Row::new(
                "orders",
                trf("{n} completed", &[("n", &count(&o.completed))]),
                format!(
                    "mean tardiness {}; {} late and still open at the end{}",
                    duration(&o.mean_tardiness_s),
                    count(&o.open_late),
                    match &o.lots_split {
                        Some(n) if n.mean > 0.0 => format!(
                            "; {} split (a buffer too small to hold them whole)",
                            match count(n).as_str() {
                                "1" => "1 lot".to_string(),
                                c => format!("{c} lots"),
                            }
                        ),
                        _ => String::new(),
                    }
                ),
            )],
            None => Vec::new(),
        },
        "lead_time" => vec![Row::new(
            "WIP",
            trf("{n} parts", &[("n", &pm(&l.wip, 1.0, 2))]),
            tr("mean parts in process"),
        )],
        _ => Vec::new(),
    }
}

/// Whether any station spends time off shift (then "per hour" is per hour
/// of the whole window, and says so).
fn off_shift(s: &Summary) -> bool {
    s.stations
        .iter()
        .any(|st| st.states.get("off_shift").is_some_and(|e| e.mean > 0.0))
}

/// "62.4 ± 1.3" (or "62.4" with one replication); `scale` converts units.
pub(crate) fn pm(e: &Estimate, scale: f64, decimals: usize) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        return "–".into();
    }
    // Thousands grouped: "2,445 ± 44".
    let g = |v: f64| words::group(&format!("{v:.decimals$}"));
    match e.half_width {
        Some(h) => format!("{} ± {}", g(e.mean * scale), g(h * scale)),
        None => g(e.mean * scale),
    }
}

/// A count over replications: "30" when every replication agrees, else
/// to its interval's precision ("29.9 ± 0.2", not "30 ± 0").
fn count(e: &Estimate) -> String {
    match e.half_width {
        Some(h) if h > 0.0 => words::estimate(e),
        _ if e.n > 0 && e.mean.is_finite() => words::group(&format!("{:.0}", e.mean)),
        _ => "–".into(),
    }
}

/// A duration in the unit that reads best.
pub(crate) fn duration(e: &Estimate) -> String {
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

/// What the line OEE is the OEE of.
fn line_oee_of(s: &Summary) -> String {
    let l = &s.line;
    match (&l.bottleneck, &l.busiest) {
        _ if l.line_oee.n == 0 => String::new(),
        (Some(b), _) if !l.shared_limit.is_empty() => trf(
            "of {id}, named most often of the resources that share the limit",
            &[("id", b)],
        ),
        (Some(b), _) if l.bottleneck_resource == Some("operators") => trf(
            "of {id}, the bottleneck: paid operator-time on ideal-speed work on good parts",
            &[("id", b)],
        ),
        (Some(b), _) => {
            let paced = s.paced_by();
            if paced.len() > 1 {
                let each: Vec<String> = paced
                    .iter()
                    .map(|(id, share)| {
                        trf(
                            "{id} in {share} %",
                            &[("id", id), ("share", &format!("{:.0}", share * 100.0))],
                        )
                    })
                    .collect();
                trf(
                    "of each replication's bottleneck: {each} of replications; mostly {id}",
                    &[("each", &each.join(", ")), ("id", b)],
                )
            } else {
                trf("of {id}, the bottleneck", &[("id", b)])
            }
        }
        (None, Some(b)) => trf(
            "of {id}, the busiest resource; low when demand is short",
            &[("id", b)],
        ),
        (None, None) => String::new(),
    }
}
/// The bottleneck verdict in words: which resource, how busy, how often.
pub fn bottleneck_line(s: &Summary) -> String {
    match bottleneck(s) {
        (name, note) if note.is_empty() => name,
        (name, note) => format!("{name} ({note})"),
    }
}

/// The bottleneck's name ("cut", "shared by m1 and m2", "none: demand-limited")
/// and what it rests on.
fn bottleneck(s: &Summary) -> (String, String) {
    let l = &s.line;
    if !l.shared_limit.is_empty() {
        let ids: Vec<&str> = l.shared_limit.iter().map(|r| r.id.as_str()).collect();
        let each: Vec<String> = l
            .shared_limit
            .iter()
            .map(|r| {
                trf(
                    "{id} busy {busy} % (named in {share} % of replications)",
                    &[
                        ("id", &r.id),
                        ("busy", &pm(&r.utilisation, 100.0, 1)),
                        ("share", &format!("{:.0}", r.share * 100.0)),
                    ],
                )
            })
            .collect();
        return (
            trf("shared by {ids}", &[("ids", &ids.join(&tr(" and ")))]),
            trf(
                "no one resource limits the line alone; {each}; `factory-twin bottleneck` measures what relieving each gains",
                &[("each", &each.join(", "))],
            ),
        );
    }
    match &l.bottleneck {
        Some(b) => {
            let fleet = s
                .stations
                .iter()
                .any(|st| &st.id == b && st.kind == "vehicles");
            let what = match l.bottleneck_resource {
                Some("operators") => "operator pool",
                _ if fleet => "vehicle fleet",
                _ => "station",
            };
            (
                b.clone(),
                trf(
                    "{what}, busy {busy} % of the time it could work; the bottleneck in {share} % of replications",
                    &[
                        ("what", &tr(what)),
                        ("busy", &pm(&l.bottleneck_utilisation, 100.0, 1)),
                        ("share", &format!("{:.0}", l.bottleneck_share * 100.0)),
                    ],
                ),
            )
        }
        None if l.demand_limited_share > 0.0 => (
            tr("none: demand-limited"),
            trf(
                "output follows arrivals in {share} % of replications{busiest}",
                &[
                    ("share", &format!("{:.0}", l.demand_limited_share * 100.0)),
                    (
                        "busiest",
                        &l.busiest
                            .as_ref()
                            .map(|b| trf("; busiest: {id}", &[("id", b)]))
                            .unwrap_or_default(),
                    ),
                ],
            ),
        ),
        None => ("–".into(), String::new()),
    }
}
