//! Spawning an engine from a validated scene: names become indices,
//! distributions become samplers, each object gets its random streams.

use super::calendar::Event;
use super::rng::{Purpose, Stream};
use super::sampler::Sampler;
use super::station::{Cycle, Station, StationKind};
use super::store::{Buffer, Content, Conveyor};
use super::{
    Edge, Engine, LineStats, Node, NodeKind, Pool, RunWindow, ShiftRuntime, Sink, Slot, Source,
    State,
};
use crate::error::Diagnostic;
use crate::scene::{Dist, Object, Power, RobotTask, Scene, ShiftCalendar};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Builds the engine for replication `rep` of `scene`.
pub fn build(scene: &Scene, rep: u32) -> Result<Engine, Diagnostic> {
    build_with(scene, rep, true)
}

/// As [`build`], with the engine's fast paths off: no single-target
/// shortcut (every offer walks the edge list), no sole-feeder flags (every
/// wait goes through the waiter queue) and so no early wait of a buffer's
/// next head. They are shortcuts only: results must be identical either
/// way, which `tests/engine/fast_paths.rs` checks on every bundled scene and
/// on generated factories. For tests: the hot loop checks no switch.
pub fn build_without_fast_paths(scene: &Scene, rep: u32) -> Result<Engine, Diagnostic> {
    build_with(scene, rep, false)
}

