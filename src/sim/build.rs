//! Spawning an engine from a validated scene: names become indices,
//! distributions become samplers, each object gets its random streams.

use super::calendar::Event;
use super::operators::Crew;
use super::rng::{Purpose, Stream};
use super::sampler::Sampler;
use super::station::{Bin, Carrier, Cycle, Setups, Station, StationKind, Upkeep};
use super::store::{Buffer, Content, Conveyor, Ordering, Rules};
use super::{
    Edge, Engine, LineStats, Node, NodeKind, Pool, RunWindow, STATE_COUNT, ShiftRuntime, Sink,
    Slot, Source, State,
};
use crate::error::Diagnostic;
use crate::scene::{Dist, Maintenance, Object, Power, RobotTask, Scene, ShiftCalendar, Shifts};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Builds the engine for replication `rep` of `scene`.
pub fn build(scene: &Scene, rep: u32) -> Result<Engine, Diagnostic> {
    build_with(scene, rep, true, false)
}

/// As [`build`], with the event log on from the start: the arrivals and
/// starts at time 0 are in it too.
pub fn build_logged(scene: &Scene, rep: u32) -> Result<Engine, Diagnostic> {
    build_with(scene, rep, true, true)
}

/// As [`build`], with the engine's fast paths off: no single-target
/// shortcut (every offer walks the edge list), no sole-feeder flags (every
/// wait goes through the waiter queue) and so no early wait of a buffer's
/// next head. They are shortcuts only: results must be identical either
/// way, which `tests/engine/fast_paths.rs` checks on every bundled scene and
/// on generated factories. For tests: the hot loop checks no switch.
pub fn build_without_fast_paths(scene: &Scene, rep: u32) -> Result<Engine, Diagnostic> {
    build_with(scene, rep, false, false)
}

fn build_with(
    scene: &Scene,
    rep: u32,
    fast_paths: bool,
    logged: bool,
) -> Result<Engine, Diagnostic> {
    let mut engine = assemble(scene, rep, fast_paths)?;
    if logged {
        engine.log = Some(Vec::new());
    }
    engine.start();
    Ok(engine)
}

/// The engine for replication `rep` of `scene`, not yet started.
fn assemble(scene: &Scene, rep: u32, fast_paths: bool) -> Result<Engine, Diagnostic> {
    let mut b = Builder::new(scene, rep)?;
    b.pools();
    for o in &scene.objects {
        b.node(o)?;
    }
    b.edges()?;
    if fast_paths {
        mark_single_targets(&mut b.nodes);
        link_sole_feeders(&mut b.nodes);
    }
    Ok(b.engine())
}

/// As [`build`], but the clock starts at `t0` (seconds from Monday 00:00:
/// shifts and maintenance windows as they stand then) and the run ends at
/// `until`, with statistics from `t0`; empty, for `warm` to fill (which
/// then lets the sources make their first offers).
pub(super) fn build_started_at(
    scene: &Scene,
    rep: u32,
    t0: f64,
    until: f64,
) -> Result<Engine, Diagnostic> {
    let mut engine = assemble(scene, rep, true)?;
    engine.now = t0;
    engine.window.warmup = t0;
    engine.window.horizon = until - t0;
    // The sources' first offers wait until the plant's parts are placed
    // (`warm` settles them).
    engine.schedule_start();
    Ok(engine)
}

/// What building an engine needs along the way: the scene's names resolved
/// to indices, and the nodes, pools and shifts made so far.
struct Builder<'a> {
    scene: &'a Scene,
    seed: u64,
    rep: u32,
    products: Vec<String>,
    product_index: HashMap<&'a str, u16>,
    shifts: Vec<ShiftRuntime>,
    pools: Vec<Pool>,
    pool_index: HashMap<&'a str, u32>,
    /// The shift each pool follows: its stations follow it too.
    pool_shift: HashMap<&'a str, Option<u32>>,
    nodes: Vec<Node>,
    node_index: HashMap<&'a str, u32>,
    slot_count: u32,
    orders: Vec<super::OrderState>,
    /// Some source's lots move together: every buffer holds lots (found
    /// once, not per buffer: a scene of 10 000 buffers would scan its
    /// objects 10 000 times).
    holds_lots: bool,
}

