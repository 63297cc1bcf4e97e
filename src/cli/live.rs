//! `factory-twin serve` and `factory-twin monitor`: the virtual plant on an
//! MQTT broker and as an OPC UA server, and a live view of any plant
//! publishing the same feed.

use super::fail;
use crate::error::Diagnostic;
use crate::live::broker::Url;
use crate::live::monitor::{MonitorOptions, Source, monitor};
use crate::live::opcua;
use crate::live::serve::{ServeOptions, Wire, serve};
use crate::live::topics;
use std::path::Path;
use std::time::Duration;

fn url(s: &str) -> Result<Url, i32> {
    Url::parse(s).map_err(|m| fail(&Diagnostic::new(format!("--mqtt: {m}"))))
}

/// `--opcua`'s endpoint and the security flags beside it.
fn endpoint(o: &super::OpcuaOptions) -> Result<Option<(opcua::Endpoint, opcua::Security)>, i32> {
    let Some(s) = &o.opcua else {
        return Ok(None);
    };
    let ep =
        opcua::Endpoint::parse(s).map_err(|m| fail(&Diagnostic::new(format!("--opcua: {m}"))))?;
    let sec = opcua::Security {
        pki: o.opcua_pki.clone(),
        trust_peers: o.opcua_trust,
        secure: o.opcua_secure,
    };
    Ok(Some((ep, sec)))
}

/// A duration such as `90s`, `45m`, `8h` or `2d`, for `flag`.
fn seconds(flag: &str, s: &str) -> Result<f64, i32> {
    crate::scene::parse_time(s)
        .ok()
        .filter(|v| *v > 0.0)
        .ok_or_else(|| {
            fail(&Diagnostic::new(format!(
                "{flag} \"{s}\" is not a duration: write e.g. 90s, 45m, 8h or 2d"
            )))
        })
}

/// The command's options.
pub(super) struct ServeArgs<'a> {
    pub scene: &'a Path,
    pub mqtt: Option<&'a str>,
    pub opcua: &'a super::OpcuaOptions,
    pub speed: f64,
    pub until: Option<&'a str>,
    pub line: Option<&'a str>,
    pub replication: u32,
    pub ca: Option<&'a Path>,
    pub switch_at: Option<&'a str>,
    pub switch_to: Option<&'a Path>,
    pub wait_for_client: bool,
}

pub(super) fn serve_cmd(a: &ServeArgs) -> i32 {
    let scene = match crate::scene::load_scene(a.scene) {
        Ok(s) => s,
        Err(d) => return fail(&d),
    };
    let wire = match (a.mqtt.map(url).transpose(), endpoint(a.opcua)) {
        (Ok(None), Ok(None)) => {
            return fail(&Diagnostic::new(
                "serve needs somewhere to serve: --mqtt mqtt://host:port and/or --opcua opc.tcp://host:port",
            ));
        }
        (Ok(mqtt), Ok(opcua)) => Wire { mqtt, opcua },
        (Err(c), _) | (_, Err(c)) => return c,
    };
    if !(a.speed.is_finite() && a.speed > 0.0) {
        return fail(&Diagnostic::new(format!(
            "--speed {} must be a positive number of simulated seconds per second",
            a.speed
        )));
    }
    let until = match a.until.map(|u| seconds("--until", u)).transpose() {
        Ok(u) => u,
        Err(c) => return c,
    };
    let switch = match (a.switch_at, a.switch_to) {
        (None, None) => None,
        (Some(at), Some(to)) => {
            let at = match seconds("--switch-at", at) {
                Ok(v) => v,
                Err(c) => return c,
            };
            match crate::scene::load_scene(to) {
                Ok(v) => Some((at, v)),
                Err(d) => return fail(&d),
            }
        }
        _ => {
            return fail(&Diagnostic::new(
                "--switch-at TIME and --switch-to VARIANT.ron go together: when, and to what",
            ));
        }
    };
    let line = a
        .line
        .map(topics::level)
        .unwrap_or_else(|| topics::line_id(&scene.name));
    crate::experiment::stop_on_ctrl_c();
    let mut on = Vec::new();
    if let Some(u) = &wire.mqtt {
        on.push(format!("{u} (topics plant/{line}/…)"));
    }
    if let Some((e, sec)) = &wire.opcua {
        on.push(format!(
            "{e} ({}; Objects/Machines/…)",
            if sec.secure || e.user.is_some() {
                "Basic256Sha256, signed and encrypted"
            } else {
                "no security, anonymous"
            }
        ));
    }
    eprintln!(
        "serve: {} as line \"{line}\" on {}, {}× real time (Ctrl-C stops)",
        scene.name,
        on.join(" and "),
        a.speed
    );
    let options = ServeOptions {
        speed: a.speed,
        until_s: until,
        line,
        replication: a.replication,
        ca: a.ca.map(Path::to_path_buf),
        switch,
        wait_for_client: a.wait_for_client,
    };
    match serve(&scene, &wire, &options) {
        Ok(s) => {
            eprintln!(
                "serve: done at t = {:.0} s: {} events, {} messages in {:.2} s of wall time ({:.0} messages/s)",
                s.end_s,
                s.events,
                s.messages,
                s.wall_s,
                s.messages as f64 / s.wall_s.max(1e-9)
            );
            0
        }
        Err(m) => fail(&Diagnostic::new(m)),
    }
}

