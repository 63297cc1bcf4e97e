//! `factory-twin monitor --mqtt URL` (or `--opcua URL`): the plant's feed,
//! live. It subscribes to a line's topic tree (or the same feed in an OPC UA
//! server's address space, see `opcua`), writes every event as the project's event log
//! (`--record`, so a recorded shift can be fitted, validated and replayed),
//! and computes the KPIs with the same definitions as `validate-model` and
//! the same ISO 22400 formulas as the simulator: good parts per hour, each
//! station's state shares, availability, quality and OEE, over the whole
//! feed and over a rolling window.
//!
//! What goes wrong is counted and said, never passed over: payloads that
//! are not the documented JSON (by topic), topics outside the tree,
//! duplicated messages (by `seq`, dropped), lost ones (gaps in `seq`, marked
//! in the record), times out of order (put in order for the KPIs), and the
//! times the broker was away (marked in the record).

use super::broker::{Link, News, Url};
use super::opcua;
use super::topics::{
    Birth, CountersMsg, EventMsg, LevelMsg, StateMsg, StatusMsg, level, line_topic,
};
use crate::calibrate::mapping::{Group, Mapping, Meaning, Reads, Tag};
use crate::calibrate::{self, log, observed};
use crate::scene::{Object, Scene};
use crate::sim::{self, Iso22400, STATE_COUNT, State};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How to monitor.
pub struct MonitorOptions {
    /// The line's id; `None`: every line on the broker.
    pub line: Option<String>,
    pub record: Option<PathBuf>,
    /// Stop after this much wall-clock time.
    pub for_wall: Option<Duration>,
    /// Stop when the line says it has finished and every event has come.
    pub until_finished: bool,
    /// The rolling window of the KPIs (simulated or plant seconds).
    pub window_s: f64,
    /// Print the KPIs every so often (wall clock); `None`: only at the end.
    pub every: Option<Duration>,
    /// The scene the plant runs, for shifts, capacities and ideal cycle
    /// times (OEE's effectiveness needs them).
    pub scene: Option<Scene>,
    /// Read the stations' `state` topics as the log (a plant that publishes
    /// states, not events): each change is a row, its name read through
    /// the mapping (OPC 40001-1 and PackML names by default).
    pub from_states: bool,
    pub mapping: Mapping,
    /// The CA certificates of a TLS broker (default: the system's roots).
    pub ca: Option<PathBuf>,
    /// Where the scene was read from, and where to write the re-fit of
    /// the stations the drift check flags (a Variant of the scene).
    pub propose: Option<(PathBuf, PathBuf)>,
    /// With the scene: forecast the day from the plant's state at every
    /// print and at the end (shadow mode), and again soon after a
    /// breakdown or a repair.
    pub forecast: Option<ForecastOptions>,
    /// For the 3D view: the picture to keep up to date, at most this often
    /// (less often when making it takes longer; see `picture`).
    pub picture: Option<(super::picture::Tap, Duration)>,
    /// How much of the feed is kept in memory (plant seconds before its
    /// last time): older rows go, so memory is bounded by the feed's rate
    /// times this; the record keeps everything.
    pub keep_s: f64,
}

/// What to forecast in shadow mode.
#[derive(Clone, Debug)]
pub struct ForecastOptions {
    /// The end of the forecast (simulated seconds from Monday 00:00).
    pub until_s: f64,
    pub target: Option<u64>,
    pub reps: u32,
    /// Variants of the plant forecast from the same state at every
    /// forecast, with common random numbers.
    pub what_ifs: Vec<Scene>,
}

/// A what-if beside a forecast made while the plant ran.
#[derive(Clone, Debug, Serialize)]
pub struct WhatIfPoint {
    pub name: String,
    pub mean: f64,
    /// What-if − as is in good parts by the end: the mean of the paired
    /// differences and its 95 % interval (common random numbers).
    pub difference: f64,
    pub difference95: (f64, f64),
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_target: Option<f64>,
}

/// One forecast made while the plant ran.
#[derive(Clone, Debug, Serialize)]
pub struct ForecastPoint {
    pub at_s: f64,
    pub so_far: u64,
    /// The good parts so far count from this time, not from midnight: the
    /// feed was joined later and no count from before midnight is known
    /// (they are too few by the parts made before it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub so_far_from: Option<f64>,
    pub mean: f64,
    pub interval90: (f64, f64),
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_target: Option<f64>,
    /// Wall-clock milliseconds from the state to the forecast.
    pub took_ms: f64,
    /// Parts placed from the plant's state (in buffers, on belts, at
    /// stations), and those the model had no room for.
    pub placed: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_placed: Vec<String>,
    /// Operators present as the plant reported them (pool, headcount).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operators: Vec<(String, u32)>,
    /// Orders late by the end (an order book): mean and 90 % prediction
    /// interval, and those late already.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_orders: Option<super::shadow::LateOrders>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub what_ifs: Vec<WhatIfPoint>,
    /// Why it was made then: "every" (the interval), "end" (the feed
    /// ended), or the breakdown or repair it follows ("fail at weld").
    pub why: String,
}

/// Where the plant's feed comes from.
pub enum Source {
    /// An MQTT broker carrying the topic tree of `topics`.
    Mqtt(Url),
    /// An OPC UA server with the address space of `opcua`.
    Opcua(opcua::Endpoint, opcua::Security),
}

/// The connection to the source; both report the same [`News`].
enum Wire {
    Mqtt(Link, String),
    Opcua(opcua::Watch, String),
}

impl Wire {
    fn open(source: &Source, o: &MonitorOptions) -> Result<Wire, String> {
        Ok(match source {
            Source::Mqtt(url) => {
                let options = url.options(
                    &format!("factory-twin-monitor-{}", std::process::id()),
                    None,
                    o.ca.as_deref(),
                )?;
                Wire::Mqtt(Link::open(url, options, 100, "monitor"), url.to_string())
            }
            Source::Opcua(ep, sec) => Wire::Opcua(
                opcua::Watch::open(ep, sec, o.mapping.tags.keys().cloned().collect())?,
                ep.to_string(),
            ),
        })
    }

    /// The feed's address as said (no credentials).
    fn address(&self) -> &str {
        match self {
            Wire::Mqtt(_, a) | Wire::Opcua(_, a) => a,
        }
    }

    fn news(&self) -> &std::sync::mpsc::Receiver<News> {
        match self {
            Wire::Mqtt(l, _) => &l.news,
            Wire::Opcua(w, _) => &w.news,
        }
    }

