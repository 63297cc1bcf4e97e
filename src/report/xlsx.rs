//! Excel workbooks (`--xlsx FILE`) for a run, a comparison (with its
//! business case) and a sweep: one sheet per table, numbers as numbers with
//! formats, units in the headers, the header row frozen. The first sheet
//! is the report's first page in words; the last, its inputs.

use super::first_page::{self, FirstPage};
use super::inputs::Inputs;
use super::unit_text as unit;
use crate::economics::BusinessCase;
use crate::experiment::{Comparison, KPIS, Summary, Sweep};
use crate::kpi::Estimate;
use crate::sim::STATES;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// A run's workbook: summary, KPIs, stations, replications, inputs.
pub fn run_workbook(s: &Summary, inputs: &Inputs, path: &Path) -> Result<(), XlsxError> {
    let mut wb = workbook(inputs)?;
    summary_sheet(&mut wb, &first_page::run(s))?;
    kpi_sheet(&mut wb, std::slice::from_ref(s))?;
    station_sheet(&mut wb, std::slice::from_ref(s))?;
    replication_sheet(&mut wb, std::slice::from_ref(s))?;
    inputs_sheet(&mut wb, inputs, &[first_page::run_settings(s)])?;
    wb.save(path)
}

/// A comparison's workbook: summary, the paired differences, KPIs,
/// stations and replications of every scenario, each business case's cash
/// flow by year, inputs.
pub fn compare_workbook(
    c: &Comparison,
    cases: &[BusinessCase],
    inputs: &Inputs,
    path: &Path,
) -> Result<(), XlsxError> {
    let mut wb = workbook(inputs)?;
    summary_sheet(&mut wb, &first_page::compare(c, cases))?;
    difference_sheet(&mut wb, c)?;
    kpi_sheet(&mut wb, &c.scenarios)?;
    station_sheet(&mut wb, &c.scenarios)?;
    replication_sheet(&mut wb, &c.scenarios)?;
    if !cases.is_empty() {
        cash_flow_sheet(&mut wb, cases)?;
    }
    let runs: Vec<_> = c.scenarios.iter().map(first_page::run_settings).collect();
    inputs_sheet(&mut wb, inputs, &runs)?;
    wb.save(path)
}

/// A sweep's workbook: summary, every setting's KPIs, inputs.
pub fn sweep_workbook(s: &Sweep, inputs: &Inputs, path: &Path) -> Result<(), XlsxError> {
    let mut wb = workbook(inputs)?;
    summary_sheet(&mut wb, &first_page::sweep(s))?;
    let ws = wb.add_worksheet().set_name("settings")?;
    let mut head = vec!["setting".to_string()];
    for k in KPIS.iter() {
        let unit = unit(k.unit, s.currency.as_deref());
        head.push(format!("{} ({unit})", k.name));
        head.push(format!("{} ± (95 % CI of the mean)", k.name));
    }
    header(ws, &head)?;
    for (r, p) in s.points.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_string(row, 0, p.label())?;
        for (k, kpi) in p.kpis.iter().enumerate() {
            estimate(ws, row, 1 + 2 * k as u16, &kpi.estimate)?;
        }
    }
    ws.autofit();
    inputs_sheet(
        &mut wb,
        inputs,
        &[(
            s.scene.clone(),
            s.seed,
            s.replications,
            inputs.window.map_or(f64::NAN, |w| w.0),
            inputs.window.map_or(f64::NAN, |w| w.1),
        )],
    )?;
    wb.save(path)
}

/// A workbook dated by the inputs (so `SOURCE_DATE_EPOCH` fixes it).
fn workbook(inputs: &Inputs) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_timestamp(inputs.epoch)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    Ok(wb)
}

fn bold() -> Format {
    Format::new().set_bold()
}

fn number() -> Format {
    Format::new().set_num_format("#,##0.00")
}

/// A bold header row, frozen.
fn header(ws: &mut Worksheet, head: &[String]) -> Result<(), XlsxError> {
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold())?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// An estimate as two numbers, mean and half-width; empty cells where the
/// scenario has no value.
fn estimate(ws: &mut Worksheet, row: u32, col: u16, e: &Estimate) -> Result<(), XlsxError> {
    if e.n > 0 && e.mean.is_finite() {
        ws.write_number_with_format(row, col, e.mean, &number())?;
        if let Some(h) = e.half_width.filter(|h| h.is_finite()) {
            ws.write_number_with_format(row, col + 1, h, &number())?;
        }
    }
    Ok(())
}

