//! The 3D view rendered offscreen (Mesa's software Vulkan is enough): the
//! picture is not blank, and each station's roof shows its state's colour.

#![cfg(feature = "viewer")]

use factory_twin::scene::load_scene;
use factory_twin::sim::STATES;
use factory_twin::viewer::screenshot::{Shot, screenshot};
use std::path::Path;

fn rgb(hex: &str) -> [f32; 3] {
    let v = u32::from_str_radix(&hex[1..], 16).unwrap();
    [(v >> 16) as f32, ((v >> 8) & 255) as f32, (v & 255) as f32]
}

/// Hue in degrees, and saturation, of an sRGB colour.
fn hue_sat(c: [f32; 3]) -> (f32, f32) {
    let [r, g, b] = c.map(|x| x / 255.0);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let d = max - min;
    let sat = if max > 0.0 { d / max } else { 0.0 };
    if d < 1e-6 {
        return (0.0, sat);
    }
    let h = if max == r {
        ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        (b - r) / d + 2.0
    } else {
        (r - g) / d + 4.0
    };
    (h * 60.0, sat)
}

#[test]
fn a_screenshot_shows_the_floor_and_the_state_colours() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scene = load_scene(&root.join("scenes/bracket_line.ron")).unwrap();
    let file = std::env::temp_dir().join(format!("ft-shot-{}.png", std::process::id()));
    let (w, h) = (640u32, 360u32);
    // Tuesday 10:30: the day shift is on and the line is busy.
    let stations = screenshot(
        &scene,
        &file,
        &Shot {
            at: 34.5 * 3600.0,
            width: w,
            height: h,
            top_view: false,
            physics: false,
        },
    )
    .unwrap_or_else(|d| panic!("{d}"))
    .stations;
    let (pw, ph, pixel) = picture(&file);
    assert_eq!((pw, ph), (w, h));
    // Not blank: many distinct colours.
    let mut seen = std::collections::HashSet::new();
    for y in (0..h).step_by(4) {
        for x in (0..w).step_by(4) {
            seen.insert(pixel(x, y).map(|c| c as u8 / 8));
        }
    }
    assert!(
        seen.len() > 60,
        "only {} colours: a blank frame?",
        seen.len()
    );

    assert_eq!(stations.len(), 4, "cut, bend, weld, inspect: {stations:?}");
    for s in &stations {
        let (x, y) = s.pixel.unwrap_or_else(|| panic!("{} is out of view", s.id));
        let expected = STATES.iter().find(|i| i.key == s.state).unwrap().colour;
        let (hue, sat) = hue_sat(pixel(x, y));
        let (want_hue, _) = hue_sat(rgb(expected));
        if s.state == "off_shift" {
            assert!(sat < 0.15, "{}: grey expected, saturation {sat}", s.id);
        } else {
            let diff = (hue - want_hue).abs().min(360.0 - (hue - want_hue).abs());
            assert!(
                sat > 0.3 && diff < 20.0,
                "{} is {}: hue {hue} (want {want_hue}), saturation {sat}",
                s.id,
                s.state
            );
        }
    }
    std::fs::remove_file(&file).ok();
}

/// The pixels of a PNG: width, height and a reader of sRGB at (x, y).
fn picture(file: &Path) -> (u32, u32, impl Fn(u32, u32) -> [f32; 3]) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(file).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h, line) = (info.width, info.height, info.line_size);
    let channels = line / w as usize;
    (w, h, move |x: u32, y: u32| {
        let i = y as usize * line + x as usize * channels;
        [buf[i] as f32, buf[i + 1] as f32, buf[i + 2] as f32]
    })
}