    /// On every (re)connection: MQTT subscribes again (a clean session
    /// forgets); the OPC UA client has subscribed already.
    fn connected(&self, first: bool, filter: &str, mapping: &Mapping) {
        match self {
            Wire::Mqtt(l, url) => {
                let _ = l.client.subscribe(filter, rumqttc::QoS::AtLeastOnce);
                for topic in mapping.tags.keys() {
                    let _ = l.client.subscribe(topic, rumqttc::QoS::AtLeastOnce);
                }
                if first {
                    eprintln!("monitor: subscribed to {filter} on {url}");
                    if !mapping.tags.is_empty() {
                        eprintln!(
                            "monitor: and to the plant's {} tags of the mapping",
                            mapping.tags.len()
                        );
                    }
                }
            }
            Wire::Opcua(_, ep) => {
                if first {
                    eprintln!("monitor: watching the plant's nodes on {ep}");
                }
            }
        }
    }

    fn close(self) {
        match self {
            Wire::Mqtt(l, _) => l.close(),
            Wire::Opcua(w, _) => w.close(),
        }
    }
}

/// One station's figures over a period.
#[derive(Clone, Debug, Serialize)]
pub struct StationKpis {
    pub id: String,
    /// Its state now (from its `state` topic), if it publishes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Shares of the period: working, setup, failed, maintenance, off_shift, idle.
    pub shares: BTreeMap<&'static str, f64>,
    pub good: u64,
    pub scrap: u64,
    pub availability: Option<f64>,
    pub effectiveness: Option<f64>,
    pub quality: Option<f64>,
    pub oee: Option<f64>,
}

/// The figures over a period of the feed.
#[derive(Clone, Debug, Serialize)]
pub struct Kpis {
    pub from_s: f64,
    pub to_s: f64,
    pub good: Option<u64>,
    pub good_per_hour: Option<f64>,
    pub wip: Option<f64>,
    pub stations: Vec<StationKpis>,
}

/// What the monitor saw, as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct Report {
    pub line: Option<String>,
    pub scene: Option<String>,
    pub events: u64,
    pub duplicates: u64,
    pub lost: u64,
    pub out_of_order: u64,
    /// Payloads that were not the documented JSON, by topic.
    pub malformed: BTreeMap<String, u64>,
    /// Topics outside the tree, by topic.
    pub unknown_topics: BTreeMap<String, u64>,
    /// Times the broker or server was away: (last time before, first time
    /// after; `null` when nothing came after it).
    pub gaps: Vec<(f64, f64)>,
    pub finished: bool,
    pub whole: Option<Kpis>,
    pub window: Option<Kpis>,
    /// With a scene: the stations whose cycles left the model's range.
    pub drift: Vec<super::drift::DriftAlarm>,
    /// The re-fit of the flagged stations written (`--propose`), and how
    /// many objects it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed: Option<(PathBuf, usize)>,
    /// Shadow mode: the forecasts made, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forecasts: Vec<ForecastPoint>,
    /// Shadow mode: the good parts the day really made by the forecasts'
    /// end, when the feed reached it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<u64>,
    /// Plant seconds of the feed kept in memory (`--keep`), and whether
    /// older rows were let go (then `whole` covers only what was kept).
    pub keep_s: f64,
    pub let_go: bool,
}

/// The feed as it comes.
struct Feed {
    line: Option<String>,
    /// Topic level to object id, from the birth messages.
    objects: BTreeMap<String, String>,
    scene_name: Option<String>,
    rows: Vec<(f64, u64, String)>,
    seqs: BTreeSet<u64>,
    last_t: f64,
    report: Report,
    states: BTreeMap<String, String>,
    finished_at: Option<(u64, Instant)>,
    /// When the last event came (wall clock).
    last_event_at: Instant,
    /// The plant's time when the line said it finished.
    finished_t: Option<f64>,
    /// The broker went away after this time; marked when it is back.
    lost_at: Option<f64>,
    /// Rows from `state` topics (see [`MonitorOptions::from_states`]).
    from_states: bool,
    /// Each station's last state row, so a repeated state is one row.
    last_state: BTreeMap<String, String>,
    /// Each station's counters as they came: (t, good, scrap).
    counters: Counters,
    /// Levels of buffers and belts, operators present.
    readings: super::shadow::Readings,
    record: Option<std::io::BufWriter<std::fs::File>>,
    /// A breakdown or repair came since the last forecast: the next one is
    /// made soon, not at the next print.
    significant: Option<String>,
    connected: bool,
    /// "No forecast: past --until" was said.
    said_past: bool,
    /// Objects of the feed the scene does not have were named.
    said_unknown: bool,
    /// Each tag counter's base: a reading and the count it stands for
    /// (the first reading stands for none: a plant's counters count since
    /// ever), moved when the counter goes back (a PLC restart) so the count
    /// goes on.
    tag_base: BTreeMap<(String, bool), (u64, u64)>,
}