/// The command's options.
pub(super) struct MonitorArgs<'a> {
    pub mqtt: Option<&'a str>,
    pub opcua: &'a super::OpcuaOptions,
    pub line: Option<&'a str>,
    pub scene: Option<&'a Path>,
    pub map: Option<&'a Path>,
    pub record: Option<&'a Path>,
    pub for_wall: Option<&'a str>,
    pub until_finished: bool,
    pub window: &'a str,
    pub every: &'a str,
    pub json: bool,
    pub report: Option<&'a Path>,
    pub ca: Option<&'a Path>,
    pub from_states: bool,
    pub propose: Option<&'a Path>,
    /// Shadow mode: (until, target, replications).
    /// (until, target, replications, what-if variant files).
    pub forecast: Option<(&'a str, Option<u64>, u32, &'a [std::path::PathBuf])>,
    /// How much of the feed to keep in memory (plant time).
    pub keep: &'a str,
}

pub(super) fn monitor_cmd(a: &MonitorArgs) -> i32 {
    let (source, options) = match monitor_setup(a) {
        Ok(s) => s,
        Err(code) => return code,
    };
    crate::experiment::stop_on_ctrl_c();
    match monitor(&source, &options) {
        Ok(report) => {
            if let Some(path) = a.report
                && let Err(code) =
                    super::write_report(path, &crate::report::live::monitor_report(&report))
            {
                return code;
            }
            if a.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("serialises")
                );
            } else {
                outln!(
                    "{} events ({} lost, {} duplicates dropped, {} malformed, {} gaps in the connection){}",
                    report.events,
                    report.lost,
                    report.duplicates,
                    report.malformed.values().sum::<u64>(),
                    report.gaps.len(),
                    match (
                        &report.whole,
                        report.whole.as_ref().and_then(|w| w.good_per_hour)
                    ) {
                        (Some(w), Some(g)) => format!(
                            "; {:.1} h of plant time, {g:.1} good parts per hour",
                            (w.to_s - w.from_s) / 3600.0
                        ),
                        _ => String::new(),
                    }
                );
                if report.let_go {
                    outln!(
                        "{}",
                        crate::live::monitor::kept_note(report.keep_s, a.record.is_some())
                    );
                }
                if let Some(r) = a.record {
                    outln!("Recorded the feed as an event log: {}", r.display());
                }
                for d in &report.drift {
                    outln!("{}", crate::live::monitor::drift_line(d));
                }
                if let Some((p, n)) = &report.proposed {
                    outln!(
                        "Proposed a re-fit of {n} drifted station(s): {} (review it, then factory-twin validate-model {} FEED.csv)",
                        p.display(),
                        p.display()
                    );
                }
            }
            0
        }
        Err(m) => fail(&Diagnostic::new(m)),
    }
}

/// The feed and the monitor's options from the command's options (also
/// `view --live`'s); the error is the exit code, the message said.
pub(super) fn monitor_setup(a: &MonitorArgs) -> Result<(Source, MonitorOptions), i32> {
    let said = |m: &str| fail(&Diagnostic::new(m));
    let source = match (a.mqtt.map(url).transpose()?, endpoint(a.opcua)?) {
        (Some(u), None) => Source::Mqtt(u),
        (None, Some((e, s))) => Source::Opcua(e, s),
        (Some(_), Some(_)) => {
            return Err(said(
                "monitor watches one plant: give --mqtt or --opcua, not both",
            ));
        }
        (None, None) => {
            return Err(said(
                "monitor needs the plant: --mqtt mqtt://host:port or --opcua opc.tcp://host:port",
            ));
        }
    };
    let scene = a
        .scene
        .map(crate::scene::load_scene)
        .transpose()
        .map_err(|d| fail(&d))?;
    let propose = match (a.propose, a.scene) {
        (None, _) => None,
        (Some(out), Some(scene)) => Some((scene.to_path_buf(), out.to_path_buf())),
        (Some(_), None) => {
            return Err(said(
                "--propose writes a Variant of the scene the plant runs: give it with --scene SCENE.ron",
            ));
        }
    };
    let mapping = crate::calibrate::mapping::Mapping::from_file(a.map).map_err(|m| said(&m))?;
    let for_wall = a.for_wall.map(|f| seconds("--for", f)).transpose()?;
    let window_s = seconds("--window", a.window)?;
    let every = seconds("--every", a.every)?;
    let keep_s = seconds("--keep", a.keep)?;
    let forecast = match a.forecast {
        None => None,
        Some(_) if scene.is_none() => {
            return Err(said(
                "a forecast runs the model of the plant: give it with --scene SCENE.ron",
            ));
        }
        Some((until, target, reps, what_if)) => {
            let until_s = crate::scene::parse_time(until)
                .map_err(|d| said(&format!("--until \"{until}\": {d}")))?;
            let what_ifs = what_if
                .iter()
                .map(|p| crate::scene::load_scene(p).map_err(|d| fail(&d)))
                .collect::<Result<Vec<_>, _>>()?;
            Some(crate::live::monitor::ForecastOptions {
                until_s,
                target,
                reps,
                what_ifs,
            })
        }
    };
    let options = MonitorOptions {
        line: a.line.map(str::to_string),
        record: a.record.map(Path::to_path_buf),
        for_wall: for_wall.map(Duration::from_secs_f64),
        until_finished: a.until_finished,
        window_s,
        // A forecast is made at every print (on stderr, beside --json).
        every: (!a.json || a.forecast.is_some()).then(|| Duration::from_secs_f64(every)),
        scene,
        from_states: a.from_states,
        mapping,
        ca: a.ca.map(Path::to_path_buf),
        propose,
        forecast,
        picture: None,
        keep_s,
    };
    Ok((source, options))
}