#[test]
fn layout_problems_are_marked_on_the_floor() {
    // Training 5's operators walk through the robot's unfenced envelope.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scene = load_scene(&root.join("scenes/training/05_operators_and_shifts.ron")).unwrap();
    let file = std::env::temp_dir().join(format!("ft-marks-{}.png", std::process::id()));
    let shown = screenshot(
        &scene,
        &file,
        &Shot {
            at: 10.0 * 3600.0,
            width: 640,
            height: 360,
            top_view: true,
            physics: false,
        },
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let (_, _, pixel) = picture(&file);
    let walking: Vec<_> = shown
        .marks
        .iter()
        .filter(|(kind, _)| *kind == "walking_path")
        .collect();
    assert!(!walking.is_empty(), "{:?}", shown.marks);
    // Along the path (it runs under the models at its ends and under the
    // robot), much of each strip shows in the walking-path red.
    let mut seen = 0;
    for (_, along) in walking {
        for &(x, y) in along {
            let (hue, sat) = hue_sat(pixel(x, y));
            if sat > 0.6 && !(15.0..345.0).contains(&hue) {
                seen += 1;
            }
        }
    }
    assert!(seen >= 3, "only {seen} red points along the walking paths");
    std::fs::remove_file(&file).ok();
}

#[test]
fn the_physics_preview_shows_part_bodies_on_the_belt() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scene = load_scene(&root.join("scenes/bracket_line.ron")).unwrap();
    // A moment with parts on the belt c1, found with the engine alone.
    let mut engine = factory_twin::sim::build(&scene, 0).unwrap();
    let on_belt = |e: &factory_twin::sim::Engine| {
        e.nodes
            .iter()
            .map(|n| match &n.kind {
                factory_twin::sim::NodeKind::Conveyor(c) => c.parts.len(),
                _ => 0,
            })
            .sum::<usize>()
    };
    let mut at = 8.0 * 3600.0;
    while on_belt(&engine) < 3 {
        at += 60.0;
        engine.advance_to(at);
    }
    let file = std::env::temp_dir().join(format!("ft-physics-{}.png", std::process::id()));
    let shown = screenshot(
        &scene,
        &file,
        &Shot {
            at,
            width: 320,
            height: 180,
            top_view: false,
            physics: true,
        },
    )
    .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        shown.bodies,
        on_belt(&engine),
        "a body per part on the belt"
    );
    std::fs::remove_file(&file).ok();
}

#[test]
fn the_window_opens_with_its_panels_and_runs_the_scene() {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "no display: run under `xvfb-run -a cargo test` (as .ci/run does) to test the window"
        );
        return;
    }
    let (stats, picture) = view_for_a_while("window", &["--speed", "1000", "--exit-after", "6"]);
    assert_eq!(stats["offscreen"], false, "{stats}");
    assert!(picture.width >= 320 && picture.height >= 200);
    let distinct: std::collections::HashSet<[u8; 3]> = (0..picture.height)
        .step_by(7)
        .flat_map(|y| (0..picture.width).step_by(13).map(move |x| (x, y)))
        .map(|(x, y)| picture.pixel(x, y))
        .collect();
    assert!(distinct.len() > 50, "a blank window?");
}

/// A captured frame: RGB or RGBA rows.
struct Picture {
    width: u32,
    height: u32,
    bytes_per_pixel: usize,
    data: Vec<u8>,
}

impl Picture {
    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y * self.width + x) as usize * self.bytes_per_pixel;
        [self.data[i], self.data[i + 1], self.data[i + 2]]
    }
}

