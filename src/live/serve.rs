//! `factory-twin serve SCENE --mqtt URL --opcua URL`: the virtual plant. One
//! replication of the scene runs in real time times `--speed`, and every
//! event, station state, counter and buffer level goes out as it happens, on
//! the MQTT topic tree of `topics` and in the OPC UA address space of
//! `opcua`, so SCADA, MES and dashboards (and `monitor`) can connect to a
//! plant without hardware. Nothing is dropped on MQTT: when the broker is
//! away the messages wait in a bounded queue, and when that is full the
//! plant waits too (its clock stops), so a subscriber sees every event in
//! order. On OPC UA each client's monitored items hold up to 10 000 changes
//! between publishes and then drop the oldest (a gap in `seq`).

use super::broker::{Link, Url};
use super::opcua;
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
    /// With OPC UA: start the plant's clock when a client has subscribed
    /// (a server has no broker to hold what a late client missed).
    pub wait_for_client: bool,
}

/// What was served.
#[derive(Clone, Debug)]
pub struct Served {
    pub events: u64,
    pub end_s: f64,
    pub messages: u64,
    /// Wall-clock seconds from the plant's start to its last message.
    pub wall_s: f64,
}

/// Messages waiting to go out before `publish` waits (and the plant with it).
const QUEUE: usize = 10_000;

/// Where the plant is served: an MQTT broker, an OPC UA server, or both.
pub struct Wire {
    pub mqtt: Option<Url>,
    pub opcua: Option<(opcua::Endpoint, opcua::Security)>,
}