/// Watches the feed until told to stop; the error is a message for the user.
pub fn monitor(source: &Source, o: &MonitorOptions) -> Result<Report, String> {
    let record = match &o.record {
        Some(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
            }
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(p)
                    .map_err(|e| format!("cannot write {}: {e}", p.display()))?,
            );
            writeln!(f, "replication,time_s,object,part,product,event")
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            Some(f)
        }
        None => None,
    };
    let link = Wire::open(source, o)?;
    if let Some((tap, _)) = &o.picture {
        tap.lock().unwrap_or_else(|e| e.into_inner()).source = link.address().to_string();
    }
    let filter = match &o.line {
        Some(l) => format!("{}/#", line_topic(&level(l), "").trim_end_matches('/')),
        None => format!("{}/#", super::topics::ROOT),
    };
    let mut feed = Feed {
        line: o.line.clone(),
        objects: BTreeMap::new(),
        scene_name: None,
        rows: Vec::new(),
        seqs: BTreeSet::new(),
        last_t: f64::NEG_INFINITY,
        report: Report {
            line: o.line.clone(),
            scene: None,
            events: 0,
            duplicates: 0,
            lost: 0,
            out_of_order: 0,
            malformed: BTreeMap::new(),
            unknown_topics: BTreeMap::new(),
            gaps: Vec::new(),
            finished: false,
            whole: None,
            window: None,
            drift: Vec::new(),
            proposed: None,
            forecasts: Vec::new(),
            actual: None,
            keep_s: o.keep_s,
            let_go: false,
        },
        states: BTreeMap::new(),
        finished_at: None,
        last_event_at: Instant::now(),
        finished_t: None,
        lost_at: None,
        // A plant's own state and counter tags make a state feed (levels and
        // headcounts go with either kind of feed).
        from_states: o.from_states
            || o.mapping
                .tags
                .values()
                .any(|t| matches!(t.reads, Reads::State | Reads::Good | Reads::Scrap)),
        last_state: BTreeMap::new(),
        counters: Counters::new(),
        readings: Default::default(),
        record,
        significant: None,
        connected: false,
        said_past: false,
        said_unknown: false,
        tag_base: BTreeMap::new(),
    };
    let started = Instant::now();
    let mut printed = Instant::now();
    let mut forecast_at = Instant::now();
    // The next picture for the view, and its interval now.
    let mut pictured = (Instant::now(), Duration::ZERO);
    let mut pruned = Instant::now();
    loop {
        if crate::experiment::stop_requested()
            || o.for_wall.is_some_and(|d| started.elapsed() >= d)
            || (o.until_finished && feed.done())
        {
            break;
        }
        match link.news().recv_timeout(Duration::from_millis(100)) {
            Ok(News::Connected { first }) => {
                feed.connected = true;
                link.connected(first, &filter, &o.mapping)
            }
            Ok(News::Lost) => {
                feed.connected = false;
                if feed.lost_at.is_none() && feed.last_t.is_finite() {
                    feed.lost_at = Some(feed.last_t);
                }
            }
            Ok(News::Message {
                topic,
                payload,
                retained,
            }) => feed.take(&topic, &payload, retained, &o.mapping),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if let Some(every) = o.every
            && printed.elapsed() >= every
        {
            printed = Instant::now();
            if let Some(f) = feed.record.as_mut() {
                let _ = f.flush();
            }
            let log = feed.whole_log(o);
            let (whole, window) = feed.kpis(o, log.as_ref());
            print_kpis(&feed, whole.as_ref(), window.as_ref(), o.window_s);
            feed.report.drift = feed.drift(o, log.as_ref());
            for a in &feed.report.drift {
                eprintln!("  {}", drift_line(a));
            }
            feed.forecast(o, log.as_ref(), "every");
            forecast_at = Instant::now();
        }
        if pruned.elapsed() >= PRUNE_EVERY {
            feed.let_go(o.keep_s);
            pruned = Instant::now();
        }
        // After a breakdown or repair, the day's prospects changed: a
        // forecast within a second (not more than one a second).
        if o.forecast.is_some()
            && forecast_at.elapsed() >= SIGNIFICANT_AFTER
            && let Some(why) = feed.significant.take()
        {
            let log = feed.whole_log(o);
            feed.forecast(o, log.as_ref(), &why);
            forecast_at = Instant::now();
        }
        if let Some((tap, every)) = &o.picture
            && pictured.0.elapsed() >= pictured.1
        {
            let began = Instant::now();
            let log = feed.whole_log(o);
            feed.picture(o, log.as_ref(), tap);
            // A picture of a big plant takes a while: at most half the
            // monitor's time goes to pictures.
            pictured = (Instant::now(), (*every).max(began.elapsed() * 2));
        }
    }
    link.close();
    // An outage nothing came after: marked, open-ended.
    if let Some(t0) = feed.lost_at.take() {
        feed.report.gaps.push((t0, f64::NAN));
        feed.mark(t0, "connection_lost");
    }
    if let Some(f) = feed.record.as_mut() {
        f.flush()
            .map_err(|e| format!("cannot write the record: {e}"))?;
    }
    // Events after the last one that came are lost too, when the line said
    // how many it sent.
    if let Some((n, _)) = feed.finished_at {
        let last = feed.seqs.last().copied().unwrap_or(0);
        feed.report.lost += n.saturating_sub(last);
    }
    feed.let_go(o.keep_s);
    let log = feed.whole_log(o);
    let (whole, window) = feed.kpis(o, log.as_ref());
    feed.report.whole = whole;
    feed.report.window = window;
    feed.report.drift = feed.drift(o, log.as_ref());
    feed.forecast(o, log.as_ref(), "end");
    feed.actual(o, log.as_ref());
    if let (Some((scene_path, out)), Some(scene)) = (&o.propose, &o.scene) {
        feed.report.proposed = feed.propose(log.as_ref(), scene, scene_path, out)?;
    }
    feed.report.scene = feed.scene_name.clone();
    feed.report.finished = feed.finished_at.is_some();
    if let Some((tap, _)) = &o.picture {
        feed.picture(o, log.as_ref(), tap);
    }
    Ok(feed.report)
}

/// How often rows older than `--keep` are let go (wall clock).
const PRUNE_EVERY: Duration = Duration::from_secs(1);

/// How soon after a breakdown or repair a forecast is made (and at most
/// one in this time).
const SIGNIFICANT_AFTER: Duration = Duration::from_secs(1);

impl Feed {
    /// The line said it finished and every event up to its count is here (or
    /// 5 s have passed since, for those that will not come).
    fn done(&self) -> bool {
        self.finished_at.is_some_and(|(n, at)| {
            // Every event, or the last one and a second with nothing more
            // (a monitor that joined late will not get the early ones).
            self.seqs.len() as u64 >= n
                || (self.seqs.last().copied().unwrap_or(0) >= n
                    && self.last_event_at.elapsed() > Duration::from_secs(1))
                || at.elapsed() > Duration::from_secs(5)
        })
    }

    /// Handles one message.
    /// A retained message is the broker's stored copy, possibly from before
    /// a restart: it shows a station's state now, and is not a new row or a
    /// new `finished`.
    fn take(&mut self, topic: &str, payload: &[u8], retained: bool, mapping: &Mapping) {
        if let Some(tag) = mapping.tags.get(topic) {
            return self.tag(topic, tag, payload, retained, mapping);
        }
        let parts: Vec<&str> = topic.split('/').collect();
        let bad = |r: &mut Report, t: &str| *r.malformed.entry(t.to_string()).or_default() += 1;
        match parts.as_slice() {
            [_, _, "birth"] => match serde_json::from_slice::<Birth>(payload) {
                Ok(b) => {
                    self.scene_name = Some(b.scene);
                    for x in b.objects {
                        self.objects.insert(x.topic, x.id);
                    }
                }
                Err(_) => bad(&mut self.report, topic),
            },
            [_, _, "status"] => match serde_json::from_slice::<StatusMsg>(payload) {
                Ok(s) if s.status == "finished" && !retained => {
                    self.finished_at = Some((s.events.unwrap_or(0), Instant::now()));
                    self.finished_t = s.t;
                }
                Ok(_) => {}
                Err(_) => bad(&mut self.report, topic),
            },
            [_, _, object, "event"] => match serde_json::from_slice::<EventMsg>(payload) {
                Ok(e) if e.t.is_finite() => self.event(object, e, mapping),
                _ => bad(&mut self.report, topic),
            },
            [_, _, object, "state"] => match serde_json::from_slice::<StateMsg>(payload) {
                Ok(s) if s.t.is_finite() => {
                    let id = self.id(object);
                    if self.from_states && !retained {
                        self.state_row(&id, &s, mapping);
                    }
                    self.states.insert(id, s.state);
                }
                _ => bad(&mut self.report, topic),
            },
            [_, _, object, "counters"] => match serde_json::from_slice::<CountersMsg>(payload) {
                Ok(c) if c.t.is_finite() => {
                    let id = self.id(object);
                    if retained {
                        // The count when the feed was joined: the base of
                        // the day's good parts if it was joined later.
                        self.readings.first_good.entry(id).or_insert((c.t, c.good));
                    } else {
                        self.counters
                            .entry(id)
                            .or_default()
                            .push((c.t, c.good, c.scrap));
                    }
                }
                _ => bad(&mut self.report, topic),
            },
            // A level is the store's parts now: a stored copy says it too.
            [_, _, object, "level"] => match serde_json::from_slice::<LevelMsg>(payload) {
                Ok(l) if l.t.is_finite() => {
                    let id = self.id(object);
                    let list = self.readings.levels.entry(id).or_default();
                    if list.last() != Some(&(l.t, u64::from(l.level))) {
                        list.push((l.t, u64::from(l.level)));
                    }
                }
                _ => bad(&mut self.report, topic),
            },
            _ => {
                *self
                    .report
                    .unknown_topics
                    .entry(topic.to_string())
                    .or_default() += 1
            }
        }
    }

