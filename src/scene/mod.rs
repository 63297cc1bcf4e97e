//! The scene: what a person writes in a RON file to describe a factory.
//!
//! Plain Rust structs with serde, no Bevy. [`load`] reads a file (a full
//! [`Scene`] or a [`Variant`] of one), [`validate`] checks it and turns names
//! into indices, and the simulation spawns from the result. Every field is
//! documented for users in `docs/scene-format.md`.

pub(crate) mod distribution;
mod duration;
mod load;
mod orders;
mod shift;
mod validate;
mod variant;

pub use distribution::Dist;
pub use duration::{Duration, parse_time};
pub use load::{load_scene, load_scene_with_inputs, load_variant, parse_scene_str};
pub use orders::{in_release_order, parse_orders};
pub use shift::{ShiftCalendar, Shifts, Weekday, weekday_clock};
pub use validate::validate;
pub use variant::{Change, Investment, Subsidy, Value, Variant, apply_changes, set_param};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole factory: run settings, products, objects and the flow between them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scene {
    /// Human-readable name, shown in reports.
    pub name: String,
    /// How long to simulate, and with which seed.
    pub run: RunSettings,
    /// Working calendars that objects and operator pools can follow.
    #[serde(default)]
    pub shifts: Vec<Shift>,
    /// Product types that flow through the factory.
    pub products: Vec<Product>,
    /// Everything on the floor.
    pub objects: Vec<Object>,
    /// Directed connections between objects: where parts go next.
    pub flow: Vec<Flow>,
    /// Money: optional, used by cost KPIs and by the business case.
    #[serde(default)]
    pub economics: Option<Economics>,
    /// What building this scene from its base costs (set by a variant, or in
    /// a full scene compared against another); used by the business case.
    #[serde(default)]
    pub investment: Option<Investment>,
    /// Layout rules for `factory-twin check` and the safety KPI.
    #[serde(default)]
    pub layout: Option<Layout>,
}

/// Layout rules: the minimum aisle between objects that do not hand parts
/// to each other, and which robots are fenced (guarded cells).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Minimum free distance between unconnected objects (metres); 0.8 if left out.
    #[serde(default)]
    pub min_aisle: Option<f64>,
    /// Robots whose working envelope is fenced: walking past it is safe.
    #[serde(default)]
    pub fenced: Vec<String>,
    /// Walking speed of operators (m/s) for the exposure KPI; 1.2 if left out.
    #[serde(default)]
    pub walk_speed: Option<f64>,
}

/// Horizon, warm-up and randomness.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// Simulated time after the warm-up over which KPIs are collected.
    pub horizon: Duration,
    /// Simulated time before statistics start (the line fills up).
    #[serde(default)]
    pub warmup: Option<Duration>,
    /// Master seed; each object draws from its own stream derived from it.
    #[serde(default)]
    pub seed: u64,
    /// Default number of independent replications.
    #[serde(default = "one")]
    pub replications: u32,
    /// Interval between the over-time samples of throughput and WIP
    /// (default: a hundredth of the horizon).
    #[serde(default)]
    pub sample_every: Option<Duration>,
}

fn one() -> u32 {
    1
}

/// A working calendar: days, hours and breaks, repeating every week.
/// Simulated time 0 is Monday 00:00.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    pub id: String,
    pub days: Vec<Weekday>,
    /// "HH:MM"; an end before the start runs past midnight.
    pub start: String,
    pub end: String,
    /// Pauses inside the shift, as ("HH:MM", "HH:MM").
    #[serde(default)]
    pub breaks: Vec<(String, String)>,
    /// Wage multiplier for hours paid on this shift (1.5 for overtime).
    #[serde(default = "one_f64")]
    pub wage_factor: f64,
}

fn one_f64() -> f64 {
    1.0
}

/// A product type.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
}

/// A floor position in metres.
pub type Pos = (f64, f64);

/// Every kind of object a scene can hold.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Object {
    Source(Source),
    Machine(Machine),
    Buffer(Buffer),
    Conveyor(Conveyor),
    Robot(Robot),
    Assembly(Assembly),
    Operators(Operators),
    /// A fleet of vehicles (AGVs, forklifts) that carry parts along the
    /// flow edges marked `via` it.
    Vehicles(Vehicles),
    Sink(Sink),
}

