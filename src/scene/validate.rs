//! Semantic checks on a parsed scene: unique ids, references that resolve,
//! sane numbers, a flow that can neither lose parts nor deadlock by design.
//! Each error names the object and suggests a fix where it can.

use super::{Dist, Flow, Object, Power, RobotTask, Scene, ShiftCalendar};
use crate::error::{Diagnostic, did_you_mean};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Checks the whole scene; the first problem found is returned.
pub fn validate(scene: &Scene) -> Result<(), Diagnostic> {
    let shortest = shortest_duration(scene);
    check_run(scene, shortest)?;
    let products = unique_ids("product", scene.products.iter().map(|p| p.id.as_str()))?;
    let shifts = unique_ids("shift", scene.shifts.iter().map(|s| s.id.as_str()))?;
    for shift in &scene.shifts {
        check_shift(shift)?;
    }
    let ids = unique_ids("object", scene.objects.iter().map(Object::id))?;
    let objects: HashMap<&str, &Object> = scene.objects.iter().map(|o| (o.id(), o)).collect();
    let ctx = Ctx {
        shortest,
        products: &products,
        shifts: &shifts,
        scene_shifts: &scene.shifts,
        objects: &objects,
        ids: &ids,
    };
    for object in &scene.objects {
        ctx.check_object(object)?;
    }
    check_orders(scene)?;
    check_flow(scene, &ctx)?;
    check_money(scene)?;
    check_layout(scene)?;
    Ok(())
}

/// "Mon 06:00–22:00", or "Fri 22:00–Sat 06:00".
fn span(a: f64, b: f64) -> String {
    let (from, to) = (
        super::shift::weekday_clock(a),
        super::shift::weekday_clock(b),
    );
    match (from.split_once(' '), to.split_once(' ')) {
        (Some((d1, _)), Some((d2, clock))) if d1 == d2 => format!("{from}–{clock}"),
        _ => format!("{from}–{to}"),
    }
}

/// Order ids are unique over the scene, and every order's product can
/// leave its source by some flow edge.
fn check_orders(scene: &Scene) -> Result<(), Diagnostic> {
    let mut ids = HashSet::new();
    for o in &scene.objects {
        let Object::Source(s) = o else { continue };
        for order in &s.orders {
            if !ids.insert(order.id.as_str()) {
                return Err(Diagnostic::object(
                    &s.id,
                    format!("order id \"{}\" is used twice", order.id),
                ));
            }
            let leaves = scene.flow.iter().any(|f| {
                let e = f.edge();
                e.from == s.id && e.product.as_deref().is_none_or(|p| p == order.product)
            });
            if !leaves {
                return Err(Diagnostic::object(
                    &s.id,
                    format!(
                        "order \"{}\" is for \"{}\", which no flow edge from this source takes",
                        order.id, order.product
                    ),
                )
                .with_help("add a flow edge from the source for that product"));
            }
        }
    }
    Ok(())
}

/// A shift's pattern builds and does not overlap itself; its wage factor is sane.
fn check_shift(shift: &super::Shift) -> Result<(), Diagnostic> {
    let err = |m: String| Diagnostic::new(format!("shift \"{}\": {m}", shift.id));
    let mut seen = HashSet::new();
    for day in &shift.days {
        if !seen.insert(*day as usize) {
            return Err(err(format!(
                "{day:?} is listed twice in `days`: the shift would overlap itself"
            )));
        }
    }
    ShiftCalendar::new(shift).map_err(err)?;
    if !(shift.wage_factor.is_finite() && shift.wage_factor >= 0.0) {
        return Err(err(format!(
            "`wage_factor` must be a number ≥ 0 (1.5 pays half as much again), got {}",
            shift.wage_factor
        )));
    }
    Ok(())
}

/// Footprints, belt widths and the layout rules: positive sizes, known robots.
fn check_layout(scene: &Scene) -> Result<(), Diagnostic> {
    let positive = |v: f64| v.is_finite() && v > 0.0;
    for o in &scene.objects {
        if let Some((w, d)) = o.footprint()
            && !(positive(w) && positive(d))
        {
            return Err(Diagnostic::object(
                o.id(),
                format!("`footprint` must be two positive sizes in metres, got ({w}, {d})"),
            ));
        }
        if let Object::Conveyor(c) = o
            && let Some(w) = c.width
            && !positive(w)
        {
            return Err(Diagnostic::object(
                &c.id,
                format!("`width` must be a positive number of metres, got {w}"),
            ));
        }
    }
    let Some(layout) = &scene.layout else {
        return Ok(());
    };
    if let Some(a) = layout.min_aisle
        && !(a.is_finite() && a >= 0.0)
    {
        return Err(Diagnostic::new(format!(
            "layout.min_aisle must be a non-negative number of metres, got {a}"
        )));
    }
    if let Some(v) = layout.walk_speed
        && !positive(v)
    {
        return Err(Diagnostic::new(format!(
            "layout.walk_speed must be a positive speed in m/s, got {v}"
        )));
    }
    let robots: Vec<&str> = scene
        .objects
        .iter()
        .filter(|o| matches!(o, Object::Robot(_)))
        .map(Object::id)
        .collect();
    for f in &layout.fenced {
        if !robots.contains(&f.as_str()) {
            let d = Diagnostic::new(format!("layout.fenced names \"{f}\", which is not a robot"));
            return Err(match did_you_mean(f, robots.iter().copied()) {
                Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
                None => d.with_help("list the ids of Robot objects whose envelope is fenced"),
            });
        }
    }
    Ok(())
}