impl<'a> Builder<'a> {
    fn new(scene: &'a Scene, rep: u32) -> Result<Self, Diagnostic> {
        let products: Vec<String> = scene.products.iter().map(|p| p.id.clone()).collect();
        let product_index = scene
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i as u16))
            .collect();
        let shifts = scene
            .shifts
            .iter()
            .map(|s| {
                let calendar = ShiftCalendar::new(s)
                    .map_err(|m| Diagnostic::new(format!("shift \"{}\": {m}", s.id)))?;
                Ok(ShiftRuntime {
                    id: s.id.clone(),
                    calendar,
                    nodes: Vec::new(),
                    pools: Vec::new(),
                })
            })
            .collect::<Result<_, Diagnostic>>()?;
        Ok(Self {
            scene,
            seed: scene.run.seed,
            rep,
            products,
            product_index,
            shifts,
            pools: Vec::new(),
            pool_index: HashMap::new(),
            pool_shift: HashMap::new(),
            nodes: Vec::new(),
            node_index: HashMap::new(),
            slot_count: 0,
            orders: Vec::new(),
            holds_lots: scene
                .objects
                .iter()
                .any(|o| matches!(o, Object::Source(s) if s.lots == crate::scene::Lots::Together)),
        })
    }

    /// The scene's own shift `id`.
    fn named_shift(&self, id: &str) -> u32 {
        self.scene
            .shifts
            .iter()
            .position(|s| s.id == id)
            .expect("validated: shifts are known") as u32
    }

    /// The calendar an object following `names` obeys: the shift itself,
    /// or for several a calendar on while any of them is on (made once per
    /// set of names, after the scene's shifts).
    fn shift_index(&mut self, names: &Shifts) -> Option<u32> {
        match names.0.as_slice() {
            [] => None,
            [one] => Some(self.named_shift(one)),
            many => {
                let mut sorted: Vec<&str> = many.iter().map(String::as_str).collect();
                sorted.sort_unstable();
                let id = sorted.join(" + ");
                if let Some(i) = self.shifts.iter().position(|s| s.id == id) {
                    return Some(i as u32);
                }
                let parts: Vec<u32> = sorted.iter().map(|s| self.named_shift(s)).collect();
                let calendar =
                    ShiftCalendar::union(parts.iter().map(|&i| &self.shifts[i as usize].calendar));
                self.shifts.push(ShiftRuntime {
                    id,
                    calendar,
                    nodes: Vec::new(),
                    pools: Vec::new(),
                });
                Some(self.shifts.len() as u32 - 1)
            }
        }
    }

    /// The operator pools, in scene order, each with its crews; a pool's
    /// stations follow the shifts its crews work.
    fn pools(&mut self) {
        for o in &self.scene.objects {
            let Object::Operators(op) = o else { continue };
            let index = self.pools.len() as u32;
            let (crews, worked, add_up): (Vec<(&str, u32)>, Shifts, bool) = if op.crews.is_empty() {
                let count = op.count.unwrap_or(0);
                let crews = op.shift.0.iter().map(|s| (s.as_str(), count)).collect();
                (crews, op.shift.clone(), false)
            } else {
                let crews = op.crews.iter().map(|(s, &c)| (s.as_str(), c)).collect();
                let worked = op
                    .crews
                    .iter()
                    .filter(|(_, c)| **c > 0)
                    .map(|(s, _)| s.clone());
                (crews, Shifts(worked.collect()), true)
            };
            let follow = self.shift_index(&worked);
            self.pool_index.insert(&op.id, index);
            self.pool_shift.insert(&op.id, follow);
            let mut pool = Pool::new(op.id.clone(), op.largest_crew(), op.wage_per_hour);
            pool.crews_add_up = add_up;
            if op.walks
                && let Some(post) = op.pos
            {
                let speed = self.scene.layout.as_ref().and_then(|l| l.walk_speed);
                pool.walk = Some(Box::new(super::operators::Walk {
                    post,
                    speed: speed.unwrap_or(crate::layout::DEFAULT_WALK_SPEED),
                    idle_at: vec![post; op.largest_crew() as usize],
                }));
            }
            for (shift, count) in crews {
                let s = self.named_shift(shift);
                self.shifts[s as usize].pools.push(index);
                pool.crews.push(Crew {
                    shift: s,
                    count,
                    wage_factor: self.scene.shifts[s as usize].wage_factor,
                });
            }
            self.pools.push(pool);
        }
        self.helpers();
    }

    /// Which pools help which, by index (validation checked the names).
    fn helpers(&mut self) {
        let helps = self.scene.objects.iter().filter_map(|o| match o {
            Object::Operators(op) => Some(&op.helps),
            _ => None,
        });
        for (q, helps) in helps.enumerate() {
            for p in helps {
                let p = self.pool_index[p.as_str()];
                self.pools[q].helps.push(p);
                self.pools[p as usize].helpers.push(q as u32);
            }
        }
    }

    fn stream(&self, id: &str, purpose: Purpose) -> Stream {
        Stream::new(self.seed, self.rep, id, purpose)
    }

    /// A station's process, failure and quality streams.
    fn streams(&self, id: &str) -> [Stream; 3] {
        [
            self.stream(id, Purpose::Process),
            self.stream(id, Purpose::Failure),
            self.stream(id, Purpose::Quality),
        ]
    }

    /// One cycle per product: its own distribution where it has one.
    fn cycles(
        &self,
        id: &str,
        default: &Dist,
        per: &BTreeMap<String, Dist>,
    ) -> Result<Vec<Cycle>, Diagnostic> {
        self.products
            .iter()
            .map(|p| {
                let d = per.get(p).unwrap_or(default);
                Ok(Cycle {
                    sampler: Some(sampler(id, "cycle", d)?),
                    ideal: d.mean_secs(),
                })
            })
            .collect()
    }

    /// A pool's index, and the shift a station that needs it follows
    /// (its own, else its pool's).
    fn operator(&mut self, pool: &Option<String>, shift: &Shifts) -> (Option<u32>, Option<u32>) {
        let index = pool.as_ref().map(|p| self.pool_index[p.as_str()]);
        let shift = self
            .shift_index(shift)
            .or_else(|| pool.as_ref().and_then(|p| self.pool_shift[p.as_str()]));
        (index, shift)
    }

    /// Adds the node of a flow object (operator pools are not nodes).
    fn node(&mut self, o: &'a Object) -> Result<(), Diagnostic> {
        let id = o.id();
        let (kind, shift) = match o {
            Object::Operators(_) => return Ok(()),
            Object::Source(s) => {
                let mut kind = self.source(s)?;
                if let NodeKind::Source(src) = &mut kind
                    && !s.orders.is_empty()
                {
                    src.feed = Some(Box::new(self.order_feed(&s.orders, s.lots)));
                }
                (kind, self.shift_index(&s.shift))
            }
            Object::Machine(m) => {
                let (operator, shift) = self.operator(&m.operator, &m.shift);
                let setup = self.setups(id, "setup", &m.setup)?;
                let station = Station::new(
                    StationKind::Machine,
                    m.capacity,
                    self.cycles(id, &m.cycle, &m.product_cycles)?,
                    setup,
                    failures(id, &m.failures)?,
                    m.scrap,
                    operator,
                    power(&m.power_kw),
                    self.streams(id),
                );
                (NodeKind::Station(station), shift)
            }
            Object::Robot(r) => {
                let (operator, shift) = self.operator(&r.operator, &r.shift);
                (self.robot(r, operator)?, shift)
            }
            Object::Assembly(a) => {
                let (operator, shift) = self.operator(&a.operator, &a.shift);
                (self.assembly(a, operator)?, shift)
            }
            Object::Buffer(b) => (
                NodeKind::Buffer(Buffer {
                    capacity: b.capacity,
                    queue: VecDeque::new(),
                    content: Content::default(),
                    special: self.buffer_rules(b),
                }),
                None,
            ),
            Object::Conveyor(c) => {
                let length = (c.to.0 - c.from.0).hypot(c.to.1 - c.from.1);
                let belt = Conveyor::new(length, c.speed, c.spacing, c.accumulating);
                (NodeKind::Conveyor(belt), None)
            }
            Object::Vehicles(v) => {
                let (operator, shift) = self.operator(&v.operator, &v.shift);
                (self.vehicles(v, operator)?, shift)
            }
            Object::Sink(_) => (NodeKind::Sink(Sink::default()), None),
        };
        let mut kind = kind;
        if let NodeKind::Station(st) = &mut kind {
            if let Some(upkeep) = self.upkeep(id, o.maintenance())? {
                st.set_upkeep(upkeep);
            }
            if let Some(t) = o.tending() {
                let means = t.load.mean_secs() + t.unload.mean_secs();
                st.set_tending(
                    sampler(id, "tending.load", &t.load)?,
                    sampler(id, "tending.unload", &t.unload)?,
                    means,
                );
            }
        }
        self.push_node(o, kind, shift);
        Ok(())
    }

    /// A buffer's rules beyond first in, first out: its dispatching rule,
    /// and whether it holds lots (every buffer, in a scene whose lots move
    /// together).
    fn buffer_rules(&self, b: &crate::scene::Buffer) -> Option<Box<Rules>> {
        let holds_lots = self.holds_lots;
        let ordering = self.dispatch(b);
        (holds_lots || ordering.is_some()).then(|| {
            Box::new(Rules {
                ordering,
                holds_lots,
                held: Vec::new(),
            })
        })
    }

    /// A buffer's dispatching rule; for shortest processing first, each
    /// product's mean cycle at the quickest station the buffer feeds.
    fn dispatch(&self, b: &crate::scene::Buffer) -> Option<Ordering> {
        use crate::scene::Dispatch;
        match b.dispatch {
            Dispatch::Fifo => None,
            Dispatch::EarliestDue => Some(Ordering::EarliestDue),
            Dispatch::ShortestProcessing => {
                let targets: Vec<&Object> = self
                    .scene
                    .flow
                    .iter()
                    .map(|f| f.edge())
                    .filter(|e| e.from == b.id)
                    .filter_map(|e| self.scene.objects.iter().find(|o| o.id() == e.to))
                    .collect();
                let keys = self
                    .products
                    .iter()
                    .map(|p| {
                        targets
                            .iter()
                            .filter_map(|o| mean_cycle(o, p))
                            .fold(f64::INFINITY, f64::min)
                    })
                    .collect();
                Some(Ordering::ShortestProcessing(keys))
            }
        }
    }

    /// A source's order book: its orders registered with the engine, in
    /// release order (higher priority first at the same time, then as
    /// listed).
    fn order_feed(
        &mut self,
        orders: &[crate::scene::Order],
        lots: crate::scene::Lots,
    ) -> super::source::OrderFeed {
        let list = crate::scene::in_release_order(orders)
            .into_iter()
            .map(|o| {
                let index = self.orders.len() as u32;
                self.orders.push(super::OrderState {
                    id: o.id.clone(),
                    release: o.release.secs(),
                    due: o.due.secs(),
                    quantity: o.quantity,
                    left: 0,
                    arrived: 0,
                    completed_at: None,
                    lot: (lots == crate::scene::Lots::Together).then(Default::default),
                });
                (
                    o.release.secs(),
                    index,
                    self.product_index[o.product.as_str()],
                )
            })
            .collect();
        super::source::OrderFeed::new(list)
    }

    fn source(&self, s: &crate::scene::Source) -> Result<NodeKind, Diagnostic> {
        let id = s.id.as_str();
        let mix: Vec<(String, f64)> = match &s.product {
            Some(p) => vec![(p.clone(), 1.0)],
            None => s.mix.clone(),
        };
        // Cumulative weights, for drawing a product with one uniform number.
        let total: f64 = mix.iter().map(|m| m.1).sum();
        let mut acc = 0.0;
        let mix = mix
            .iter()
            .map(|(p, w)| {
                acc += w / total;
                (acc, self.product_index[p.as_str()])
            })
            .collect();
        let optional =
            |field: &str, d: &Option<Dist>| d.as_ref().map(|d| sampler(id, field, d)).transpose();
        let mut source = Source::new(
            mix,
            optional("interarrival", &s.interarrival)?,
            optional("due_in", &s.due_in)?,
            s.limit.unwrap_or(u64::MAX),
            self.stream(id, Purpose::Arrival),
            self.stream(id, Purpose::Mix),
            self.stream(id, Purpose::Due),
        );
        source.mean_interarrival_s = s.interarrival.as_ref().map_or(0.0, Dist::mean_secs);
        Ok(NodeKind::Source(source))
    }

    /// A station's planned maintenance: its weekly windows as one calendar,
    /// its stops after every N parts and after so much work.
    fn upkeep(&self, id: &str, list: &[Maintenance]) -> Result<Option<Upkeep>, Diagnostic> {
        if list.is_empty() {
            return Ok(None);
        }
        let windows = list
            .iter()
            .filter_map(Maintenance::window)
            .map(|w| ShiftCalendar::new(&w).map_err(|m| Diagnostic::object(id, m)))
            .collect::<Result<Vec<_>, _>>()?;
        let window = (!windows.is_empty()).then(|| ShiftCalendar::union(&windows));
        let every = list
            .iter()
            .find_map(|m| match m {
                Maintenance::EveryParts { parts, duration } => Some((parts, duration)),
                _ => None,
            })
            .map(|(parts, d)| Ok((u64::from(*parts), sampler(id, "maintenance.duration", d)?)))
            .transpose()?;
        let every_work = list
            .iter()
            .find_map(|m| match m {
                Maintenance::EveryWork { work, duration } => Some((work, duration)),
                _ => None,
            })
            .map(|(work, d)| Ok((work.secs(), sampler(id, "maintenance.duration", d)?)))
            .transpose()?;
        Ok(Some(Upkeep {
            window,
            every,
            until: 0,
            every_work,
            work_due: 0.0,
            worked_before: 0.0,
            rng: self.stream(id, Purpose::Maintenance),
        }))
    }

    /// A station's changeovers: the default time, the matrix by product
    /// index, the setter pool.
    fn setups(
        &self,
        id: &str,
        field: &str,
        setup: &Option<crate::scene::Setup>,
    ) -> Result<Option<Setups>, Diagnostic> {
        let Some(s) = setup else { return Ok(None) };
        let changes = s
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pair = (
                    self.product_index[c.from.as_str()],
                    self.product_index[c.to.as_str()],
                );
                Ok((
                    pair,
                    sampler(id, &format!("{field}.changes[{i}].time"), &c.time)?,
                ))
            })
            .collect::<Result<_, Diagnostic>>()?;
        let pool = s.operator.as_ref().map(|p| self.pool_index[p.as_str()]);
        Ok(Some(Setups::new(
            sampler(id, &format!("{field}.time"), &s.time)?,
            changes,
            pool,
        )))
    }

    fn robot(
        &self,
        r: &crate::scene::Robot,
        operator: Option<u32>,
    ) -> Result<NodeKind, Diagnostic> {
        let id = r.id.as_str();
        let station = match &r.task {
            RobotTask::Process {
                cycle,
                product_cycles,
                setup,
            } => {
                let setup = self.setups(id, "task.setup", setup)?;
                Station::new(
                    StationKind::RobotCell,
                    1,
                    self.cycles(id, cycle, product_cycles)?,
                    setup,
                    failures(id, &r.failures)?,
                    r.scrap,
                    operator,
                    power(&r.power_kw),
                    self.streams(id),
                )
            }
            // A transfer robot makes nothing: no cycle to draw, no ideal time.
            RobotTask::Transfer { speed, pick, place } => self.carrier_station(
                id,
                StationKind::Transfer {
                    speed: *speed,
                    pick: pick.secs(),
                    place: place.secs(),
                    carriers: vec![Carrier::new(r.pos)],
                    capacity: 1,
                    fleet: false,
                },
                1,
                &r.failures,
                &r.power_kw,
                operator,
            )?,
        };
        Ok(NodeKind::Station(station))
    }

    /// A fleet: a carrier station with one server per vehicle, all parked
    /// at `pos`; loading is its pick, unloading its place.
    fn vehicles(
        &self,
        v: &crate::scene::Vehicles,
        operator: Option<u32>,
    ) -> Result<NodeKind, Diagnostic> {
        let kind = StationKind::Transfer {
            speed: v.speed,
            pick: v.load.secs(),
            place: v.unload.secs(),
            carriers: (0..v.count).map(|_| Carrier::new(v.pos)).collect(),
            capacity: v.capacity,
            fleet: true,
        };
        let station =
            self.carrier_station(&v.id, kind, v.count, &v.failures, &v.power_kw, operator)?;
        Ok(NodeKind::Station(station))
    }

    /// A carrier station (transfer robot or fleet): it makes nothing, so no
    /// cycle to draw and no ideal time; no setup or scrap; an operator pool
    /// when each trip needs a driver.
    fn carrier_station(
        &self,
        id: &str,
        kind: StationKind,
        servers: u32,
        f: &Option<crate::scene::Failures>,
        p: &Option<Power>,
        operator: Option<u32>,
    ) -> Result<Station, Diagnostic> {
        let cycles = (0..self.products.len())
            .map(|_| Cycle {
                sampler: None,
                ideal: 0.0,
            })
            .collect();
        Ok(Station::new(
            kind,
            servers,
            cycles,
            None,
            failures(id, f)?,
            0.0,
            operator,
            power(p),
            self.streams(id),
        ))
    }

    fn assembly(
        &self,
        a: &crate::scene::Assembly,
        operator: Option<u32>,
    ) -> Result<NodeKind, Diagnostic> {
        let id = a.id.as_str();
        let bins = a
            .inputs
            .iter()
            .map(|(p, q)| Bin {
                product: self.product_index[p.as_str()],
                quantity: *q,
                parts: VecDeque::new(),
            })
            .collect();
        let bin_capacity = a
            .inputs
            .iter()
            .map(|(_, q)| a.bin_capacity.unwrap_or(2 * q))
            .collect();
        Ok(NodeKind::Station(Station::new(
            StationKind::Assembly {
                bins,
                bin_capacity,
                output: self.product_index[a.output.as_str()],
            },
            a.capacity,
            self.cycles(id, &a.cycle, &BTreeMap::new())?,
            None,
            failures(id, &a.failures)?,
            a.scrap,
            operator,
            power(&a.power_kw),
            self.streams(id),
        )))
    }

    /// Adds a node of `kind` for `o`, with its slots, to `shift`'s nodes.
    fn push_node(&mut self, o: &'a Object, kind: NodeKind, shift: Option<u32>) {
        let id = o.id();
        let station_kind = match &kind {
            NodeKind::Station(s) => Some(&s.kind),
            _ => None,
        };
        let is_transfer = matches!(station_kind, Some(StationKind::Transfer { .. }));
        let is_assembly = matches!(station_kind, Some(StationKind::Assembly { .. }));
        let single_server = matches!(
            &kind,
            NodeKind::Station(Station { kind: StationKind::Machine | StationKind::RobotCell, servers, .. })
                if servers.len() == 1
        );
        // One slot per server; every other node has one.
        let slots = match &kind {
            NodeKind::Station(s) => s.servers.len() as u32,
            _ => 1,
        };
        let index = self.nodes.len() as u32;
        let slot_base = self.slot_count;
        self.slot_count += slots;
        if let Some(s) = shift {
            self.shifts[s as usize].nodes.push(index);
        }
        self.node_index.insert(id, index);
        let routing_rng = self.stream(id, Purpose::Routing);
        self.nodes.push(Node {
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
            routing_rng,
        });
    }

    /// The flow edges, resolved to node indices.
    fn edges(&mut self) -> Result<(), Diagnostic> {
        for flow in &self.scene.flow {
            let e = flow.edge();
            let missing = |name: &str| {
                Diagnostic::new(format!(
                    "flow edge (\"{}\", \"{}\") refers to \"{name}\", which is not a flow object",
                    e.from, e.to
                ))
            };
            let index = |name: &str| {
                self.node_index
                    .get(name)
                    .copied()
                    .ok_or_else(|| missing(name))
            };
            let (from, to) = (index(&e.from)?, index(&e.to)?);
            let via = e.via.as_deref().map(index).transpose()?;
            let product = e.product.as_ref().map(|p| self.product_index[p.as_str()]);
            let node = &mut self.nodes[from as usize];
            node.weighted |= e.weight.is_some();
            node.out.push(Edge {
                to,
                product,
                weight: e.weight.unwrap_or(0.0),
                via,
            });
        }
        Ok(())
    }

    /// The engine at time 0, nothing scheduled yet.
    fn engine(mut self) -> Engine {
        // Carriers whose trips need a driver, by pool.
        for (i, n) in self.nodes.iter().enumerate() {
            if let NodeKind::Station(st) = &n.kind
                && n.is_transfer
                && let Some(p) = st.operator
            {
                self.pools[p as usize].carriers.push(i as u32);
            }
        }
        let run = &self.scene.run;
        let warmup = run.warmup.map_or(0.0, |w| w.secs());
        let horizon = run.horizon.secs();
        let sample_every = run.sample_every.map_or(horizon / 100.0, |s| s.secs());
        let exposure = exposure(self.scene, &self.node_index);
        Engine {
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
            nodes: self.nodes,
            slots: vec![Slot::default(); self.slot_count as usize],
            pools: self.pools,
            parts: Default::default(),
            products: self.products,
            shifts: self.shifts,
            line: LineStats::default(),
            orders: self.orders,
            events: 0,
            completions: 0,
            log: None,
            exposure,
        }
    }
}

