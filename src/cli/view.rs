//! `factory-twin view`: the 3D window, or one rendered frame with
//! `--screenshot`, or a watched plant with `--live`.

use super::fail;
use crate::calibrate::mapping::Mapping;
use crate::error::Diagnostic;
use crate::live::monitor::monitor;
use crate::live::picture::Tap;
use crate::scene::load_scene;
use std::path::Path;

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
    (top, physics, offscreen): (bool, bool, bool),
    exit_after: Option<f64>,
    window_shot: Option<&Path>,
) -> i32 {
    let scene = match load_scene(path) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let at = match at.map(crate::scene::parse_time).transpose() {
        Ok(a) => a,
        Err(d) => return fail(&d),
    };
    let end = scene.run.warmup.map_or(0.0, |w| w.secs()) + scene.run.horizon.secs();
    if let Some(t) = at
        && t > end
    {
        return fail(
            &Diagnostic::new(format!(
                "--at is {:.1} h from the start, after the end of the run at {:.1} h: the picture would show the line stopped",
                t / 3600.0,
                end / 3600.0
            ))
            .with_help("pick a time within the warm-up and horizon, e.g. --at \"Tue 10:30\""),
        );
    }
    let (width, height) = match parse_size(size) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    if !(speed.is_finite() && (1.0..=10_000.0).contains(&speed)) {
        return fail(&Diagnostic::new(format!(
            "--speed {speed}: from 1 to 10000"
        )));
    }
    run_viewer(
        path,
        &scene,
        speed,
        screenshot,
        at,
        width,
        height,
        (top, physics, offscreen),
        exit_after,
        window_shot,
        None,
    )
}

/// `view SCENE --live URL`: the monitor watches the plant on its own
/// thread and keeps a picture the window draws; when the window closes the
/// monitor stops and says what it saw.
pub(super) fn view_live(
    path: &Path,
    url: &str,
    o: &super::LiveViewOptions,
    size: &str,
    offscreen: bool,
    exit_after: Option<f64>,
    window_shot: Option<&Path>,
) -> i32 {
    let (width, height) = match parse_size(size) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    if !cfg!(feature = "viewer") {
        // Said before anything connects to the plant.
        return no_viewer();
    }
    let opcua = url.starts_with("opc.tcp://");
    if !opcua && !url.starts_with("mqtt://") && !url.starts_with("mqtts://") {
        return fail(
            &Diagnostic::new(format!("--live \"{url}\": not a plant's address"))
                .with_help("mqtt://host:port, mqtts://host:port or opc.tcp://host:port"),
        );
    }
    let opcua_options = super::OpcuaOptions {
        opcua: opcua.then(|| url.to_string()),
        opcua_pki: o.opcua_pki.clone(),
        opcua_trust: o.opcua_trust,
        opcua_secure: o.opcua_secure,
    };
    let args = super::live::MonitorArgs {
        mqtt: (!opcua).then_some(url),
        opcua: &opcua_options,
        line: o.line.as_deref(),
        scene: Some(path),
        map: o.map.as_deref(),
        record: o.record.as_deref(),
        for_wall: None,
        until_finished: false,
        window: &o.window,
        every: &o.every,
        json: false,
        report: None,
        ca: o.mqtt_ca.as_deref(),
        from_states: false,
        propose: None,
        forecast: o.until.as_deref().map(|u| (u, o.target, o.reps, &[][..])),
        keep: "7d",
    };
    let (source, mut options) = match super::live::monitor_setup(&args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let Some(scene) = options.scene.clone() else {
        return fail(&Diagnostic::new("the live view needs the plant's scene"));
    };
    let tap: Tap = Default::default();
    // Twice a second at most: a plant's state changes faster than anyone
    // reads it, and each picture reads the whole feed.
    options.picture = Some((tap.clone(), std::time::Duration::from_millis(500)));
    let mapping = options.mapping.clone();
    let watcher = std::thread::spawn(move || monitor(&source, &options));
    let code = run_viewer(
        path,
        &scene,
        1.0,
        None,
        None,
        width,
        height,
        (false, false, offscreen),
        exit_after,
        window_shot,
        Some((tap, mapping)),
    );
    crate::experiment::request_stop();
    match watcher.join() {
        Ok(Ok(r)) => eprintln!(
            "view --live: {} events ({} lost, {} malformed, {} gaps in the connection)",
            r.events,
            r.lost,
            r.malformed.values().sum::<u64>(),
            r.gaps.len()
        ),
        Ok(Err(m)) => return fail(&Diagnostic::new(m)),
        Err(_) => {
            eprintln!("view --live: the monitor stopped unexpectedly");
            return crate::error::EXIT_INTERNAL;
        }
    }
    code
}

#[cfg(feature = "viewer")]
#[allow(clippy::too_many_arguments)]
fn run_viewer(
    path: &Path,
    scene: &crate::scene::Scene,
    speed: f64,
    screenshot: Option<&Path>,
    at: Option<f64>,
    width: u32,
    height: u32,
    (top, physics, offscreen): (bool, bool, bool),
    exit_after: Option<f64>,
    window_shot: Option<&Path>,
    live: Option<(Tap, Mapping)>,
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
                    physics,
                },
            )
            .map(|_| ())
        }
        None => {
            let auto = exit_after
                .map(|s| viewer::window::AutoExit::new(s, window_shot.map(Path::to_path_buf)));
            let surface = if offscreen {
                viewer::window::Surface::Offscreen { width, height }
            } else {
                viewer::window::Surface::Window
            };
            let live = live.map(|(tap, mapping)| viewer::live::LiveTap { tap, mapping });
            viewer::window::view(path, scene, speed, physics, auto, surface, live)
        }
    };
    match result {
        Ok(()) => 0,
        Err(d) => {
            eprint!("{d}");
            crate::error::EXIT_INTERNAL
        }
    }
}

#[cfg(not(feature = "viewer"))]
#[allow(clippy::too_many_arguments)]
fn run_viewer(
    _: &Path,
    _: &crate::scene::Scene,
    _: f64,
    _: Option<&Path>,
    _: Option<f64>,
    _: u32,
    _: u32,
    _: (bool, bool, bool),
    _: Option<f64>,
    _: Option<&Path>,
    _: Option<(Tap, Mapping)>,
) -> i32 {
    no_viewer()
}

fn no_viewer() -> i32 {
    fail(
        &Diagnostic::new("this factory-twin was built without the 3D viewer")
            .with_help("build with the default features: cargo build --release"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("1280x720").unwrap(), (1280, 720));
        assert!(parse_size("0x720").is_err() && parse_size("big").is_err());
    }
}