/// Economics and investment: finite, non-negative figures and sane rates.
fn check_money(scene: &Scene) -> Result<(), Diagnostic> {
    let bad = |field: &str, v: f64, rule: &str| {
        Diagnostic::new(format!("{field} must be {rule}, got {v}"))
    };
    let non_negative = |field: &str, v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(())
        } else {
            Err(bad(field, v, "a non-negative number"))
        }
    };
    if let Some(e) = &scene.economics {
        non_negative("economics.unit_margin", e.unit_margin)?;
        non_negative("economics.energy_per_kwh", e.energy_per_kwh)?;
        non_negative("economics.scrap_cost", e.scrap_cost)?;
        if let Some(r) = e.discount_rate
            && !(0.0..1.0).contains(&r)
        {
            return Err(
                bad("economics.discount_rate", r, "in [0, 1) (0.06 means 6 %)")
                    .with_help("a yearly rate as a fraction"),
            );
        }
        if let Some(w) = e.weeks_per_year
            && !(w > 0.0 && w <= 53.0)
        {
            return Err(bad("economics.weeks_per_year", w, "in (0, 53]"));
        }
    }
    if let Some(inv) = &scene.investment {
        for (item, v) in &inv.items {
            non_negative(&format!("investment item \"{item}\""), *v)?;
        }
        let items: f64 = inv.items.iter().map(|(_, v)| v).sum();
        match inv.capex {
            Some(c) if !(c.is_finite() && c > 0.0) => {
                return Err(bad("investment.capex", c, "positive"));
            }
            Some(c) if !inv.items.is_empty() && (c - items).abs() > 1e-6 * c => {
                return Err(Diagnostic::new(format!(
                    "investment.capex is {c} but its items add up to {items}"
                ))
                .with_help("give either capex or items, or make them agree"));
            }
            None if items.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) => {
                return Err(Diagnostic::new(
                    "an investment needs `capex` or a list of `items` with a positive total",
                ));
            }
            _ => {}
        }
        if let Some(s) = &inv.subsidy {
            if !(0.0..=1.0).contains(&s.rate) {
                return Err(bad(
                    "investment.subsidy.rate",
                    s.rate,
                    "in [0, 1] (0.5 means half)",
                ));
            }
            non_negative("investment.subsidy.cap", s.cap)?;
        }
        if !(inv.life_years >= 1.0 && inv.life_years <= 50.0 && inv.life_years.fract() == 0.0) {
            return Err(bad(
                "investment.life_years",
                inv.life_years,
                "a whole number of years from 1 to 50",
            ));
        }
        non_negative("investment.maintenance_per_year", inv.maintenance_per_year)?;
        non_negative("investment.residual_value", inv.residual_value)?;
    }
    Ok(())
}

/// Horizon, warm-up, sampling (no shorter than `shortest`) and replications.
fn check_run(scene: &Scene, shortest: f64) -> Result<(), Diagnostic> {
    let run = &scene.run;
    let h = run.horizon.secs();
    if !(h.is_finite() && h > 0.0) {
        return Err(Diagnostic::new(format!(
            "run.horizon must be positive, got {h} s"
        )));
    }
    if let Some(w) = run.warmup
        && !(w.secs().is_finite() && w.secs() >= 0.0)
    {
        return Err(Diagnostic::new(format!(
            "run.warmup must not be negative, got {} s",
            w.secs()
        )));
    }
    if let Some(s) = run.sample_every.map(|s| s.secs()) {
        if !(s.is_finite() && s > 0.0) {
            return Err(Diagnostic::new(format!(
                "run.sample_every must be positive, got {s} s"
            )));
        }
        if s < shortest {
            return Err(Diagnostic::new(too_short("run.sample_every:", s, shortest)));
        }
    }
    if run.replications == 0 {
        return Err(Diagnostic::new("run.replications must be at least 1"));
    }
    if scene.products.is_empty() {
        return Err(Diagnostic::new("the scene declares no products")
            .with_help("add `products: [Product(id: \"part\")]`"));
    }
    Ok(())
}

fn unique_ids<'a>(
    what: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<Vec<&'a str>, Diagnostic> {
    let mut seen = HashSet::new();
    let mut all = Vec::new();
    for id in ids {
        if id.is_empty() {
            return Err(Diagnostic::new(format!("a {what} has an empty id")));
        }
        if !seen.insert(id) {
            return Err(
                Diagnostic::object(id, format!("duplicate {what} id \"{id}\""))
                    .with_help("every id must be unique; rename one of them"),
            );
        }
        all.push(id);
    }
    Ok(all)
}

/// The shortest duration a run accepts, as a share of its length (warm-up
/// included): anything shorter would need more than 10^10 events per object,
/// and far below it the clock cannot advance at all (a time plus a duration
/// below its last bit is the same time).
const SHORTEST_SHARE: f64 = 1e-10;

/// The shortest duration `scene`'s run accepts, in seconds.
fn shortest_duration(scene: &Scene) -> f64 {
    let run = &scene.run;
    (run.warmup.map_or(0.0, |w| w.secs()) + run.horizon.secs()) * SHORTEST_SHARE
}

/// `what` names the duration, e.g. "`cycle`: a mean of".
fn too_short(what: &str, secs: f64, shortest: f64) -> String {
    format!(
        "{what} {secs:e} s is too short for this run: at least {shortest:.1e} s (a ten-billionth of the run, warm-up included): shorter ones would need more than 10^10 events, and far shorter ones could not advance the clock at all"
    )
}

struct Ctx<'a> {
    /// The shortest mean duration accepted (see [`SHORTEST_SHARE`]).
    shortest: f64,
    products: &'a [&'a str],
    shifts: &'a [&'a str],
    scene_shifts: &'a [super::Shift],
    objects: &'a HashMap<&'a str, &'a Object>,
    ids: &'a [&'a str],
}

fn unknown(id: &str, what: &str, name: &str, known: &[&str]) -> Diagnostic {
    let d = Diagnostic::object(
        id,
        format!("refers to {what} \"{name}\", which does not exist"),
    );
    match did_you_mean(name, known.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
        None if known.is_empty() => d.with_help(format!("the scene declares no {what}")),
        None => d.with_help(format!("known: {}", known.join(", "))),
    }
}