    fn id(&self, topic_level: &str) -> String {
        self.objects
            .get(topic_level)
            .cloned()
            .unwrap_or_else(|| topic_level.to_string())
    }

    /// One event: deduplicated by `seq`, holes and broker gaps marked.
    fn event(&mut self, object: &str, e: EventMsg, mapping: &Mapping) {
        self.last_event_at = Instant::now();
        if !self.seqs.insert(e.seq) {
            self.report.duplicates += 1;
            return;
        }
        let last = self.seqs.range(..e.seq).next_back().copied().unwrap_or(0);
        let next_known = self.seqs.range(e.seq + 1..).next().is_some();
        if next_known {
            // Late: it fills a hole counted as lost (and, being late, is
            // counted out of order below by its time).
            self.report.lost = self.report.lost.saturating_sub(1);
        } else if e.seq > last + 1 {
            let missing = e.seq - last - 1;
            self.report.lost += missing;
            self.mark(e.t, "messages_lost");
        }
        if let Some(t0) = self.lost_at.take() {
            self.report.gaps.push((t0, e.t));
            self.mark(t0, "connection_lost");
            self.mark(e.t, "connection_restored");
        }
        if e.t < self.last_t {
            self.report.out_of_order += 1;
        }
        self.last_t = self.last_t.max(e.t);
        // With --states the log comes from the state topics; events only
        // tell what was lost.
        if self.from_states {
            return;
        }
        self.report.events += 1;
        // Names go through the mapping when KPIs are computed; unknown ones
        // stay in the record for a mapping file to place later.
        let id = self.id(object);
        if matches!(
            mapping.meaning(&e.event),
            Some(Meaning::Event(log::Kind::Fail | log::Kind::Repair))
        ) {
            self.significant = Some(format!("{} at {id}", e.event));
        }
        let row = format!(
            "0,{},{},{},{},{}",
            e.t,
            csv_field(&id),
            e.part.map(|p| p.to_string()).unwrap_or_default(),
            csv_field(e.product.as_deref().unwrap_or("")),
            csv_field(&e.event)
        );
        self.write(&row);
        self.rows.push((e.t, e.seq, row));
    }

    /// A message on one of the plant's own topics (the mapping's tags): a
    /// state by name, or a counter; malformed when it holds neither.
    fn tag(&mut self, topic: &str, tag: &Tag, payload: &[u8], retained: bool, mapping: &Mapping) {
        let Some((value, t)) = tag_value(payload, mapping.utc_offset_s) else {
            *self.report.malformed.entry(topic.to_string()).or_default() += 1;
            return;
        };
        let id = tag.station.clone();
        match (tag.reads, value) {
            (Reads::State, value) => {
                let state = match value {
                    TagValue::Text(s) => s,
                    TagValue::Number(n) => n.to_string(),
                };
                if !retained {
                    let msg = StateMsg {
                        t,
                        state: state.clone(),
                        machinery_item_state: String::new(),
                        operation_mode: String::new(),
                    };
                    self.state_row(&id, &msg, mapping);
                }
                self.states.insert(id, state);
            }
            (Reads::Level | Reads::Present, TagValue::Number(n))
                if n >= 0.0 && n.fract() == 0.0 =>
            {
                let readings = if tag.reads == Reads::Level {
                    &mut self.readings.levels
                } else {
                    &mut self.readings.present
                };
                readings.entry(id).or_default().push((t, n as u64));
            }
            (reads @ (Reads::Good | Reads::Scrap), TagValue::Number(n))
                if n >= 0.0 && n.fract() == 0.0 =>
            {
                let good = reads == Reads::Good;
                let list = self.counters.entry(id.clone()).or_default();
                let (g, sc) = list.last().map_or((0, 0), |&(_, g, s)| (g, s));
                let so_far = if good { g } else { sc };
                // (a reading, the count it stands for): the first one, a
                // stored copy included, stands for none.
                if good {
                    self.readings
                        .first_good
                        .entry(id.clone())
                        .or_insert((t, so_far));
                }
                let base = self
                    .tag_base
                    .entry((id, good))
                    .or_insert((n as u64, so_far));
                if retained {
                    return;
                }
                let last_reading = base.0 + so_far.saturating_sub(base.1);
                if (n as u64) < last_reading {
                    // Went back: a restart; go on from the count so far.
                    *base = (n as u64, so_far);
                }
                let count = n as u64 - base.0 + base.1;
                list.push((
                    t,
                    if good { count } else { g },
                    if good { sc } else { count },
                ));
            }
            _ => *self.report.malformed.entry(topic.to_string()).or_default() += 1,
        }
    }

    /// A state change as a row of the log (retained repeats and unchanged
    /// states skipped; ordered by time for the KPIs like events). Going
    /// into or out of a failed state is a breakdown or a repair, as the
    /// events are (a forecast is brought forward).
    fn state_row(&mut self, id: &str, s: &StateMsg, mapping: &Mapping) {
        let old = self.last_state.get(id).map(String::as_str);
        if old == Some(s.state.as_str()) {
            return;
        }
        if let Some(what) = breakdown_change(old, &s.state, mapping) {
            self.significant = Some(format!("{what} at {id}"));
        }
        self.last_state.insert(id.to_string(), s.state.clone());
        if s.t < self.last_t {
            self.report.out_of_order += 1;
        }
        self.last_t = self.last_t.max(s.t);
        self.report.events += 1;
        let row = format!("0,{},{},,,{}", s.t, csv_field(id), csv_field(&s.state));
        self.write(&row);
        let n = self.rows.len() as u64;
        self.rows.push((s.t, n, row));
    }

