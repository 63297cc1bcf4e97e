//! A scene built from the log alone, when the user has none: the resources
//! that worked on parts become machines (with their fitted cycles and
//! failures), those parts only passed through become buffers (as large as
//! the most parts seen in them at once), arrivals become a source and exits
//! a sink; the flow is what the parts' routes show, each edge taken by at
//! least 1 % of the parts; positions are laid out on a grid, left to right
//! by the step at which parts reach them. A starting point to review, not a
//! finished model: the header says what was guessed.

use super::log::{Event, Kind, Log};
use super::variant::{chosen, scene_syntax};
use super::{Fitting, Measure};
use crate::scene::{Dist, Duration};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// What a resource of the log is in the skeleton.
/// Ordered by how much an event says: a resource that parts only enter is
/// a buffer, one they also leave the line at a sink, one that works on
/// them a machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Buffer,
    Source,
    Sink,
    Machine,
}

/// The skeleton's text and how many objects it has.
pub fn write(log: &Log, log_name: &str, fittings: &[Fitting]) -> Result<(String, usize), String> {
    let routes = routes(log);
    let mut roles: BTreeMap<&str, Role> = BTreeMap::new();
    for e in &log.events {
        let role = match e.kind {
            Kind::Arrive => Role::Source,
            Kind::Start | Kind::Finish | Kind::Fail | Kind::Setup => Role::Machine,
            Kind::Exit => Role::Sink,
            Kind::Enter => Role::Buffer,
            _ => continue,
        };
        // Parts "enter" machines and sinks too: what else happens there
        // says what the resource is.
        let r = roles.entry(&e.resource).or_insert(role);
        *r = (*r).max(role);
    }
    if !roles.values().any(|r| *r == Role::Machine) {
        return Err(
            "the log has no resource that starts and finishes parts: nothing to build a scene from"
                .into(),
        );
    }
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut ends: BTreeMap<(String, String), usize> = BTreeMap::new();
    let has = |role: Role| roles.values().any(|r| *r == role);
    for route in routes.values() {
        for w in route.windows(2) {
            *edges.entry((w[0].clone(), w[1].clone())).or_default() += 1;
        }
        // A source and a sink where the log has none: before the first
        // resource of each route, after the last.
        if let (false, Some(first)) = (has(Role::Source), route.first()) {
            *ends.entry(("arrivals".into(), first.clone())).or_default() += 1;
        }
        if let (false, Some(last)) = (has(Role::Sink), route.last()) {
            *ends.entry((last.clone(), "out".into())).or_default() += 1;
        }
    }
    edges.extend(ends);
    // Edges few parts took are the log's loose ends (parts still in the
    // line when it ends), not the flow.
    let parts = routes.len().max(1);
    edges.retain(|_, n| *n * 100 >= parts);
    let mut ids: Vec<(String, Role)> = roles.iter().map(|(r, k)| (r.to_string(), *k)).collect();
    if !has(Role::Source) {
        ids.push(("arrivals".into(), Role::Source));
    }
    if !has(Role::Sink) {
        ids.push(("out".into(), Role::Sink));
    }
    let depth = depths(&ids, &edges);
    // Left to right as parts go.
    ids.sort_by_key(|(id, _)| (depth.get(id).copied().unwrap_or(usize::MAX), id.clone()));
    let capacity = buffer_sizes(log);
    let places = places(log);
    let mut objects = String::new();
    let mut row: BTreeMap<usize, usize> = BTreeMap::new();
    for (id, role) in &ids {
        let d = depth.get(id).copied().unwrap_or(0);
        let y = row.entry(d).or_default();
        let pos = format!("({}, {})", d * 4, *y * 3);
        *y += 1;
        let fitted = |m: Measure| {
            fittings
                .iter()
                .find(|f| f.resource == *id && f.measure == m && f.product.is_none())
                .and_then(chosen)
        };
        let dist = |d: &Dist| scene_syntax(d).map_err(|e| format!("cannot write {id}: {e}"));
        let line = match role {
            Role::Source => {
                let arrivals = match fitted(Measure::Interarrival) {
                    Some((d, _)) => format!(", interarrival: {}", dist(&d)?),
                    None => String::new(),
                };
                format!("Source(id: {id:?}, pos: {pos}, product: \"part\"{arrivals}),")
            }
            Role::Sink => format!("Sink(id: {id:?}, pos: {pos}),"),
            Role::Buffer => format!(
                "Buffer(id: {id:?}, pos: {pos}, capacity: {}),",
                capacity.get(id.as_str()).copied().unwrap_or(1).max(1)
            ),
            Role::Machine => {
                let cycle = fitted(Measure::Cycle)
                    .map(|(d, _)| d)
                    .unwrap_or(Dist::Constant(Duration::Seconds(60.0)));
                let failures = match (fitted(Measure::BetweenFailures), fitted(Measure::Repair)) {
                    (Some((b, _)), Some((r, _))) => format!(
                        ", failures: (between: {}, repair: {})",
                        dist(&b)?,
                        dist(&r)?
                    ),
                    _ => String::new(),
                };
                let guessed = if fitted(Measure::Cycle).is_none() {
                    "  // cycle guessed: too few cycles in the log to fit"
                } else {
                    ""
                };
                let capacity = match places.get(id.as_str()) {
                    Some(&n) if n > 1 => format!(", capacity: {n}"),
                    _ => String::new(),
                };
                format!(
                    "Machine(id: {id:?}, pos: {pos}{capacity}, cycle: {}{failures}),{guessed}",
                    dist(&cycle)?
                )
            }
        };
        let _ = writeln!(objects, "        {line}");
    }
    let mut flow = String::new();
    for ((a, b), n) in &edges {
        let _ = writeln!(flow, "        ({a:?}, {b:?}),  // {n} parts");
    }
    let text = format!(
        "// A scene skeleton built by `factory-twin fit` from the event log {log_name}:\n\
         // machines are the resources that worked on parts (cycles and failures\n\
         // fitted where the log had enough of them), buffers those parts only\n\
         // entered (sized to the most parts seen in them at once), the flow what\n\
         // the parts' routes show. Review it: positions are a grid, operators,\n\
         // shifts and products are not in an event log.\n\
         Scene(\n    name: {:?},\n    run: (horizon: Hours(40), warmup: Hours(1), seed: 1, replications: 10),\n    products: [Product(id: \"part\")],\n    objects: [\n{objects}    ],\n    flow: [\n{flow}    ],\n)\n",
        format!("Skeleton from {log_name}"),
    );
    Ok((text, ids.len()))
}