impl Ctx<'_> {
    /// The Operators pools' ids, in order (for "known: …").
    fn pool_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .objects
            .values()
            .filter(|o| matches!(o, Object::Operators(_)))
            .map(|o| o.id())
            .collect();
        ids.sort_unstable();
        ids
    }

    fn product(&self, id: &str, name: &str) -> Result<(), Diagnostic> {
        if self.products.contains(&name) {
            Ok(())
        } else {
            Err(unknown(id, "product", name, self.products))
        }
    }

    /// Every shift named is known, once; a list is not empty.
    fn shift(&self, id: &str, names: &super::Shifts) -> Result<(), Diagnostic> {
        if names.0.is_empty() {
            return Ok(());
        }
        let mut seen = HashSet::new();
        for s in &names.0 {
            if !self.shifts.contains(&s.as_str()) {
                return Err(unknown(id, "shift", s, self.shifts));
            }
            if !seen.insert(s.as_str()) {
                return Err(Diagnostic::object(
                    id,
                    format!("`shift` names \"{s}\" twice"),
                ));
            }
        }
        Ok(())
    }

    fn check_object(&self, object: &Object) -> Result<(), Diagnostic> {
        let f = Fields {
            ctx: self,
            id: object.id(),
        };
        match object {
            Object::Source(s) => f.source(s),
            Object::Machine(m) => f.machine(m),
            Object::Buffer(b) => {
                f.pos(b.pos)?;
                f.capacity("capacity", b.capacity)
            }
            Object::Conveyor(c) => f.conveyor(c),
            Object::Robot(r) => f.robot(r),
            Object::Assembly(a) => f.assembly(a),
            Object::Operators(o) => f.operators(o),
            Object::Vehicles(v) => f.vehicles(v),
            Object::Sink(s) => f.pos(s.pos),
        }
    }

    fn object(&self, from_edge: &str, name: &str) -> Result<&Object, Diagnostic> {
        self.objects.get(name).copied().ok_or_else(|| {
            let d = Diagnostic::new(format!(
                "flow edge {from_edge} refers to \"{name}\", which is not an object"
            ));
            match did_you_mean(name, self.ids.iter().copied()) {
                Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
                None => d.with_help(format!("known objects: {}", self.ids.join(", "))),
            }
        })
    }
}

/// The checks of one object's fields: each names the object and the field.
struct Fields<'c, 'a> {
    ctx: &'c Ctx<'a>,
    id: &'c str,
}

impl Fields<'_, '_> {
    fn err(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::object(self.id, message)
    }

    /// A valid distribution whose mean the run can resolve.
    fn dist(&self, field: &str, d: &Dist) -> Result<(), Diagnostic> {
        d.check().map_err(|m| self.err(format!("`{field}`: {m}")))?;
        let mean = d.mean_secs();
        if mean < self.ctx.shortest {
            return Err(self.err(too_short(
                &format!("`{field}`: a mean of"),
                mean,
                self.ctx.shortest,
            )));
        }
        Ok(())
    }

    fn prob(&self, field: &str, p: f64) -> Result<(), Diagnostic> {
        if (0.0..=1.0).contains(&p) {
            Ok(())
        } else {
            Err(self.err(format!(
                "`{field}` is a probability and must lie in [0, 1], got {p}"
            )))
        }
    }