impl Object {
    /// How an operator tends the station, if only to load and unload.
    pub fn tending(&self) -> Option<&Tending> {
        match self {
            Object::Machine(m) => m.tending.as_ref(),
            Object::Robot(r) => r.tending.as_ref(),
            _ => None,
        }
    }

    /// The station's planned maintenance (none for other kinds).
    pub fn maintenance(&self) -> &[Maintenance] {
        match self {
            Object::Machine(m) => &m.maintenance,
            Object::Robot(r) => &r.maintenance,
            Object::Vehicles(v) => &v.maintenance,
            Object::Assembly(a) => &a.maintenance,
            _ => &[],
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Object::Source(o) => &o.id,
            Object::Machine(o) => &o.id,
            Object::Buffer(o) => &o.id,
            Object::Conveyor(o) => &o.id,
            Object::Robot(o) => &o.id,
            Object::Assembly(o) => &o.id,
            Object::Operators(o) => &o.id,
            Object::Vehicles(o) => &o.id,
            Object::Sink(o) => &o.id,
        }
    }

    /// The kind as users spell it in the scene file.
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Source(_) => "Source",
            Object::Machine(_) => "Machine",
            Object::Buffer(_) => "Buffer",
            Object::Conveyor(_) => "Conveyor",
            Object::Robot(_) => "Robot",
            Object::Assembly(_) => "Assembly",
            Object::Operators(_) => "Operators",
            Object::Vehicles(_) => "Vehicles",
            Object::Sink(_) => "Sink",
        }
    }

    /// Where parts enter this object (for robots and conveyors: the entry end).
    pub fn entry_point(&self) -> Option<Pos> {
        match self {
            Object::Conveyor(c) => Some(c.from),
            Object::Operators(o) => o.pos,
            other => other.pos(),
        }
    }

    /// Where parts leave this object.
    pub fn exit_point(&self) -> Option<Pos> {
        match self {
            Object::Conveyor(c) => Some(c.to),
            other => other.entry_point(),
        }
    }

    /// The footprint given in the scene, if any (conveyors use `width`).
    pub fn footprint(&self) -> Option<(f64, f64)> {
        match self {
            Object::Source(x) => x.footprint,
            Object::Machine(x) => x.footprint,
            Object::Buffer(x) => x.footprint,
            Object::Robot(x) => x.footprint,
            Object::Assembly(x) => x.footprint,
            Object::Sink(x) => x.footprint,
            Object::Conveyor(_) | Object::Operators(_) | Object::Vehicles(_) => None,
        }
    }

    /// Rotation about the vertical axis, degrees (0 for conveyors and operators).
    pub fn rot(&self) -> f64 {
        match self {
            Object::Source(x) => x.rot,
            Object::Machine(x) => x.rot,
            Object::Buffer(x) => x.rot,
            Object::Robot(x) => x.rot,
            Object::Assembly(x) => x.rot,
            Object::Sink(x) => x.rot,
            Object::Conveyor(_) | Object::Operators(_) | Object::Vehicles(_) => 0.0,
        }
    }

    /// The floor position of the object (a conveyor's midpoint).
    pub fn pos(&self) -> Option<Pos> {
        Some(match self {
            Object::Source(o) => o.pos,
            Object::Machine(o) => o.pos,
            Object::Buffer(o) => o.pos,
            Object::Conveyor(c) => ((c.from.0 + c.to.0) / 2.0, (c.from.1 + c.to.1) / 2.0),
            Object::Robot(o) => o.pos,
            Object::Assembly(o) => o.pos,
            Object::Operators(o) => return o.pos,
            Object::Vehicles(o) => o.pos,
            Object::Sink(o) => o.pos,
        })
    }
}

