//! The egui panels of the window: playback (play/pause, speed, step to the
//! next event, jump to a time), live KPIs with charts (egui_plot), and an
//! inspector: click an object to see its figures and edit its parameters.
//! An edit restarts the view with the change and compares before and after
//! in the background (paired replications); "Save as variant" writes the
//! edits as a variant file next to the scene.

use super::floor::Model;
use super::hud::Playback;
use super::reload::{Edit, SceneSource};
use crate::experiment::{self, Options};
use crate::scene::{Object, Value};
use crate::sim::{Engine, NodeKind, STATE_COUNT, SimClock, State};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};
use std::sync::{Arc, Mutex};

pub struct PanelsPlugin;

impl Plugin for PanelsPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Selected>()
            .init_resource::<Live>()
            .init_resource::<BeforeAfter>()
            .init_resource::<JumpText>()
            .add_systems(Update, (sample_live, pick_on_click))
            .add_systems(EguiPrimaryContextPass, panels);
    }
}

/// The object shown in the inspector (an engine node).
#[derive(Resource, Default)]
pub struct Selected(pub Option<u32>);

/// Good parts per hour and WIP, sampled every simulated 15 minutes.
#[derive(Resource, Default)]
pub struct Live {
    last: Option<(f64, u64)>,
    pub throughput: Vec<[f64; 2]>,
    pub wip: Vec<[f64; 2]>,
}

const SAMPLE_S: f64 = 900.0;

/// Station rows in the KPI panel at most.
const MAX_STATION_ROWS: usize = 12;

fn sample_live(engine: Res<Engine>, mut live: ResMut<Live>) {
    let (now, out) = (engine.now, engine.line.exited_total);
    match live.last {
        Some((t, _)) if now < t => *live = Live::default(), // restarted
        Some((t, n)) if now - t >= SAMPLE_S => {
            let rate = (out - n.min(out)) as f64 / (now - t) * 3600.0;
            live.throughput.push([now / 3600.0, rate]);
            live.wip.push([now / 3600.0, engine.line.wip as f64]);
            live.last = Some((now, out));
        }
        None => live.last = Some((now, out)),
        _ => {}
    }
}

/// Clicking a model selects it (Bevy picking on its meshes; clicks bubble
/// from a mesh to its model).
fn pick_on_click(mut commands: Commands, models: Query<Entity, Added<Model>>) {
    for entity in &models {
        commands.entity(entity).observe(
            |click: On<Pointer<Click>>, models: Query<&Model>, mut selected: ResMut<Selected>| {
                if let Ok(m) = models.get(click.entity) {
                    selected.0 = Some(m.node);
                }
            },
        );
    }
}

/// The text field of "jump to".
#[derive(Resource)]
pub struct JumpText(String);

impl Default for JumpText {
    fn default() -> Self {
        Self("Tue 10:00".into())
    }
}

/// One row of the before/after table: KPI, before, after, ± of the paired difference.
pub type BeforeAfterRow = (String, f64, f64, f64);

/// The comparison's rows, or why it failed; `None` while it runs.
pub type BeforeAfterSlot = Arc<Mutex<Option<Result<Vec<BeforeAfterRow>, String>>>>;

/// The before/after comparison of the latest edit, computed off the UI thread.
#[derive(Resource, Default)]
pub struct BeforeAfter {
    pub result: BeforeAfterSlot,
    pub running: bool,
}

fn start_before_after(source: &SceneSource, store: &mut BeforeAfter) {
    let (Some(base), Ok(edited)) = (source.base.clone(), source.edited()) else {
        return;
    };
    let slot = store.result.clone();
    *slot.lock().expect("not poisoned") = None;
    store.running = true;
    std::thread::spawn(move || {
        let options = Options {
            replications: Some(5),
            ..Options::default()
        };
        let out = experiment::compare(&base, std::slice::from_ref(&edited), &options)
            .map(|c| {
                c.variants[0]
                    .kpis
                    .iter()
                    .filter(|k| k.difference.n > 0)
                    .map(|k| {
                        (
                            format!("{} ({})", k.kpi, k.unit),
                            k.base.mean,
                            k.variant.mean,
                            k.difference.half_width.unwrap_or(0.0),
                        )
                    })
                    .collect()
            })
            .map_err(|e| e.to_string());
        *slot.lock().expect("not poisoned") = Some(out);
    });
}

