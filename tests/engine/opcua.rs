//! The plant over OPC UA: `serve --opcua` against `monitor --opcua` (the
//! record is the `run --events` log of the same run, byte for byte), an
//! independent client (python's asyncua, as a SCADA would) browsing the
//! OPC 40001-1 layout, Basic256Sha256 with a login (a wrong password
//! refused and never printed), and a server that goes away mid-run.

use super::live::{Monitor, binary, expected_counts, run_log, sh, temp};
use super::scenarios::cli as factory_twin;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    super::live::Broker::free_port()
}

/// `serve` of the bracket line over OPC UA at 3600× until `until` (10h:
/// its first two shift hours), in the background.
fn serve(url: &str, pki: &Path, until: &str) -> Child {
    Command::new(binary())
        .args(["serve", "scenes/bracket_line.ron", "--opcua", url])
        .arg("--opcua-pki")
        .arg(pki)
        .args(["--speed", "3600", "--until", until, "--wait-for-client"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// asyncua's reading of the served plant (tests/interop/opcua_read.py).
fn asyncua(args: &[&str]) -> Child {
    Command::new(super::calibration::python())
        .arg("tests/interop/opcua_read.py")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn json_of(child: Child, who: &str) -> serde_json::Value {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{who}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{who}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// Each station's finished and scrapped parts in `counts` (`cut/finish`).
fn station_counts(counts: &serde_json::Map<String, serde_json::Value>) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for id in ["cut", "bend", "weld", "inspect"] {
        let n = |e: &str| {
            counts
                .get(&format!("{id}/{e}"))
                .cloned()
                .unwrap_or(0.into())
        };
        out.insert(
            id.to_string(),
            serde_json::json!({"good": n("finish"), "scrap": n("scrap")}),
        );
    }
    out.into()
}

#[test]
fn over_opcua_the_monitor_and_an_independent_client_read_the_served_plant_exactly() {
    let dir = temp("opcua");
    let url = format!("opc.tcp://127.0.0.1:{}", free_port());
    let feed = dir.join("feed.csv");
    // Both clients start first and wait for the server (retrying).
    let monitor = Monitor::start(&[
        "--opcua",
        &url,
        "--opcua-pki",
        dir.join("pki-monitor").to_str().unwrap(),
        "--scene",
        "scenes/bracket_line.ron",
        "--record",
        feed.to_str().unwrap(),
        "--until-finished",
        "--json",
    ]);
    let independent = asyncua(&[&url]);
    let served = serve(&url, &dir.join("pki-serve"), "10h");
    let out = served.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = monitor.report();
    let expected = run_log(&dir, 10.0 * 3600.0);
    let recorded = std::fs::read_to_string(&feed).unwrap();
    assert!(recorded == expected, "the record differs from run --events");
    assert_eq!(report["events"], expected.lines().count() as u64 - 1);
    assert_eq!(report["lost"], 0);
    assert_eq!(report["finished"], true);
    // The independent client found the stations under Objects/Machines, saw
    // OPC 40001-1 states, and reads the counts the run made.
    let read = json_of(independent, "asyncua");
    assert_eq!(
        read["stations"],
        station_counts(&expected_counts(&dir, 10.0 * 3600.0))
    );
    let states: Vec<&str> = read["item_states_seen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"Executing") && states.contains(&"NotExecuting"),
        "{states:?}"
    );
    for s in &states {
        assert!(
            ["Executing", "NotExecuting", "OutOfService", "NotAvailable"].contains(s),
            "{s} is not a MachineryItemState"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn with_a_login_the_channel_is_basic256sha256_and_a_wrong_password_is_refused_unprinted() {
    let dir = temp("opcua-secure");
    let port = free_port();
    // The independent client's certificate: its application URI in the
    // subject's alternative names, as OPC UA asks.
    sh(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=interop-test",
            "-keyout",
            "client.pem",
            "-out",
            "client-cert.pem",
            "-addext",
            "subjectAltName=URI:urn:factory-twin:interop-test",
            "-addext",
            "keyUsage=digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment",
        ],
        &dir,
    );
    sh(
        "openssl",
        &[
            "x509",
            "-in",
            "client-cert.pem",
            "-outform",
            "der",
            "-out",
            "client.der",
        ],
        &dir,
    );
    let with_user = format!("opc.tcp://operator@127.0.0.1:{port}");
    // The login in the address here: the test checks it is never printed.
    let mut monitor = Monitor::start(&[
        "--opcua",
        &format!("opc.tcp://operator:s3cret-pw@127.0.0.1:{port}"),
        "--opcua-trust",
        "--opcua-pki",
        dir.join("pki-monitor").to_str().unwrap(),
        "--until-finished",
        "--json",
    ]);
    let independent = asyncua(&[
        &format!("opc.tcp://127.0.0.1:{port}"),
        "operator",
        "s3cret-pw",
        dir.join("client.der").to_str().unwrap(),
        dir.join("client.pem").to_str().unwrap(),
    ]);
    let served = Command::new(binary())
        .args([
            "serve",
            "scenes/bracket_line.ron",
            "--opcua",
            &with_user,
            "--opcua-trust",
        ])
        .arg("--opcua-pki")
        .arg(dir.join("pki-serve"))
        .args(["--speed", "3600", "--until", "10h", "--wait-for-client"])
        .env("FACTORY_TWIN_OPCUA_PASSWORD", "s3cret-pw")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // While it runs: a wrong password is refused (said, retried, never
    // printed), and so is a client that asks for no security.
    monitor.wait_for("watching");
    let out = factory_twin(&[
        "monitor",
        "--opcua",
        &format!("opc.tcp://operator:wrong-pw@127.0.0.1:{port}"),
        "--opcua-trust",
        "--opcua-pki",
        dir.join("pki-wrong").to_str().unwrap(),
        "--for",
        "3s",
        "--json",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not accepted"), "{err}");
    assert!(
        !err.contains("wrong-pw") && !err.contains("s3cret"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["events"], 0, "{report}");
    let out = factory_twin(&[
        "monitor",
        "--opcua",
        &format!("opc.tcp://127.0.0.1:{port}"),
        "--opcua-pki",
        dir.join("pki-none").to_str().unwrap(),
        "--for",
        "2s",
        "--json",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("not reachable"),
        "{err}"
    );
    let out = served.wait_with_output().unwrap();
    let serve_err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{serve_err}");
    assert!(
        serve_err.contains("Basic256Sha256") && !serve_err.contains("s3cret"),
        "{serve_err}"
    );
    let said = monitor.seen.join("\n");
    let report = monitor.report();
    assert!(!said.contains("s3cret"), "{said}");
    let expected = expected_counts(&dir, 10.0 * 3600.0);
    let events: u64 = expected.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(report["events"], events, "{report}");
    assert_eq!(report["lost"], 0);
    let read = json_of(independent, "asyncua over Basic256Sha256");
    assert_eq!(read["stations"], station_counts(&expected));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_opcua_server_that_goes_away_mid_run_is_a_marked_gap_not_a_crash() {
    let dir = temp("opcua-gap");
    let url = format!("opc.tcp://127.0.0.1:{}", free_port());
    let feed = dir.join("feed.csv");
    let mut monitor = Monitor::start(&[
        "--opcua",
        &url,
        "--opcua-pki",
        dir.join("pki-monitor").to_str().unwrap(),
        "--record",
        feed.to_str().unwrap(),
        "--for",
        "14s",
        "--json",
    ]);
    let mut served = serve(&url, &dir.join("pki-serve"), "33h");
    monitor.wait_for("watching");
    // The first shift starts at 08:00, 8 s in at 3600× (after the second
    // serve gives the monitored items); about 2 s of it, then the server is
    // killed.
    std::thread::sleep(Duration::from_secs(11));
    served.kill().unwrap();
    served.wait().unwrap();
    monitor.wait_for("went away");
    let report = monitor.report();
    let events = report["events"].as_u64().unwrap();
    assert!(events > 100, "{report}");
    let gaps = report["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 1, "{report}");
    assert!(gaps[0][1].is_null(), "nothing came after: {report}");
    let record = std::fs::read_to_string(&feed).unwrap();
    assert!(
        record.ends_with(",connection_lost\n"),
        "the record marks it"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A plant's own OPC UA server (python asyncua, its own namespace and node
/// ids, values with the PLC's source times in UTC), read through the
/// mapping file's tags: the same figures as the same press over MQTT.
#[test]
fn a_plants_own_opcua_nodes_are_read_through_the_mappings_tags() {
    use std::io::{BufRead, BufReader, Write};
    let dir = temp("opcua-tags");
    let port = free_port();
    let mut plant = Command::new(super::calibration::python())
        .arg("tests/interop/acme_opcua_plant.py")
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut said = BufReader::new(plant.stdout.take().unwrap()).lines();
    let ready = said.next().unwrap().unwrap();
    let ns = ready.strip_prefix("ready ns=").expect("the plant is up");
    let node = |name: &str| format!("ns={ns};s=Press1.{name}");
    let map = super::live::acme_map(&dir, [&node("Status"), &node("Good"), &node("Scrap")]);
    let mut monitor = Monitor::start(&[
        "--opcua",
        &format!("opc.tcp://127.0.0.1:{port}/acme"),
        "--opcua-pki",
        dir.join("pki").to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
        "--for",
        "8s",
        "--json",
    ]);
    monitor.wait_for("watching the plant's nodes");
    std::thread::sleep(Duration::from_secs(1));
    let mut stdin = plant.stdin.take().unwrap();
    writeln!(stdin, "play").unwrap();
    assert_eq!(said.next().unwrap().unwrap(), "played");
    let report = monitor.report();
    writeln!(stdin, "stop").unwrap();
    drop(stdin);
    let _ = plant.wait();
    super::live::the_acme_press_as_published(&report);
    std::fs::remove_dir_all(&dir).ok();
}