/// Where parts come from.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub pos: Pos,
    #[serde(default)]
    pub rot: f64,
    /// Floor footprint (width along x, depth along y before `rot`, metres);
    /// the kind's default when left out (docs/scene-format.md).
    #[serde(default)]
    pub footprint: Option<(f64, f64)>,
    /// A single product type ...
    #[serde(default)]
    pub product: Option<String>,
    /// ... or a mix: (product, weight) pairs; weights are normalised.
    #[serde(default)]
    pub mix: Vec<(String, f64)>,
    /// Time between arrivals; `None` means saturated: a part is always
    /// waiting, so the first station never starves.
    #[serde(default)]
    pub interarrival: Option<Dist>,
    /// Each part is an order due this long after it arrives.
    #[serde(default)]
    pub due_in: Option<Dist>,
    /// Stop after this many parts.
    #[serde(default)]
    pub limit: Option<u64>,
    /// Arrivals only while one of these shifts is on.
    #[serde(default, skip_serializing_if = "Shifts::is_empty")]
    pub shift: Shifts,
    /// An order book instead of random arrivals: each order's parts are
    /// released at its release time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<Order>,
    /// A CSV file of orders (columns id, release, product, quantity, due,
    /// priority), relative to the scene file; read into `orders` on loading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders_file: Option<String>,
    /// How an order's parts move between stations: part by part, or the
    /// whole lot together (each buffer holds a lot until all of it is there).
    #[serde(default, skip_serializing_if = "Lots::is_part_by_part")]
    pub lots: Lots,
}

/// How the parts of an order (a lot) move between stations.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum Lots {
    /// Each part goes on as soon as it is done.
    #[default]
    PartByPart,
    /// A buffer holds a lot's parts until the whole lot (less any part
    /// scrapped) is there, then lets them go on together.
    Together,
}

impl Lots {
    fn is_part_by_part(&self) -> bool {
        *self == Lots::PartByPart
    }
}

/// One order of an order book.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Order {
    pub id: String,
    /// When its parts are released to the line, from time 0 (Monday 00:00).
    pub release: Duration,
    pub product: String,
    #[serde(default = "one")]
    pub quantity: u32,
    /// When it is due, from time 0.
    pub due: Duration,
    /// Among orders released at the same time, higher goes first.
    #[serde(default)]
    pub priority: i32,
}

/// Failures: time between failures (counted while working) and repair time.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Failures {
    pub between: Dist,
    pub repair: Dist,
}

/// A changeover when the product differs from the previous part's.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// Changeover time, unless `changes` gives one for the pair of products.
    pub time: Dist,
    /// Sequence-dependent changeovers: the time from one product to another.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Changeover>,
    /// A setter pool that does the changeovers (then the station's own
    /// `operator`, if any, is needed for the work only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
}

/// One entry of a setup matrix: changing over from `from` to `to` takes `time`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Changeover {
    pub from: String,
    pub to: String,
    pub time: Dist,
}

/// Planned maintenance: planned down time in ISO 22400 terms, outside
/// the planned busy time like off-shift time.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Maintenance {
    /// A weekly window, e.g. `Weekly(days: [Sat], start: "06:00", end: "08:00")`.
    Weekly {
        days: Vec<Weekday>,
        start: String,
        end: String,
    },
    /// A stop of `duration` after every `parts` parts the station finishes.
    EveryParts { parts: u32, duration: Dist },
    /// A stop of `duration` after every `work` of run time (time with a
    /// server working), at the end of the part that completes it.
    EveryWork { work: Duration, duration: Dist },
}

impl Maintenance {
    /// A weekly window as a shift pattern (for its calendar).
    pub fn window(&self) -> Option<Shift> {
        match self {
            Maintenance::Weekly { days, start, end } => Some(Shift {
                id: "maintenance".into(),
                days: days.clone(),
                start: start.clone(),
                end: end.clone(),
                breaks: Vec::new(),
                wage_factor: 1.0,
            }),
            Maintenance::EveryParts { .. } | Maintenance::EveryWork { .. } => None,
        }
    }
}

/// Power draw in kW per state.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Power {
    /// While processing (and during setup unless `setup` is given).
    pub working: f64,
    /// While starved, blocked or waiting for an operator.
    #[serde(default)]
    pub idle: f64,
    #[serde(default)]
    pub setup: Option<f64>,
    /// While failed (default 0).
    #[serde(default)]
    pub failed: f64,
    /// While off shift (default 0).
    #[serde(default)]
    pub off_shift: f64,
}

