//! `factory-twin shadow SCENE --feed FEED.csv --at TIME --until TIME`: the
//! plant's state at a moment of its recorded feed, and the forecast of the
//! day's good parts by the end of the shift from there (docs/shadow.md).

use super::fail;
use super::fit::read_log;
use crate::error::Diagnostic;
use crate::live::shadow::{Forecast, WhatIf, forecast, shifted, state_at, week_shift, what_if};
use std::path::Path;

/// The command's options.
pub(super) struct ShadowArgs<'a> {
    pub scene: &'a Path,
    pub feed: &'a Path,
    pub map: Option<&'a Path>,
    pub at: &'a str,
    pub until: &'a str,
    pub target: Option<u64>,
    pub reps: u32,
    pub replication: u32,
    pub what_ifs: &'a [std::path::PathBuf],
    pub json: bool,
}

pub(super) fn shadow_cmd(a: &ShadowArgs) -> i32 {
    let scene = match crate::scene::load_scene(a.scene) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let log = match read_log(a.feed, a.map) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let time = |flag: &str, s: &str| {
        crate::scene::parse_time(s).map_err(|d| {
            fail(&Diagnostic::new(format!(
                "{flag} \"{s}\": {d}; write e.g. \"Mon 10:00\" or 34h"
            )))
        })
    };
    let (at, until) = match (time("--at", a.at), time("--until", a.until)) {
        (Ok(at), Ok(until)) => (at, until),
        (Err(c), _) | (_, Err(c)) => return c,
    };
    let events: Vec<_> = log
        .events
        .into_iter()
        .filter(|e| e.replication == a.replication)
        .collect();
    // A plant's log is timed by its wall clock, weeks after the scene's
    // first Monday: the feed is brought into the scene's week, so "Mon
    // 10:00" is in the week the feed begins and shifts and order books line
    // up (a time given past the feed's first Monday comes along).
    let shift = week_shift(events.first().map_or(0.0, |e| e.time_s));
    let events = shifted(&events, shift);
    let local = |t: f64| {
        if shift > 0.0 && t >= shift {
            t - shift
        } else {
            t
        }
    };
    let (at, until) = (local(at), local(until));
    if until <= at {
        return fail(&Diagnostic::new(format!(
            "--until {} is not after --at {}: nothing to forecast",
            a.until, a.at
        )));
    }
    if events.first().is_none_or(|e| e.time_s > at) {
        return fail(&Diagnostic::new(format!(
            "{}: no event of replication {} at or before --at {}",
            a.feed.display(),
            a.replication,
            a.at
        )));
    }
    let unknown = crate::live::shadow::unknown_objects(&events, &scene, at);
    if let Some((first, line)) = unknown.first() {
        let names: Vec<&str> = unknown.iter().take(5).map(|u| u.0.as_str()).collect();
        let more = unknown.len().saturating_sub(names.len());
        return fail(
            &Diagnostic::new(format!(
                "{}: the feed names {} object{} the scene \"{}\" does not have: {}{} (\"{first}\" first at line {line}); the state would lose the parts there",
                a.feed.display(),
                unknown.len(),
                if unknown.len() == 1 { "" } else { "s" },
                scene.name,
                names.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() },
            ))
            .with_help("give the plant's own scene: its object ids must be those of the feed"),
        );
    }
    let started = std::time::Instant::now();
    let (state, so_far) = state_at(&events, &scene, at);
    let f = match forecast(&scene, &state, so_far, until, a.reps, a.target) {
        Ok(f) => f.with_day(&crate::live::shadow::so_far_parts(&events, &scene, at)),
        Err(d) => return fail(&d),
    };
    // On stderr: the figures on stdout stay the same bytes run after run.
    eprintln!(
        "shadow: the state and {} replications to {} in {:.0} ms",
        a.reps,
        crate::scene::weekday_clock(until),
        started.elapsed().as_secs_f64() * 1000.0
    );
    let mut ifs = Vec::new();
    for path in a.what_ifs {
        let variant = match crate::scene::load_scene(path) {
            Ok(s) => s,
            Err(d) => return fail(&d),
        };
        match forecast(&variant, &state, so_far, until, a.reps, a.target) {
            Ok(v) => ifs.push(what_if(&variant.name, &f, v)),
            Err(d) => {
                return fail(&Diagnostic::new(format!("{}: {d}", path.display())));
            }
        }
    }
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "scene": scene.name,
                "forecast": f,
                "what_ifs": ifs,
            }))
            .expect("serialises")
        );
    } else {
        print(&scene.name, &f);
        for w in &ifs {
            print_what_if(w, &f);
        }
    }
    0
}