pub(crate) fn colour(state: State) -> egui::Color32 {
    let hex = state.colour();
    let v = u32::from_str_radix(&hex[1..], 16).unwrap_or(0x888888);
    egui::Color32::from_rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

#[allow(clippy::too_many_arguments)]
fn panels(
    mut contexts: EguiContexts,
    mut engine: ResMut<Engine>,
    mut clock: ResMut<SimClock>,
    mut playback: ResMut<Playback>,
    mut selected: ResMut<Selected>,
    mut source: ResMut<SceneSource>,
    mut before_after: ResMut<BeforeAfter>,
    mut jump: ResMut<JumpText>,
    live: Res<Live>,
    (mut physics, problems, watching): (
        ResMut<super::physics::PhysicsPreview>,
        Res<super::overlay::LayoutProblems>,
        Option<Res<super::live::LiveTap>>,
    ),
) -> Result {
    let ctx = contexts.ctx_mut()?;
    if watching.is_some() {
        // The plant's panels stand in for playback, the simulated KPIs and
        // editing (see `live`).
        if !problems.violations.is_empty() {
            layout_window(ctx, &problems);
        }
        return Ok(());
    }
    let now = engine.now;
    playback_window(
        ctx,
        &engine,
        &mut clock,
        &mut playback,
        &mut source,
        &mut jump,
        &mut physics,
    );
    if !problems.violations.is_empty() {
        layout_window(ctx, &problems);
    }
    kpi_window(ctx, &engine, &live, now);
    if let Some(node) = selected.0.filter(|n| (*n as usize) < engine.nodes.len()) {
        let mut open = true;
        let id = engine.nodes[node as usize].id.clone();
        egui::Window::new(format!("Inspector: {id}"))
            .open(&mut open)
            .anchor(egui::Align2::LEFT_TOP, [10.0, 90.0])
            .show(ctx, |ui| inspector(ui, &mut engine, node, &id, &mut source));
        if !open {
            selected.0 = None;
        }
    }

    if !source.edits.is_empty() {
        before_after_window(ctx, &mut source, &before_after);
    }
    problem_window(ctx, &mut source);
    if source.take_started_edit() {
        start_before_after(&source, &mut before_after);
    }
    Ok(())
}

/// Play, pause, step, speed, jump to a time, the physics preview switch.
fn playback_window(
    ctx: &egui::Context,
    engine: &Engine,
    clock: &mut SimClock,
    playback: &mut Playback,
    source: &mut SceneSource,
    jump: &mut JumpText,
    physics: &mut super::physics::PhysicsPreview,
) {
    let now = engine.now;
    egui::Window::new("Playback")
        .anchor(egui::Align2::CENTER_TOP, [80.0, 10.0])
        .resizable(false)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                if ui
                    .button(if playback.paused {
                        "▶ Play"
                    } else {
                        "⏸ Pause"
                    })
                    .clicked()
                {
                    playback.paused = !playback.paused;
                }
                if ui.button("⏭ Next event").clicked() {
                    playback.paused = true;
                    if let Some(t) = engine.next_event_time() {
                        clock.target = t;
                    }
                }
            });
            ui.add(
                egui::Slider::new(&mut playback.speed, 1.0..=10_000.0)
                    .logarithmic(true)
                    .text("× speed"),
            );
            ui.horizontal(|ui| {
                ui.text_edit_singleline(&mut jump.0);
                if ui.button("Jump").clicked() {
                    match crate::scene::parse_time(&jump.0) {
                        Ok(t) if t >= now => clock.target = t,
                        Ok(t) => {
                            // Back in time: start again and run to it.
                            source.restart = true;
                            clock.target = t;
                        }
                        Err(d) => source.error = Some(d.message),
                    }
                }
            });
            ui.checkbox(&mut physics.on, "Physics preview (P)")
                .on_hover_text(format!(
                    "Parts on the belts as rigid bodies; at most {}× speed",
                    super::physics::MAX_SPEED
                ));
        });
}