    /// A mark in the record (ignored by `fit`): where the feed had a hole.
    fn mark(&mut self, t: f64, what: &str) {
        let row = format!("0,{t},monitor,,,{what}");
        self.write(&row);
    }

    fn write(&mut self, row: &str) {
        if let Some(f) = self.record.as_mut() {
            let _ = writeln!(f, "{row}");
        }
    }

    /// The rows in time order (then arrival).
    fn sorted_rows(&self) -> Vec<&(f64, u64, String)> {
        let mut rows: Vec<&(f64, u64, String)> = self.rows.iter().collect();
        rows.sort_by(|a, b| (a.0, a.1).partial_cmp(&(b.0, b.1)).expect("finite"));
        rows
    }

    /// The whole feed read as an event log, once for the KPIs, the drift
    /// check and the re-fit.
    /// The plant's time now: its last event or state, or a newer reading
    /// (a level, a counter, a headcount), which need not wait for the next
    /// state change to count.
    fn now_t(&self) -> f64 {
        let newest = |v: Option<f64>, acc: f64| v.map_or(acc, |t| acc.max(t));
        let readings = self
            .readings
            .levels
            .values()
            .chain(self.readings.present.values());
        let t = readings.fold(self.last_t, |acc, v| newest(v.last().map(|r| r.0), acc));
        self.counters
            .values()
            .fold(t, |acc, v| newest(v.last().map(|r| r.0), acc))
    }

    /// Shadow mode: the day's forecast from the plant's state now, said and
    /// kept; none once the feed is past the forecast's end (said once).
    fn forecast(&mut self, o: &MonitorOptions, whole: Option<&log::Log>, why: &str) {
        let (Some(f), Some(scene), Some(log)) = (&o.forecast, &o.scene, whole) else {
            return;
        };
        // A plant's clock is its wall clock, weeks after the scene's first
        // Monday: the state is brought into the scene's week (`state_at`),
        // where "Mon 17:00" is and shifts and order books line up.
        let now = self.now_t();
        let at = now - super::shadow::week_shift(now);
        let until = f.until_s;
        if !at.is_finite() || at >= until {
            if at.is_finite() && !self.said_past {
                self.said_past = true;
                eprintln!(
                    "  no forecast: the plant's time ({}) has reached --until ({})",
                    crate::scene::weekday_clock(at),
                    crate::scene::weekday_clock(until)
                );
            }
            return;
        }
        if !self.said_unknown {
            let unknown = super::shadow::unknown_objects(&log.events, scene, now);
            if !unknown.is_empty() {
                self.said_unknown = true;
                let names: Vec<&str> = unknown.iter().map(|u| u.0.as_str()).collect();
                eprintln!(
                    "  warning: the feed names objects the scene does not have ({}): their parts are not in the forecast's state",
                    names.join(", ")
                );
            }
        }
        let started = Instant::now();
        let (state, so_far, so_far_from) = self.state_at(&log.events, scene, now);
        match super::shadow::forecast(scene, &state, so_far, until, f.reps, f.target) {
            Ok(fc) => {
                let fc = fc.with_day(&super::shadow::so_far_parts(&log.events, scene, now));
                let what_ifs = f
                    .what_ifs
                    .iter()
                    .filter_map(|v| {
                        match super::shadow::forecast(v, &state, so_far, until, f.reps, f.target) {
                            Ok(w) => {
                                let w = super::shadow::what_if(&v.name, &fc, w);
                                Some(WhatIfPoint {
                                    name: w.name,
                                    mean: w.forecast.mean,
                                    difference: w.difference,
                                    difference95: w.difference95,
                                    p_target: w.forecast.p_target.map(|p| p.0),
                                })
                            }
                            Err(d) => {
                                eprintln!("  no what-if \"{}\": {}", v.name, d.message);
                                None
                            }
                        }
                    })
                    .collect();
                let point = ForecastPoint {
                    at_s: at,
                    so_far,
                    so_far_from,
                    mean: fc.mean,
                    interval90: fc.interval90,
                    p_target: fc.p_target.map(|p| p.0),
                    took_ms: started.elapsed().as_secs_f64() * 1000.0,
                    placed: fc.placed,
                    not_placed: fc.not_placed.clone(),
                    operators: state.operators.clone(),
                    late_orders: fc.late_orders.clone(),
                    what_ifs,
                    why: why.to_string(),
                };
                eprintln!("  {}", forecast_line(&point, f));
                for w in &point.what_ifs {
                    eprintln!(
                        "    what if \"{}\": about {:.0} ({:+.1} against as is; 95 % interval of the mean difference {:+.1} to {:+.1}, common random numbers)",
                        w.name, w.mean, w.difference, w.difference95.0, w.difference95.1
                    );
                }
                self.report.forecasts.push(point);
                if let Some((tap, _)) = &o.picture {
                    let mut p = tap.lock().unwrap_or_else(|e| e.into_inner());
                    p.forecasts = self.report.forecasts.clone();
                    p.fan = fc.path;
                    p.target = f.target;
                }
            }
            Err(d) => eprintln!("  no forecast: {}", d.message),
        }
    }

    /// Shadow mode: the day's good parts by the forecasts' end, when the
    /// feed got there.
    fn actual(&mut self, o: &MonitorOptions, whole: Option<&log::Log>) {
        let (Some(f), Some(scene), Some(log)) = (&o.forecast, &o.scene, whole) else {
            return;
        };
        let now = self
            .now_t()
            .max(self.finished_t.unwrap_or(f64::NEG_INFINITY));
        let shift = super::shadow::week_shift(now);
        if now - shift >= f.until_s {
            self.report.actual = Some(self.state_at(&log.events, scene, f.until_s + shift).1);
        }
    }

    /// Lets go of what is older than `keep_s` before the feed's last time:
    /// rows, the sequence numbers below the oldest row kept, and counter
    /// readings (each station keeping its last one before, the base of the
    /// counts after).
    fn let_go(&mut self, keep_s: f64) {
        let cutoff = self.last_t - keep_s;
        if !cutoff.is_finite() || self.rows.first().is_none_or(|r| r.0 >= cutoff) {
            return;
        }
        let before = self.rows.len();
        self.rows.retain(|r| r.0 >= cutoff);
        if self.rows.len() == before {
            return;
        }
        self.report.let_go = true;
        if !self.from_states
            && let Some(oldest) = self.rows.iter().map(|r| r.1).min()
        {
            self.seqs = self.seqs.split_off(&oldest);
        }
        for readings in self.counters.values_mut() {
            let old = readings.iter().take_while(|r| r.0 < cutoff).count();
            readings.drain(..old.saturating_sub(1));
        }
        self.readings.let_go(cutoff);
    }