fn build_with(scene: &Scene, rep: u32, fast_paths: bool) -> Result<Engine, Diagnostic> {
    let seed = scene.run.seed;
    let products: Vec<String> = scene.products.iter().map(|p| p.id.clone()).collect();
    let product_index: HashMap<&str, u16> = products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i as u16))
        .collect();
    let mut shifts: Vec<ShiftRuntime> = Vec::new();
    for s in &scene.shifts {
        let calendar = ShiftCalendar::new(s)
            .map_err(|m| Diagnostic::new(format!("shift \"{}\": {m}", s.id)))?;
        shifts.push(ShiftRuntime {
            id: s.id.clone(),
            calendar,
            nodes: Vec::new(),
            pools: Vec::new(),
        });
    }
    let shift_index = |name: &Option<String>| -> Option<u32> {
        name.as_ref()
            .and_then(|n| scene.shifts.iter().position(|s| &s.id == n))
            .map(|i| i as u32)
    };

    let mut pools = Vec::new();
    let mut pool_index: HashMap<&str, u32> = HashMap::new();
    let mut pool_shift: HashMap<&str, Option<u32>> = HashMap::new();
    for o in &scene.objects {
        if let Object::Operators(op) = o {
            pool_index.insert(&op.id, pools.len() as u32);
            pool_shift.insert(&op.id, shift_index(&op.shift));
            if let Some(s) = shift_index(&op.shift) {
                shifts[s as usize].pools.push(pools.len() as u32);
            }
            pools.push(Pool::new(op.id.clone(), op.count, op.wage_per_hour));
        }
    }

    let sampler = |id: &str, field: &str, d: &Dist| {
        Sampler::new(d).map_err(|m| Diagnostic::object(id, format!("`{field}`: {m}")))
    };
    let streams = |id: &str| {
        [
            Stream::new(seed, rep, id, Purpose::Process),
            Stream::new(seed, rep, id, Purpose::Failure),
            Stream::new(seed, rep, id, Purpose::Quality),
        ]
    };
    let n_products = products.len();
    let cycles = |id: &str,
                  default: &Dist,
                  per: &BTreeMap<String, Dist>|
     -> Result<Vec<Cycle>, Diagnostic> {
        products
            .iter()
            .map(|p| {
                let d = per.get(p).unwrap_or(default);
                Ok(Cycle {
                    sampler: Some(sampler(id, "cycle", d)?),
                    ideal: d.mean_secs(),
                })
            })
            .collect()
    };
    let failures = |id: &str,
                    f: &Option<crate::scene::Failures>|
     -> Result<Option<(Sampler, Sampler)>, Diagnostic> {
        f.as_ref()
            .map(|f| {
                Ok((
                    sampler(id, "failures.between", &f.between)?,
                    sampler(id, "failures.repair", &f.repair)?,
                ))
            })
            .transpose()
    };

    let mut nodes: Vec<Node> = Vec::new();
    let mut slot_count: u32 = 0;
    let mut node_index: HashMap<&str, u32> = HashMap::new();
    for o in &scene.objects {
        let id = o.id();
        let mut node_shift = None;
        let kind = match o {
            Object::Operators(_) => continue,
            Object::Source(s) => {
                let mix: Vec<(String, f64)> = match &s.product {
                    Some(p) => vec![(p.clone(), 1.0)],
                    None => s.mix.clone(),
                };
                let total: f64 = mix.iter().map(|m| m.1).sum();
                let mut acc = 0.0;
                let mix = mix
                    .iter()
                    .map(|(p, w)| {
                        acc += w / total;
                        (acc, product_index[p.as_str()])
                    })
                    .collect();
                let interarrival = s
                    .interarrival
                    .as_ref()
                    .map(|d| sampler(id, "interarrival", d))
                    .transpose()?;
                let due_in = s
                    .due_in
                    .as_ref()
                    .map(|d| sampler(id, "due_in", d))
                    .transpose()?;
                node_shift = shift_index(&s.shift);
                let mut source = Source::new(
                    mix,
                    interarrival,
                    due_in,
                    s.limit.unwrap_or(u64::MAX),
                    Stream::new(seed, rep, id, Purpose::Arrival),
                    Stream::new(seed, rep, id, Purpose::Mix),
                    Stream::new(seed, rep, id, Purpose::Due),
                );
                source.mean_interarrival_s = s.interarrival.as_ref().map_or(0.0, Dist::mean_secs);
                NodeKind::Source(source)
            }
            Object::Machine(m) => {
                let cycle = cycles(id, &m.cycle, &m.product_cycles)?;
                let setup = m
                    .setup
                    .as_ref()
                    .map(|s| sampler(id, "setup.time", &s.time))
                    .transpose()?;
                let operator = m.operator.as_ref().map(|p| pool_index[p.as_str()]);
                node_shift = shift_index(&m.shift)
                    .or_else(|| m.operator.as_ref().and_then(|p| pool_shift[p.as_str()]));
                NodeKind::Station(Station::new(
                    StationKind::Machine,
                    m.capacity,
                    cycle,
                    setup,
                    failures(id, &m.failures)?,
                    m.scrap,
                    operator,
                    power(&m.power_kw),
                    streams(id),
                ))
            }
            Object::Robot(r) => {
                node_shift = shift_index(&r.shift);
                match &r.task {
                    RobotTask::Process {
                        cycle,
                        product_cycles,
                        setup,
                    } => {
                        let cycle = cycles(id, cycle, product_cycles)?;
                        let setup = setup
                            .as_ref()
                            .map(|s| sampler(id, "task.setup.time", &s.time))
                            .transpose()?;
                        NodeKind::Station(Station::new(
                            StationKind::RobotCell,
                            1,
                            cycle,
                            setup,
                            failures(id, &r.failures)?,
                            r.scrap,
                            None,
                            power(&r.power_kw),
                            streams(id),
                        ))
                    }
                    RobotTask::Transfer { speed, pick, place } => NodeKind::Station(Station::new(
                        StationKind::Transfer {
                            speed: *speed,
                            pick: pick.secs(),
                            place: place.secs(),
                            at: r.pos,
                            job: None,
                        },
                        1,
                        (0..n_products)
                            .map(|_| Cycle {
                                sampler: None,
                                ideal: 0.0,
                            })
                            .collect(),
                        None,
                        failures(id, &r.failures)?,
                        0.0,
                        None,
                        power(&r.power_kw),
                        streams(id),
                    )),
                }
            }
            Object::Assembly(a) => {
                let cycle = cycles(id, &a.cycle, &BTreeMap::new())?;
                let bins = a
                    .inputs
                    .iter()
                    .map(|(p, q)| (product_index[p.as_str()], *q, VecDeque::new()))
                    .collect();
                let bin_capacity = a
                    .inputs
                    .iter()
                    .map(|(_, q)| a.bin_capacity.unwrap_or(2 * q))
                    .collect();
                let operator = a.operator.as_ref().map(|p| pool_index[p.as_str()]);
                node_shift = shift_index(&a.shift)
                    .or_else(|| a.operator.as_ref().and_then(|p| pool_shift[p.as_str()]));
                NodeKind::Station(Station::new(
                    StationKind::Assembly {
                        bins,
                        bin_capacity,
                        output: product_index[a.output.as_str()],
                    },
                    a.capacity,
                    cycle,
                    None,
                    failures(id, &a.failures)?,
                    a.scrap,
                    operator,
                    power(&a.power_kw),
                    streams(id),
                ))
            }
            Object::Buffer(b) => NodeKind::Buffer(Buffer {
                capacity: b.capacity,
                queue: VecDeque::new(),
                content: Content::default(),
            }),
            Object::Conveyor(c) => {
                let length = (c.to.0 - c.from.0).hypot(c.to.1 - c.from.1);
                NodeKind::Conveyor(Conveyor::new(length, c.speed, c.spacing, c.accumulating))
            }
            Object::Sink(_) => NodeKind::Sink(Sink::default()),
        };
        let is_transfer = matches!(
            &kind,
            NodeKind::Station(Station {
                kind: StationKind::Transfer { .. },
                ..
            })
        );
        let is_assembly = matches!(
            &kind,
            NodeKind::Station(Station {
                kind: StationKind::Assembly { .. },
                ..
            })
        );
        let single_server = matches!(
            &kind,
            NodeKind::Station(Station { kind: StationKind::Machine | StationKind::RobotCell, servers, .. })
                if servers.len() == 1
        );
        let slots = match &kind {
            NodeKind::Station(s) => s.servers.len(),
            _ => 1,
        };
        let index = nodes.len() as u32;
        let slot_base = slot_count;
        slot_count += slots as u32;
        if let Some(s) = node_shift {
            shifts[s as usize].nodes.push(index);
        }
        node_index.insert(id, index);
        nodes.push(Node {
            id: id.to_string(),
            kind,
            out: Vec::new(),
            weighted: false,
            entry: o.entry_point().unwrap_or_default(),
            exit: o.exit_point().unwrap_or_default(),
            waiters: VecDeque::new(),
            slot_base,
            is_transfer,
            is_assembly,
            single_server,
            single_target: None,
            sole_feeder: None,
            feeder_waiting: false,
            waits_by_flag: false,
            routing_rng: Stream::new(seed, rep, id, Purpose::Routing),
        });
    }

    for flow in &scene.flow {
        let e = flow.edge();
        let missing = |name: &str| {
            Diagnostic::new(format!(
                "flow edge (\"{}\", \"{}\") refers to \"{name}\", which is not a flow object",
                e.from, e.to
            ))
        };
        let from = *node_index
            .get(e.from.as_str())
            .ok_or_else(|| missing(&e.from))?;
        let to = *node_index
            .get(e.to.as_str())
            .ok_or_else(|| missing(&e.to))?;
        let via = e
            .via
            .as_ref()
            .map(|v| {
                node_index
                    .get(v.as_str())
                    .copied()
                    .ok_or_else(|| missing(v))
            })
            .transpose()?;
        let node = &mut nodes[from as usize];
        node.weighted |= e.weight.is_some();
        node.out.push(Edge {
            to,
            product: e.product.as_ref().map(|p| product_index[p.as_str()]),
            weight: e.weight.unwrap_or(0.0),
            via,
        });
    }

    if fast_paths {
        for node in &mut nodes {
            if let [edge] = node.out.as_slice()
                && edge.product.is_none()
                && edge.via.is_none()
                && !node.weighted
            {
                node.single_target = Some(edge.to);
            }
        }
        link_sole_feeders(&mut nodes);
    }
    let warmup = scene.run.warmup.map_or(0.0, |w| w.secs());
    let horizon = scene.run.horizon.secs();
    /// The safety KPI's walking paths, as engine nodes.
    fn exposure(scene: &Scene, index: &HashMap<&str, u32>) -> Option<Vec<(u32, u32, f64)>> {
        // Measured (possibly zero) where there is a robot or someone walking.
        let robots = scene.objects.iter().any(|o| matches!(o, Object::Robot(_)));
        let (paths, _) = crate::layout::walking_paths(scene);
        if !robots && paths.is_empty() {
            return None;
        }
        Some(
            crate::layout::exposure_paths(scene)
                .into_iter()
                .filter_map(|p| {
                    Some((
                        *index.get(p.station.as_str())?,
                        *index.get(p.robot.as_str())?,
                        p.seconds_inside,
                    ))
                })
                .collect(),
        )
    }
    let sample_every = scene.run.sample_every.map_or(horizon / 100.0, |s| s.secs());
    let mut engine = Engine {
        now: 0.0,
        window: RunWindow {
            warmup,
            horizon,
            sample_every,
        },
        stats_start: 0.0,
        finished: false,
        calendar: Default::default(),
        actions: Vec::new(),
        next_action: 0,
        depth: 0,
        nodes,
        slots: vec![Slot::default(); slot_count as usize],
        pools,
        parts: Default::default(),
        products,
        shifts,
        line: LineStats::default(),
        events: 0,
        completions: 0,
        log: None,
        exposure: exposure(scene, &node_index),
    };
    engine.calendar.schedule(warmup + horizon, Event::End);
    if warmup > 0.0 {
        engine.calendar.schedule(warmup, Event::WarmupEnd);
    }
    engine.calendar.schedule(0.0, Event::Sample);
    for s in 0..engine.shifts.len() {
        // Apply the state at time 0, then follow the calendar.
        let on = engine.shifts[s].calendar.is_on(0.0);
        for p in engine.shifts[s].pools.clone() {
            engine.pools[p as usize].on_shift = on;
        }
        for n in engine.shifts[s].nodes.clone() {
            match &mut engine.nodes[n as usize].kind {
                NodeKind::Station(st) => {
                    st.on_shift = on;
                    for sv in &mut st.servers {
                        sv.state = if on { State::Starved } else { State::OffShift };
                    }
                }
                NodeKind::Source(src) => src.on_shift = on,
                _ => {}
            }
        }
        let next = engine.shifts[s].calendar.next_change(0.0);
        if next < warmup + horizon {
            engine
                .calendar
                .schedule(next, Event::ShiftChange { shift: s as u32 });
        }
    }
    for n in 0..engine.nodes.len() {
        if let NodeKind::Source(_) = engine.nodes[n].kind {
            engine.source_start(n as u32);
        }
    }
    engine.drain_actions();
    Ok(engine)
}

