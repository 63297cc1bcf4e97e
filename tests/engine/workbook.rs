//! The Excel workbook: it reopens (read back with calamine, an independent
//! reader) with the same figures as `--json`, and names with markup,
//! quotes and Korean text survive every format unchanged.

use super::scenarios::cli;
use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ft-workbook-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("the workbook opens");
    let range = wb.worksheet_range(name).expect("the sheet exists");
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn the_roi_workbook_holds_the_json_figures() {
    let dir = tmp("roi");
    let file = dir.join("roi.xlsx");
    let out = cli(&[
        "roi",
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
        "--reps",
        "3",
        "--json",
        "--xlsx",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let wb: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "summary",
            "differences",
            "kpis",
            "stations",
            "replications",
            "cash flow",
            "inputs"
        ]
    );
    // Every paired difference, as a number equal to the JSON's.
    let rows = sheet(&file, "differences");
    assert_eq!(text(&rows[0][4]), "base mean");
    let kpis = json["variants"][0]["kpis"].as_array().unwrap();
    for k in kpis {
        let row = rows
            .iter()
            .find(|r| text(&r[1]) == k["key"].as_str().unwrap())
            .unwrap_or_else(|| panic!("no row for {}", k["key"]));
        for (col, field) in [(4, "base"), (6, "variant"), (8, "difference")] {
            match (k[field]["mean"].as_f64(), &row[col]) {
                // Equal to the last bit but one: serde_json's default float
                // parsing may round the JSON's shortest decimal off by one ulp.
                (Some(m), Data::Float(v)) => {
                    assert!(
                        (v - m).abs() <= 2.0 * f64::EPSILON * m.abs(),
                        "{} {field}: {v} {m}",
                        k["key"]
                    )
                }
                (None, Data::Empty) => {}
                (m, cell) => panic!("{} {field}: JSON {m:?}, sheet {cell:?}", k["key"]),
            }
        }
        assert_eq!(text(&row[11]), k["verdict"].as_str().unwrap());
    }
    // The cash flow by year: the JSON's cumulative means.
    let cash = sheet(&file, "cash flow");
    let cumulative = json["business_cases"][0]["cumulative"].as_array().unwrap();
    assert_eq!(cash.len(), 1 + cumulative.len());
    for (row, p) in cash[1..].iter().zip(cumulative) {
        let (Data::Float(v), Some(m)) = (&row[2], p["mean"].as_f64()) else {
            panic!("{row:?}");
        };
        assert!((v - m).abs() <= 2.0 * f64::EPSILON * m.abs(), "{v} {m}");
    }
    // The first page in words, and the inputs with the scene's hash.
    let summary = sheet(&file, "summary");
    assert_eq!(text(&summary[0][0]), "question");
    assert!(
        text(&summary[1][1]).contains("pays back"),
        "{:?}",
        summary[1]
    );
    let inputs = sheet(&file, "inputs");
    assert!(
        inputs
            .iter()
            .any(|r| text(&r[0]) == "scenes/bracket_line.ron" && text(&r[2]).len() == 64)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn names_with_markup_quotes_and_korean_survive_every_format() {
    let dir = tmp("names");
    let name = r#"A & B <i>"라인"</i>"#;
    let station = "용접<1>&'x'";
    let scene = format!(
        r#"Scene(name: {name:?}, run: (horizon: Hours(2), seed: 3, replications: 2),
        products: [Product(id: "p")],
        objects: [
            Source(id: "in", pos: (0, 0), product: "p", interarrival: Exponential(mean: Seconds(60))),
            Machine(id: {station:?}, pos: (2, 0), cycle: Constant(Seconds(30))),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("in", {station:?}), ({station:?}, "out")])"#
    );
    let path = dir.join("names.ron");
    std::fs::write(&path, scene).unwrap();
    let (xlsx, csv, html) = (dir.join("r.xlsx"), dir.join("csv"), dir.join("r.html"));
    let pdf = dir.join("r.pdf");
    let out = cli(&[
        "run",
        path.to_str().unwrap(),
        "--xlsx",
        xlsx.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--csv-bom",
        "--report",
        html.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The workbook: the names as they are.
    let kpis = sheet(&xlsx, "kpis");
    assert_eq!(text(&kpis[1][0]), name);
    let stations = sheet(&xlsx, "stations");
    assert!(
        stations.iter().any(|r| text(&r[1]) == station),
        "{stations:?}"
    );
    // The CSV: a byte-order mark, then the station id unchanged (quoted
    // only where RFC 4180 needs it).
    let bytes = std::fs::read(csv.join("stations.csv")).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    assert!(String::from_utf8(bytes).unwrap().contains(station));
    // The HTML: escaped once, shown as text.
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("용접&lt;1&gt;&amp;&#39;x&#39;"));
    assert!(!page.contains("&amp;amp;") && !page.contains("<i>\""));
    // The PDF, laid out from that HTML: the text as written, no markup.
    let out = cli(&[
        "run",
        path.to_str().unwrap(),
        "--report",
        pdf.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = super::pdf::pdf_text(&pdf, 1, 99);
    assert!(text.contains(name) && text.contains(station), "{text}");
    assert!(!text.contains("&amp;") && !text.contains("&lt;"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}
