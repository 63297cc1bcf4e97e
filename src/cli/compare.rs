//! `factory-twin compare` and `factory-twin roi`: scenarios side by side with
//! paired replications, and the business case of each variant that carries
//! an investment.

use super::{Files, RepOptions, done, fail, options, run_failed, write_report, write_workbook};
use crate::economics::{self, BusinessCase};
use crate::error::Diagnostic;
use crate::experiment::{self, Comparison};
use crate::report;
use crate::scene::{Scene, load_scene_with_inputs};
use serde::Serialize;
use std::path::PathBuf;

/// The JSON of `compare` and `roi`: the comparison and any business cases.
#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    comparison: &'a Comparison,
    business_cases: &'a [BusinessCase],
}

pub(super) fn compare(
    paths: &[PathBuf],
    reps: &RepOptions,
    json: bool,
    files_out: Files<'_>,
    roi: bool,
) -> i32 {
    let (scenes, files) = match load(paths) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let options = match options(reps, 2, false) {
        Ok(o) => o,
        Err(code) => return code,
    };
    compare_scenes(paths, &scenes, &files, &options, json, files_out, roi)
}

/// The scenes and every file they read (each once).
pub(super) fn load(paths: &[PathBuf]) -> Result<(Vec<Scene>, Vec<PathBuf>), i32> {
    let mut scenes: Vec<Scene> = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        match load_scene_with_inputs(path) {
            Ok((s, read)) => {
                scenes.push(s);
                files.extend(
                    read.into_iter()
                        .filter(|f| !files.contains(f))
                        .collect::<Vec<_>>(),
                );
            }
            Err(d) => return Err(fail(&d)),
        }
    }
    Ok((scenes, files))
}

/// Which variants get a business case (see `compare_scenes`); for `roi`,
/// an error naming the file when one cannot.
fn with_cases(paths: &[PathBuf], scenes: &[Scene], roi: bool) -> Result<Vec<usize>, i32> {
    // Which variants get a business case: all of them for `roi` (an error if
    // one cannot), those with an investment and usable economics for `compare`.
    let mut with_case = Vec::new();
    for (i, v) in scenes.iter().enumerate().skip(1) {
        match economics::check_inputs(&scenes[0], v) {
            Ok(()) => with_case.push(i),
            Err(d) if roi => {
                let file = if d.message.contains("base scene") {
                    &paths[0]
                } else {
                    &paths[i]
                };
                return Err(fail(&d.in_file(file)));
            }
            Err(d) if v.investment.is_some() => {
                eprintln!("note: no business case for \"{}\": {}", v.name, d.message);
            }
            Err(_) => {}
        }
    }
    Ok(with_case)
}

/// Compares loaded scenes (the base first) and writes what `compare` or
/// `roi` writes; `merge` calls it with a cluster's runs held in `options`.
pub(super) fn compare_scenes(
    paths: &[PathBuf],
    scenes: &[Scene],
    files: &[PathBuf],
    options: &experiment::Options,
    json: bool,
    files_out: Files<'_>,
    roi: bool,
) -> i32 {
    let (csv, report_file) = (files_out.csv, files_out.report);
    let with_case = match with_cases(paths, scenes, roi) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let options = options.clone();
    let mut c = match experiment::compare(&scenes[0], &scenes[1..], &options) {
        Ok(c) => c,
        Err(e) => return run_failed(e, None),
    };
    let mut cases = Vec::new();
    if !experiment::stop_requested() {
        for &i in &with_case {
            let runs = |k: usize| &c.scenarios[k].runs;
            match economics::business_case(&scenes[0], &scenes[i], runs(0), runs(i), &options) {
                Ok(case) => {
                    // Where there is an investment, its answer is the decision:
                    // it leads the headline, before output and cost per part.
                    c.variants[i - 1]
                        .headline
                        .insert(0, report::words::case_headline(&case));
                    cases.push(case);
                }
                Err(experiment::RunError::Stopped) => break,
                Err(e) => return run_failed(e, Some(&paths[i])),
            }
        }
    }
    if let Some(dir) = csv {
        let written = report::write_comparison_csv(&c, dir, files_out.csv_bom).and_then(|()| {
            if cases.is_empty() {
                Ok(())
            } else {
                std::fs::write(
                    dir.join("business_case.csv"),
                    format!(
                        "{}{}",
                        if files_out.csv_bom { report::BOM } else { "" },
                        report::business_case_csv(&cases)
                    ),
                )
            }
        });
        if let Err(e) = written {
            return fail(&Diagnostic::new(format!(
                "cannot write CSV files into {}: {e}",
                dir.display()
            )));
        }
    }
    let inputs = report::Inputs::of(files);
    if let Some(file) = files_out.xlsx
        && let Err(code) =
            write_workbook(file, |p| report::compare_workbook(&c, &cases, &inputs, p))
    {
        return code;
    }
    if let Some(file) = report_file
        && let Err(code) = write_report(file, &{
            if roi {
                report::roi_report(&c, &cases, &inputs)
            } else {
                report::compare_report(&c, &cases, &inputs)
            }
        })
    {
        return code;
    }
    if json {
        let out = Output {
            comparison: &c,
            business_cases: &cases,
        };
        outln!(
            "{}",
            serde_json::to_string_pretty(&out).expect("serialises")
        );
    } else {
        if !roi {
            out!("{}", report::comparison(&c));
        }
        for case in &cases {
            outln!("{}", report::business_case(case));
        }
    }
    done(c.replications, c.replications_requested)
}
