//! Planned maintenance: weekly windows and stops after N parts, timed by
//! hand; planned down time is outside the planned busy time (ISO 22400).

use super::{event_minutes, run_logged, scene};
use factory_twin::scene::parse_scene_str;

fn machine(cycle_min: u32, maintenance: &str, horizon_h: u32) -> String {
    format!(
        r#"Scene(name: "maintenance", run: (horizon: Hours({horizon_h})),
        products: [Product(id: "p")],
        objects: [
            Source(id: "src", pos: (0, 0), product: "p"),
            Machine(id: "m", pos: (2, 0), cycle: Constant(Minutes({cycle_min})),
                    power_kw: (working: 6, idle: 1, off_shift: 0.5),
                    maintenance: [{maintenance}]),
            Sink(id: "out", pos: (4, 0)),
        ],
        flow: [("src", "m"), ("m", "out")])"#
    )
}

/// A 7-minute cycle, always fed, and a window Monday 01:00–02:00 in a
/// 3-hour run: 8 parts by 00:56; the part started then pauses at 01:00
/// with 3 minutes left, finishes at 02:03, then one every 7 minutes.
#[test]
fn a_weekly_window_pauses_the_job_and_resumes_it_after() {
    let (r, log) = run_logged(&scene(&machine(
        7,
        r#"Weekly(days: [Mon], start: "01:00", end: "02:00")"#,
        3,
    )));
    assert_eq!(event_minutes(&log, "m", "maintenance_start"), vec![60.0]);
    assert_eq!(event_minutes(&log, "m", "maintenance_end"), vec![120.0]);
    let finish = event_minutes(&log, "m", "finish");
    assert_eq!(finish[7..10], [56.0, 123.0, 130.0]);
    assert_eq!(r.line.good_parts, 8 + 9);
    let m = &r.stations[0];
    assert!((m.states.maintenance - 1.0 / 3.0).abs() < 1e-12);
    assert!((m.states.working - 2.0 / 3.0).abs() < 1e-12);
    // Planned down time is not planned busy time: always working otherwise.
    assert!((m.availability.unwrap() - 1.0).abs() < 1e-12);
    assert!((m.utilisation.unwrap() - 1.0).abs() < 1e-12);
    // 2 h working at 6 kW, 1 h stopped at the off-shift 0.5 kW.
    assert!((m.energy_kwh - 12.5).abs() < 1e-9, "{}", m.energy_kwh);
}

/// A 10-minute cycle and a 15-minute stop after every 3 parts, 2 hours:
/// jobs start at 0, 10, 20; parts at 10, 20, 30; stop 30–45; 55, 65, 75; stop 75–90; 100, 110
/// (the one due at 120 is at the end of the run).
#[test]
fn a_stop_after_every_n_parts_comes_before_the_next_job() {
    let (r, log) = run_logged(&scene(&machine(
        10,
        "EveryParts(parts: 3, duration: Constant(Minutes(15)))",
        2,
    )));
    assert_eq!(
        event_minutes(&log, "m", "maintenance_start"),
        vec![30.0, 75.0]
    );
    assert_eq!(
        event_minutes(&log, "m", "maintenance_end"),
        vec![45.0, 90.0]
    );
    assert_eq!(
        event_minutes(&log, "m", "start"),
        vec![0.0, 10.0, 20.0, 45.0, 55.0, 65.0, 90.0, 100.0, 110.0]
    );
    assert_eq!(r.line.good_parts, 8);
    assert!((r.stations[0].states.maintenance - 0.25).abs() < 1e-12);
}

/// A 10-minute cycle and a 5-minute stop after every 25 minutes of work,
/// at the end of the part that completes it: run time 30 at 30 (stop
/// 30–35, next due at 55), 60 at 65 (stop 65–70, next at 85), 90 at 100
/// (stop 100–105); 2 hours.
#[test]
fn a_stop_after_so_much_work_comes_at_the_end_of_a_part() {
    let (r, log) = run_logged(&scene(&machine(
        10,
        "EveryWork(work: Minutes(25), duration: Constant(Minutes(5)))",
        2,
    )));
    assert_eq!(
        event_minutes(&log, "m", "maintenance_start"),
        vec![30.0, 65.0, 100.0]
    );
    assert_eq!(
        event_minutes(&log, "m", "start"),
        vec![
            0.0, 10.0, 20.0, 35.0, 45.0, 55.0, 70.0, 80.0, 90.0, 105.0, 115.0
        ]
    );
    assert_eq!(r.line.good_parts, 10);
    assert!((r.stations[0].states.maintenance - 15.0 / 120.0).abs() < 1e-12);
}

#[test]
fn bad_maintenance_is_refused_with_the_station_named() {
    let refused = |m: &str| parse_scene_str(&machine(10, m, 2)).unwrap_err().to_string();
    let e = refused("EveryParts(parts: 0, duration: Constant(Minutes(5)))");
    assert!(
        e.contains("\"m\"") && e.contains("maintenance[0].parts"),
        "{e}"
    );
    let e = refused(r#"Weekly(days: [Sat, Sat], start: "06:00", end: "08:00")"#);
    assert!(e.contains("Sat twice"), "{e}");
    let e = refused(r#"Weekly(days: [Sat], start: "6 am", end: "08:00")"#);
    assert!(e.contains("maintenance[0]") && e.contains("HH:MM"), "{e}");
    let e = refused("EveryWork(work: Seconds(0), duration: Constant(Minutes(5)))");
    assert!(
        e.contains("maintenance[0].work") && e.contains("positive"),
        "{e}"
    );
    let e = refused(r#"Weekly(days: [Sat], start: "06:00", end: "08:00", wage_factor: 3)"#);
    assert!(e.contains("wage_factor"), "{e}");
}