    fn positive(&self, field: &str, v: f64) -> Result<(), Diagnostic> {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(self.err(format!("`{field}` must be positive, got {v}")))
        }
    }

    fn capacity(&self, field: &str, c: u32) -> Result<(), Diagnostic> {
        if c == 0 {
            Err(self
                .err(format!("`{field}` is 0: nothing could ever pass through"))
                .with_help(
                    "use at least 1, or remove the object and connect its neighbours directly",
                ))
        } else {
            Ok(())
        }
    }

    fn pos(&self, p: (f64, f64)) -> Result<(), Diagnostic> {
        if p.0.is_finite() && p.1.is_finite() {
            Ok(())
        } else {
            Err(self.err("`pos` must be finite"))
        }
    }

    fn failures(&self, f: &Option<super::Failures>) -> Result<(), Diagnostic> {
        if let Some(f) = f {
            self.dist("failures.between", &f.between)?;
            self.dist("failures.repair", &f.repair)?;
        }
        Ok(())
    }

    fn power(&self, p: &Option<Power>) -> Result<(), Diagnostic> {
        let Some(p) = p else { return Ok(()) };
        for (name, v) in [
            ("working", p.working),
            ("idle", p.idle),
            ("failed", p.failed),
            ("off_shift", p.off_shift),
            ("setup", p.setup.unwrap_or(0.0)),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(self.err(format!("`power_kw.{name}` must not be negative, got {v}")));
            }
        }
        Ok(())
    }

    /// `operator` names an Operators pool with someone in it on every
    /// shift the station works (`shift`, the station's own shifts).
    fn operator(&self, op: &Option<String>, shift: &super::Shifts) -> Result<(), Diagnostic> {
        let Some(pool) = op else { return Ok(()) };
        match self.ctx.objects.get(pool.as_str()) {
            // A pool with neither count nor crews is reported as itself.
            Some(Object::Operators(o)) if o.count.is_none() && o.crews.is_empty() => Ok(()),
            Some(Object::Operators(o)) if o.largest_crew() == 0 => Err(self
                .err(format!(
                    "needs an operator from \"{pool}\", but that pool has {}",
                    if o.crews.is_empty() {
                        "count 0"
                    } else {
                        "0 operators on every crew"
                    }
                ))
                .with_help(
                    "give the pool at least one operator, or drop `operator` from this station",
                )),
            Some(Object::Operators(o)) => {
                match shift.0.iter().find(|s| o.crews.get(s.as_str()) == Some(&0)) {
                    Some(s) => Err(self
                        .err(format!(
                            "works the \"{s}\" shift and needs an operator from \"{pool}\", whose crew on \"{s}\" is 0: it could never work then"
                        ))
                        .with_help(format!(
                            "give \"{pool}\" a crew on \"{s}\", or take \"{s}\" out of this station's `shift`"
                        ))),
                    None => self.crews_cover(pool, o, shift),
                }
            }
            Some(other) => Err(self.err(format!(
                "`operator` must name an Operators pool; \"{pool}\" is a {}",
                other.kind()
            ))),
            None => Err(unknown(
                self.id,
                "operator pool",
                pool,
                &self.ctx.pool_ids(),
            )),
        }
    }

    fn product_cycles(&self, pc: &BTreeMap<String, Dist>) -> Result<(), Diagnostic> {
        for (p, d) in pc {
            self.ctx.product(self.id, p)?;
            self.dist(&format!("product_cycles.{p}"), d)?;
        }
        Ok(())
    }

    fn source(&self, s: &super::Source) -> Result<(), Diagnostic> {
        self.pos(s.pos)?;
        if !s.orders.is_empty() || s.orders_file.is_some() {
            return self.order_source(s);
        }
        if s.lots == super::Lots::Together {
            return Err(self
                .err("has `lots: Together` but no order book: only an order's parts make a lot")
                .with_help("give the source `orders` or an `orders_file`, or drop `lots`"));
        }
        match (&s.product, s.mix.is_empty()) {
            (Some(p), true) => self.ctx.product(self.id, p)?,
            (None, false) => {
                for (p, w) in &s.mix {
                    self.ctx.product(self.id, p)?;
                    if !(w.is_finite() && *w >= 0.0) {
                        return Err(self.err(format!(
                            "mix weight of \"{p}\" must not be negative, got {w}"
                        )));
                    }
                }
                if s.mix.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
                    return Err(self.err("mix weights sum to zero"));
                }
            }
            (Some(_), false) => {
                return Err(self.err("give either `product` or `mix`, not both"));
            }
            (None, true) => {
                return Err(self
                    .err("a Source needs `product: \"...\"` or `mix: [(\"...\", weight), ...]`"));
            }
        }
        if let Some(d) = &s.interarrival {
            self.dist("interarrival", d)?;
        }
        if let Some(d) = &s.due_in {
            self.dist("due_in", d)?;
        }
        self.ctx.shift(self.id, &s.shift)
    }

    fn machine(&self, m: &super::Machine) -> Result<(), Diagnostic> {
        self.pos(m.pos)?;
        self.capacity("capacity", m.capacity)?;
        self.dist("cycle", &m.cycle)?;
        self.product_cycles(&m.product_cycles)?;
        if let Some(s) = &m.setup {
            self.setup("setup", s)?;
        }
        self.failures(&m.failures)?;
        self.prob("scrap", m.scrap)?;
        self.operator(&m.operator, &m.shift)?;
        self.tending(&m.operator, &m.tending)?;
        self.power(&m.power_kw)?;
        self.maintenance(&m.maintenance)?;
        self.ctx.shift(self.id, &m.shift)
    }

    fn conveyor(&self, c: &super::Conveyor) -> Result<(), Diagnostic> {
        self.pos(c.from)?;
        self.pos(c.to)?;
        self.positive("speed", c.speed)?;
        self.positive("spacing", c.spacing)?;
        let length = (c.to.0 - c.from.0).hypot(c.to.1 - c.from.1);
        self.positive("length (the distance from `from` to `to`)", length)?;
        if c.spacing > length {
            return Err(self.err(format!(
                "`spacing` {} m is longer than the belt ({length:.2} m): not even one part fits",
                c.spacing
            )));
        }
        Ok(())
    }

    fn robot(&self, r: &super::Robot) -> Result<(), Diagnostic> {
        self.pos(r.pos)?;
        self.positive("reach", r.reach)?;
        self.failures(&r.failures)?;
        self.prob("scrap", r.scrap)?;
        self.power(&r.power_kw)?;
        self.maintenance(&r.maintenance)?;
        self.ctx.shift(self.id, &r.shift)?;
        match &r.task {
            RobotTask::Process {
                cycle,
                product_cycles,
                setup,
            } => {
                self.dist("task.cycle", cycle)?;
                self.product_cycles(product_cycles)?;
                if let Some(s) = setup {
                    self.setup("task.setup", s)?;
                }
                self.operator(&r.operator, &r.shift)?;
                self.tending(&r.operator, &r.tending)
            }
            RobotTask::Transfer { speed, pick, place } => {
                self.weekly_maintenance_only("a transfer robot makes", &r.maintenance)?;
                if r.tending.is_some() {
                    return Err(self.err(
                        "a transfer robot has nothing to load or unload by hand: drop `tending` (with `operator` alone, each move needs an operator)",
                    ));
                }
                self.driver(&r.operator, &r.shift)?;
                self.positive("task.speed", *speed)?;
                for (name, d) in [("task.pick", pick), ("task.place", place)] {
                    self.handling_time(name, d.secs())?;
                }
                if r.scrap > 0.0 {
                    return Err(self.err(
                        "a transfer robot does not process parts, so it cannot scrap them: drop `scrap`",
                    ));
                }
                Ok(())
            }
        }
    }

    /// A pick or place time: zero is fine (travel may take the time); a
    /// sliver above it is not.
    fn handling_time(&self, name: &str, secs: f64) -> Result<(), Diagnostic> {
        if !(secs.is_finite() && secs >= 0.0) {
            return Err(self.err(format!("`{name}` must not be negative, got {secs} s")));
        }
        if secs > 0.0 && secs < self.ctx.shortest {
            return Err(self.err(too_short(&format!("`{name}`:"), secs, self.ctx.shortest)));
        }
        Ok(())
    }

    fn assembly(&self, a: &super::Assembly) -> Result<(), Diagnostic> {
        self.pos(a.pos)?;
        self.capacity("capacity", a.capacity)?;
        if a.inputs.is_empty() {
            return Err(self.err("an Assembly needs at least one input (product, quantity)"));
        }
        let mut seen = HashSet::new();
        for (p, q) in &a.inputs {
            self.ctx.product(self.id, p)?;
            if *q == 0 {
                return Err(self.err(format!("input \"{p}\" has quantity 0")));
            }
            if !seen.insert(p) {
                return Err(self.err(format!("input \"{p}\" is listed twice: give one quantity")));
            }
            if let Some(bin) = a.bin_capacity
                && bin < *q
            {
                return Err(self.err(format!(
                    "`bin_capacity` {bin} is less than the {q} \"{p}\" one assembly needs"
                )));
            }
        }
        self.ctx.product(self.id, &a.output)?;
        self.dist("cycle", &a.cycle)?;
        self.failures(&a.failures)?;
        self.prob("scrap", a.scrap)?;
        self.operator(&a.operator, &a.shift)?;
        self.power(&a.power_kw)?;
        self.maintenance(&a.maintenance)?;
        self.ctx.shift(self.id, &a.shift)
    }

    fn operators(&self, o: &super::Operators) -> Result<(), Diagnostic> {
        if let Some(p) = o.pos {
            self.pos(p)?;
        }
        self.ctx.shift(self.id, &o.shift)?;
        self.crews(o)?;
        if o.walks && o.pos.is_none() {
            return Err(self
                .err("has `walks: true` but no `pos`")
                .with_help("give the pool's post, `pos: (x, y)`: its operators start there"));
        }
        if !(o.wage_per_hour.is_finite() && o.wage_per_hour >= 0.0) {
            return Err(self.err("`wage_per_hour` must not be negative"));
        }
        self.helps(o)
    }

    /// `helps` names other Operators pools, each once.
    fn helps(&self, o: &super::Operators) -> Result<(), Diagnostic> {
        for (i, pool) in o.helps.iter().enumerate() {
            if *pool == o.id {
                return Err(self
                    .err(format!("`helps` names the pool itself (`helps[{i}]`)"))
                    .with_help("list the other pools whose stations these operators also serve"));
            }
            if o.helps[..i].contains(pool) {
                return Err(self.err(format!(
                    "`helps` names \"{pool}\" twice (`helps[{i}]`): list each pool once, in order of priority"
                )));
            }
            match self.ctx.objects.get(pool.as_str()) {
                Some(Object::Operators(_)) => {}
                Some(other) => {
                    return Err(self.err(format!(
                        "`helps[{i}]` must name an Operators pool; \"{pool}\" is a {}",
                        other.kind()
                    )));
                }
                None => {
                    let mut pools = self.ctx.pool_ids();
                    pools.retain(|id| *id != o.id);
                    let what = format!("operator pool (in `helps[{i}]`)");
                    return Err(unknown(self.id, &what, pool, &pools));
                }
            }
        }
        Ok(())
    }
}