impl Engine {
    /// Starts the run: see [`Engine::schedule_start`]; the sources' first
    /// parts are offered at once.
    fn start(&mut self) {
        self.schedule_start();
        self.drain_actions();
    }

    /// Schedules the end, the warm-up's end, the first sample and each
    /// shift's next change, applies every shift's state at the start (time
    /// 0, or a plant's time) and starts the sources (their first offers
    /// queued: a run from a plant's state places its parts first).
    fn schedule_start(&mut self) {
        // Time 0, or a plant's time when a run starts from its state.
        let t0 = self.now;
        let (warmup, end) = (self.window.warmup, self.end_time());
        self.calendar.schedule(end, Event::End);
        if warmup > 0.0 {
            self.calendar.schedule(warmup, Event::WarmupEnd);
        }
        self.calendar.schedule(t0, Event::Sample);
        for p in 0..self.pools.len() {
            self.refresh_pool(p as u32);
        }
        self.schedule_maintenance_windows();
        for s in 0..self.shifts.len() {
            let on = self.shifts[s].calendar.is_on(t0);
            self.apply_shift_at_start(s, on);
            let next = self.shifts[s].calendar.next_change(t0);
            if next < end {
                self.calendar
                    .schedule(next, Event::ShiftChange { shift: s as u32 });
            }
        }
        for n in 0..self.nodes.len() {
            if let NodeKind::Source(_) = self.nodes[n].kind {
                self.source_start(n as u32);
            }
        }
    }