    /// The view's picture of the plant now: its state (with a scene), the
    /// states it reports, the rolling KPIs and the drift alarms.
    fn picture(&self, o: &MonitorOptions, whole: Option<&log::Log>, tap: &super::picture::Tap) {
        let now = self.now_t();
        let state = match (o.scene.as_ref(), whole) {
            (Some(scene), Some(log)) if now.is_finite() => {
                Some(self.state_at(&log.events, scene, now))
            }
            _ => None,
        };
        // The window only (the whole feed's figures are the print's), and
        // the drift alarms as the last print found them.
        let window = self.window_kpis(o);
        let mut p = tap.lock().unwrap_or_else(|e| e.into_inner());
        p.version += 1;
        p.connected = self.connected;
        if let Some((state, so_far, _)) = state {
            p.add_made(state.t, so_far);
            p.so_far = so_far;
            p.state = Some(state);
        }
        p.reported = self.states.clone();
        p.events = self.report.events;
        p.lost = self.report.lost;
        p.gaps = self.report.gaps.len() + usize::from(self.lost_at.is_some());
        p.malformed = self.report.malformed.values().sum();
        p.window = window;
        p.window_s = o.window_s;
        p.drift = self.report.drift.clone();
        p.finished = self.finished_at.is_some();
    }

    /// The plant's state at `t`: the feed's events with its levels, its
    /// operators present and, from a state feed, its counters (with the
    /// time the good parts so far count from, when after midnight).
    fn state_at(
        &self,
        events: &[log::Event],
        scene: &Scene,
        t: f64,
    ) -> (sim::PlantState, u64, Option<f64>) {
        // In the scene's week (see `forecast`).
        let shift = super::shadow::week_shift(t);
        if shift == 0.0 {
            return super::shadow::state_read(
                events,
                &self.readings,
                self.counters_read(),
                scene,
                t,
            );
        }
        let counters: Option<Counters> = self.counters_read().map(|c| {
            c.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.iter().map(|&(x, g, s)| (x - shift, g, s)).collect(),
                    )
                })
                .collect()
        });
        super::shadow::state_read(
            &super::shadow::shifted(events, shift),
            &self.readings.shifted(shift),
            counters.as_ref(),
            scene,
            t - shift,
        )
    }

    fn whole_log(&self, o: &MonitorOptions) -> Option<log::Log> {
        as_log(&self.sorted_rows(), &o.mapping)
    }

    /// The KPIs over the whole feed (`whole`) and over the last `window_s`.
    fn kpis(&self, o: &MonitorOptions, whole: Option<&log::Log>) -> (Option<Kpis>, Option<Kpis>) {
        let whole = whole.and_then(|l| kpis(l, o, &self.states, self.counters_read()));
        (whole, self.window_kpis(o))
    }

    /// From a state feed, parts are counted by the counters topics (a
    /// working stretch may hold several parts).
    fn counters_read(&self) -> Option<&Counters> {
        self.from_states.then_some(&self.counters)
    }

    /// The KPIs over the last `window_s` of the feed.
    fn window_kpis(&self, o: &MonitorOptions) -> Option<Kpis> {
        let rows = self.sorted_rows();
        let last = rows.last()?.0;
        let recent: Vec<&(f64, u64, String)> = rows
            .into_iter()
            .filter(|r| r.0 >= last - o.window_s)
            .collect();
        as_log(&recent, &o.mapping).and_then(|l| kpis(&l, o, &self.states, self.counters_read()))
    }

    /// The stations whose cycles left the scene's range (none without a
    /// scene, or from a state feed, whose working stretches are not cycles).
    fn drift(&self, o: &MonitorOptions, whole: Option<&log::Log>) -> Vec<super::drift::DriftAlarm> {
        match (o.scene.as_ref(), whole) {
            (Some(scene), Some(log)) if !self.from_states => super::drift::check(log, scene),
            _ => Vec::new(),
        }
    }

    /// The re-fit of each flagged station's cycles since its change, written
    /// as a Variant of the scene (the reviewable diff `fit --out` writes);
    /// `None` when nothing was flagged or too few cycles came since.
    fn propose(
        &self,
        whole: Option<&log::Log>,
        scene: &Scene,
        scene_path: &std::path::Path,
        out: &std::path::Path,
    ) -> Result<Option<(PathBuf, usize)>, String> {
        let Some(whole) = whole.filter(|_| !self.report.drift.is_empty()) else {
            return Ok(None);
        };
        // Each flagged station's events since its change; nothing else.
        let log = log::Log {
            events: whole
                .events
                .iter()
                .filter(|e| {
                    self.report
                        .drift
                        .iter()
                        .any(|a| a.station == e.resource && e.time_s >= a.since_s)
                })
                .cloned()
                .collect(),
            ..log::Log::default()
        };
        let time = calibrate::WorkingTime::of_scene(scene);
        let (mut fittings, _) = calibrate::fit_log(&log, &time, PROPOSE_MIN);
        // What was flagged at each station, nothing else it did since.
        fittings.retain(|f| {
            self.report
                .drift
                .iter()
                .any(|a| a.station == f.resource && a.measure == f.measure.label())
        });
        if fittings.is_empty() {
            return Ok(None);
        }
        let name = format!(
            "the monitored feed of {} (cycles since the drift check's change)",
            self.line.as_deref().unwrap_or("the plant")
        );
        let (text, n) = calibrate::variant::write(scene, scene_path, out, &name, &fittings)?;
        std::fs::write(out, text).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        Ok(Some((out.to_path_buf(), n)))
    }
}

/// Fewest cycles since a change that a proposed re-fit rests on.
const PROPOSE_MIN: usize = 10;

/// An alarm in one line, as the live block and the report say it.
/// A forecast in one line.
pub fn forecast_line(p: &ForecastPoint, f: &ForecastOptions) -> String {
    let clock = crate::scene::weekday_clock;
    let mut line = format!(
        "forecast at {}: {} good so far, by {} about {:.0} (90 % prediction interval {:.0}–{:.0})",
        clock(p.at_s),
        p.so_far,
        clock(f.until_s),
        p.mean,
        p.interval90.0.max(p.so_far as f64),
        p.interval90.1
    );
    if let Some(from) = p.so_far_from {
        line.push_str(&format!(
            "; good so far counted from {} (joined after midnight: too few by those made before)",
            clock(from)
        ));
    }
    if let (Some(goal), Some(q)) = (f.target, p.p_target) {
        line.push_str(&format!("; P(≥ {goal}) = {:.0} %", q * 100.0));
    }
    if let Some(l) = &p.late_orders {
        line.push_str(&format!(
            "; late orders about {:.1} ({:.0}–{:.0})",
            l.mean, l.interval90.0, l.interval90.1
        ));
    }
    if !matches!(p.why.as_str(), "every" | "end") {
        line.push_str(&format!(" ({})", why_text(&p.why)));
    }
    line
}

