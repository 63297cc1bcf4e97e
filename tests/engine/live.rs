//! The plant on the wire, closed loop: `serve` publishes a bundled scene on
//! a real mosquitto broker and `monitor` reads it back. The recorded feed is
//! byte for byte the `run --events` log of the same run; a broker that is
//! late, goes away mid-run, or carries garbage is survived, counted and
//! marked. `.ci/run` installs mosquitto.

use super::scenarios::{cli as factory_twin, succeeds};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The factory-twin binary under test.
pub(super) fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_factory-twin"))
}

/// A mosquitto broker on 127.0.0.1, stopped when dropped.
pub(super) struct Broker {
    child: Child,
    pub(super) port: u16,
}

impl Broker {
    pub(super) fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    pub(super) fn start(port: u16, dir: &Path) -> Broker {
        Broker::start_with(port, dir, "allow_anonymous true\n")
    }

    /// With more configuration after the listener line (TLS, passwords).
    fn start_with(port: u16, dir: &Path, extra: &str) -> Broker {
        let conf = dir.join(format!("mosquitto-{port}.conf"));
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nmax_queued_messages 100000\n{extra}"),
        )
        .unwrap();
        let exe = [
            "/usr/sbin/mosquitto",
            "/usr/local/sbin/mosquitto",
            "mosquitto",
        ]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("mosquitto");
        let child = Command::new(exe)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto is needed for these tests (Debian: apt-get install mosquitto; .ci/run installs it)");
        // Up when it accepts a connection.
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "mosquitto did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Broker { child, port }
    }

    pub(super) fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running monitor: its stderr lines as they come.
pub(super) struct Monitor {
    child: Child,
    lines: Receiver<String>,
    pub(super) seen: Vec<String>,
}

impl Monitor {
    pub(super) fn start(args: &[&str]) -> Monitor {
        let mut all = vec!["monitor"];
        all.extend_from_slice(args);
        Monitor::start_command(&all)
    }