/// The first page in words: question, answer, figures, business case,
/// caveats, one per row.
fn summary_sheet(wb: &mut Workbook, p: &FirstPage) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("summary")?;
    ws.set_column_width(0, 30)?;
    let mut row = 0;
    let mut line = |ws: &mut Worksheet, label: &str, text: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(row, 0, label, &bold())?;
        ws.write_string(row, 1, text)?;
        row += 1;
        Ok(())
    };
    line(ws, "question", &p.question)?;
    line(ws, "answer", &plain(&p.answer))?;
    line(ws, "figure", &p.head.join(" | "))?;
    for f in &p.figures {
        let cells: Vec<String> = f.cells.iter().map(|c| plain(c)).collect();
        line(ws, &f.name, &cells.join(" | "))?;
    }
    line(ws, "±", &p.plus_minus)?;
    for c in &p.case {
        line(ws, "business case", &plain(c))?;
    }
    for c in &p.caveats {
        line(ws, "caveat", c)?;
    }
    Ok(())
}

/// Every KPI of every scenario: mean and half-width.
fn kpi_sheet(wb: &mut Workbook, scenarios: &[Summary]) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("kpis")?;
    header(
        ws,
        &[
            "scenario".into(),
            "key".into(),
            "KPI".into(),
            "unit".into(),
            "mean".into(),
            "± (95 % CI of the mean)".into(),
            "replications".into(),
        ],
    )?;
    let mut row = 1;
    for s in scenarios {
        for k in KPIS.iter() {
            let values: Vec<f64> = s.runs.iter().filter_map(k.value).collect();
            let e = Estimate::of(&values);
            ws.write_string(row, 0, &s.scene)?;
            ws.write_string(row, 1, k.key)?;
            ws.write_string(row, 2, k.name)?;
            ws.write_string(row, 3, unit(k.unit, s.currency.as_deref()))?;
            estimate(ws, row, 4, &e)?;
            ws.write_number(row, 6, f64::from(e.n))?;
            row += 1;
        }
    }
    ws.autofit();
    Ok(())
}

/// Each variant's paired differences and verdicts.
fn difference_sheet(wb: &mut Workbook, c: &Comparison) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("differences")?;
    header(
        ws,
        &[
            "variant".into(),
            "key".into(),
            "KPI".into(),
            "unit".into(),
            "base mean".into(),
            "base ±".into(),
            "variant mean".into(),
            "variant ±".into(),
            "difference (variant − base)".into(),
            "difference ± (95 % CI of the mean paired difference)".into(),
            "difference unit".into(),
            "verdict".into(),
        ],
    )?;
    let currency = c.scenarios.first().and_then(|s| s.currency.as_deref());
    let mut row = 1;
    for v in &c.variants {
        for k in &v.kpis {
            ws.write_string(row, 0, &v.variant)?;
            ws.write_string(row, 1, k.key)?;
            ws.write_string(row, 2, k.kpi)?;
            ws.write_string(row, 3, unit(k.unit, currency))?;
            estimate(ws, row, 4, &k.base)?;
            estimate(ws, row, 6, &k.variant)?;
            estimate(ws, row, 8, &k.difference)?;
            ws.write_string(row, 10, unit(k.difference_unit, currency))?;
            ws.write_string(row, 11, k.verdict)?;
            row += 1;
        }
    }
    ws.autofit();
    Ok(())
}

/// Each station's state shares (%) and ISO 22400 figures (%).
fn station_sheet(wb: &mut Workbook, scenarios: &[Summary]) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("stations")?;
    let mut head: Vec<String> = vec![
        "scenario".into(),
        "station".into(),
        "kind".into(),
        "capacity".into(),
    ];
    head.extend(STATES.iter().map(|s| format!("{} (%)", s.label)));
    head.extend([
        "availability (%)".into(),
        "effectiveness (%)".into(),
        "quality (%)".into(),
        "OEE (%)".into(),
        "utilisation (%)".into(),
        "energy (kWh)".into(),
    ]);
    header(ws, &head)?;
    let mut row = 1;
    for s in scenarios {
        for st in &s.stations {
            ws.write_string(row, 0, &s.scene)?;
            ws.write_string(row, 1, &st.id)?;
            ws.write_string(row, 2, st.kind)?;
            ws.write_number(row, 3, f64::from(st.capacity))?;
            let mut col = 4;
            for state in STATES.iter() {
                if let Some(e) = st.states.get(state.key) {
                    percent(ws, row, col, e)?;
                }
                col += 1;
            }
            for e in [
                &st.availability,
                &st.effectiveness,
                &st.quality,
                &st.oee,
                &st.utilisation,
            ] {
                percent(ws, row, col, e)?;
                col += 1;
            }
            if st.energy_kwh.n > 0 {
                ws.write_number_with_format(row, col, st.energy_kwh.mean, &number())?;
            }
            row += 1;
        }
    }
    ws.autofit();
    Ok(())
}