/// A state change that is a breakdown ("fail") or the end of one
/// ("repair"), by what the states' names mean.
fn breakdown_change(old: Option<&str>, new: &str, mapping: &Mapping) -> Option<&'static str> {
    let failed = |name: &str| mapping.meaning(name) == Some(Meaning::State(Group::Failed));
    match (old.is_some_and(failed), failed(new)) {
        (false, true) => Some("fail"),
        (true, false) => Some("repair"),
        _ => None,
    }
}

/// Says that the whole-feed figures cover only what `--keep` kept.
pub fn kept_note(keep_s: f64, recorded: bool) -> String {
    format!(
        "The whole-feed figures cover the feed's last {:.0} h (--keep); older events were let go from memory{}.",
        keep_s / 3600.0,
        if recorded {
            " (the record has them all)"
        } else {
            ""
        }
    )
}

/// Why a forecast was made then, in words.
pub fn why_text(why: &str) -> String {
    match why {
        "every" => "on the interval".to_string(),
        "end" => "at the end of the feed".to_string(),
        event => format!("after the {event}"),
    }
}

pub fn drift_line(a: &super::drift::DriftAlarm) -> String {
    let (since, at) = (a.since_s, a.at_s);
    match a.measure {
        "repair" => format!(
            "drift: {}'s repairs are {} than the model's since t = {since:.0} s ({} repairs averaging {:.1} min against {:.1} min; flagged at t = {at:.0} s)",
            a.station,
            a.direction,
            a.observations,
            a.observed_mean_s / 60.0,
            a.model_mean_s / 60.0
        ),
        "between failures" => format!(
            "drift: {} breaks down {} than the model says since t = {since:.0} s ({} breakdowns after {:.1} hours of work on average against {:.1} h; flagged at t = {at:.0} s)",
            a.station,
            a.direction,
            a.observations,
            a.observed_mean_s / 3600.0,
            a.model_mean_s / 3600.0
        ),
        _ => format!(
            "drift: {} is {} than the model since t = {since:.0} s ({} cycles averaging {:.1} s against {:.1} s; flagged at t = {at:.0} s)",
            a.station, a.direction, a.observations, a.observed_mean_s, a.model_mean_s
        ),
    }
}

/// A tag's value.
enum TagValue {
    Text(String),
    Number(f64),
}

/// A tag's value and time: plain text or a number, a JSON string or
/// number, or a JSON object with `value` (or `state`, `v`) and perhaps
/// `timestamp` (or `ts`, `time`: ISO 8601 as the plant's wall clock, or
/// UTC seconds or milliseconds since 1970). Without a time, the wall clock
/// now at the mapping's offset. Times are the log's: seconds from Monday
/// 1969-12-29 00:00 by the plant's wall clock.
fn tag_value(payload: &[u8], utc_offset_s: f64) -> Option<(TagValue, f64)> {
    let text = std::str::from_utf8(payload).ok()?.trim();
    // 1970-01-01 was a Thursday: three days after the log's Monday.
    let wall = |utc_s: f64| utc_s + utc_offset_s + 3.0 * 86_400.0;
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| wall(d.as_secs_f64()))
    };
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(TagValue::Text(s.clone())),
        serde_json::Value::Number(n) => n.as_f64().map(TagValue::Number),
        serde_json::Value::Bool(b) => Some(TagValue::Text(b.to_string())),
        _ => None,
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(o)) => {
            let value = ["value", "state", "v"]
                .iter()
                .find_map(|k| o.get(*k))
                .and_then(scalar)?;
            let t = match ["timestamp", "ts", "time"].iter().find_map(|k| o.get(*k)) {
                None => now(),
                Some(serde_json::Value::String(s)) => log::parse_time(s).ok()?,
                Some(serde_json::Value::Number(n)) => {
                    let x = n.as_f64()?;
                    // Milliseconds from 1970 are past 10^11 since 1973.
                    wall(if x > 1e11 { x / 1000.0 } else { x })
                }
                Some(_) => return None,
            };
            Some((value, t))
        }
        Ok(v) => Some((scalar(&v)?, now())),
        Err(_) if !text.is_empty() => Some((
            text.parse::<f64>()
                .map_or_else(|_| TagValue::Text(text.to_string()), TagValue::Number),
            now(),
        )),
        Err(_) => None,
    }
}

/// A CSV field, quoted when it must be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Rows read back as an event log, as `fit` reads a recorded file.
fn as_log(rows: &[&(f64, u64, String)], mapping: &Mapping) -> Option<log::Log> {
    let mut text = String::from("replication,time_s,object,part,product,event\n");
    for r in rows {
        text.push_str(&r.2);
        text.push('\n');
    }
    log::read(&text, mapping).ok()
}

/// Each station's counters as they came: (t, good, scrap).
pub type Counters = BTreeMap<String, Vec<(f64, u64, u64)>>;

/// Good and scrapped parts of `id` between `from` and `to` by its counters.
pub(super) fn counted(c: &Counters, id: &str, from: f64, to: f64) -> (u64, u64) {
    let at = |t: f64, strict: bool| {
        c.get(id)
            .and_then(|v| {
                v.iter()
                    .rev()
                    .find(|(x, _, _)| if strict { *x < t } else { *x <= t })
            })
            .map_or((0, 0), |&(_, g, s)| (g, s))
    };
    let (a, b) = (at(from, true), at(to, false));
    (b.0.saturating_sub(a.0), b.1.saturating_sub(a.1))
}

/// The figures of a log, read as `validate-model` reads one.
fn kpis(
    log: &log::Log,
    o: &MonitorOptions,
    states: &BTreeMap<String, String>,
    counters: Option<&Counters>,
) -> Option<Kpis> {
    let time = o
        .scene
        .as_ref()
        .map(calibrate::WorkingTime::of_scene)
        .unwrap_or_default();
    let period = observed::periods(log, o.scene.as_ref(), &time.calendars)
        .into_iter()
        .next()?;
    let t = period.length_s();
    let stations = period
        .shares
        .iter()
        .map(|(id, shares)| {
            let (good, scrap) = match counters {
                Some(c) => counted(c, id, period.begin_s, period.end_s),
                None => made(log, id),
            };
            let (times, total, counts) = station_parts(
                o.scene.as_ref(),
                id,
                shares,
                t,
                (good, scrap),
                counters.is_some(),
            );
            let iso = Iso22400::of(&times, total, counts);
            StationKpis {
                id: id.clone(),
                state: states.get(id).cloned(),
                // + 0.0: an empty sum's −0 reads 0.
                shares: Group::ALL
                    .iter()
                    .zip(shares)
                    .map(|(g, v)| (g.key(), v + 0.0))
                    .collect(),
                good,
                scrap,
                availability: iso.availability,
                effectiveness: iso.effectiveness,
                quality: ((good + scrap) > 0).then(|| good as f64 / (good + scrap) as f64),
                oee: iso.oee,
            }
        })
        .collect();
    // From a state feed the line's output is the counters of the stations
    // that feed a sink (a working stretch may hold several parts).
    let good = match (counters, o.scene.as_ref()) {
        (Some(c), Some(scene)) => Some(
            observed::feeds_sink(scene)
                .iter()
                .map(|id| counted(c, id, period.begin_s, period.end_s).0)
                .sum(),
        ),
        (Some(_), None) => None,
        (None, _) => period.good,
    };
    let hours = t / 3600.0;
    Some(Kpis {
        from_s: period.begin_s,
        to_s: period.end_s,
        good,
        good_per_hour: good.filter(|_| hours > 0.0).map(|g| g as f64 / hours),
        wip: period.wip,
        stations,
    })
}