/// Serves `scene` until its end or `until_s`. The error is a message for
/// the user (the scene cannot be built, the OPC UA port is taken).
pub fn serve(scene: &Scene, wire: &Wire, o: &ServeOptions) -> Result<Served, String> {
    let mut engine = sim::build_logged(scene, o.replication).map_err(|d| d.to_string())?;
    let end = o.until_s.unwrap_or(f64::INFINITY).min(engine.end_time());
    let mut out = Out::open(&engine, wire, o)?;
    out.birth(&Birth {
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
    });
    out.status(&StatusMsg {
        status: "online".into(),
        events: None,
        t: Some(0.0),
    });
    if o.wait_for_client
        && let Some(s) = &out.opcua
    {
        eprintln!("serve: waiting for an OPC UA client to subscribe");
        s.wait_for_client();
    }
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
            out.event(
                node,
                &EventMsg {
                    seq,
                    t: rec.time,
                    event: rec.event.name().to_string(),
                    part: (rec.part != 0).then_some(rec.part),
                    product: engine.products.get(usize::from(rec.product)).cloned(),
                },
            );
            let c = &mut counts[node];
            match rec.event {
                sim::LogEvent::Finish => c.0 += 1,
                sim::LogEvent::Scrap => c.1 += 1,
                _ => continue,
            }
            out.counters(
                node,
                &CountersMsg {
                    t: rec.time,
                    good: c.0,
                    scrap: c.1,
                },
            );
        }
        sent_log = logged;
        // States and levels that changed.
        for (i, n) in engine.nodes.iter().enumerate() {
            let (lvl, capacity) = match &n.kind {
                NodeKind::Station(s) => {
                    let st = s.state();
                    if states[i] != Some(st) {
                        states[i] = Some(st);
                        out.state(i, &StateMsg::of(now, st));
                    }
                    continue;
                }
                NodeKind::Buffer(b) => (b.level(), b.capacity),
                NodeKind::Conveyor(c) => (c.content.level, c.capacity),
                _ => continue,
            };
            if levels[i] != Some(lvl) {
                levels[i] = Some(lvl);
                out.level(
                    i,
                    &LevelMsg {
                        t: now,
                        level: lvl,
                        capacity,
                    },
                );
            }
        }
        if now >= end || engine.finished || crate::experiment::stop_requested() {
            break;
        }
    }
    let end_s = engine.now;
    out.status(&StatusMsg {
        status: "finished".into(),
        events: Some(seq),
        t: Some(end_s),
    });
    let messages = out.messages;
    let wall_s = start.elapsed().as_secs_f64();
    out.close();
    Ok(Served {
        events: seq,
        end_s,
        messages,
        wall_s,
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

/// The publishing side: the MQTT topic tree, the OPC UA address space, or
/// both, fed the same messages.
struct Out {
    mqtt: Option<MqttOut>,
    opcua: Option<opcua::Server>,
    messages: u64,
}

/// The MQTT side: a broker link and the topic names.
struct MqttOut {
    link: Link,
    line: String,
    topics: Vec<String>,
    /// Sent at least once: each is acknowledged by the broker.
    at_least_once: u64,
}

/// How long `serve` keeps its OPC UA server up after the run while a
/// client is still connected (reading the last changes).
const LINGER: Duration = Duration::from_secs(30);

impl Out {
    fn open(engine: &sim::Engine, wire: &Wire, o: &ServeOptions) -> Result<Out, String> {
        let topics: Vec<String> = engine.nodes.iter().map(|n| level(&n.id)).collect();
        let mqtt = match &wire.mqtt {
            Some(url) => {
                let offline = serde_json::to_string(&StatusMsg {
                    status: "offline".into(),
                    events: None,
                    t: None,
                })
                .expect("serialises");
                let options = url.options(
                    &format!("factory-twin-serve-{}-{}", o.line, std::process::id()),
                    Some((line_topic(&o.line, "status"), offline)),
                    o.ca.as_deref(),
                )?;
                Some(MqttOut {
                    link: Link::open(url, options, QUEUE, "serve"),
                    line: o.line.clone(),
                    topics: topics.clone(),
                    at_least_once: 0,
                })
            }
            None => None,
        };
        let opcua = match &wire.opcua {
            Some((ep, sec)) => {
                let objects: Vec<(String, String, opcua::Role)> = engine
                    .nodes
                    .iter()
                    .zip(&topics)
                    .map(|(n, t)| {
                        let role = match n.kind {
                            NodeKind::Station(_) => opcua::Role::Station,
                            NodeKind::Buffer(_) | NodeKind::Conveyor(_) => opcua::Role::Store,
                            _ => opcua::Role::Other,
                        };
                        (n.id.clone(), t.clone(), role)
                    })
                    .collect();
                Some(opcua::Server::start(ep, sec, &o.line, &objects)?)
            }
            None => None,
        };
        Ok(Out {
            mqtt,
            opcua,
            messages: 0,
        })
    }

    fn birth(&mut self, b: &Birth) {
        self.mqtt(None, "birth", b, true);
        if let Some(s) = &self.opcua {
            s.birth(b);
        }
    }

    fn status(&mut self, st: &StatusMsg) {
        self.mqtt(None, "status", st, true);
        if let Some(s) = &self.opcua {
            s.status(st);
        }
    }

    fn event(&mut self, node: usize, e: &EventMsg) {
        self.mqtt(Some(node), "event", e, false);
        if let Some(s) = &self.opcua {
            s.event(node, e);
        }
    }

    fn state(&mut self, node: usize, st: &StateMsg) {
        self.mqtt(Some(node), "state", st, true);
        if let Some(s) = &self.opcua {
            s.state(node, st);
        }
    }

    fn counters(&mut self, node: usize, c: &CountersMsg) {
        self.mqtt(Some(node), "counters", c, true);
        if let Some(s) = &self.opcua {
            s.counters(node, c);
        }
    }

    fn level(&mut self, node: usize, l: &LevelMsg) {
        self.messages += 1;
        if let Some(m) = &mut self.mqtt {
            let topic = object_topic(&m.line, &m.topics[node], "level");
            m.send_quick(&topic, l);
        }
        if let Some(s) = &self.opcua {
            s.level(node, l);
        }
    }

    /// One message (counted whichever protocols carry it), at least once on
    /// MQTT: on the line's `leaf` topic, or the object's.
    fn mqtt<T: serde::Serialize>(
        &mut self,
        object: Option<usize>,
        leaf: &str,
        msg: &T,
        retain: bool,
    ) {
        self.messages += 1;
        let Some(m) = &mut self.mqtt else {
            return;
        };
        let topic = match object {
            Some(i) => object_topic(&m.line, &m.topics[i], leaf),
            None => line_topic(&m.line, leaf),
        };
        m.send(&topic, msg, retain);
    }

    /// Every at-least-once message acknowledged by the broker before the
    /// link goes (a subscriber then has all of them); the OPC UA server up
    /// while a client still reads (at most [`LINGER`]).
    fn close(self) {
        if let Some(m) = self.mqtt
            && !m.link.close_after(m.at_least_once, Duration::from_secs(30))
        {
            eprintln!(
                "serve: the broker did not acknowledge every message within 30 s; a subscriber may miss the last ones"
            );
        }
        if let Some(s) = self.opcua {
            let since = Instant::now();
            while s.sessions() > 0
                && since.elapsed() < LINGER
                && !crate::experiment::stop_requested()
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            s.stop();
        }
    }
}

impl MqttOut {
    /// At least once; waits while the queue is full.
    fn send<T: serde::Serialize>(&mut self, topic: &str, msg: &T, retain: bool) {
        let payload = serde_json::to_vec(msg).expect("serialises");
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
        let _ = self
            .link
            .client
            .publish(topic, QoS::AtMostOnce, true, payload);
    }
}