impl Fields<'_, '_> {
    /// A carrier finishes no parts: only weekly windows can stop it
    /// (`who` starts the message: "vehicles make").
    fn weekly_maintenance_only(
        &self,
        who: &str,
        list: &[super::Maintenance],
    ) -> Result<(), Diagnostic> {
        if list
            .iter()
            .any(|m| !matches!(m, super::Maintenance::Weekly { .. }))
        {
            return Err(self.err(format!(
                "{who} no parts, so `EveryParts` or `EveryWork` maintenance would never come due: use a `Weekly` window"
            )));
        }
        Ok(())
    }

    /// Planned maintenance: windows that build as weekly patterns, stops
    /// after at least one part with a valid duration.
    fn maintenance(&self, list: &[super::Maintenance]) -> Result<(), Diagnostic> {
        for (kind, stops) in [
            (
                "EveryParts",
                list.iter()
                    .filter(|m| matches!(m, super::Maintenance::EveryParts { .. }))
                    .count(),
            ),
            (
                "EveryWork",
                list.iter()
                    .filter(|m| matches!(m, super::Maintenance::EveryWork { .. }))
                    .count(),
            ),
        ] {
            if stops > 1 {
                return Err(self.err(format!(
                    "`maintenance` has {stops} `{kind}` stops: give one (the shortest interval)"
                )));
            }
        }
        for (i, m) in list.iter().enumerate() {
            match m {
                super::Maintenance::Weekly { .. } => {
                    let window = m.window().expect("a weekly window");
                    let mut seen = HashSet::new();
                    for day in &window.days {
                        if !seen.insert(*day as usize) {
                            return Err(self
                                .err(format!("`maintenance[{i}]` lists {day:?} twice in `days`")));
                        }
                    }
                    ShiftCalendar::new(&window)
                        .map_err(|e| self.err(format!("`maintenance[{i}]`: {e}")))?;
                }
                super::Maintenance::EveryParts { parts, duration } => {
                    if *parts == 0 {
                        return Err(
                            self.err(format!("`maintenance[{i}].parts` must be at least 1"))
                        );
                    }
                    self.dist(&format!("maintenance[{i}].duration"), duration)?;
                }
                super::Maintenance::EveryWork { work, duration } => {
                    let w = work.secs();
                    if !(w.is_finite() && w > 0.0) {
                        return Err(self.err(format!(
                            "`maintenance[{i}].work` must be a positive duration, got {w} s"
                        )));
                    }
                    self.dist(&format!("maintenance[{i}].duration"), duration)?;
                }
            }
        }
        Ok(())
    }

    /// A station with its own shifts that needs a crew pool: some crew is on
    /// whenever the station is (else it would wait for no one).
    fn crews_cover(
        &self,
        pool: &str,
        o: &super::Operators,
        shift: &super::Shifts,
    ) -> Result<(), Diagnostic> {
        if o.crews.is_empty() || shift.is_empty() {
            return Ok(());
        }
        let calendar = |ids: Vec<&str>| {
            let each: Vec<ShiftCalendar> = ids
                .iter()
                .filter_map(|id| self.ctx.scene_shifts.iter().find(|s| s.id == *id))
                .filter_map(|s| ShiftCalendar::new(s).ok())
                .collect();
            ShiftCalendar::union(&each)
        };
        let station = calendar(shift.0.iter().map(String::as_str).collect());
        let crews = calendar(
            o.crews
                .iter()
                .filter(|(_, c)| **c > 0)
                .map(|(s, _)| s.as_str())
                .collect(),
        );
        let uncovered = station
            .intervals()
            .iter()
            .find(|&&(a, b)| !crews.intervals().iter().any(|&(pa, pb)| pa <= a && b <= pb));
        match uncovered {
            Some(&(a, b)) => Err(self
                .err(format!(
                    "works {} ({}) and needs an operator from \"{pool}\", which has no crew on shift then",
                    span(a, b),
                    shift
                ))
                .with_help(format!(
                    "give \"{pool}\" a crew on a shift that covers those hours, or change this station's `shift`"
                ))),
            None => Ok(()),
        }
    }

    /// A source fed by an order book: nothing random to set, and each order
    /// sane (a known product, at least one part, due no earlier than released).
    fn order_source(&self, s: &super::Source) -> Result<(), Diagnostic> {
        let random = [
            ("product", s.product.is_some()),
            ("mix", !s.mix.is_empty()),
            ("interarrival", s.interarrival.is_some()),
            ("due_in", s.due_in.is_some()),
            ("limit", s.limit.is_some()),
        ];
        if let Some((field, _)) = random.iter().find(|(_, set)| *set) {
            return Err(self.err(format!(
                "releases the parts of its orders, so `{field}` has no meaning here: drop it"
            )));
        }
        if let Some(f) = &s.orders_file {
            return Err(self.err(format!(
                "its `orders_file` \"{f}\" was not read: a scene with an order file must be loaded from a file (the path is relative to it)"
            )));
        }
        for (i, o) in s.orders.iter().enumerate() {
            let what = format!("order \"{}\" (`orders[{i}]`)", o.id);
            self.ctx.product(self.id, &o.product).map_err(|mut d| {
                d.message = format!("{what}: {}", d.message);
                d
            })?;
            if o.quantity == 0 {
                return Err(self.err(format!("{what}: `quantity` must be at least 1")));
            }
            let (release, due) = (o.release.secs(), o.due.secs());
            if !(release.is_finite() && release >= 0.0) {
                return Err(self.err(format!("{what}: `release` must not be negative")));
            }
            if !(due.is_finite() && due >= release) {
                return Err(self.err(format!(
                    "{what}: due at {due} s, before its release at {release} s"
                )));
            }
        }
        self.ctx.shift(self.id, &s.shift)
    }