/// A processing station.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    pub id: String,
    pub pos: Pos,
    #[serde(default)]
    pub rot: f64,
    /// Floor footprint (width along x, depth along y before `rot`, metres);
    /// the kind's default when left out (docs/scene-format.md).
    #[serde(default)]
    pub footprint: Option<(f64, f64)>,
    /// Parts processed at the same time (parallel servers).
    #[serde(default = "one")]
    pub capacity: u32,
    /// Processing time of one part.
    pub cycle: Dist,
    /// Processing time per product, where it differs from `cycle`.
    #[serde(default)]
    pub product_cycles: BTreeMap<String, Dist>,
    #[serde(default)]
    pub setup: Option<Setup>,
    #[serde(default)]
    pub failures: Option<Failures>,
    /// Probability that a finished part is scrap.
    #[serde(default)]
    pub scrap: f64,
    /// Operator pool a part needs for setup and processing (with
    /// `tending`: for loading and unloading only).
    #[serde(default)]
    pub operator: Option<String>,
    /// The operator loads and unloads; the machine runs unattended between.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tending: Option<Tending>,
    #[serde(default)]
    pub power_kw: Option<Power>,
    /// Planned maintenance stops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<Maintenance>,
    /// Works only while one of these shifts is on (default: the operator pool's).
    #[serde(default, skip_serializing_if = "Shifts::is_empty")]
    pub shift: Shifts,
}

/// A finite FIFO store between stations.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Buffer {
    pub id: String,
    pub pos: Pos,
    #[serde(default)]
    pub rot: f64,
    /// Floor footprint (width along x, depth along y before `rot`, metres);
    /// the kind's default when left out (docs/scene-format.md).
    #[serde(default)]
    pub footprint: Option<(f64, f64)>,
    pub capacity: u32,
    /// Which waiting part goes on first.
    #[serde(default)]
    pub dispatch: Dispatch,
}

/// A buffer's dispatching rule.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum Dispatch {
    /// First in, first out.
    #[default]
    Fifo,
    /// The part due first goes first (parts without a due date last).
    EarliestDue,
    /// The part with the shortest mean cycle at the next station goes first.
    ShortestProcessing,
}
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Conveyor {
    pub id: String,
    pub from: Pos,
    pub to: Pos,
    /// Belt width with its frame (metres) for the layout checks; default 0.7.
    #[serde(default)]
    pub width: Option<f64>,
    /// Belt speed in m/s.
    pub speed: f64,
    /// Minimum distance between parts in metres; capacity = length / spacing.
    pub spacing: f64,
    /// Accumulating: a blocked head part stops alone and the others queue
    /// behind it. Not accumulating: the whole belt stops.
    #[serde(default = "yes")]
    pub accumulating: bool,
}

fn yes() -> bool {
    true
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// A robot: a processing cell, or a transfer robot serving flow edges.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Robot {
    pub id: String,
    pub pos: Pos,
    #[serde(default)]
    pub rot: f64,
    /// Floor footprint (width along x, depth along y before `rot`, metres);
    /// the kind's default when left out (docs/scene-format.md).
    #[serde(default)]
    pub footprint: Option<(f64, f64)>,
    /// Reach radius in metres around `pos`.
    pub reach: f64,
    pub task: RobotTask,
    #[serde(default)]
    pub failures: Option<Failures>,
    #[serde(default)]
    pub scrap: f64,
    #[serde(default)]
    pub power_kw: Option<Power>,
    /// Planned maintenance stops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<Maintenance>,
    #[serde(default, skip_serializing_if = "Shifts::is_empty")]
    pub shift: Shifts,
    /// Operator pool a processing cell needs (for the whole cycle, or with
    /// `tending` to load and unload); a transfer robot needs one for each
    /// move, from dispatch until the part is placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tending: Option<Tending>,
}

/// A machine tended by an operator: loading and unloading need one, the
/// cycle runs unattended.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tending {
    pub load: Dist,
    pub unload: Dist,
}