/// Marks the links of lines: a node fed by exactly one edge, a plain one
/// from a node with one slot and no other edge. The feeder can only wait
/// for this node, so it waits by a flag instead of in the waiter queue.
/// Conveyors keep the queue (a waiter starts their entry-gap watch), as do
/// assembly stations and transfer robots (their intake is not an offer).
fn link_sole_feeders(nodes: &mut [Node]) {
    let mut incoming = vec![0u32; nodes.len()];
    for n in nodes.iter() {
        for e in &n.out {
            incoming[e.to as usize] += 1;
        }
    }
    for from in 0..nodes.len() {
        let Some(to) = nodes[from].single_target else {
            continue;
        };
        let one_slot = match &nodes[from].kind {
            NodeKind::Station(_) => nodes[from].single_server,
            NodeKind::Buffer(_) | NodeKind::Conveyor(_) | NodeKind::Source(_) => true,
            NodeKind::Sink(_) => false,
        };
        let target = &mut nodes[to as usize];
        let takes_offers = match &target.kind {
            NodeKind::Station(_) => !target.is_assembly && !target.is_transfer,
            NodeKind::Buffer(_) => true,
            NodeKind::Conveyor(_) | NodeKind::Sink(_) | NodeKind::Source(_) => false,
        };
        if one_slot && takes_offers && incoming[to as usize] == 1 {
            target.sole_feeder = Some(from as u32);
            nodes[from].waits_by_flag = true;
        }
    }
}