/// The layout problems `check` finds, with their colours on the floor.
fn layout_window(ctx: &egui::Context, problems: &super::overlay::LayoutProblems) {
    egui::Window::new(format!("Layout: {} problems", problems.violations.len()))
        // Above the state legend, which has the bottom-left corner.
        .anchor(egui::Align2::LEFT_BOTTOM, [10.0, -56.0])
        .default_open(false)
        .default_width(420.0)
        .show(ctx, |ui| {
            for v in &problems.violations {
                let c = super::overlay::kind_colour(v.kind).to_srgba();
                let colour = egui::Color32::from_rgb(
                    (c.red * 255.0) as u8,
                    (c.green * 255.0) as u8,
                    (c.blue * 255.0) as u8,
                );
                ui.horizontal_wrapped(|ui| {
                    ui.colored_label(colour, format!("■ {}", v.kind));
                    ui.label(&v.message);
                });
            }
            ui.label(if problems.shown {
                "Marked on the floor (L hides them)."
            } else {
                "Hidden (L shows them)."
            });
        });
}

/// Output, WIP and lead time so far, their curves, each station's states
/// and OEE so far.
fn kpi_window(ctx: &egui::Context, engine: &Engine, live: &Live, now: f64) {
    egui::Window::new("KPIs")
        .anchor(egui::Align2::RIGHT_TOP, [-10.0, 10.0])
        .default_width(360.0)
        .show(ctx, |ui| {
            let l = &engine.line;
            let hours = (now - engine.stats_start).max(0.0) / 3600.0;
            let good = l.exited;
            if now < engine.window.warmup {
                ui.label(format!(
                    "warm-up: statistics start at {:.1} h",
                    engine.window.warmup / 3600.0
                ));
            } else {
                ui.label(format!(
                    "Good parts {good} in {hours:.1} h measured ({:.1}/h)",
                    if hours > 0.0 {
                        good as f64 / hours
                    } else {
                        0.0
                    }
                ));
            }
            ui.label(format!(
                "WIP {}   ·   lead time mean {}",
                l.wip,
                l.lead_time
                    .mean()
                    .map_or("–".into(), |s| format!("{:.1} min", s / 60.0))
            ));
            Plot::new("throughput")
                .height(120.0)
                .legend(Legend::default())
                .x_axis_label("h")
                .include_y(0.0)
                .allow_scroll(false)
                .show(ui, |p| {
                    p.line(Line::new(
                        "good parts/h",
                        PlotPoints::from(live.throughput.clone()),
                    ));
                    p.line(Line::new("WIP", PlotPoints::from(live.wip.clone())));
                });
            station_states(ui, engine, now);
        });
}

/// Each station's share of time in each state so far (stacked bars) and its
/// OEE so far; on a big plant only the busiest.
fn station_states(ui: &mut egui::Ui, engine: &Engine, now: f64) {
    // Stacked horizontal bars: the share of time in each state per station.
    let stations: Vec<(String, [f64; STATE_COUNT], Option<f64>)> = engine
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Station(s) => {
                let (shares, oee) = s.live_figures(now);
                Some((n.id.clone(), shares, oee))
            }
            _ => None,
        })
        .collect();
    // On a big plant, the stations that work the most (where the
    // bottleneck is found) rather than hundreds of bars.
    let shown = stations.len();
    let mut stations = stations;
    if shown > MAX_STATION_ROWS {
        let busy = |s: &[f64; STATE_COUNT]| {
            s[State::Working as usize] + s[State::Setup as usize] + s[State::Failed as usize]
        };
        stations.sort_by(|a, b| busy(&b.1).total_cmp(&busy(&a.1)));
        stations.truncate(MAX_STATION_ROWS);
        ui.label(format!(
            "the {MAX_STATION_ROWS} busiest of {shown} stations (working, setup or failed)"
        ));
    }
    let mut charts: Vec<BarChart> = Vec::new();
    for state in State::ALL {
        let bars = stations
            .iter()
            .enumerate()
            .map(|(i, (id, shares, _))| {
                Bar::new(i as f64, shares[state as usize] * 100.0)
                    .name(id)
                    .fill(colour(state))
            })
            .collect();
        let chart = BarChart::new(state.name(), bars)
            .horizontal()
            .color(colour(state))
            .width(0.7);
        let chart = {
            let refs: Vec<&BarChart> = charts.iter().collect();
            chart.stack_on(&refs)
        };
        charts.push(chart);
    }
    let names: Vec<String> = stations.iter().map(|s| s.0.clone()).collect();
    Plot::new("states")
        .y_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .height(28.0 * stations.len() as f64 as f32 + 30.0)
        .x_axis_label("% of time")
        .show_y(false)
        .allow_scroll(false)
        .show(ui, |p| {
            for c in charts {
                p.bar_chart(c);
            }
        });
    egui::Grid::new("oee").striped(true).show(ui, |ui| {
        ui.label("station");
        ui.label("OEE so far");
        ui.end_row();
        for (id, _, oee) in &stations {
            ui.label(id);
            ui.label(oee.map_or("–".into(), |v| format!("{:.1} %", v * 100.0)));
            ui.end_row();
        }
    });
}