/// Runs `factory-twin view` on the single-machine scene with `args` and
/// `--window-screenshot`; checks it ran the scene and returns its frame
/// statistics and the captured picture.
fn view_for_a_while(name: &str, args: &[&str]) -> (serde_json::Value, Picture) {
    let file = std::env::temp_dir().join(format!("ft-{name}-{}.png", std::process::id()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_factory-twin"))
        .env("LC_ALL", "C")
        .args(["view", "scenes/training/01_single_machine.ron"])
        .args(args)
        .arg("--window-screenshot")
        .arg(&file)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(stats["frames"].as_u64().unwrap() > 0, "{stats}");
    assert!(!stats["adapter"].as_str().unwrap().is_empty(), "{stats}");
    assert!(
        stats["sim_time_s"].as_f64().unwrap() > 0.0,
        "the simulation advanced: {stats}"
    );
    let picture = read_png(&file);
    std::fs::remove_file(&file).ok();
    (stats, picture)
}

fn read_png(file: &Path) -> Picture {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(file).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut data = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut data).unwrap();
    data.truncate(info.buffer_size());
    let bytes_per_pixel = data.len() / (info.width * info.height) as usize;
    Picture {
        width: info.width,
        height: info.height,
        bytes_per_pixel,
        data,
    }
}

/// The share of sampled pixels in the top right quarter that are egui's
/// dark panel grey (against the light floor and sky).
fn panel_share(picture: &Picture) -> f64 {
    let dark_grey =
        |[r, g, b]: [u8; 3]| r.max(g).max(b) < 50 && r.max(g).max(b) - r.min(g).min(b) < 8;
    let (mut n, mut dark) = (0, 0);
    for y in (0..picture.height / 2).step_by(2) {
        for x in (picture.width / 2..picture.width).step_by(2) {
            n += 1;
            dark += usize::from(dark_grey(picture.pixel(x, y)));
        }
    }
    dark as f64 / n as f64
}

#[test]
fn the_offscreen_surface_draws_the_window_with_its_panels() {
    // No display needed: the window's app renders into an image.
    let (stats, picture) = view_for_a_while(
        "offscreen",
        &[
            "--offscreen",
            "--size",
            "640x400",
            "--speed",
            "1000",
            "--exit-after",
            "4",
        ],
    );
    assert_eq!(stats["offscreen"], true, "{stats}");
    assert_eq!(
        (picture.width, picture.height),
        (640, 400),
        "the size asked for"
    );
    // egui's dark panels (KPIs on the right, playback above).
    let share = panel_share(&picture);
    assert!(
        share > 0.3,
        "panels drawn? dark share {share:.2} of the top right"
    );
    // And the 3D floor (light grey) in the lower left.
    let light = (0..picture.width / 2)
        .step_by(4)
        .filter(|&x| {
            picture
                .pixel(x, picture.height * 3 / 4)
                .iter()
                .all(|&c| c > 150)
        })
        .count();
    assert!(light > 20, "the floor drawn? {light} light pixels");
}

/// `view --live`: the floor shows a plant served through mosquitto, not a
/// run of its own. At the last picture the parts drawn are the parts the
/// plant held then (by the served run's own event log), each station has
/// the colour of the state the plant reported, and the forecast panel has
/// its fan.
#[test]
fn the_live_view_shows_the_served_plants_parts_states_and_forecast() {
    use super::live::{Broker, Monitor, temp};
    use factory_twin::calibrate::{log, mapping::Mapping};
    let dir = temp("view-live");
    let broker = Broker::start(Broker::free_port(), &dir);
    let shot = dir.join("live.png");
    let mut view = Monitor::start_command(&[
        "view",
        "scenes/bracket_line.ron",
        "--live",
        &broker.url(),
        "--until",
        "Mon 17:00",
        "--target",
        "480",
        "--reps",
        "10",
        "--every",
        "2s",
        "--offscreen",
        "--size",
        "1100x620",
        "--exit-after",
        "25",
        "--window-screenshot",
        shot.to_str().unwrap(),
    ]);
    view.wait_for("subscribed");
    // Monday to 11:00 at 7200×: 5.5 s.
    super::live::serve_bracket_line(&broker.url(), "7200", "Mon 11:00");
    let stats = view.report();
    let live = &stats["live"];
    assert!(live["pictures"].as_u64().unwrap() >= 2, "{stats}");
    assert_eq!(live["lost"], 0, "{stats}");
    assert_eq!(live["problem"], serde_json::Value::Null, "{stats}");
    // The served plant is replication 0 of the scene: its own log says
    // what the plant held at the picture's time.
    let events_file = dir.join("events.csv");
    super::scenarios::succeeds(&[
        "run",
        "scenes/bracket_line.ron",
        "--reps",
        "1",
        "--events",
        events_file.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&events_file).unwrap();
    let events = log::read(&text, &Mapping::default()).unwrap().events;
    let t = live["plant_time_s"].as_f64().unwrap();
    assert!(
        t > 10.5 * 3600.0 && t <= 11.0 * 3600.0,
        "the last picture: {stats}"
    );
    let mut inside = std::collections::HashSet::new();
    let mut good = 0;
    for e in events.iter().take_while(|e| e.time_s <= t) {
        let part = e.part.clone().unwrap_or_default();
        match e.kind {
            log::Kind::Enter => {
                inside.insert(part);
            }
            log::Kind::Exit => {
                inside.remove(&part);
                good += 1;
            }
            log::Kind::Scrap => {
                inside.remove(&part);
            }
            _ => {}
        }
    }
    assert_eq!(live["parts_shown"], inside.len() as u64, "{stats}");
    assert_eq!(live["not_placed"], 0, "{stats}");
    assert_eq!(live["good_today"], good, "{stats}");
    // Colours follow what the plant reports (serve sends the engine's names).
    let states = live["states"].as_object().unwrap();
    let reported = live["reported"].as_object().unwrap();
    assert!(!reported.is_empty(), "{stats}");
    for (id, name) in reported {
        assert_eq!(states.get(id), Some(name), "{id}: {stats}");
    }
    assert!(
        states.values().any(|s| s == "working"),
        "mid-morning someone works: {stats}"
    );
    assert!(live["forecasts"].as_u64().unwrap() >= 1, "{stats}");
    assert_eq!(live["fan_points"], 25, "{stats}");
    let picture = read_png(&shot);
    assert!(panel_share(&picture) > 0.2, "the plant panel drawn");
    std::fs::remove_dir_all(&dir).ok();
}