/// What a robot does.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum RobotTask {
    /// A processing cell: like a machine with one server.
    Process {
        cycle: Dist,
        #[serde(default)]
        product_cycles: BTreeMap<String, Dist>,
        #[serde(default)]
        setup: Option<Setup>,
    },
    /// Moves parts along the flow edges marked `via` this robot: travel to the
    /// pick point, pick, travel to the place point, place.
    Transfer {
        /// Tool speed in m/s.
        speed: f64,
        pick: Duration,
        place: Duration,
    },
}

/// Joins k inputs into one output part.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Assembly {
    pub id: String,
    pub pos: Pos,
    #[serde(default)]
    pub rot: f64,
    /// Floor footprint (width along x, depth along y before `rot`, metres);
    /// the kind's default when left out (docs/scene-format.md).
    #[serde(default)]
    pub footprint: Option<(f64, f64)>,
    /// (product, quantity) consumed per assembled part.
    pub inputs: Vec<(String, u32)>,
    /// Product made.
    pub output: String,
    pub cycle: Dist,
    /// Parts of each input that can wait at the station (default: twice the quantity).
    #[serde(default)]
    pub bin_capacity: Option<u32>,
    #[serde(default = "one")]
    pub capacity: u32,
    #[serde(default)]
    pub failures: Option<Failures>,
    #[serde(default)]
    pub scrap: f64,
    #[serde(default)]
    pub operator: Option<String>,
    #[serde(default)]
    pub power_kw: Option<Power>,
    /// Planned maintenance stops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<Maintenance>,
    #[serde(default, skip_serializing_if = "Shifts::is_empty")]
    pub shift: Shifts,
}

/// A pool of interchangeable operators.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Operators {
    pub id: String,
    /// Where the team stands when idle (for the 3D view).
    #[serde(default)]
    pub pos: Option<Pos>,
    /// Operators while the pool's shift is on (required unless `crews`).
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Shifts::is_empty")]
    pub shift: Shifts,
    /// A crew size per shift instead of `count` and `shift`: the pool has
    /// the sum of the crews whose shifts are on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub crews: BTreeMap<String, u32>,
    /// Operators walk to the stations they serve (from their post or the
    /// station they left, at `layout.walk_speed`), and the walk takes time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub walks: bool,
    /// Other pools whose stations these operators also serve, in order of
    /// priority, when no station of their own waits for one (an operator
    /// who belongs to several pools: its own first, then these).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub helps: Vec<String>,
    /// Wage per paid hour, in the scene's currency.
    #[serde(default)]
    pub wage_per_hour: f64,
}

impl Operators {
    /// The most operators on at once by the pool's own figures: `count`,
    /// or the largest crew (crews whose shifts overlap are not added up).
    pub fn largest_crew(&self) -> u32 {
        match self.count {
            Some(c) => c,
            None => self.crews.values().copied().max().unwrap_or(0),
        }
    }

    /// One more operator on every shift the pool works with fewer than
    /// `places` (the places of the stations it serves: more could not
    /// work), as "3 operators instead of 2" or "crews early 3, late 3
    /// instead of early 3, late 2".
    pub fn add_one(&mut self, places: u32) -> String {
        if let Some(c) = &mut self.count {
            *c += 1;
            return format!("{} operators instead of {}", *c, *c - 1);
        }
        let before = self.crews_text();
        self.crews
            .values_mut()
            .filter(|c| **c > 0 && **c < places)
            .for_each(|c| *c += 1);
        format!("crews {} instead of {before}", self.crews_text())
    }

    /// The smallest crew on shift (above 0): one more operator can work
    /// somewhere while this is below the places to work.
    pub fn smallest_crew(&self) -> u32 {
        match self.count {
            Some(c) => c,
            None => self
                .crews
                .values()
                .copied()
                .filter(|c| *c > 0)
                .min()
                .unwrap_or(0),
        }
    }

    /// "early 3, late 2".
    pub fn crews_text(&self) -> String {
        let each: Vec<String> = self.crews.iter().map(|(s, c)| format!("{s} {c}")).collect();
        each.join(", ")
    }
}

