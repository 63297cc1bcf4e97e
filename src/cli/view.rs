//! `factory-twin view`: the 3D window, or one rendered frame with `--screenshot`.

use super::fail;
use crate::error::Diagnostic;
use crate::scene::load_scene;
use std::path::Path;

/// Parses a simulated time: `90s`, `45m`, `30h`, `2d`, a plain number of
/// seconds, or a weekday and clock time such as `Tue 10:30` (the first week).
pub fn parse_time(text: &str) -> Result<f64, Diagnostic> {
    let t = text.trim();
    let bad = || {
        Diagnostic::new(format!("--at \"{text}\" is not a time"))
            .with_help("write e.g. 90s, 45m, 30h, 2d or \"Tue 10:30\"")
    };
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    if let Some((day, clock)) = t.split_once(' ') {
        let d = DAYS
            .iter()
            .position(|x| day.trim().eq_ignore_ascii_case(x))
            .ok_or_else(bad)?;
        let (h, m) = clock.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        return Ok(d as f64 * 86_400.0 + f64::from(h * 3600 + m * 60));
    }
    let (number, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c),
        _ => (t, 's'),
    };
    let v: f64 = number.trim().parse().map_err(|_| bad())?;
    let scale = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86_400.0,
        _ => return Err(bad()),
    };
    if !(v.is_finite() && v >= 0.0) {
        return Err(bad());
    }
    Ok(v * scale)
}

/// Parses `1280x720`.
pub fn parse_size(text: &str) -> Result<(u32, u32), Diagnostic> {
    let bad = || {
        Diagnostic::new(format!("--size \"{text}\" is not WIDTHxHEIGHT"))
            .with_help("e.g. 1280x720 (each from 16 to 8192)")
    };
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if !(16..=8192).contains(&w) || !(16..=8192).contains(&h) {
        return Err(bad());
    }
    Ok((w, h))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn view(
    path: &Path,
    speed: f64,
    screenshot: Option<&Path>,
    at: Option<&str>,
    size: &str,
    top: bool,
) -> i32 {
    let scene = match load_scene(path) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let at = match at.map(parse_time).transpose() {
        Ok(a) => a,
        Err(d) => return fail(&d),
    };
    let (width, height) = match parse_size(size) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    if !(speed.is_finite() && (1.0..=10_000.0).contains(&speed)) {
        return fail(&Diagnostic::new(format!(
            "--speed {speed}: from 1 to 10000"
        )));
    }
    run_viewer(&scene, speed, screenshot, at, width, height, top)
}

#[cfg(feature = "viewer")]
fn run_viewer(
    scene: &crate::scene::Scene,
    speed: f64,
    screenshot: Option<&Path>,
    at: Option<f64>,
    width: u32,
    height: u32,
    top: bool,
) -> i32 {
    use crate::viewer;
    let result = match screenshot {
        Some(file) => {
            // Default: mid-morning of the first measured day.
            let at = at.unwrap_or(scene.run.warmup.map_or(0.0, |w| w.secs()) + 10.5 * 3600.0);
            viewer::screenshot::screenshot(
                scene,
                file,
                &viewer::screenshot::Shot {
                    at,
                    width,
                    height,
                    top_view: top,
                },
            )
        }
        None => viewer::window::view(scene, speed).map(|()| Vec::new()),
    };
    match result.map(|_| ()) {
        Ok(()) => 0,
        Err(d) => {
            eprint!("{d}");
            1
        }
    }
}

#[cfg(not(feature = "viewer"))]
fn run_viewer(
    _: &crate::scene::Scene,
    _: f64,
    _: Option<&Path>,
    _: Option<f64>,
    _: u32,
    _: u32,
    _: bool,
) -> i32 {
    fail(
        &Diagnostic::new("this factory-twin was built without the 3D viewer")
            .with_help("build with the default features: cargo build --release"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_sizes_parse() {
        assert_eq!(parse_time("90").unwrap(), 90.0);
        assert_eq!(parse_time("45m").unwrap(), 2700.0);
        assert_eq!(parse_time("30h").unwrap(), 108_000.0);
        assert_eq!(parse_time("Tue 10:30").unwrap(), 86_400.0 + 37_800.0);
        assert!(parse_time("Tue 25:00").is_err() && parse_time("soon").is_err());
        assert_eq!(parse_size("1280x720").unwrap(), (1280, 720));
        assert!(parse_size("0x720").is_err() && parse_size("big").is_err());
    }
}
