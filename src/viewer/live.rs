//! `view --live`: the floor shows a watched plant, not a simulation. The
//! monitor (on its own thread) keeps a [`Picture`] of the plant; each new
//! one is drawn by building the engine at the plant's state
//! (`sim::build_at`, as shadow mode starts its forecasts), so parts sit in
//! the buffers, on the belts and at the stations where the plant has them,
//! and by colouring each station with the state the plant reports (its own
//! names read through the mapping). The engine is never advanced: the view
//! shows what the plant did, not what the model would do next.
//!
//! Two panels replace the playback and the simulated KPIs: the plant (the
//! feed's health, good parts, the rolling KPIs, drift alarms) and, in
//! shadow mode, the forecast: good parts so far and the latest forecast's
//! fan (90 % prediction interval) to the end of the shift.

use super::SceneLayout;
use super::floor::{Palette, StateLamp};
use super::hud::Playback;
use crate::calibrate::mapping::Mapping;
use crate::live::picture::{Picture, Tap, shown_state};
use crate::sim::{Engine, NodeKind, SimClock, State};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{FilledArea, HLine, Legend, Line, Plot, PlotPoints};
use std::collections::BTreeMap;

/// The monitor's picture of the plant, and how its names read.
#[derive(Resource, Clone)]
pub struct LiveTap {
    pub tap: Tap,
    pub mapping: Mapping,
}

/// What the view shows now: a copy of the latest picture drawn, and what
/// drawing it found.
#[derive(Resource, Default)]
pub struct Shown {
    pub picture: Picture,
    /// Pictures drawn.
    pub drawn: u64,
    /// Parts placed on the floor from the plant's state, and those the
    /// model had no room for.
    pub parts: u32,
    pub not_placed: Vec<String>,
    /// Each station's colour now (the state it stands for).
    pub states: BTreeMap<String, State>,
    /// Why the last picture could not be drawn.
    pub problem: Option<String>,
}

pub struct LivePlugin;

impl Plugin for LivePlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Shown>()
            .add_systems(
                Update,
                (take_picture, hold_clock)
                    .chain()
                    .before(crate::sim::SimulationSystems::Advance),
            )
            .add_systems(
                Update,
                colour_reported
                    .after(super::motion::colour_states)
                    .after(crate::sim::SimulationSystems::Advance),
            )
            .add_systems(EguiPrimaryContextPass, panels);
    }
}

/// A new picture: the engine rebuilt at the plant's state.
fn take_picture(
    live: Res<LiveTap>,
    layout: Res<SceneLayout>,
    mut engine: ResMut<Engine>,
    mut shown: ResMut<Shown>,
) {
    let picture = {
        let p = live.tap.lock().unwrap_or_else(|e| e.into_inner());
        if p.version == shown.picture.version {
            return;
        }
        p.clone()
    };
    if let Some(state) = &picture.state {
        // The engine ends a second after the plant's time; it is never
        // advanced past it.
        match crate::sim::build_at(&layout.0, 0, state, state.t + 1.0) {
            Ok((mut built, placed)) => {
                built.advance_to(state.t);
                *engine = built;
                shown.parts = placed.parts;
                shown.not_placed = placed.dropped;
                shown.problem = None;
            }
            Err(d) => shown.problem = Some(d.message),
        }
    }
    shown.states = shown_states(&engine, &picture, &live.mapping);
    shown.picture = picture;
    shown.drawn += 1;
}

/// Each station's state in the view: as the plant reports it where it
/// does (and the name means something), else as its state places it.
fn shown_states(engine: &Engine, p: &Picture, mapping: &Mapping) -> BTreeMap<String, State> {
    engine
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Station(s) => {
                let model = s.state();
                let state = p
                    .reported
                    .get(&n.id)
                    .and_then(|name| shown_state(name, mapping, Some(model)))
                    .unwrap_or(model);
                Some((n.id.clone(), state))
            }
            _ => None,
        })
        .collect()
}

/// The plant's clock is the view's: nothing runs ahead of it.
fn hold_clock(engine: Res<Engine>, mut clock: ResMut<SimClock>, mut playback: ResMut<Playback>) {
    clock.target = engine.now;
    playback.paused = true;
}

fn colour_reported(
    shown: Res<Shown>,
    engine: Res<Engine>,
    palette: Res<Palette>,
    mut lamps: Query<(&StateLamp, &mut MeshMaterial3d<StandardMaterial>)>,
) {
    for (lamp, mut material) in &mut lamps {
        let Some(node) = engine.nodes.get(lamp.node as usize) else {
            continue;
        };
        if let Some(state) = shown.states.get(&node.id) {
            let wanted = &palette.states[*state as usize];
            if material.0 != *wanted {
                material.0 = wanted.clone();
            }
        }
    }
}

fn panels(mut contexts: EguiContexts, shown: Res<Shown>) -> Result {
    let ctx = contexts.ctx_mut()?;
    plant_window(ctx, &shown);
    if !shown.picture.forecasts.is_empty() {
        forecast_window(ctx, &shown.picture);
    }
    Ok(())
}