    /// A fleet: at least one vehicle, a positive speed, load and unload
    /// times, weekly maintenance only (it finishes no parts).
    fn vehicles(&self, v: &super::Vehicles) -> Result<(), Diagnostic> {
        self.pos(v.pos)?;
        for (field, n) in [("count", v.count), ("capacity", v.capacity)] {
            if n == 0 {
                return Err(self
                    .err(format!(
                        "`{field}` is 0: the fleet could never carry a part"
                    ))
                    .with_help(format!(
                        "use at least 1, or drop the fleet and the `via: \"{}\"` of its flow edges",
                        v.id
                    )));
            }
        }
        self.positive("speed", v.speed)?;
        self.handling_time("load", v.load.secs())?;
        self.handling_time("unload", v.unload.secs())?;
        self.failures(&v.failures)?;
        self.power(&v.power_kw)?;
        self.weekly_maintenance_only("vehicles make", &v.maintenance)?;
        self.maintenance(&v.maintenance)?;
        self.ctx.shift(self.id, &v.shift)?;
        self.driver(&v.operator, &v.shift)
    }

    /// A carrier's operator: a pool as for any station, whose people do not
    /// walk (they ride with the carrier; no walk is modelled).
    fn driver(&self, op: &Option<String>, shift: &super::Shifts) -> Result<(), Diagnostic> {
        self.operator(op, shift)?;
        if let Some(pool) = op
            && let Some(Object::Operators(o)) = self.ctx.objects.get(pool.as_str())
            && o.walks
        {
            return Err(self
                .err(format!(
                    "needs an operator from \"{pool}\", whose operators walk: drivers ride with the carrier"
                ))
                .with_help(format!(
                    "give the drivers a pool of their own without `walks`, or drop `walks` from \"{pool}\""
                )));
        }
        Ok(())
    }

    /// Tending needs the operator who loads and unloads, and sane times.
    fn tending(&self, op: &Option<String>, t: &Option<super::Tending>) -> Result<(), Diagnostic> {
        let Some(t) = t else { return Ok(()) };
        if op.is_none() {
            return Err(self.err("has `tending` but no `operator`").with_help(
                "name the Operators pool whose people load and unload it, e.g. `operator: \"operators\"`",
            ));
        }
        self.dist("tending.load", &t.load)?;
        self.dist("tending.unload", &t.unload)
    }

    /// A setup: its times, each pair of known products given once, a
    /// known setter pool.
    fn setup(&self, field: &str, s: &super::Setup) -> Result<(), Diagnostic> {
        self.dist(&format!("{field}.time"), &s.time)?;
        let mut pairs = HashSet::new();
        for (i, c) in s.changes.iter().enumerate() {
            for p in [&c.from, &c.to] {
                self.ctx.product(self.id, p).map_err(|mut d| {
                    d.message = format!("`{field}.changes[{i}]` {}", d.message);
                    d
                })?;
            }
            if c.from == c.to {
                return Err(self.err(format!(
                    "`{field}.changes[{i}]` goes from \"{}\" to itself: a part of the same product needs no changeover",
                    c.from
                )));
            }
            if !pairs.insert((c.from.as_str(), c.to.as_str())) {
                return Err(self.err(format!(
                    "`{field}.changes` gives \"{}\" → \"{}\" twice",
                    c.from, c.to
                )));
            }
            self.dist(&format!("{field}.changes[{i}].time"), &c.time)?;
        }
        self.operator(&s.operator, &super::Shifts::default())
    }

    /// A pool has either `count` (with an optional `shift`) or `crews`,
    /// each crew on a known shift.
    fn crews(&self, o: &super::Operators) -> Result<(), Diagnostic> {
        match (&o.count, o.crews.is_empty()) {
            (None, true) => {
                return Err(self
                    .err("has no `count`")
                    .with_help("give the number of operators, e.g. `count: 2`, or a crew per shift, e.g. `crews: {\"early\": 3, \"late\": 2}`"));
            }
            (Some(_), false) => {
                return Err(self.err("has both `count` and `crews`").with_help(
                    "give either one `count` (and a `shift`) or a crew per shift in `crews`",
                ));
            }
            _ => {}
        }
        if !o.crews.is_empty() && !o.shift.is_empty() {
            return Err(self.err("has both `shift` and `crews`").with_help(
                "`crews` names the shifts: drop `shift` (the pool works the shifts of its crews)",
            ));
        }
        for s in o.crews.keys() {
            if !self.ctx.shifts.contains(&s.as_str()) {
                return Err(unknown(self.id, "shift in `crews`", s, self.ctx.shifts));
            }
        }
        Ok(())
    }
}

/// An outgoing flow edge, as the flow checks need it.
struct OutEdge<'a> {
    to: &'a str,
    /// Only this product may take the edge.
    product: Option<&'a str>,
    weight: Option<f64>,
    /// Carried by a transfer robot whose pick, place or travel takes time.
    takes_time: bool,
}

/// Outgoing edges per object.
type OutEdges<'a> = HashMap<&'a str, Vec<OutEdge<'a>>>;

/// A carrier: a transfer robot or a fleet of vehicles (not in the flow;
/// edges name it in `via`).
fn is_transfer_robot(o: &Object) -> bool {
    matches!(o, Object::Robot(r) if matches!(r.task, RobotTask::Transfer { .. }))
        || matches!(o, Object::Vehicles(_))
}

/// "transfer robot" or "fleet of vehicles", for messages.
fn carrier(o: &Object) -> &'static str {
    match o {
        Object::Vehicles(_) => "fleet of vehicles",
        _ => "transfer robot",
    }
}