/// The edits made in the inspector, and their effect by a paired comparison.
fn before_after_window(ctx: &egui::Context, source: &mut SceneSource, before_after: &BeforeAfter) {
    egui::Window::new("Before and after")
        .anchor(egui::Align2::LEFT_BOTTOM, [10.0, -60.0])
        .show(ctx, |ui| {
            for e in &source.edits {
                ui.label(format!("{} = {}", e.path, e.value));
            }
            match &*before_after.result.lock().expect("not poisoned") {
                None => {
                    ui.label("comparing (5 paired replications) …");
                }
                Some(Err(m)) => {
                    ui.colored_label(egui::Color32::RED, m);
                }
                Some(Ok(rows)) => {
                    egui::Grid::new("ba").striped(true).show(ui, |ui| {
                        for h in [
                            "KPI",
                            "before",
                            "after",
                            "after − before ± 95 % interval of the mean",
                        ] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for (k, b, a, h) in rows {
                            ui.label(k);
                            ui.label(format!("{b:.2}"));
                            ui.label(format!("{a:.2}"));
                            ui.label(format!("{:+.2} ± {h:.2}", a - b));
                            ui.end_row();
                        }
                    });
                }
            }
            ui.horizontal(|ui| {
                if ui.button("Save as variant").clicked() {
                    match source.save_variant() {
                        Ok(p) => source.message = Some(format!("wrote {}", p.display())),
                        Err(m) => source.error = Some(m),
                    }
                }
                if ui.button("Undo all edits").clicked() {
                    source.edits.clear();
                    source.restart = true;
                }
            });
            if let Some(m) = &source.message {
                ui.label(m);
            }
        });
}

/// The last error (a scene that does not load, a failed save).
fn problem_window(ctx: &egui::Context, source: &mut SceneSource) {
    if let Some(err) = source.error.clone() {
        let mut open = true;
        egui::Window::new("Problem")
            .open(&mut open)
            .anchor(egui::Align2::CENTER_TOP, [80.0, 10.0])
            .show(ctx, |ui| {
                ui.colored_label(egui::Color32::from_rgb(200, 40, 40), &err);
                ui.label("The last good scene stays on screen.");
            });
        if !open {
            source.error = None;
        }
    }
}

/// Each vehicle of a fleet: its state, parts on board, and its share of
/// working time driven empty so far.
fn vehicles(ui: &mut egui::Ui, s: &crate::sim::Station) {
    let crate::sim::StationKind::Transfer {
        carriers,
        fleet: true,
        ..
    } = &s.kind
    else {
        return;
    };
    for (k, (server, c)) in s.servers.iter().zip(carriers).enumerate() {
        let placing = c.job.is_some_and(|j| !j.to_pick);
        let on_board =
            c.cargo.len() + usize::from(placing && server.part != crate::sim::part::NO_PART);
        let working = server.time_in[State::Working as usize];
        let empty = if working > 0.0 {
            format!(
                "{:.0} % of its work driving empty",
                c.empty_travel / working * 100.0
            )
        } else {
            "not worked yet".into()
        };
        ui.colored_label(
            colour(server.state),
            format!(
                "vehicle {}: {}, {on_board} on board, {empty}",
                k + 1,
                server.state.name().replace('_', " ")
            ),
        );
    }
}