/// A fleet of vehicles: each carries parts from where they wait to where
/// they go, along the flow edges marked `via` the fleet; one at a time, or
/// with `capacity` several bound for the same place.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Vehicles {
    pub id: String,
    /// Where the vehicles park at the start.
    pub pos: Pos,
    pub count: u32,
    /// Travel speed, metres per second (straight lines).
    pub speed: f64,
    /// Time to take a part on and to set it down (each part).
    pub load: Duration,
    pub unload: Duration,
    /// Parts a vehicle takes on one trip: having loaded one, it also loads
    /// those ready at the same place for the same destination, up to this.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub capacity: u32,
    #[serde(default)]
    pub failures: Option<Failures>,
    #[serde(default)]
    pub power_kw: Option<Power>,
    /// Planned maintenance (weekly windows).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<Maintenance>,
    /// Works only while one of these shifts is on (default: the drivers').
    #[serde(default, skip_serializing_if = "Shifts::is_empty")]
    pub shift: Shifts,
    /// The Operators pool whose people drive (forklifts): each trip needs
    /// one from dispatch until its parts are set down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
}

/// Where finished parts leave.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sink {
    pub id: String,
    pub pos: Pos,
    #[serde(default)]
    pub rot: f64,
    /// Floor footprint (width along x, depth along y before `rot`, metres);
    /// the kind's default when left out (docs/scene-format.md).
    #[serde(default)]
    pub footprint: Option<(f64, f64)>,
}

/// A directed connection. Written `("a", "b")` or, with options,
/// `Flow(from: "a", to: "b", product: "x", weight: 0.3, via: "robot")`.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Flow {
    Pair(String, String),
    Edge(FlowEdge),
}

impl<'de> Deserialize<'de> for Flow {
    /// A pair is a RON tuple, an edge a named struct; serde's `untagged` cannot
    /// tell them apart in RON (and loses the field error messages), so the
    /// visitor takes whichever shape comes.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlowVisitor;
        impl<'de> serde::de::Visitor<'de> for FlowVisitor {
            type Value = Flow;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a flow edge: (\"from\", \"to\") or Flow(from: ..., to: ...)")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Flow, A::Error> {
                use serde::de::Error;
                let from: String = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(0, &self))?;
                let to: String = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(1, &self))?;
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(A::Error::custom(
                        "a flow pair has two ids: (\"from\", \"to\"); use Flow(from: ..., to: ..., ...) for options",
                    ));
                }
                Ok(Flow::Pair(from, to))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Flow, A::Error> {
                FlowEdge::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(Flow::Edge)
            }
        }
        deserializer.deserialize_any(FlowVisitor)
    }
}

/// A flow edge with routing options.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FlowEdge {
    pub from: String,
    pub to: String,
    /// Only parts of this product take this edge.
    #[serde(default)]
    pub product: Option<String>,
    /// Probabilistic routing: the share of parts sent this way.
    #[serde(default)]
    pub weight: Option<f64>,
    /// A transfer robot that carries parts along this edge.
    #[serde(default)]
    pub via: Option<String>,
}

impl Flow {
    pub fn edge(&self) -> FlowEdge {
        match self {
            Flow::Pair(a, b) => FlowEdge {
                from: a.clone(),
                to: b.clone(),
                product: None,
                weight: None,
                via: None,
            },
            Flow::Edge(e) => e.clone(),
        }
    }
}

/// Money figures used by cost KPIs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Economics {
    pub currency: String,
    /// Contribution margin of one good part.
    #[serde(default)]
    pub unit_margin: f64,
    /// Price of one kWh.
    #[serde(default)]
    pub energy_per_kwh: f64,
    /// Material cost lost with each scrapped part.
    #[serde(default)]
    pub scrap_cost: f64,
    /// Yearly discount rate for NPV (0.06 = 6 %); needed by the business case.
    #[serde(default)]
    pub discount_rate: Option<f64>,
    /// Production weeks per year: the measured window is scaled to a year
    /// by `weeks_per_year × 168 h / horizon`; needed by the business case.
    #[serde(default)]
    pub weeks_per_year: Option<f64>,
}

/// A scene file is either a full scene or a variant of one.
#[derive(Clone, Debug, Deserialize)]
pub enum SceneFile {
    Scene(Box<Scene>),
    Variant(Variant),
}