    /// Another command that watches a feed (`shadow`), its arguments whole.
    pub(super) fn start_command(args: &[&str]) -> Monitor {
        let mut child = Command::new(binary())
            .args(args)
            .env("LC_ALL", "C")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Monitor {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Stops the process for `d` (SIGSTOP, then SIGCONT): a consumer that
    /// falls behind.
    fn stall(&self, d: Duration) {
        let signal = |s: &str| {
            let ok = Command::new("kill")
                .args([s, &self.child.id().to_string()])
                .status()
                .unwrap()
                .success();
            assert!(ok, "kill {s}");
        };
        signal("-STOP");
        std::thread::sleep(d);
        signal("-CONT");
    }

    /// Waits for a stderr line holding `text`.
    pub(super) fn wait_for(&mut self, text: &str) {
        let start = Instant::now();
        while !self.seen.iter().any(|l| l.contains(text)) {
            let left = Duration::from_secs(20).saturating_sub(start.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.seen.push(l),
                Err(_) => panic!("monitor never said \"{text}\": {:?}", self.seen),
            }
        }
    }

    /// Its JSON report, once it has finished.
    pub(super) fn report(self) -> serde_json::Value {
        let out = self.child.wait_with_output().unwrap();
        assert!(out.status.success(), "monitor failed: {:?}", out.status);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    }
}

/// `serve` of the bracket line on `url` at `speed` up to `until`, which
/// must succeed.
pub(super) fn serve_bracket_line(url: &str, speed: &str, until: &str) -> std::process::Output {
    succeeds(&[
        "serve",
        "scenes/bracket_line.ron",
        "--mqtt",
        url,
        "--speed",
        speed,
        "--until",
        until,
    ])
}

fn serve(url: &str, speed: &str) -> std::process::Output {
    factory_twin(&[
        "serve",
        "scenes/bracket_line.ron",
        "--mqtt",
        url,
        "--speed",
        speed,
        "--until",
        "33h",
    ])
}

/// Publishes one message to the broker on `port` (at least once; the
/// broker keeps it with `retain`).
pub(super) fn publish(port: u16, topic: &str, payload: &[u8], retain: bool) {
    let mut o = rumqttc::MqttOptions::new("test-publisher", "127.0.0.1", port);
    o.set_keep_alive(Duration::from_secs(5));
    let (client, mut connection) = rumqttc::Client::new(o, 10);
    client
        .publish(topic, rumqttc::QoS::AtLeastOnce, retain, payload.to_vec())
        .unwrap();
    for e in connection.iter() {
        if matches!(
            e,
            Ok(rumqttc::Event::Incoming(rumqttc::Packet::PubAck(_))) | Err(_)
        ) {
            break;
        }
    }
}

pub(super) fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ft-live-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(super) const LINE: &str = "bracket-line-manual-welding";

#[test]
fn the_monitor_records_the_served_plant_exactly_and_measures_it() {
    let dir = temp("loop");
    let broker = Broker::start(Broker::free_port(), &dir);
    let feed = dir.join("feed.csv");
    let mut monitor = Monitor::start(&[
        "--mqtt",
        &broker.url(),
        "--line",
        LINE,
        "--scene",
        "scenes/bracket_line.ron",
        "--record",
        feed.to_str().unwrap(),
        "--report",
        dir.join("live.html").to_str().unwrap(),
        "--until-finished",
        "--json",
    ]);
    // A second monitor reads the plant as a state feed (as from a PLC's
    // OPC 40001-1 or PackML state), its parts from the counters.
    let mut by_states = Monitor::start(&[
        "--mqtt",
        &broker.url(),
        "--line",
        LINE,
        "--scene",
        "scenes/bracket_line.ron",
        "--states",
        "--until-finished",
        "--json",
    ]);
    monitor.wait_for("subscribed");
    by_states.wait_for("subscribed");
    let out = serve(&broker.url(), "100000");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = monitor.report();
    let states = by_states.report();
    // The same run, from the simulator's own log: Monday 00:00 to Tuesday
    // 09:00 (33 h), the first shift and the start of the second.
    let expected = run_log(&dir, 33.0 * 3600.0);
    let recorded = std::fs::read_to_string(&feed).unwrap();
    assert!(recorded == expected, "the record differs from run --events");
    let events = expected.lines().count() as u64 - 1;
    assert_eq!(report["events"], events);
    assert_eq!(report["lost"], 0);
    assert_eq!(report["finished"], true);
    let whole = &report["whole"];
    let exits = expected.lines().filter(|l| l.ends_with(",exit")).count() as u64;
    assert_eq!(whole["good"], exits);
    // Each station measured, OEE from the scene's ideal cycle times.
    let weld = whole["stations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "weld")
        .unwrap();
    let oee = weld["oee"].as_f64().unwrap();
    let avail = weld["availability"].as_f64().unwrap();
    assert!(oee > 0.3 && oee <= avail + 1e-9, "{weld}");
    // The state feed gives the same output, and the same OEE where a
    // station has one place; with two (weld) it cannot tell how many work:
    // no OEE rather than a wrong one.
    assert_eq!(states["whole"]["good"], exits);
    let station = |r: &serde_json::Value, id: &str| {
        r["whole"]["stations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    for id in ["cut", "bend", "inspect"] {
        let (a, b) = (station(&report, id), station(&states, id));
        assert_eq!(a["good"], b["good"], "{id}");
        let gap = (a["oee"].as_f64().unwrap() - b["oee"].as_f64().unwrap()).abs();
        assert!(gap < 0.005, "{id}: events {a} against states {b}");
    }
    assert!(station(&states, "weld")["oee"].is_null());
    // An unchanged plant: no station flagged by the drift check.
    assert_eq!(
        report["drift"].as_array().unwrap().len(),
        0,
        "{}",
        report["drift"]
    );
    // The report says the same, first.
    let html = std::fs::read_to_string(dir.join("live.html")).unwrap();
    assert!(
        html.contains(&format!("made {exits} good parts")) && html.contains("<th>OEE</th>"),
        "the live report"
    );
    // The record is an event log: fit reads it.
    succeeds(&[
        "fit",
        feed.to_str().unwrap(),
        "--scene",
        "scenes/bracket_line.ron",
    ]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_late_broker_and_garbage_on_the_wire_are_survived_and_counted() {
    let dir = temp("late");
    let port = Broker::free_port();
    let url = format!("mqtt://127.0.0.1:{port}");
    let mut monitor =
        Monitor::start(&["--mqtt", &url, "--line", LINE, "--until-finished", "--json"]);
    // No broker yet: it says so and keeps trying.
    monitor.wait_for("not reachable");
    let broker = Broker::start(port, &dir);
    monitor.wait_for("subscribed");
    // A payload that is not JSON, and a topic outside the tree.
    let garbage = |topic: &str, payload: &[u8]| publish(broker.port, topic, payload, false);
    garbage(&format!("plant/{LINE}/weld/event"), b"{\"seq\": \"seven\"");
    garbage(&format!("plant/{LINE}/weld/temperature/now"), b"21.5");
    let out = serve(&broker.url(), "100000");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = monitor.report();
    assert_eq!(
        report["malformed"][format!("plant/{LINE}/weld/event")],
        1,
        "{report}"
    );
    assert_eq!(
        report["unknown_topics"][format!("plant/{LINE}/weld/temperature/now")],
        1,
        "{report}"
    );
    assert_eq!(report["lost"], 0);
    assert!(report["events"].as_u64().unwrap() > 10_000);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_broker_that_goes_away_mid_run_is_a_marked_gap_not_a_crash() {
    let dir = temp("gap");
    let port = Broker::free_port();
    let mut broker = Some(Broker::start(port, &dir));
    let url = format!("mqtt://127.0.0.1:{port}");
    let feed = dir.join("feed.csv");
    let mut monitor = Monitor::start(&[
        "--mqtt",
        &url,
        "--line",
        LINE,
        "--record",
        feed.to_str().unwrap(),
        "--until-finished",
        "--json",
    ]);
    monitor.wait_for("subscribed");
    // 33 simulated hours at 15 000×: about 8 s; the broker is away for 2 s
    // of it.
    let served = {
        let url = url.clone();
        std::thread::spawn(move || serve(&url, "15000"))
    };
    std::thread::sleep(Duration::from_secs(3));
    broker.take();
    std::thread::sleep(Duration::from_secs(2));
    let _broker = Broker::start(port, &dir);
    let out = served.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let serve_err = String::from_utf8_lossy(&out.stderr);
    assert!(serve_err.contains("not reachable"), "{serve_err}");
    let report = monitor.report();
    assert!(
        !report["gaps"].as_array().unwrap().is_empty(),
        "the gap is marked: {report}"
    );
    let record = std::fs::read_to_string(&feed).unwrap();
    assert!(record.contains(",connection_lost\n") && record.contains(",connection_restored\n"));
    // The rest of the shift came through, and the record still fits.
    assert!(report["events"].as_u64().unwrap() > 5_000, "{report}");
    succeeds(&["fit", feed.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_monitor_that_falls_behind_loses_what_the_broker_drops_and_counts_it() {
    let dir = temp("slow");
    // The broker keeps 500 messages for a client that does not read (its
    // default is 1,000), then drops.
    let broker = Broker::start_with(
        Broker::free_port(),
        &dir,
        "allow_anonymous true\nmax_queued_messages 500\n",
    );
    let feed = dir.join("feed.csv");
    let mut monitor = Monitor::start(&[
        "--mqtt",
        &broker.url(),
        "--line",
        LINE,
        "--record",
        feed.to_str().unwrap(),
        "--until-finished",
        "--json",
    ]);
    monitor.wait_for("subscribed");
    // 33 simulated hours at 20 000×: about 6 s; the monitor stops reading
    // for 3 s of it (most of the Monday shift).
    let served = {
        let url = broker.url();
        std::thread::spawn(move || serve(&url, "20000"))
    };
    std::thread::sleep(Duration::from_millis(1500));
    monitor.stall(Duration::from_secs(3));
    let out = served.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = monitor.report();
    let (events, lost) = (
        report["events"].as_u64().unwrap(),
        report["lost"].as_u64().unwrap(),
    );
    // What the broker dropped is counted, and with what came it is every
    // event the line sent; the record marks where.
    assert!(lost > 500, "{report}");
    assert_eq!(events + lost, 11_087, "{report}");
    let record = std::fs::read_to_string(&feed).unwrap();
    assert!(record.contains(",messages_lost\n"));
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs a setup command (openssl, mosquitto_passwd), failing the test with
/// its output.
pub(super) fn sh(program: &str, args: &[&str], dir: &Path) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn over_tls_with_a_login_the_feed_arrives_and_a_wrong_password_is_refused_unprinted() {
    let dir = temp("tls");
    // A CA and a certificate for 127.0.0.1 signed by it (EC keys: quick).
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec![
        "req",
        "-x509",
        "-days",
        "2",
        "-subj",
        "/CN=factory-twin test CA",
    ];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
    sh("openssl", &ca, &dir);
    let mut csr = vec!["req", "-new", "-subj", "/CN=127.0.0.1"];
    csr.extend(ec);
    csr.extend(["-keyout", "server.key", "-out", "server.csr"]);
    sh("openssl", &csr, &dir);
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    sh(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ],
        &dir,
    );
    sh(
        "mosquitto_passwd",
        &["-b", "-c", "passwd", "operator", "s3cret-pw"],
        &dir,
    );
    // Started as root, mosquitto reads its files as the user `mosquitto`:
    // the test's throwaway key is made readable.
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["server.key", "passwd"] {
            std::fs::set_permissions(dir.join(f), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let d = dir.display();
    let broker = Broker::start_with(
        Broker::free_port(),
        &dir,
        &format!(
            "allow_anonymous false\npassword_file {d}/passwd\ncafile {d}/ca.pem\ncertfile {d}/server.pem\nkeyfile {d}/server.key\n"
        ),
    );
    let ca = dir.join("ca.pem");
    let good = format!("mqtts://operator:s3cret-pw@127.0.0.1:{}", broker.port);
    let mut monitor = Monitor::start(&[
        "--mqtt",
        &good,
        "--mqtt-ca",
        ca.to_str().unwrap(),
        "--line",
        LINE,
        "--until-finished",
        "--json",
    ]);
    monitor.wait_for("subscribed");
    succeeds(&[
        "serve",
        "scenes/bracket_line.ron",
        "--mqtt",
        &good,
        "--mqtt-ca",
        ca.to_str().unwrap(),
        "--speed",
        "100000",
        "--until",
        "33h",
    ]);
    let report = monitor.report();
    assert_eq!(report["events"], 11_087, "{report}");
    assert_eq!(report["lost"], 0);
    // A wrong password: refused, said, retried, and never printed.
    let bad = format!("mqtts://operator:wrong-pw@127.0.0.1:{}", broker.port);
    let out = factory_twin(&[
        "monitor",
        "--mqtt",
        &bad,
        "--mqtt-ca",
        ca.to_str().unwrap(),
        "--for",
        "2s",
        "--json",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not reachable") && err.contains("refused"),
        "{err}"
    );
    assert!(
        !err.contains("wrong-pw") && !err.contains("s3cret"),
        "{err}"
    );
    // Without the CA, the broker's certificate is not trusted: said, not a crash.
    let out = factory_twin(&["monitor", "--mqtt", &good, "--for", "2s", "--json"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not reachable"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_station_that_slows_mid_run_is_flagged_and_an_unchanged_plant_is_not() {
    let dir = temp("drift");
    let broker = Broker::start(Broker::free_port(), &dir);
    let mut monitor = Monitor::start(&[
        "--mqtt",
        &broker.url(),
        "--line",
        LINE,
        "--scene",
        "scenes/bracket_line.ron",
        "--propose",
        dir.join("refit.ron").to_str().unwrap(),
        "--until-finished",
        "--json",
    ]);
    monitor.wait_for("subscribed");
    // From Monday noon every weld takes 20 % longer (a worn torch).
    let out = succeeds(&[
        "serve",
        "scenes/bracket_line.ron",
        "--mqtt",
        &broker.url(),
        "--speed",
        "100000",
        "--until",
        "33h",
        "--switch-at",
        "Mon 12:00",
        "--switch-to",
        "scenes/bracket_line_weld_worn.ron",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("weld now runs the cycle"));
    let report = monitor.report();
    let drift = report["drift"].as_array().unwrap();
    assert_eq!(drift.len(), 1, "only the weld station: {drift:?}");
    let a = &drift[0];
    assert_eq!(
        (a["station"].as_str(), a["direction"].as_str()),
        (Some("weld"), Some("slower"))
    );
    let noon = 12.0 * 3600.0;
    assert!(a["at_s"].as_f64().unwrap() > noon, "{a}");
    // Flagged within 40 welds of the change (a 20 % slower weld is a shift
    // of 1.4 standard deviations of its cycle).
    assert!(a["observations"].as_u64().unwrap() <= 40, "{a}");
    assert_eq!(a["measure"], "cycle", "{a}");
    assert!(a["observed_mean_s"].as_f64().unwrap() > 110.0, "{a}");
    // The re-fit proposed: weld alone, from its cycles since the change, a
    // Variant of the scene that runs.
    let refit = std::fs::read_to_string(dir.join("refit.ron")).unwrap();
    assert!(refit.contains("Replace(\"weld\", Machine("), "{refit}");
    assert_eq!(refit.matches("Replace(").count(), 1, "{refit}");
    succeeds(&[
        "run",
        dir.join("refit.ron").to_str().unwrap(),
        "--reps",
        "1",
        "--json",
    ]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_drift_check_rarely_flags_an_unchanged_plant() {
    // 20 weeks of the bracket line, each checked on its own: the false
    // alarms the decision limit allows (docs/live.md gives the measured rate).
    let scene = factory_twin::scene::load_scene(Path::new("scenes/bracket_line.ron")).unwrap();
    let mut alarms = 0;
    for week in super::shadow::feeds_of("scenes/bracket_line.ron", 20) {
        let one = factory_twin::calibrate::log::Log {
            events: week,
            ..Default::default()
        };
        alarms += factory_twin::live::drift::check(&one, &scene).len();
    }
    // 20 weeks × 4 stations, about 240,000 cycles, and cut's 140 or so
    // breakdowns and repairs: at most one false alarm (none measured; with
    // a decision limit of 8 for cycles there were 12).
    assert!(alarms <= 1, "{alarms} false alarms in 80 station-weeks");
}

/// A cut saw that breaks down twelve times as often as the model says
/// (every 30 minutes of work against 6 hours), and whose repairs take twice
/// as long: both flagged at cut, every week of five, and nothing else. (A
/// week has some 25 hours of cutting: a doubled rate takes about 30
/// breakdowns to show, more than a week of them; docs/live.md.)
#[test]
fn breakdowns_more_often_and_longer_repairs_are_flagged() {
    let dir = temp("failure-drift");
    let base = std::fs::read_to_string("scenes/bracket_line.ron").unwrap();
    let worn = base
        .replace(
            "failures: (between: Exponential(mean: Hours(6)), repair: LogNormal(mean: Minutes(20), sd: Minutes(8)))",
            "failures: (between: Exponential(mean: Minutes(30)), repair: LogNormal(mean: Minutes(40), sd: Minutes(16)))",
        );
    assert_ne!(worn, base, "the scene's cut failures changed");
    let scene_file = dir.join("cut_worn.ron");
    std::fs::write(&scene_file, worn).unwrap();
    let model = factory_twin::scene::load_scene(Path::new("scenes/bracket_line.ron")).unwrap();
    for (rep, events) in super::shadow::feeds_of(scene_file.to_str().unwrap(), 5)
        .into_iter()
        .enumerate()
    {
        let week = factory_twin::calibrate::log::Log {
            events,
            ..Default::default()
        };
        let alarms = factory_twin::live::drift::check(&week, &model);
        let mut found: Vec<(&str, &str, &str)> = alarms
            .iter()
            .map(|a| (a.station.as_str(), a.measure, a.direction))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("cut", "between failures", "more often"),
                ("cut", "repair", "longer")
            ],
            "week {rep}: {alarms:?}"
        );
        let often = alarms
            .iter()
            .find(|a| a.measure == "between failures")
            .unwrap();
        assert!(often.observations <= 30, "{often:?}");
        assert!(often.observed_mean_s < 1.5 * 3600.0, "{often:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The bracket line's `run --events` log (replication 0) up to `until_s`,
/// its header included: what a monitor records of the served run.
pub(super) fn run_log(dir: &Path, until_s: f64) -> String {
    let log = super::calibration::week_log(dir);
    std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.split(',').nth(1).unwrap().parse::<f64>().unwrap() <= until_s)
        .map(|(_, l)| format!("{l}\n"))
        .collect()
}

/// The events of `run --events` up to `until_s`, counted by object and
/// event name (`cut/finish`), as the independent clients count them.
pub(super) fn expected_counts(
    dir: &Path,
    until_s: f64,
) -> serde_json::Map<String, serde_json::Value> {
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    for l in run_log(dir, until_s).lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        *counts.entry(format!("{}/{}", f[2], f[5])).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::from(v)))
        .collect()
}

/// `--keep 1h`: the monitor holds an hour of plant time in memory (the
/// whole-feed figures cover it and say so), while the record keeps every
/// event served (Monday to 10:00: the shift's first two hours).
#[test]
fn the_monitor_keeps_what_it_is_told_and_records_everything() {
    let dir = temp("keep");
    let broker = Broker::start(Broker::free_port(), &dir);
    let feed = dir.join("feed.csv");
    let mut monitor = Monitor::start(&[
        "--mqtt",
        &broker.url(),
        "--line",
        LINE,
        "--keep",
        "1h",
        "--record",
        feed.to_str().unwrap(),
        "--until-finished",
        "--json",
    ]);
    monitor.wait_for("subscribed");
    serve_bracket_line(&broker.url(), "100000", "10h");
    let report = monitor.report();
    assert_eq!(report["let_go"], true, "{report}");
    let whole = &report["whole"];
    let (from, to) = (
        whole["from_s"].as_f64().unwrap(),
        whole["to_s"].as_f64().unwrap(),
    );
    assert!(to - from <= 3600.0 + 1e-6, "{from} to {to}");
    assert!(to - from > 0.9 * 3600.0, "{from} to {to}");
    assert_eq!(report["lost"], 0, "{report}");
    let recorded = std::fs::read_to_string(&feed).unwrap();
    assert!(
        recorded == run_log(&dir, 10.0 * 3600.0),
        "the record has every event"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A plant with its own topic names and payloads (published by paho-mqtt,
/// not by factory-twin), read through a mapping file's tags: its state
/// names give the state shares, its counters the good and scrapped parts
/// (a counter that restarts goes on counting), its wall clock at UTC+09:00
/// the times, and the payload without a value is counted as malformed.
#[test]
fn a_plants_own_topics_are_read_through_the_mappings_tags() {
    let dir = temp("tags");
    let broker = Broker::start(Broker::free_port(), &dir);
    let map = acme_map(
        &dir,
        [
            "acme/hall1/press1/status",
            "acme/hall1/press1/ok",
            "acme/hall1/press1/nok",
        ],
    );
    let mut monitor = Monitor::start(&[
        "--mqtt",
        &broker.url(),
        "--map",
        map.to_str().unwrap(),
        "--for",
        "6s",
        "--json",
    ]);
    monitor.wait_for("3 tags");
    std::thread::sleep(Duration::from_millis(500));
    let out = Command::new(super::calibration::python())
        .arg("tests/interop/acme_plant.py")
        .args(["127.0.0.1", &broker.port.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "acme plant: {out:?}");
    let report = monitor.report();
    assert_eq!(
        report["malformed"]["acme/hall1/press1/status"], 1,
        "{report}"
    );
    the_acme_press_as_published(&report);
    std::fs::remove_dir_all(&dir).ok();
}

/// The mapping file of the acme press: its state names, its three tags
/// (status, good, scrap) and its clock at UTC+09:00.
pub(super) fn acme_map(dir: &Path, tags: [&str; 3]) -> PathBuf {
    acme_map_as(dir, tags, "press1")
}

/// The same, the press read as the scene's `station`.
pub(super) fn acme_map_as(dir: &Path, [status, good, scrap]: [&str; 3], station: &str) -> PathBuf {
    let map = dir.join("acme.ron");
    std::fs::write(
        &map,
        format!(
            r#"(
    names: {{ "RUN": "working", "STOP_ALM": "failed", "WAIT": "idle" }},
    tags: {{
        "{status}": (station: "{station}", reads: state),
        "{good}": (station: "{station}", reads: good),
        "{scrap}": (station: "{station}", reads: scrap),
    }},
    utc_offset: "+09:00",
)"#
        ),
    )
    .unwrap();
    map
}

/// What the acme press published (tests/interop/acme_*.py), as the
/// monitor's report must have it: running 08:00-09:00 and 09:30-10:00, in
/// alarm 09:00-09:30, waiting 10:00-11:00 (plant clock, Monday 2026-12-07);
/// good 1000 → 1090, a restart, 3 → 13: 100; scrap 7 → 12: 5.
pub(super) fn the_acme_press_as_published(report: &serde_json::Value) {
    let whole = &report["whole"];
    let clock = |s: &str| factory_twin::calibrate::log::parse_time(s).unwrap();
    assert_eq!(
        whole["from_s"].as_f64(),
        Some(clock("2026-12-07T08:00:00")),
        "{report}"
    );
    assert_eq!(whole["to_s"].as_f64(), Some(clock("2026-12-07T11:00:00")));
    let press = &whole["stations"][0];
    assert_eq!(press["id"], "press1", "{report}");
    assert_eq!(press["state"], "RUN", "{report}");
    let share = |k: &str| press["shares"][k].as_f64().unwrap();
    assert!((share("working") - 0.5).abs() < 1e-9, "{report}");
    assert!((share("failed") - 1.0 / 6.0).abs() < 1e-9, "{report}");
    assert!((share("idle") - 1.0 / 3.0).abs() < 1e-9, "{report}");
    assert_eq!(
        (press["good"].as_u64(), press["scrap"].as_u64()),
        (Some(100), Some(5)),
        "{report}"
    );
}

#[test]
fn an_independent_mqtt_client_reads_every_event_of_the_served_plant() {
    let dir = temp("paho");
    let broker = Broker::start(Broker::free_port(), &dir);
    // Eclipse paho-mqtt, in the venv .ci/run makes.
    let mut paho = Command::new(super::calibration::python())
        .arg("tests/interop/mqtt_read.py")
        .args(["127.0.0.1", &broker.port.to_string(), LINE])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(paho.stderr.take().unwrap());
    assert!(
        stderr.lines().any(|l| l.is_ok_and(|l| l == "subscribed")),
        "paho-mqtt did not subscribe (.ci/run installs it in its venv)"
    );
    succeeds(&[
        "serve",
        "scenes/bracket_line.ron",
        "--mqtt",
        &broker.url(),
        "--speed",
        "100000",
        "--until",
        "10h",
    ]);
    let out = paho.wait_with_output().unwrap();
    assert!(out.status.success(), "paho: {out:?}");
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = expected_counts(&dir, 10.0 * 3600.0);
    assert_eq!(got["counts"].as_object().unwrap(), &expected);
    assert_eq!(got["scene"], "Bracket line (manual welding)");
    std::fs::remove_dir_all(&dir).ok();
}