/// The selected object's figures and its editable parameters.
fn inspector(
    ui: &mut egui::Ui,
    engine: &mut Engine,
    node: u32,
    id: &str,
    source: &mut SceneSource,
) {
    let now = engine.now;
    match &engine.nodes[node as usize].kind {
        NodeKind::Station(s) => {
            let (shares, oee) = s.live_figures(now);
            ui.label(format!("state: {}", s.state().name().replace('_', " ")));
            ui.label(format!(
                "produced {} (good {}), OEE so far {}",
                s.produced,
                s.good,
                oee.map_or("–".into(), |v| format!("{:.1} %", v * 100.0))
            ));
            for state in State::ALL {
                ui.colored_label(
                    colour(state),
                    format!(
                        "{:<22} {:5.1} %",
                        state.name().replace('_', " "),
                        shares[state as usize] * 100.0
                    ),
                );
            }
            vehicles(ui, s);
        }
        NodeKind::Buffer(b) => {
            ui.label(format!("{} of {} places taken", b.level(), b.capacity));
            if !b.held().is_empty() {
                ui.label(format!("{} held until their lot is whole", b.held().len()));
            }
        }
        NodeKind::Conveyor(c) => {
            ui.label(format!(
                "{} parts on the belt (room for {})",
                c.parts.len(),
                c.capacity
            ));
        }
        _ => {}
    }
    ui.separator();
    // Editable parameters, as variant `Set` paths.
    let Some(object) = source
        .current
        .objects
        .iter()
        .find(|o| o.id() == id)
        .cloned()
    else {
        return;
    };
    let mut fields: Vec<(String, String, f64)> = Vec::new(); // (path, label, value)
    match &object {
        Object::Machine(m) => {
            fields.push((
                format!("{id}.capacity"),
                "capacity (servers)".into(),
                f64::from(m.capacity),
            ));
            fields.push((
                format!("{id}.cycle.mean"),
                "cycle time, mean (s)".into(),
                m.cycle.mean_secs(),
            ));
            if let Some(f) = &m.failures {
                fields.push((
                    format!("{id}.failures.between.mean"),
                    "MTBF (s)".into(),
                    f.between.mean_secs(),
                ));
            }
            // A pool with a crew per shift is edited crew by crew.
            if let Some(pool) = &m.operator
                && let Some(Object::Operators(o)) =
                    source.current.objects.iter().find(|o| o.id() == pool)
            {
                match o.count {
                    Some(count) => fields.push((
                        format!("{pool}.count"),
                        format!("operators in \"{pool}\""),
                        f64::from(count),
                    )),
                    None => fields.extend(o.crews.iter().map(|(shift, &count)| {
                        (
                            format!("{pool}.crews.{shift}"),
                            format!("\"{pool}\" on \"{shift}\""),
                            f64::from(count),
                        )
                    })),
                }
            }
        }
        Object::Robot(r) => {
            if let crate::scene::RobotTask::Process { cycle, .. } = &r.task {
                fields.push((
                    format!("{id}.cycle.mean"),
                    "cycle time, mean (s)".into(),
                    cycle.mean_secs(),
                ));
            }
            if let Some(f) = &r.failures {
                fields.push((
                    format!("{id}.failures.between.mean"),
                    "MTBF (s)".into(),
                    f.between.mean_secs(),
                ));
            }
        }
        Object::Buffer(b) => fields.push((
            format!("{id}.capacity"),
            "capacity".into(),
            f64::from(b.capacity),
        )),
        Object::Assembly(a) => {
            fields.push((
                format!("{id}.capacity"),
                "capacity".into(),
                f64::from(a.capacity),
            ));
            fields.push((
                format!("{id}.cycle.mean"),
                "cycle time, mean (s)".into(),
                a.cycle.mean_secs(),
            ));
        }
        _ => {}
    }
    if fields.is_empty() {
        ui.label("nothing to edit here");
        return;
    }
    let key = egui::Id::new(("edits", id));
    let mut values: Vec<f64> = ui
        .data_mut(|d| d.get_temp::<Vec<f64>>(key))
        .filter(|v| v.len() == fields.len())
        .unwrap_or_else(|| fields.iter().map(|f| f.2).collect());
    egui::Grid::new(("fields", id)).show(ui, |ui| {
        for (f, v) in fields.iter().zip(values.iter_mut()) {
            ui.label(&f.1);
            let whole = f.0.ends_with("capacity") || f.0.ends_with("count");
            ui.add(
                egui::DragValue::new(v)
                    .speed(if whole { 0.05 } else { 0.5 })
                    .range(if whole { 0.0..=1000.0 } else { 0.001..=1e9 })
                    .max_decimals(if whole { 0 } else { 2 }),
            );
            ui.end_row();
        }
    });
    ui.data_mut(|d| d.insert_temp(key, values.clone()));
    if ui.button("Apply and restart").clicked() {
        let edits: Vec<Edit> = fields
            .iter()
            .zip(&values)
            .filter(|(f, v)| (f.2 - **v).abs() > 1e-9)
            .map(|(f, v)| Edit {
                path: f.0.clone(),
                value: Value::Number(*v),
            })
            .collect();
        if !edits.is_empty() {
            source.apply_edits(edits);
        }
        ui.data_mut(|d| d.remove::<Vec<f64>>(key));
    }
}