    /// Each station's first maintenance window change (now if one is open
    /// at the start).
    fn schedule_maintenance_windows(&mut self) {
        let (t0, end) = (self.now, self.end_time());
        for n in 0..self.nodes.len() {
            let NodeKind::Station(st) = &self.nodes[n].kind else {
                continue;
            };
            let Some(window) = st.upkeep.as_ref().and_then(|u| u.window.as_ref()) else {
                continue;
            };
            let first = if window.is_on(t0) {
                t0
            } else {
                window.next_change(t0)
            };
            if first < end {
                self.calendar
                    .schedule(first, Event::MaintenanceWindow { node: n as u32 });
            }
        }
    }

    /// Puts shift `s`'s nodes on or off shift at time 0.
    fn apply_shift_at_start(&mut self, s: usize, on: bool) {
        for n in self.shifts[s].nodes.clone() {
            match &mut self.nodes[n as usize].kind {
                NodeKind::Station(st) => {
                    st.on_shift = on;
                    st.halt_changed();
                    for sv in &mut st.servers {
                        sv.state = if on { State::Starved } else { State::OffShift };
                    }
                }
                NodeKind::Source(src) => src.on_shift = on,
                _ => {}
            }
        }
    }
}

/// The mean cycle of `product` at a station (`None` for other kinds).
fn mean_cycle(o: &Object, product: &str) -> Option<f64> {
    let (cycle, per) = match o {
        Object::Machine(m) => (&m.cycle, &m.product_cycles),
        Object::Robot(r) => match &r.task {
            RobotTask::Process {
                cycle,
                product_cycles,
                ..
            } => (cycle, product_cycles),
            RobotTask::Transfer { .. } => return None,
        },
        Object::Assembly(a) => return Some(a.cycle.mean_secs()),
        _ => return None,
    };
    Some(per.get(product).unwrap_or(cycle).mean_secs())
}