fn check_flow(scene: &Scene, ctx: &Ctx) -> Result<(), Diagnostic> {
    let mut out: OutEdges<'_> = HashMap::new();
    let mut has_input: HashSet<&str> = HashSet::new();
    for flow in &scene.flow {
        let (from, to, product, weight, via) = match flow {
            Flow::Pair(a, b) => (a.as_str(), b.as_str(), None, None, None),
            Flow::Edge(e) => (
                e.from.as_str(),
                e.to.as_str(),
                e.product.as_deref(),
                e.weight,
                e.via.as_deref(),
            ),
        };
        let label = format!("(\"{from}\", \"{to}\")");
        let a = ctx.object(&label, from)?;
        let b = ctx.object(&label, to)?;
        if from == to {
            return Err(Diagnostic::new(format!(
                "flow edge {label} connects \"{from}\" to itself"
            )));
        }
        match a {
            Object::Sink(_) | Object::Operators(_) => {
                return Err(Diagnostic::object(
                    from,
                    format!(
                        "a {} cannot send parts anywhere (flow edge {label})",
                        a.kind()
                    ),
                ));
            }
            _ if is_transfer_robot(a) => {
                return Err(Diagnostic::object(
                    from,
                    format!(
                        "is a {}: mark the edges it serves with `via: \"{from}\"` instead of flowing through it",
                        carrier(a)
                    ),
                ));
            }
            _ => {}
        }
        match b {
            Object::Source(_) | Object::Operators(_) => {
                return Err(Diagnostic::object(
                    to,
                    format!("a {} cannot receive parts (flow edge {label})", b.kind()),
                ));
            }
            _ if is_transfer_robot(b) => {
                return Err(Diagnostic::object(
                    to,
                    format!(
                        "is a {}: mark the edges it serves with `via: \"{to}\"` instead of flowing through it",
                        carrier(b)
                    ),
                ));
            }
            _ => {}
        }
        if let Some(p) = product {
            ctx.product(from, p).map_err(|d| Diagnostic {
                message: format!("flow edge {label}: {}", d.message),
                object: None,
                ..d
            })?;
        }
        if let Some(w) = weight
            && !(0.0..=1.0).contains(&w)
        {
            return Err(Diagnostic::new(format!(
                "flow edge {label}: `weight` is a probability and must lie in [0, 1], got {w}"
            )));
        }
        let mut takes_time = false;
        if let Some(r) = via {
            let robot = ctx.object(&label, r)?;
            if let Object::Vehicles(v) = robot {
                // Vehicles go anywhere: the way back, the way there, a load and an unload.
                let (p, q) = (
                    a.exit_point().unwrap_or_default(),
                    b.entry_point().unwrap_or_default(),
                );
                let per_part =
                    2.0 * (p.0 - q.0).hypot(p.1 - q.1) / v.speed + v.load.secs() + v.unload.secs();
                out.entry(from).or_default().push(OutEdge {
                    to,
                    product,
                    weight,
                    takes_time: per_part >= ctx.shortest,
                });
                has_input.insert(to);
                continue;
            }
            let Object::Robot(robot) = robot else {
                return Err(Diagnostic::new(format!(
                    "flow edge {label}: `via` must name a transfer robot or a Vehicles fleet; \"{r}\" is a {}",
                    robot.kind()
                )));
            };
            if !matches!(robot.task, RobotTask::Transfer { .. }) {
                return Err(Diagnostic::object(
                    r,
                    format!(
                        "is a processing robot, but flow edge {label} uses it as a transfer robot"
                    ),
                ));
            }
            for (end, point) in [(from, a.exit_point()), (to, b.entry_point())] {
                if let Some(p) = point {
                    let d = (p.0 - robot.pos.0).hypot(p.1 - robot.pos.1);
                    if d > robot.reach + 1e-9 {
                        return Err(Diagnostic::object(
                            r,
                            format!(
                                "cannot reach \"{end}\": it is {d:.2} m away and the reach is {} m",
                                robot.reach
                            ),
                        )
                        .with_help("move the robot or the station, or raise `reach`"));
                    }
                }
            }
            // A part costs the robot the way back to the pick point, the way
            // to the place point, a pick and a place (the engine puts an object
            // without `pos` at the origin). Less than the shortest duration a
            // run accepts counts as no time: the clock might not advance.
            if let RobotTask::Transfer { speed, pick, place } = &robot.task {
                let (p, q) = (
                    a.exit_point().unwrap_or_default(),
                    b.entry_point().unwrap_or_default(),
                );
                let per_part =
                    2.0 * (p.0 - q.0).hypot(p.1 - q.1) / speed + pick.secs() + place.secs();
                takes_time = per_part >= ctx.shortest;
            }
        }
        out.entry(from).or_default().push(OutEdge {
            to,
            product,
            weight,
            takes_time,
        });
        has_input.insert(to);
    }

    // Probabilistic routing: all or none of a node's edges weighted, summing to 1 per product.
    for (from, edges) in &out {
        let weighted = edges.iter().filter(|e| e.weight.is_some()).count();
        if weighted == 0 {
            continue;
        }
        if weighted != edges.len() {
            return Err(Diagnostic::object(
                from,
                "some outgoing flow edges have a `weight` and some do not: give every edge a weight, or none",
            ));
        }
        for p in ctx.products {
            let sum: f64 = edges
                .iter()
                .filter(|e| e.product.is_none_or(|q| q == *p))
                .map(|e| e.weight.unwrap_or(0.0))
                .sum();
            let any = edges.iter().any(|e| e.product.is_none_or(|q| q == *p));
            if any && (sum - 1.0).abs() > 1e-6 {
                return Err(Diagnostic::object(
                    from,
                    format!(
                        "the weights of its outgoing edges for product \"{p}\" sum to {sum}, not 1"
                    ),
                ));
            }
        }
    }

    for object in &scene.objects {
        let id = object.id();
        let gets_parts = has_input.contains(id) || matches!(object, Object::Source(_));
        let sends = matches!(
            object,
            Object::Source(_)
                | Object::Machine(_)
                | Object::Buffer(_)
                | Object::Conveyor(_)
                | Object::Assembly(_)
        ) || matches!(object, Object::Robot(_) if !is_transfer_robot(object));
        if sends && gets_parts && !out.contains_key(id) {
            return Err(Diagnostic::object(
                id,
                "parts arrive here but have nowhere to go: add a flow edge from it",
            ));
        }
        if matches!(object, Object::Sink(_)) && !has_input.contains(id) {
            return Err(Diagnostic::object(
                id,
                "this sink is unreachable: no flow edge leads to it",
            ));
        }
        if sends && !gets_parts {
            return Err(Diagnostic::object(
                id,
                "no flow edge leads here, so it would never see a part",
            )
            .with_help("connect it, or remove it"));
        }
    }
    if !scene.objects.iter().any(|o| matches!(o, Object::Source(_))) {
        return Err(Diagnostic::new(
            "the scene has no Source: no part would ever enter",
        ));
    }
    check_deadlock_cycles(scene, &out)?;
    check_sinks_reachable(scene, &out)?;
    check_zero_time_paths(scene, &out)
}