/// What a station's OEE is made of over a period (see
/// `Station::oee_parts`): server-seconds in each state, their total, and
/// (ideal time, good, produced).
pub type OeeParts = ([f64; STATE_COUNT], f64, Option<(f64, f64, f64)>);

/// A station's OEE parts from its shares of a period of `length_s`. A state
/// feed says whether a station works, not how many of its places do: its
/// rate figures are not known.
fn station_parts(
    scene: Option<&Scene>,
    id: &str,
    shares: &[f64; 6],
    length_s: f64,
    (good, scrap): (u64, u64),
    from_states: bool,
) -> OeeParts {
    let places = scene.and_then(|s| places(s, id)).unwrap_or(1.0);
    let ideal = scene
        .and_then(|s| ideal_cycle(s, id))
        .filter(|_| !from_states || places <= 1.0);
    let produced = (good + scrap) as f64;
    (
        state_times(shares, length_s * places),
        length_s * places,
        ideal.map(|c| (c * produced, good as f64, produced)),
    )
}

/// Each station's OEE parts over an event log's (first) period, as the
/// monitor reads a feed.
pub fn oee_parts(log: &log::Log, scene: &Scene) -> BTreeMap<String, OeeParts> {
    let time = calibrate::WorkingTime::of_scene(scene);
    let Some(period) = observed::periods(log, Some(scene), &time.calendars)
        .into_iter()
        .next()
    else {
        return BTreeMap::new();
    };
    period
        .shares
        .iter()
        .map(|(id, shares)| {
            let parts = station_parts(
                Some(scene),
                id,
                shares,
                period.length_s(),
                made(log, id),
                false,
            );
            (id.clone(), parts)
        })
        .collect()
}

/// A station's finished and scrapped parts in an event log.
fn made(log: &log::Log, id: &str) -> (u64, u64) {
    let count = |k: log::Kind| {
        log.events
            .iter()
            .filter(|e| e.kind == k && e.resource == id)
            .count() as u64
    };
    (count(log::Kind::Finish), count(log::Kind::Scrap))
}

/// Time in each engine state from a log's shares (idle counted as starved).
fn state_times(shares: &[f64; 6], total: f64) -> [f64; STATE_COUNT] {
    let mut t = [0.0; STATE_COUNT];
    for (g, v) in Group::ALL.iter().zip(shares) {
        let s = match g {
            Group::Working => State::Working,
            Group::Setup => State::Setup,
            Group::Failed => State::Failed,
            Group::Maintenance => State::Maintenance,
            Group::OffShift => State::OffShift,
            Group::Idle => State::Starved,
        };
        t[s as usize] += v * total;
    }
    t
}

/// The mean of a station's cycle in the scene (its planned run time per item).
pub(super) fn ideal_cycle(scene: &Scene, id: &str) -> Option<f64> {
    scene.objects.iter().find_map(|o| match o {
        Object::Machine(m) if m.id == id => Some(m.cycle.mean_secs()),
        Object::Assembly(a) if a.id == id => Some(a.cycle.mean_secs()),
        _ => None,
    })
}

fn places(scene: &Scene, id: &str) -> Option<f64> {
    scene.objects.iter().find_map(|o| match o {
        Object::Machine(m) if m.id == id => Some(f64::from(m.capacity.max(1))),
        _ => None,
    })
}

/// The live block on stderr: where the feed is and the KPIs.
fn print_kpis(feed: &Feed, whole: Option<&Kpis>, window: Option<&Kpis>, window_s: f64) {
    let r = &feed.report;
    eprintln!(
        "\n{} — t {:.0} s: {} events, {} lost, {} duplicates, {} malformed, {} gaps",
        feed.line.as_deref().unwrap_or("all lines"),
        feed.last_t.max(0.0),
        r.events,
        r.lost,
        r.duplicates,
        r.malformed.values().sum::<u64>(),
        r.gaps.len()
    );
    for (name, k) in [("whole feed", whole), ("last window", window)] {
        let Some(k) = k else { continue };
        eprintln!(
            "  {name} ({:.1} h{}): good {} ({} /h), WIP {}",
            (k.to_s - k.from_s) / 3600.0,
            if name == "last window" {
                format!(", window {:.1} h", window_s / 3600.0)
            } else {
                String::new()
            },
            k.good.map_or("–".into(), |g| g.to_string()),
            k.good_per_hour.map_or("–".into(), |g| format!("{g:.1}")),
            k.wip.map_or("–".into(), |w| format!("{w:.1}"))
        );
    }
    if let Some(k) = window {
        eprintln!(
            "  {:<14} {:<22} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
            "station", "state now", "work", "failed", "idle", "off", "avail", "OEE"
        );
        for s in &k.stations {
            let pct = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.1}", v * 100.0));
            eprintln!(
                "  {:<14} {:<22} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
                s.id,
                s.state.as_deref().unwrap_or("–"),
                pct(s.shares.get("working").copied()),
                pct(s.shares.get("failed").copied()),
                pct(s.shares.get("idle").copied()),
                pct(s.shares.get("off_shift").copied()),
                pct(s.availability),
                pct(s.oee)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_feed_says_breakdowns_and_repairs_by_what_its_names_mean() {
        let m = Mapping::default();
        assert_eq!(
            breakdown_change(Some("Executing"), "OutOfService", &m),
            Some("fail")
        );
        assert_eq!(
            breakdown_change(Some("Aborted"), "Execute", &m),
            Some("repair")
        );
        assert_eq!(breakdown_change(None, "failed", &m), Some("fail"));
        assert_eq!(breakdown_change(Some("working"), "blocked", &m), None);
        assert_eq!(breakdown_change(Some("failed"), "Aborted", &m), None);
    }
}