/// Changes a station's cycle distributions mid-run (`serve --switch-at`: a
/// plant that changes while it is watched): each product's next cycle is
/// drawn from `default` or its own entry of `per`. The ideal cycle stays the
/// plan's, so the station's effectiveness shows the change. An error when
/// the id is not a processing station or a distribution is invalid.
pub fn switch_cycles(
    engine: &mut Engine,
    id: &str,
    default: &Dist,
    per: &BTreeMap<String, Dist>,
) -> Result<(), Diagnostic> {
    let node = engine
        .nodes
        .iter()
        .position(|n| n.id == id)
        .ok_or_else(|| Diagnostic::object(id, "no such object in the running scene"))?;
    let samplers: Vec<Sampler> = engine
        .products
        .iter()
        .map(|p| sampler(id, "cycle", per.get(p).unwrap_or(default)))
        .collect::<Result<_, _>>()?;
    let NodeKind::Station(st) = &mut engine.nodes[node].kind else {
        return Err(Diagnostic::object(id, "not a station: it has no cycle"));
    };
    for (product, s) in samplers.into_iter().enumerate() {
        let c = st.cycle.get_mut(product as u16);
        if c.sampler.is_none() {
            return Err(Diagnostic::object(id, "has no cycle of its own to change"));
        }
        c.sampler = Some(s);
    }
    Ok(())
}

