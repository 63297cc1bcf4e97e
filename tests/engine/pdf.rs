//! The PDF report (`--report FILE.pdf`), made by the program without a
//! browser: read back with poppler (`pdftoppm`, `pdftotext`; Debian's
//! poppler-utils, installed by `.ci/run`), every page of the business case,
//! a comparison, a run and a sweep has something drawn on it, the first page
//! decides, the same inputs give the same bytes, and a missing font is a
//! clear refusal.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ft-pdf-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// factory-twin with a fixed report date, so a report's bytes can repeat.
fn factory_twin(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_factory-twin"));
    c.env("LC_ALL", "C")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1764720000");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn made(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn poppler(tool: &str, args: &[&str]) -> Output {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} is needed to read the PDF back ({e}); install poppler-utils (.ci/run does)")
    });
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The text of pages `first..=last`.
pub(super) fn pdf_text(pdf: &Path, first: u32, last: u32) -> String {
    let out = poppler(
        "pdftotext",
        &[
            "-f",
            &first.to_string(),
            "-l",
            &last.to_string(),
            "-enc",
            "UTF-8",
            pdf.to_str().unwrap(),
            "-",
        ],
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Share of pixels that are not white on each page, rendered at 24 dpi.
fn ink_per_page(pdf: &Path, dir: &Path) -> Vec<f64> {
    let prefix = dir.join("page");
    poppler(
        "pdftoppm",
        &[
            "-r",
            "24",
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    pages
        .iter()
        .map(|p| {
            let decoder =
                png::Decoder::new(std::io::BufReader::new(std::fs::File::open(p).unwrap()));
            let mut reader = decoder.read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut buf).unwrap();
            let px = info.color_type.samples();
            let pixels = &buf[..info.buffer_size()];
            let inked = pixels
                .chunks(px)
                .filter(|c| c.iter().take(3).any(|v| *v < 230))
                .count();
            inked as f64 / (pixels.len() / px) as f64
        })
        .collect()
}

/// Every page of `pdf` carries text or a chart, none is blank.
fn every_page_drawn(pdf: &Path, dir: &Path) -> usize {
    let bytes = std::fs::read(pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let ink = ink_per_page(pdf, dir);
    assert!(!ink.is_empty());
    for (i, share) in ink.iter().enumerate() {
        assert!(
            *share > 0.003,
            "page {} of {} is blank ({share})",
            i + 1,
            pdf.display()
        );
    }
    ink.len()
}

#[test]
fn the_business_case_pdf_decides_on_its_first_page_and_no_page_is_blank() {
    let dir = tmp("roi");
    let pdf = dir.join("roi.pdf");
    let roi = [
        "roi",
        "scenes/bracket_line.ron",
        "scenes/bracket_line_robot_weld.ron",
        "--reps",
        "3",
        "--report",
        pdf.to_str().unwrap(),
    ];
    made(&factory_twin(&roi, &[]));
    let pages = every_page_drawn(&pdf, &dir);
    assert!(pages >= 3, "{pages} pages");
    let first = pdf_text(&pdf, 1, 1);
    for words in ["The question.", "The answer.", "Business case.", "Caveats."] {
        assert!(
            first.contains(words),
            "first page lacks {words:?}:\n{first}"
        );
    }
    assert!(first.contains("Bracket line (robot welding cell)"));
    // The evidence follows on later pages; the inputs close the report.
    let all = pdf_text(&pdf, 1, pages as u32);
    assert!(
        all.contains("Cash flow by year") || all.contains("cash flow"),
        "{all}"
    );
    assert!(
        all.contains("SHA-256") || all.contains("sha256"),
        "inputs missing:\n{all}"
    );
    // The same inputs (the same command) make the same bytes.
    let before = std::fs::read(&pdf).unwrap();
    made(&factory_twin(&roi, &[]));
    assert!(before == std::fs::read(&pdf).unwrap());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn run_compare_and_sweep_pdfs_have_every_page_drawn() {
    let runs: [&[&str]; 3] = [
        &["run", "scenes/bracket_line.ron", "--reps", "2"],
        &[
            "compare",
            "scenes/bracket_line.ron",
            "scenes/bracket_line_robot_weld.ron",
            "--reps",
            "2",
        ],
        &[
            "sweep",
            "scenes/bracket_line.ron",
            "--set",
            "b2.capacity=1..4",
            "--reps",
            "2",
        ],
    ];
    for args in runs {
        let dir = tmp(args[0]);
        let pdf = dir.join("report.pdf");
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--report", pdf.to_str().unwrap()]);
        made(&factory_twin(&all, &[]));
        every_page_drawn(&pdf, &dir);
        assert!(pdf_text(&pdf, 1, 1).contains("The answer."), "{args:?}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn a_font_that_cannot_be_read_is_refused_with_its_variable() {
    let dir = tmp("font");
    let pdf = dir.join("r.pdf");
    let out = factory_twin(
        &[
            "run",
            "scenes/bracket_line.ron",
            "--reps",
            "2",
            "--report",
            pdf.to_str().unwrap(),
        ],
        &[("FACTORY_TWIN_FONT", "/nonexistent/font.ttf")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("FACTORY_TWIN_FONT=/nonexistent/font.ttf") && err.contains("r.pdf"),
        "{err}"
    );
    assert!(!pdf.exists());
    std::fs::remove_dir_all(&dir).ok();
}
