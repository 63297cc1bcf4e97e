//! Reports and the terminal summary in Korean (`--lang ko`, or a Korean
//! locale): the first page and the business case read in Korean, money in
//! 억 and 만, ids and scene names unchanged, terminal columns aligned by
//! display width, and the PDF carries the Korean text.

use std::path::PathBuf;
use std::process::{Command, Output};

fn factory_twin(args: &[&str], locale: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env("LC_ALL", locale)
        .env("SOURCE_DATE_EPOCH", "1764720000")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ft-korean-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const ROI: [&str; 5] = [
    "roi",
    "scenes/bracket_line.ron",
    "scenes/bracket_line_robot_weld.ron",
    "--reps",
    "3",
];

#[test]
fn the_business_case_report_reads_in_korean_with_names_unchanged() {
    let dir = tmp("report");
    let (html, pdf) = (dir.join("ko.html"), dir.join("ko.pdf"));
    for file in [&html, &pdf] {
        let mut args = ROI.to_vec();
        args.extend(["--lang", "ko", "--report", file.to_str().unwrap()]);
        let out = factory_twin(&args, "C");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<html lang=\"ko\">"));
    for words in [
        "질문.",
        "답.",
        "투자 타당성.",
        "유의사항.",
        "투자금을 회수합니다",
        "보조금",
    ] {
        assert!(page.contains(words), "{words:?} missing");
    }
    // Money in 억 (10^8), the scene's names and currency code as written.
    assert!(page.contains("4.2억 KRW"), "gross investment not in 억");
    assert!(page.contains("Bracket line (robot welding cell)"));
    // Nothing of the first page is left in English.
    let first =
        &page[page.find("<section class=\"first\">").unwrap()..page.find("</section>").unwrap()];
    for english in [
        "The question",
        "The answer",
        "Business case",
        "Caveats",
        "pays back",
        "years",
    ] {
        assert!(
            !first.contains(english),
            "{english:?} left in English:\n{first}"
        );
    }
    let text = super::pdf::pdf_text(&pdf, 1, 1);
    assert!(
        text.contains("질문.") && text.contains("투자금을 회수합니다"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_locale_chooses_the_language_and_lang_overrides_it() {
    let korean = factory_twin(&ROI, "ko_KR.UTF-8");
    let english = factory_twin(&[&ROI[..], &["--lang", "en"]].concat(), "ko_KR.UTF-8");
    let plain = factory_twin(&ROI, "C");
    let text = |o: &Output| String::from_utf8(o.stdout.clone()).unwrap();
    assert!(text(&korean).contains("총 투자비"), "{}", text(&korean));
    assert!(text(&english).contains("gross investment"));
    assert_eq!(text(&english), text(&plain));
}

#[test]
fn terminal_columns_align_by_display_width_in_korean() {
    let out = factory_twin(&[&ROI[..], &["--lang", "ko"]].concat(), "C");
    let text = String::from_utf8(out.stdout).unwrap();
    // The investment rows: a Korean label (two columns a syllable) and the
    // scene's English item names end their amounts in the same column.
    let column = |label: &str| {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("{label:?} missing:\n{text}"));
        unicode_width::UnicodeWidthStr::width(line)
    };
    assert_eq!(column("총 투자비"), column("welding robot and positioner"));
    assert_eq!(column("순 투자비"), column("welding robot and positioner"));
}

#[test]
fn the_optimisation_reads_in_korean_with_money_in_eok() {
    let dir = tmp("optimise");
    let html = dir.join("opt.html");
    let out = factory_twin(
        &[
            "--lang",
            "ko",
            "optimize",
            "scenes/bracket_line_rack.ron",
            "--vary",
            "rack.capacity=5..40:5",
            "--vary",
            "welders.count=1..4",
            "--cost",
            "rack.capacity=200000",
            "--objective",
            "npv",
            "--life",
            "8",
            "--indifference",
            "5000000",
            "--budget",
            "60",
            "--report",
            html.to_str().unwrap(),
        ],
        "C",
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for words in ["최적화", "설계안", "최선", "참고: npv"] {
        assert!(text.contains(words), "{words:?} missing:\n{text}");
    }
    assert!(text.contains("억"), "money in 억:\n{text}");
    // The table's columns end in the same place whatever the script.
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("rack.capacity=") && l.contains("welders.count="))
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert!(rows.len() >= 3, "{text}");
    let header = text
        .lines()
        .find(|l| l.contains("설계안") && l.contains('#'))
        .unwrap();
    let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    for r in &rows {
        assert_eq!(width(r), width(header), "misaligned:\n{header}\n{r}");
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<html lang=\"ko\">"));
    let first =
        &page[page.find("<section class=\"first\">").unwrap()..page.find("</section>").unwrap()];
    for english in ["The question", "The answer", "Best", "runs of a budget"] {
        assert!(
            !first.contains(english),
            "{english:?} left in English:\n{first}"
        );
    }
    for korean in ["질문.", "답.", "어떤 설계안이 가장 좋은가"] {
        assert!(first.contains(korean), "{korean:?} missing:\n{first}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
