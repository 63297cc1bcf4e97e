//! `factory-twin serve SCENE --mqtt URL`: the virtual plant. One replication
//! of the scene runs in real time times `--speed`, and every event, station
//! state, counter and buffer level goes out on the topic tree of `topics`
//! as it happens, so SCADA, MES and dashboards (and `monitor`) can connect
//! to a plant without hardware. Nothing is dropped: when the broker is away
//! the messages wait in a bounded queue, and when that is full the plant
//! waits too (its clock stops), so a subscriber sees every event in order.

use super::broker::{Link, Url};
use super::topics::{
    Birth, BirthObject, CountersMsg, EventMsg, LevelMsg, StateMsg, StatusMsg, level, line_topic,
    object_topic,
};
use crate::scene::Scene;
use crate::sim::{self, NodeKind, State};
use rumqttc::QoS;
use std::time::{Duration, Instant};

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Simulated seconds per wall-clock second.
    pub speed: f64,
    /// Stop at this simulated time (seconds from Monday 00:00); default the
    /// run's end (warm-up and horizon).
    pub until_s: Option<f64>,
    /// The line's id in the topics.
    pub line: String,
    /// Which replication's random streams (0 is `run --reps 1`'s).
    pub replication: u32,
    /// The CA certificates of a TLS broker (default: the system's roots).
    pub ca: Option<std::path::PathBuf>,
    /// At this simulated time, the machines' cycles become those of this
    /// scene (a variant of the served one): a plant that changes while it
    /// is watched, for drift checks and training.
    pub switch: Option<(f64, Scene)>,
}

/// What was served.
#[derive(Clone, Debug)]
pub struct Served {
    pub events: u64,
    pub end_s: f64,
    pub messages: u64,
}

/// Messages waiting to go out before `publish` waits (and the plant with it).
const QUEUE: usize = 10_000;

/// Serves `scene` until its end or `until_s`. The error is a message for
/// the user (the scene cannot be built).
pub fn serve(scene: &Scene, url: &Url, o: &ServeOptions) -> Result<Served, String> {
    let mut engine = sim::build_logged(scene, o.replication).map_err(|d| d.to_string())?;
    let end = o.until_s.unwrap_or(f64::INFINITY).min(engine.end_time());
    let topics: Vec<String> = engine.nodes.iter().map(|n| level(&n.id)).collect();
    let status = line_topic(&o.line, "status");
    let offline = serde_json::to_string(&StatusMsg {
        status: "offline".into(),
        events: None,
        t: None,
    })
    .expect("serialises");
    let options = url.options(
        &format!("factory-twin-serve-{}-{}", o.line, std::process::id()),
        Some((status.clone(), offline)),
        o.ca.as_deref(),
    )?;
    let link = Link::open(url, options, QUEUE, "serve");
    let mut out = Out {
        link,
        messages: 0,
        at_least_once: 0,
    };
    let birth = Birth {
        scene: scene.name.clone(),
        line: o.line.clone(),
        objects: scene
            .objects
            .iter()
            .map(|x| BirthObject {
                id: x.id().to_string(),
                topic: level(x.id()),
                kind: x.kind().to_string(),
            })
            .collect(),
        speed: o.speed,
    };
    out.send(&line_topic(&o.line, "birth"), &birth, true);
    out.send(
        &status,
        &StatusMsg {
            status: "online".into(),
            events: None,
            t: Some(0.0),
        },
        true,
    );
    let mut seq = 0u64;
    let mut sent_log = 0usize;
    let mut states: Vec<Option<State>> = vec![None; engine.nodes.len()];
    let mut levels: Vec<Option<u32>> = vec![None; engine.nodes.len()];
    let mut counts: Vec<(u64, u64)> = vec![(0, 0); engine.nodes.len()];
    let start = Instant::now();
    let mut switch = o.switch.as_ref();
    loop {
        let mut target = (start.elapsed().as_secs_f64() * o.speed).min(end);
        if let Some((at, variant)) = switch {
            if engine.now >= *at {
                for id in switch_to(&mut engine, scene, variant)? {
                    eprintln!(
                        "serve: at t = {:.0} s, {id} now runs the cycle of {}",
                        engine.now, variant.name
                    );
                }
                switch = None;
            } else {
                target = target.min(*at);
            }
        }
        // One event at a time, so that every change of a station's state is
        // published with its own time (a plant's state feed), not sampled.
        if engine.advance_bounded(target, 1) == 0 {
            if now_idle(&engine, end, o.speed, start) {
                break;
            }
            continue;
        }
        let now = engine.now;
        // New events, in order.
        let logged = engine.log.as_ref().map_or(0, Vec::len);
        for k in sent_log..logged {
            let rec = engine.log.as_ref().expect("a logged engine")[k];
            seq += 1;
            let node = rec.node as usize;
            let msg = EventMsg {
                seq,
                t: rec.time,
                event: rec.event.name().to_string(),
                part: (rec.part != 0).then_some(rec.part),
                product: engine.products.get(usize::from(rec.product)).cloned(),
            };
            out.send(&object_topic(&o.line, &topics[node], "event"), &msg, false);
            let c = &mut counts[node];
            match rec.event {
                sim::LogEvent::Finish => c.0 += 1,
                sim::LogEvent::Scrap => c.1 += 1,
                _ => continue,
            }
            let counters = CountersMsg {
                t: rec.time,
                good: c.0,
                scrap: c.1,
            };
            out.send(
                &object_topic(&o.line, &topics[node], "counters"),
                &counters,
                true,
            );
        }
        sent_log = logged;
        // States and levels that changed.
        for (i, n) in engine.nodes.iter().enumerate() {
            match &n.kind {
                NodeKind::Station(s) => {
                    let st = s.state();
                    if states[i] != Some(st) {
                        states[i] = Some(st);
                        out.send(
                            &object_topic(&o.line, &topics[i], "state"),
                            &StateMsg::of(now, st),
                            true,
                        );
                    }
                }
                NodeKind::Buffer(b) => {
                    let msg = LevelMsg {
                        t: now,
                        level: b.level(),
                        capacity: b.capacity,
                    };
                    if levels[i] != Some(msg.level) {
                        levels[i] = Some(msg.level);
                        out.send_quick(&object_topic(&o.line, &topics[i], "level"), &msg);
                    }
                }
                NodeKind::Conveyor(c) => {
                    let msg = LevelMsg {
                        t: now,
                        level: c.content.level,
                        capacity: c.capacity,
                    };
                    if levels[i] != Some(msg.level) {
                        levels[i] = Some(msg.level);
                        out.send_quick(&object_topic(&o.line, &topics[i], "level"), &msg);
                    }
                }
                _ => {}
            }
        }
        if now >= end || engine.finished || crate::experiment::stop_requested() {
            break;
        }
    }
    let end_s = engine.now;
    out.send(
        &status,
        &StatusMsg {
            status: "finished".into(),
            events: Some(seq),
            t: Some(end_s),
        },
        true,
    );
    let messages = out.messages;
    // Every at-least-once message acknowledged before the line goes: a
    // subscriber then has all of them.
    if !out
        .link
        .close_after(out.at_least_once, Duration::from_secs(30))
    {
        eprintln!(
            "serve: the broker did not acknowledge every message within 30 s; a subscriber may miss the last ones"
        );
    }
    Ok(Served {
        events: seq,
        end_s,
        messages,
    })
}