/// kW per state, in the order of [`State`].
fn power(p: &Option<Power>) -> [f64; 7] {
    let Some(p) = p else { return [0.0; 7] };
    let mut kw = [0.0; 7];
    kw[State::Working as usize] = p.working;
    kw[State::Setup as usize] = p.setup.unwrap_or(p.working);
    kw[State::Failed as usize] = p.failed;
    kw[State::Starved as usize] = p.idle;
    kw[State::Blocked as usize] = p.idle;
    kw[State::WaitingForOperator as usize] = p.idle;
    kw[State::OffShift as usize] = p.off_shift;
    kw
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::load_scene;
    use std::path::Path;

    #[test]
    fn every_slot_has_its_own_place_in_the_slot_table() {
        // Training 4 has a two-server machine followed by a buffer: the
        // case where overlapping slot ranges would mix up handshake tokens.
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenes/training/04_bottleneck_line.ron");
        let engine = build(&load_scene(&path).unwrap(), 0).unwrap();
        let mut next = 0;
        for n in &engine.nodes {
            let slots = match &n.kind {
                NodeKind::Station(s) => s.servers.len() as u32,
                _ => 1,
            };
            assert_eq!(n.slot_base, next, "{}", n.id);
            next += slots;
        }
        assert_eq!(next as usize, engine.slots.len());
    }

    #[test]
    fn only_a_one_slot_node_whose_one_plain_edge_is_the_only_way_in_is_a_sole_feeder() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenes/training/04_bottleneck_line.ron");
        let engine = build(&load_scene(&path).unwrap(), 0).unwrap();
        let feeder = |id: &str| {
            let n = engine.nodes.iter().find(|n| n.id == id).unwrap();
            n.sole_feeder.map(|f| engine.nodes[f as usize].id.as_str())
        };
        // Source, machines, a buffer and a conveyor as feeders.
        assert_eq!(feeder("saw"), Some("raw"));
        assert_eq!(feeder("b1"), Some("saw"));
        assert_eq!(feeder("mill"), Some("b1"));
        assert_eq!(feeder("drill"), Some("belt"));
        assert_eq!(feeder("inspect"), Some("b2"));
        // A conveyor keeps its waiters (they start its entry-gap watch).
        assert_eq!(feeder("belt"), None);
        // Two spindles are two slots; product-filtered edges are not plain.
        assert_eq!(feeder("b2"), None);
        assert_eq!(feeder("gauge"), None);
        // Two ways in.
        assert_eq!(feeder("ship"), None);
        assert_eq!(feeder("raw"), None);
        // Exactly the sole feeders wait by flag (their slots are never read).
        let mut by_flag: Vec<&str> = engine
            .nodes
            .iter()
            .filter(|n| n.waits_by_flag)
            .map(|n| n.id.as_str())
            .collect();
        by_flag.sort_unstable();
        assert_eq!(by_flag, ["b1", "b2", "belt", "raw", "saw"]);
    }
}