/// The most parts each resource worked on at once.
fn places(log: &Log) -> BTreeMap<&str, usize> {
    let mut open: BTreeMap<(u32, &str), usize> = BTreeMap::new();
    let mut most: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &log.events {
        let n = open.entry((e.replication, &e.resource)).or_default();
        match e.kind {
            Kind::Start => {
                *n += 1;
                let m = most.entry(&e.resource).or_default();
                *m = (*m).max(*n);
            }
            Kind::Finish | Kind::Scrap => *n = n.saturating_sub(1),
            _ => {}
        }
    }
    most
}

/// Each part's resources in the order it met them (repeats collapsed).
fn routes(log: &Log) -> BTreeMap<(u32, &str), Vec<String>> {
    let mut out: BTreeMap<(u32, &str), Vec<String>> = BTreeMap::new();
    for e in &log.events {
        let (Some(p), true) = (
            e.part.as_deref(),
            matches!(
                e.kind,
                Kind::Arrive | Kind::Enter | Kind::Start | Kind::Exit
            ),
        ) else {
            continue;
        };
        let r = out.entry((e.replication, p)).or_default();
        if r.last() != Some(&e.resource) {
            r.push(e.resource.clone());
        }
    }
    out
}

/// The step at which parts first reach each object (sources at 0).
fn depths(
    ids: &[(String, Role)],
    edges: &BTreeMap<(String, String), usize>,
) -> BTreeMap<String, usize> {
    let mut depth: BTreeMap<String, usize> = ids
        .iter()
        .filter(|(_, r)| *r == Role::Source)
        .map(|(id, _)| (id.clone(), 0))
        .collect();
    let mut frontier: std::collections::VecDeque<String> = depth.keys().cloned().collect();
    while let Some(a) = frontier.pop_front() {
        let d = depth[&a] + 1;
        for (_, to) in edges.keys().filter(|(f, _)| *f == a) {
            if !depth.contains_key(to) {
                depth.insert(to.clone(), d);
                frontier.push_back(to.clone());
            }
        }
    }
    depth
}

/// The most parts seen at once in each resource parts enter and leave
/// without work: from their enter to their next event elsewhere.
fn buffer_sizes(log: &Log) -> BTreeMap<&str, usize> {
    let mut inside: BTreeMap<&str, BTreeSet<(u32, &str)>> = BTreeMap::new();
    let mut at: BTreeMap<(u32, &str), &str> = BTreeMap::new();
    let mut most: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &log.events {
        let Some(p) = e.part.as_deref() else { continue };
        let key = (e.replication, p);
        leave(&mut inside, &mut at, key, e);
        if e.kind == Kind::Enter {
            let set = inside.entry(&e.resource).or_default();
            set.insert(key);
            at.insert(key, &e.resource);
            let m = most.entry(&e.resource).or_default();
            *m = (*m).max(set.len());
        }
    }
    most
}

fn leave<'a>(
    inside: &mut BTreeMap<&'a str, BTreeSet<(u32, &'a str)>>,
    at: &mut BTreeMap<(u32, &'a str), &'a str>,
    key: (u32, &'a str),
    e: &Event,
) {
    if let Some(r) = at.get(&key).copied().filter(|r| *r != e.resource) {
        if let Some(s) = inside.get_mut(r) {
            s.remove(&key);
        }
        at.remove(&key);
    }
}