/// A what-if beside the plant as it is.
fn print_what_if(w: &WhatIf, base: &Forecast) {
    let f = &w.forecast;
    outln!(
        "What if \"{}\" from {}: about {:.0} by {} ({:+.1} against as is; 95 % interval of the mean difference {:+.1} to {:+.1}, common random numbers){}",
        w.name,
        crate::scene::weekday_clock(f.at_s),
        f.mean,
        crate::scene::weekday_clock(f.until_s),
        w.difference,
        w.difference95.0,
        w.difference95.1,
        match (base.target, f.p_target) {
            (Some(goal), Some((p, _, _))) => format!("; P(≥ {goal}) = {:.0} %", p * 100.0),
            _ => String::new(),
        }
    );
}

/// Stations' OEE, the lowest first (where the day is lost), at most
/// [`OEE_SHOWN`] of them.
fn oee_line(what: &str, oee: &[crate::live::shadow::StationOee]) {
    if oee.is_empty() {
        return;
    }
    let mut oee: Vec<&crate::live::shadow::StationOee> = oee.iter().collect();
    oee.sort_by(|a, b| a.mean.total_cmp(&b.mean));
    let shown: Vec<String> = oee
        .iter()
        .take(OEE_SHOWN)
        .map(|o| {
            format!(
                "{} {:.0} % ({:.0}–{:.0} %)",
                o.station,
                o.mean * 100.0,
                o.interval90.0 * 100.0,
                o.interval90.1 * 100.0
            )
        })
        .collect();
    outln!(
        "  {what} (mean, 90 % prediction interval){}: {}",
        if oee.len() > OEE_SHOWN {
            format!(", the {OEE_SHOWN} lowest of {}", oee.len())
        } else {
            String::new()
        },
        shown.join("; ")
    );
}

/// Stations whose OEE the text names at most (the JSON has all).
const OEE_SHOWN: usize = 5;

/// The forecast, the answer first.
fn print(scene: &str, f: &Forecast) {
    let clock = crate::scene::weekday_clock;
    outln!(
        "{scene}: at {} the day has made {} good parts; by {} it will have made about {:.0}",
        clock(f.at_s),
        f.so_far,
        clock(f.until_s),
        f.mean
    );
    outln!(
        "  90 % prediction interval for the day (the range of outcomes, {} replications from the plant's state): {:.0} to {:.0}",
        f.outcomes.len(),
        f.interval90.0.max(f.so_far as f64),
        f.interval90.1
    );
    if let (Some(goal), Some((p, lo, hi))) = (f.target, f.p_target) {
        outln!(
            "  Target {goal}: reached in {:.0} % of replications (95 % interval {:.0}–{:.0} %)",
            p * 100.0,
            lo * 100.0,
            hi * 100.0
        );
    }
    if let Some(l) = &f.late_orders {
        outln!(
            "  Late orders by {}: about {:.1} (90 % prediction interval {:.0} to {:.0}); late already at {}: {}",
            clock(f.until_s),
            l.mean,
            l.interval90.0,
            l.interval90.1,
            clock(f.at_s),
            l.so_far
        );
    }
    oee_line(
        &format!("OEE from {} to {}", clock(f.at_s), clock(f.until_s)),
        &f.oee,
    );
    oee_line(
        &format!(
            "OEE of the day by {}, so far with the rest",
            clock(f.until_s)
        ),
        &f.day_oee,
    );
    outln!(
        "  From the plant's state: {} parts placed{}",
        f.placed,
        if f.not_placed.is_empty() {
            String::new()
        } else {
            format!(
                "; no room in the model for {} ({})",
                f.not_placed.len(),
                f.not_placed.join(", ")
            )
        }
    );
}