fn sampler(id: &str, field: &str, d: &Dist) -> Result<Sampler, Diagnostic> {
    Sampler::new(d).map_err(|m| Diagnostic::object(id, format!("`{field}`: {m}")))
}

fn failures(
    id: &str,
    f: &Option<crate::scene::Failures>,
) -> Result<Option<(Sampler, Sampler)>, Diagnostic> {
    f.as_ref()
        .map(|f| {
            Ok((
                sampler(id, "failures.between", &f.between)?,
                sampler(id, "failures.repair", &f.repair)?,
            ))
        })
        .transpose()
}

/// The safety KPI's walking paths, as engine nodes: measured (possibly
/// zero) where there is a robot or someone walking, else `None`.
fn exposure(scene: &Scene, index: &HashMap<&str, u32>) -> Option<Vec<(u32, u32, f64)>> {
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

/// The one plain edge of a node that routes nowhere else: offers skip the
/// edge loop.
fn mark_single_targets(nodes: &mut [Node]) {
    for node in nodes {
        if let [edge] = node.out.as_slice()
            && edge.product.is_none()
            && edge.via.is_none()
            && !node.weighted
        {
            node.single_target = Some(edge.to);
        }
    }
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
fn power(p: &Option<Power>) -> [f64; STATE_COUNT] {
    let Some(p) = p else {
        return [0.0; STATE_COUNT];
    };
    let mut kw = [0.0; STATE_COUNT];
    kw[State::Working as usize] = p.working;
    kw[State::Setup as usize] = p.setup.unwrap_or(p.working);
    kw[State::Failed as usize] = p.failed;
    kw[State::Starved as usize] = p.idle;
    kw[State::Blocked as usize] = p.idle;
    kw[State::WaitingForOperator as usize] = p.idle;
    // A machine stopped for planned maintenance draws what it does off shift.
    kw[State::Maintenance as usize] = p.off_shift;
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
