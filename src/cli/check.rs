//! `factory-twin check`: does the layout fit? Exit 0 when clean, 1 when
//! violations are found, 2 on bad input.

use super::fail;
use crate::layout;
use crate::scene::load_scene;
use std::path::Path;

pub(super) fn check(path: &Path, json: bool) -> i32 {
    let scene = match load_scene(path) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let report = layout::check(&scene);
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).expect("serialises")
        );
    } else {
        outln!(
            "Layout of \"{}\": {} objects, minimum aisle {} m",
            report.scene,
            report.objects_checked,
            report.min_aisle
        );
        if report.violations.is_empty() {
            outln!("  no violations");
        }
        for v in &report.violations {
            outln!("  {:<13} {}", v.kind, v.message);
        }
        for n in &report.notes {
            outln!("  note: {n}");
        }
    }
    i32::from(!report.violations.is_empty())
}