/// A saturated source (no interarrival, no limit) must not reach a sink
/// through buffers alone (or transfer robots that pick and place in no time
/// between two points in the same place): nothing on the way takes time, so
/// it would release parts without end at one instant and the run would never
/// advance.
fn check_zero_time_paths(scene: &Scene, out: &OutEdges<'_>) -> Result<(), Diagnostic> {
    let kinds: HashMap<&str, &Object> = scene.objects.iter().map(|o| (o.id(), o)).collect();
    for object in &scene.objects {
        let Object::Source(s) = object else { continue };
        // An order book is finite, like a limit.
        if s.interarrival.is_some() || s.limit.is_some() || !s.orders.is_empty() {
            continue;
        }
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut todo = vec![s.id.as_str()];
        while let Some(node) = todo.pop() {
            if !seen.insert(node) {
                continue;
            }
            let edges = out.get(node).map(Vec::as_slice).unwrap_or_default();
            for to in edges.iter().filter(|e| !e.takes_time).map(|e| e.to) {
                match kinds.get(to) {
                    Some(Object::Sink(_)) => {
                        return Err(Diagnostic::object(
                            &s.id,
                            format!(
                                "this source is saturated (no `interarrival`) and its parts reach the sink \"{to}\" without passing a machine, robot or conveyor that takes time: nothing takes time on the way, so it would release parts without end at one instant"
                            ),
                        )
                        .with_help("give the source an `interarrival` or a `limit`, or put a station between it and the sink (a transfer robot on the way counts when its `pick`, `place` or travel takes time)"));
                    }
                    Some(Object::Buffer(_)) => todo.push(to),
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// A cycle made only of stations (no buffer or conveyor) can fill up and
/// lock: every station holds a part the next one cannot take.
fn check_deadlock_cycles(scene: &Scene, out: &OutEdges<'_>) -> Result<(), Diagnostic> {
    let kinds: HashMap<&str, &Object> = scene.objects.iter().map(|o| (o.id(), o)).collect();
    // Tarjan's strongly connected components, iteratively on a small graph.
    let nodes: Vec<&str> = scene.objects.iter().map(Object::id).collect();
    let index_of: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let adj: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            out.get(n)
                .map(|es| es.iter().map(|e| index_of[e.to]).collect())
                .unwrap_or_default()
        })
        .collect();
    for comp in strongly_connected(&adj) {
        if comp.len() < 2 {
            continue;
        }
        let has_store = comp
            .iter()
            .any(|&i| matches!(kinds[nodes[i]], Object::Buffer(_) | Object::Conveyor(_)));
        if !has_store {
            let mut names: Vec<&str> = comp.iter().map(|&i| nodes[i]).collect();
            names.sort_unstable();
            return Err(Diagnostic::new(format!(
                "the flow has a loop through {} with no buffer or conveyor: once every station holds a part it can deadlock",
                names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
            ))
            .with_help("put a Buffer into the loop"));
        }
    }
    Ok(())
}

fn strongly_connected(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct T<'a> {
        adj: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    impl T<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on[v] = true;
            for &w in &self.adj[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(iw) if self.on[w] => self.low[v] = self.low[v].min(iw),
                    _ => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                self.out.push(comp);
            }
        }
    }
    let n = adj.len();
    let mut t = T {
        adj,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            t.visit(v);
        }
    }
    t.out
}

/// Every product a source emits (its product, its mix, its orders') must
/// be able to reach a sink along edges that admit it (an assembly turns its
/// inputs into its output), and must never arrive where no edge takes it on.
fn check_sinks_reachable(scene: &Scene, out: &OutEdges<'_>) -> Result<(), Diagnostic> {
    let kinds: HashMap<&str, &Object> = scene.objects.iter().map(|o| (o.id(), o)).collect();
    for object in &scene.objects {
        let Object::Source(s) = object else { continue };
        let mut products: Vec<&str> = match &s.product {
            Some(p) => vec![p.as_str()],
            None => s
                .mix
                .iter()
                .filter(|(_, w)| *w > 0.0)
                .map(|(p, _)| p.as_str())
                .collect(),
        };
        for o in &s.orders {
            if !products.contains(&o.product.as_str()) {
                products.push(&o.product);
            }
        }
        for product in products {
            route(&kinds, out, &s.id, product)?;
        }
    }
    Ok(())
}

/// Follows `product` from source `from`: an error names the first object
/// where it is stuck, or the source when no sink can be reached.
fn route(
    kinds: &HashMap<&str, &Object>,
    out: &OutEdges<'_>,
    from: &str,
    product: &str,
) -> Result<(), Diagnostic> {
    let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut todo = vec![(from, product)];
    let mut reached = false;
    while let Some((node, prod)) = todo.pop() {
        if !seen.insert((node, prod)) {
            continue;
        }
        let prod = match kinds[node] {
            Object::Sink(_) => {
                reached = true;
                continue;
            }
            Object::Assembly(a) if a.inputs.iter().any(|(p, _)| p == prod) => a.output.as_str(),
            Object::Assembly(_) => {
                return Err(Diagnostic::object(
                    node,
                    format!("parts of product \"{prod}\" (from \"{from}\") arrive here, but this assembly does not use them"),
                )
                .with_help("give the edge into it a `product` filter, or add the product to its `inputs`"));
            }
            _ => prod,
        };
        let edges = out.get(node).map(Vec::as_slice).unwrap_or_default();
        let mut onward = edges
            .iter()
            .filter(|e| e.product.is_none_or(|f| f == prod))
            .peekable();
        if onward.peek().is_none() {
            return Err(Diagnostic::object(
                node,
                format!("parts of product \"{prod}\" (from \"{from}\") arrive here, but no flow edge takes them on: they would wait here for ever"),
            )
            .with_help("add a flow edge from it for this product, or filter the edges that bring it here"));
        }
        todo.extend(onward.map(|e| (e.to, prod)));
    }
    if reached {
        Ok(())
    } else {
        Err(Diagnostic::object(
            from,
            format!("parts of product \"{product}\" made here can never reach a Sink"),
        )
        .with_help("check the flow edges and their `product` filters"))
    }
}