fn percent(ws: &mut Worksheet, row: u32, col: u16, e: &Estimate) -> Result<(), XlsxError> {
    if e.n > 0 && e.mean.is_finite() {
        ws.write_number_with_format(row, col, e.mean * 100.0, &number())?;
    }
    Ok(())
}

/// Every replication's KPI values, one row each.
fn replication_sheet(wb: &mut Workbook, scenarios: &[Summary]) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("replications")?;
    let currency = scenarios.first().and_then(|s| s.currency.as_deref());
    let mut head: Vec<String> = vec!["scenario".into(), "replication".into()];
    head.extend(
        KPIS.iter()
            .map(|k| format!("{} ({})", k.name, unit(k.unit, currency))),
    );
    header(ws, &head)?;
    let mut row = 1;
    for s in scenarios {
        for (i, r) in s.runs.iter().enumerate() {
            ws.write_string(row, 0, &s.scene)?;
            ws.write_number(row, 1, i as f64)?;
            for (k, kpi) in KPIS.iter().enumerate() {
                if let Some(v) = (kpi.value)(r).filter(|v| v.is_finite()) {
                    ws.write_number_with_format(row, 2 + k as u16, v, &number())?;
                }
            }
            row += 1;
        }
    }
    ws.autofit();
    Ok(())
}

/// Each business case's cumulative cash flow by year (mean and the 95 %
/// interval of the mean), with the yearly effects above it.
fn cash_flow_sheet(wb: &mut Workbook, cases: &[BusinessCase]) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("cash flow")?;
    let cur = cases[0].assumptions.currency.clone();
    header(
        ws,
        &[
            "variant".into(),
            "year".into(),
            format!("cumulative cash flow, mean ({cur})"),
            format!("low, 95 % CI of the mean ({cur})"),
            format!("high ({cur})"),
        ],
    )?;
    let money = Format::new().set_num_format("#,##0");
    let mut row = 1;
    for c in cases {
        for p in &c.cumulative {
            ws.write_string(row, 0, &c.variant)?;
            ws.write_number(row, 1, f64::from(p.year))?;
            ws.write_number_with_format(row, 2, p.mean, &money)?;
            ws.write_number_with_format(row, 3, p.low, &money)?;
            ws.write_number_with_format(row, 4, p.high, &money)?;
            row += 1;
        }
    }
    ws.autofit();
    Ok(())
}

/// The files read with their SHA-256, the run settings, the command.
fn inputs_sheet(
    wb: &mut Workbook,
    inputs: &Inputs,
    runs: &[(String, u64, u32, f64, f64)],
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("inputs")?;
    header(ws, &["file".into(), "bytes".into(), "SHA-256".into()])?;
    let mut row = 1;
    for f in &inputs.files {
        ws.write_string(row, 0, &f.path)?;
        ws.write_number(row, 1, f.bytes as f64)?;
        ws.write_string(row, 2, &f.sha256)?;
        row += 1;
    }
    row += 1;
    for (c, h) in [
        "scenario",
        "seed",
        "replications",
        "warm-up (h)",
        "observed (h)",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(row, c as u16, *h, &bold())?;
    }
    row += 1;
    for (name, seed, reps, warmup, horizon) in runs {
        ws.write_string(row, 0, name)?;
        // As text: a seed may not fit a spreadsheet number exactly.
        ws.write_string(row, 1, seed.to_string())?;
        ws.write_number(row, 2, f64::from(*reps))?;
        for (col, v) in [(3, warmup), (4, horizon)] {
            if v.is_finite() {
                ws.write_number(row, col, v / 3600.0)?;
            }
        }
        row += 1;
    }
    row += 1;
    for (label, value) in [
        ("command", inputs.command.as_str()),
        ("version", inputs.version),
        ("date", inputs.date.as_str()),
    ] {
        ws.write_string_with_format(row, 0, label, &bold())?;
        ws.write_string(row, 1, value)?;
        row += 1;
    }
    ws.autofit();
    Ok(())
}

/// HTML as plain text: tags dropped, entities decoded (the HTML was made
/// by escaping text, so "<" in a name is "&lt;" and never a tag).
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_text_of_escaped_html() {
        let html = format!(
            "<b>{}</b>: pays back",
            super::super::chart::escape("A & B <i>\"x\"</i> 라인")
        );
        assert_eq!(super::plain(&html), "A & B <i>\"x\"</i> 라인: pays back");
    }
}