/// Gives each machine whose cycles differ in `variant` the variant's; the
/// ids changed.
fn switch_to(
    engine: &mut sim::Engine,
    scene: &Scene,
    variant: &Scene,
) -> Result<Vec<String>, String> {
    let mut changed = Vec::new();
    for o in &variant.objects {
        let crate::scene::Object::Machine(v) = o else {
            continue;
        };
        let same = scene.objects.iter().any(|b| match b {
            crate::scene::Object::Machine(m) => {
                m.id == v.id && m.cycle == v.cycle && m.product_cycles == v.product_cycles
            }
            _ => false,
        });
        if !same {
            sim::switch_cycles(engine, &v.id, &v.cycle, &v.product_cycles)
                .map_err(|d| d.to_string())?;
            changed.push(v.id.clone());
        }
    }
    Ok(changed)
}

/// Nothing was due yet: true when the run is over (or a stop was asked);
/// else sleeps until the next event is due (at most 50 ms of wall time).
fn now_idle(engine: &sim::Engine, end: f64, speed: f64, start: Instant) -> bool {
    if engine.now >= end || engine.finished || crate::experiment::stop_requested() {
        return true;
    }
    let next = engine.next_event_time().unwrap_or(end).min(end);
    let wait = (next / speed - start.elapsed().as_secs_f64()).clamp(0.0, 0.05);
    std::thread::sleep(Duration::from_secs_f64(wait));
    false
}

/// The publishing side.
struct Out {
    link: Link,
    messages: u64,
    /// Sent at least once: each is acknowledged by the broker.
    at_least_once: u64,
}

impl Out {
    /// At least once; waits while the queue is full.
    fn send<T: serde::Serialize>(&mut self, topic: &str, msg: &T, retain: bool) {
        let payload = serde_json::to_vec(msg).expect("serialises");
        self.messages += 1;
        self.at_least_once += 1;
        // An error here means the connection thread has ended: nothing left
        // to send to.
        let _ = self
            .link
            .client
            .publish(topic, QoS::AtLeastOnce, retain, payload);
    }

    /// At most once, retained: levels, whose next value replaces this one.
    fn send_quick<T: serde::Serialize>(&mut self, topic: &str, msg: &T) {
        let payload = serde_json::to_vec(msg).expect("serialises");
        self.messages += 1;
        let _ = self
            .link
            .client
            .publish(topic, QoS::AtMostOnce, true, payload);
    }
}