/// The feed's health, the good parts and the rolling KPIs, drift alarms.
fn plant_window(ctx: &egui::Context, shown: &Shown) {
    let p = &shown.picture;
    egui::Window::new("Plant (live)")
        .anchor(egui::Align2::RIGHT_TOP, [-10.0, 10.0])
        .default_width(360.0)
        .show(ctx, |ui| {
            let link = if p.finished {
                "the line finished"
            } else if p.connected {
                "connected"
            } else {
                "not connected: retrying"
            };
            ui.label(format!("{}  ·  {link}", p.source));
            ui.label(format!(
                "{} events · {} lost · {} malformed · {} gaps",
                p.events, p.lost, p.malformed, p.gaps
            ));
            match &p.state {
                Some(s) => ui.label(format!(
                    "Plant time {}  ·  good today {}  ·  {} parts on the floor",
                    crate::scene::weekday_clock(s.t),
                    p.so_far,
                    shown.parts
                )),
                None => ui.label("waiting for the plant's first events"),
            };
            if !shown.not_placed.is_empty() {
                ui.colored_label(
                    egui::Color32::from_rgb(230, 160, 40),
                    format!(
                        "{} parts the model has no room for (not drawn)",
                        shown.not_placed.len()
                    ),
                );
            }
            if let Some(problem) = &shown.problem {
                ui.colored_label(egui::Color32::from_rgb(230, 80, 60), problem);
            }
            if let Some(w) = &p.window {
                ui.separator();
                ui.label(format!(
                    "Last {:.0} min: {} good parts/h",
                    p.window_s / 60.0,
                    w.good_per_hour.map_or("–".into(), |g| format!("{g:.1}"))
                ));
                egui::Grid::new("live-stations")
                    .striped(true)
                    .show(ui, |ui| station_rows(ui, shown, w));
            }
            for a in &p.drift {
                ui.colored_label(
                    egui::Color32::from_rgb(230, 80, 60),
                    crate::live::monitor::drift_line(a),
                );
            }
        });
}

/// Station, its state now (in its colour), OEE over the window.
fn station_rows(ui: &mut egui::Ui, shown: &Shown, w: &crate::live::monitor::Kpis) {
    ui.label("station");
    ui.label("now");
    ui.label("OEE");
    ui.end_row();
    for st in w.stations.iter().take(12) {
        ui.label(&st.id);
        match shown.states.get(&st.id) {
            Some(s) => ui.colored_label(super::panels::colour(*s), s.name()),
            None => ui.label("–"),
        };
        ui.label(st.oee.map_or("–".into(), |o| format!("{:.0} %", o * 100.0)));
        ui.end_row();
    }
}

/// Good parts so far and the latest forecast's fan to the end.
fn forecast_window(ctx: &egui::Context, p: &Picture) {
    let Some(last) = p.forecasts.last() else {
        return;
    };
    egui::Window::new("Forecast")
        .anchor(egui::Align2::RIGHT_BOTTOM, [-10.0, -10.0])
        .default_width(360.0)
        .show(ctx, |ui| {
            let until = p.fan.last().map_or(last.at_s, |f| f.t_s);
            ui.label(format!(
                "By {}: about {:.0} good (90 % prediction interval {:.0}–{:.0})",
                crate::scene::weekday_clock(until),
                last.mean,
                last.interval90.0.max(last.so_far as f64),
                last.interval90.1
            ));
            if let (Some(goal), Some(q)) = (p.target, last.p_target) {
                ui.label(format!(
                    "Target {goal}: reached in {:.0} % of the replications",
                    q * 100.0
                ));
            }
            if let Some(l) = &last.late_orders {
                ui.label(format!(
                    "Late orders by then: about {:.1} ({:.0}–{:.0}); late already: {}",
                    l.mean, l.interval90.0, l.interval90.1, l.so_far
                ));
            }
            for (pool, n) in &last.operators {
                ui.label(format!("{pool}: {n} present, as the plant reports"));
            }
            ui.label(format!(
                "made at {} {}, {} forecasts so far",
                crate::scene::weekday_clock(last.at_s),
                crate::live::monitor::why_text(&last.why),
                p.forecasts.len()
            ));
            let h = |t: f64| t / 3600.0;
            let xs: Vec<f64> = p.fan.iter().map(|f| h(f.t_s)).collect();
            let lo: Vec<f64> = p
                .fan
                .iter()
                .map(|f| f.interval90.0.max(last.so_far as f64))
                .collect();
            let hi: Vec<f64> = p.fan.iter().map(|f| f.interval90.1).collect();
            let mean: Vec<[f64; 2]> = p.fan.iter().map(|f| [h(f.t_s), f.mean]).collect();
            let made: Vec<[f64; 2]> = p.made.iter().map(|&(t, g)| [h(t), g as f64]).collect();
            Plot::new("fan")
                .height(160.0)
                .legend(Legend::default().position(egui_plot::Corner::LeftTop))
                .x_axis_label("h")
                .include_y(0.0)
                .allow_scroll(false)
                .show(ui, |plot| {
                    plot.add(
                        FilledArea::new("90 % prediction interval", &xs, &lo, &hi)
                            .fill_color(egui::Color32::from_rgba_unmultiplied(90, 150, 240, 110)),
                    );
                    plot.line(Line::new("forecast mean", PlotPoints::from(mean)));
                    plot.line(
                        Line::new("good so far", PlotPoints::from(made))
                            .color(egui::Color32::from_rgb(40, 160, 70))
                            .width(2.0),
                    );
                    if let Some(goal) = p.target {
                        plot.hline(HLine::new("target", goal as f64));
                    }
                });
        });
}
