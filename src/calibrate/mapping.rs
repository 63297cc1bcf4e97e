//! What a plant's event and state names mean: each name in a log maps to an
//! event (a part started, a breakdown began) or to a state the resource
//! entered (working, failed, idle …). The defaults cover factory-twin's own
//! `--events` names, OPC 40001-1 Machinery (MachineryItemState and operation
//! modes), PackML states and common MES words; a mapping file adds to them or
//! overrides them:
//!
//! ```ron
//! { "RUN": "working", "ALM": "failed", "WAIT": "idle", "CYC_END": "finish" }
//! ```
//!
//! Names match ignoring case, spaces, `_` and `-` (`NotExecuting`,
//! `not_executing` and `Not executing` are one name).
//!
//! A plant with its own MQTT topics or OPC UA nodes (not factory-twin's
//! tree or address space) is read by naming them: which station each topic
//! or node id is, and whether it carries the station's state or a counter
//! of good or scrapped parts; the payload's clock, when it has none of its
//! own, is the wall clock at the given offset from UTC:
//!
//! ```ron
//! (
//!     names: { "RUN": "working", "ALM": "failed" },
//!     tags: {
//!         "acme/hall1/press1/status": (station: "cut", reads: state),
//!         "acme/hall1/press1/count_ok": (station: "cut", reads: good),
//!     },
//!     utc_offset: "+09:00",
//! )
//! ```

use super::log::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What one of a plant's own topics (or OPC UA nodes) carries for a station.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    /// The scene's id of the station (of the buffer or belt for a level,
    /// of the operator pool for a headcount; `store:` and `pool:` say so).
    #[serde(alias = "store", alias = "pool")]
    pub station: String,
    pub reads: Reads,
}

/// A tag's value: the station's state (a name, read through the names), or
/// a running count of its good or scrapped parts.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Reads {
    State,
    Good,
    Scrap,
    /// The parts in a buffer or on a belt now.
    Level,
    /// The operators of a pool present now.
    Present,
}

/// A mapping file with tags (the plain form is only the names).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    names: BTreeMap<String, String>,
    #[serde(default)]
    tags: BTreeMap<String, Tag>,
    /// Empty: UTC.
    #[serde(default)]
    utc_offset: String,
}

/// A resource's state as a log can say it: the engine's states, with
/// starved, blocked and waiting for an operator also as one "idle" (plants
/// seldom tell them apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Working,
    Setup,
    Failed,
    Maintenance,
    OffShift,
    Idle,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::Working,
        Group::Setup,
        Group::Failed,
        Group::Maintenance,
        Group::OffShift,
        Group::Idle,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Group::Working => "working",
            Group::Setup => "setup",
            Group::Failed => "failed",
            Group::Maintenance => "maintenance",
            Group::OffShift => "off_shift",
            Group::Idle => "idle",
        }
    }

    /// The share of the engine's states this group holds.
    pub fn of(self, s: &crate::kpi::StateShares) -> f64 {
        match self {
            Group::Working => s.working,
            Group::Setup => s.setup,
            Group::Failed => s.failed,
            Group::Maintenance => s.maintenance,
            Group::OffShift => s.off_shift,
            Group::Idle => s.starved + s.blocked + s.waiting_for_operator,
        }
    }
}

/// What a name in the log stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    Event(Kind),
    State(Group),
}

/// Targets a mapping file may name, with their meaning.
const TARGETS: &[(&str, Meaning)] = &[
    ("arrive", Meaning::Event(Kind::Arrive)),
    ("enter", Meaning::Event(Kind::Enter)),
    ("start", Meaning::Event(Kind::Start)),
    ("finish", Meaning::Event(Kind::Finish)),
    ("fail", Meaning::Event(Kind::Fail)),
    ("repair", Meaning::Event(Kind::Repair)),
    ("setup_start", Meaning::Event(Kind::Setup)),
    ("setup_end", Meaning::Event(Kind::SetupEnd)),
    ("maintenance_start", Meaning::Event(Kind::MaintenanceStart)),
    ("maintenance_end", Meaning::Event(Kind::MaintenanceEnd)),
    ("scrap", Meaning::Event(Kind::Scrap)),
    ("consumed", Meaning::Event(Kind::Consumed)),
    ("exit", Meaning::Event(Kind::Exit)),
    ("ignore", Meaning::Event(Kind::Other)),
    ("working", Meaning::State(Group::Working)),
    ("setup", Meaning::State(Group::Setup)),
    ("failed", Meaning::State(Group::Failed)),
    ("maintenance", Meaning::State(Group::Maintenance)),
    ("off_shift", Meaning::State(Group::OffShift)),
    ("idle", Meaning::State(Group::Idle)),
    ("starved", Meaning::State(Group::Idle)),
    ("blocked", Meaning::State(Group::Idle)),
    ("waiting_for_operator", Meaning::State(Group::Idle)),
];

/// The names every log may use without a mapping file.
const DEFAULTS: &[(&str, &str)] = &[
    // factory-twin's own --events and common event words.
    ("arrive", "arrive"),
    ("arrival", "arrive"),
    ("enter", "enter"),
    ("start", "start"),
    ("cycle_start", "start"),
    ("job_start", "start"),
    ("load", "ignore"),
    ("unload", "ignore"),
    ("pick", "ignore"),
    ("place", "ignore"),
    // Marks `monitor` writes where its feed had a hole.
    ("connection_lost", "ignore"),
    ("connection_restored", "ignore"),
    ("messages_lost", "ignore"),
    ("finish", "finish"),
    ("end", "finish"),
    ("cycle_end", "finish"),
    ("job_end", "finish"),
    ("complete", "finish"),
    ("done", "finish"),
    ("fail", "fail"),
    ("fault", "fail"),
    ("breakdown", "fail"),
    ("down", "fail"),
    ("failure_start", "fail"),
    ("alarm_start", "fail"),
    ("repair", "repair"),
    ("repaired", "repair"),
    ("fault_cleared", "repair"),
    ("up", "repair"),
    ("failure_end", "repair"),
    ("alarm_end", "repair"),
    // The engine's "setup" event starts a changeover; the next start ends it.
    ("setup", "setup_start"),
    ("setup_start", "setup_start"),
    ("changeover_start", "setup_start"),
    ("setup_end", "setup_end"),
    ("changeover_end", "setup_end"),
    ("maintenance_start", "maintenance_start"),
    ("maintenance_end", "maintenance_end"),
    ("scrap", "scrap"),
    ("reject", "scrap"),
    ("consumed", "consumed"),
    ("exit", "exit"),
    ("ship", "exit"),
    // States: the engine's own names.
    ("working", "working"),
    ("failed", "failed"),
    ("starved", "starved"),
    ("blocked", "blocked"),
    ("waiting_for_operator", "waiting_for_operator"),
    ("maintenance", "maintenance"),
    ("off_shift", "off_shift"),
    ("changeover", "setup"),
    // OPC 40001-1 Machinery: MachineryItemState and operation modes.
    ("executing", "working"),
    ("not_executing", "idle"),
    ("out_of_service", "failed"),
    ("not_available", "off_shift"),
    ("processing", "working"),
    // PackML (ISA-TR88.00.02) states.
    ("execute", "working"),
    ("idle", "idle"),
    ("starting", "idle"),
    ("completing", "idle"),
    ("completed", "idle"),
    ("resetting", "idle"),
    ("held", "idle"),
    ("holding", "idle"),
    ("unholding", "idle"),
    ("suspended", "idle"),
    ("suspending", "idle"),
    ("unsuspending", "idle"),
    ("stopping", "idle"),
    ("stopped", "off_shift"),
    ("aborting", "failed"),
    ("aborted", "failed"),
    ("clearing", "failed"),
    // MES words.
    ("running", "working"),
    ("run", "working"),
    ("producing", "working"),
    ("busy", "working"),
    ("waiting", "idle"),
    ("alarm", "failed"),
    ("error", "failed"),
    ("off", "off_shift"),
    ("break", "off_shift"),
    ("no_shift", "off_shift"),
    ("planned_downtime", "maintenance"),
];

/// A name as it is matched: lower case, letters and digits only.
pub fn normal(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn target(name: &str) -> Option<Meaning> {
    let n = normal(name);
    TARGETS
        .iter()
        .find(|(t, _)| normal(t) == n)
        .map(|(_, m)| *m)
}

/// Names to meanings, and a plant's own topics to stations.
#[derive(Clone, Debug)]
pub struct Mapping {
    names: BTreeMap<String, Meaning>,
    /// A plant's own MQTT topics or OPC UA node ids (exact names) and what
    /// each carries.
    pub tags: BTreeMap<String, Tag>,
    /// The plant's wall clock: seconds east of UTC.
    pub utc_offset_s: f64,
}

impl Default for Mapping {
    fn default() -> Self {
        let names = DEFAULTS
            .iter()
            .map(|(n, t)| (normal(n), target(t).expect("a default maps to a target")))
            .collect();
        Mapping {
            names,
            tags: BTreeMap::new(),
            utc_offset_s: 0.0,
        }
    }
}

/// "+09:00", "-0530" or "Z" as seconds east of UTC.
fn utc_offset(s: &str) -> Option<f64> {
    if s == "Z" {
        return Some(0.0);
    }
    let sign = match s.get(..1)? {
        "+" => 1.0,
        "-" => -1.0,
        _ => return None,
    };
    let digits = s[1..].replace(':', "");
    let (h, m): (u8, u8) = (
        digits.get(..2)?.parse().ok()?,
        digits.get(2..4).unwrap_or("00").parse().ok()?,
    );
    (digits.len() <= 4 && h <= 14 && m < 60)
        .then(|| sign * (f64::from(h) * 3600.0 + f64::from(m) * 60.0))
}

impl Mapping {
    /// The defaults, with a mapping file's entries over them when one is
    /// given.
    pub fn from_file(path: Option<&std::path::Path>) -> Result<Mapping, String> {
        path.map_or_else(|| Ok(Mapping::default()), Mapping::with_file)
    }

    /// The defaults with a mapping file's entries over them. The error names
    /// the file and the entry (or its line and column).
    pub fn with_file(path: &std::path::Path) -> Result<Mapping, String> {
        let name = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        let file = match ron::from_str::<BTreeMap<String, String>>(&text) {
            Ok(names) => File {
                names,
                tags: BTreeMap::new(),
                utc_offset: String::new(),
            },
            // The form with tags is written in parentheses.
            Err(_) if text.trim_start().starts_with('(') => ron::from_str::<File>(&text)
                .map_err(|e| {
                    format!(
                        "{name}:{}:{}: {} (a mapping file with tags is (names: {{…}}, tags: {{ \"topic\": (station: \"id\", reads: state) }}, utc_offset: \"+09:00\"))",
                        e.span.start.line, e.span.start.col, e.code
                    )
                })?,
            Err(e) => {
                return Err(format!(
                    "{name}:{}:{}: {} (a mapping file is a map of names, e.g. {{ \"RUN\": \"working\", \"ALM\": \"failed\" }})",
                    e.span.start.line, e.span.start.col, e.code
                ));
            }
        };
        let mut m = Mapping::default();
        for (from, to) in file.names {
            let meaning = target(&to).ok_or_else(|| {
                format!(
                    "{name}: \"{from}\" maps to \"{to}\", which is neither an event ({}) nor a state ({})",
                    names_of(|m| matches!(m, Meaning::Event(_))),
                    names_of(|m| matches!(m, Meaning::State(_)))
                )
            })?;
            m.names.insert(normal(&from), meaning);
        }
        if !file.utc_offset.is_empty() {
            let z = &file.utc_offset;
            m.utc_offset_s = utc_offset(z).ok_or_else(|| {
                format!("{name}: utc_offset \"{z}\" is not an offset from UTC such as \"+09:00\"")
            })?;
        }
        for topic in file.tags.keys() {
            if topic.is_empty() || topic.contains(['#', '+']) {
                return Err(format!(
                    "{name}: tag \"{topic}\" is not one topic (no wildcards: name each topic)"
                ));
            }
        }
        m.tags = file.tags;
        Ok(m)
    }

    /// What `name` means, if the mapping knows it.
    pub fn meaning(&self, name: &str) -> Option<Meaning> {
        self.names.get(&normal(name)).copied()
    }
}

fn names_of(keep: impl Fn(&Meaning) -> bool) -> String {
    TARGETS
        .iter()
        .filter(|(_, m)| keep(m))
        .map(|(t, _)| *t)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whatever_their_case_and_separators() {
        let m = Mapping::default();
        assert_eq!(m.meaning("NotExecuting"), Some(Meaning::State(Group::Idle)));
        assert_eq!(m.meaning("not_executing"), m.meaning("Not executing"));
        assert_eq!(m.meaning("Execute"), Some(Meaning::State(Group::Working)));
        assert_eq!(m.meaning("finish"), Some(Meaning::Event(Kind::Finish)));
        assert_eq!(m.meaning("teleport"), None);
    }

    #[test]
    fn a_file_overrides_and_a_bad_target_is_named() {
        let dir = std::env::temp_dir().join(format!("ft-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.ron");
        std::fs::write(&good, "{ \"RUN\": \"working\", \"idle\": \"blocked\" }").unwrap();
        let m = Mapping::with_file(&good).unwrap();
        assert_eq!(m.meaning("run"), Some(Meaning::State(Group::Working)));
        let bad = dir.join("bad.ron");
        std::fs::write(&bad, "{ \"RUN\": \"sprinting\" }").unwrap();
        let e = Mapping::with_file(&bad).unwrap_err();
        assert!(e.contains("bad.ron") && e.contains("sprinting"), "{e}");
        let broken = dir.join("broken.ron");
        std::fs::write(&broken, "{ \"RUN\": }").unwrap();
        let e = Mapping::with_file(&broken).unwrap_err();
        assert!(e.contains("broken.ron:1:"), "{e}");
    }

    #[test]
    fn tags_name_a_plants_own_topics_and_its_clock() {
        let dir = std::env::temp_dir().join(format!("ft-tags-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("plant.ron");
        std::fs::write(
            &file,
            r#"(
    names: { "RUN": "working" },
    tags: {
        "acme/press1/status": (station: "cut", reads: state),
        "acme/press1/ok": (station: "cut", reads: good),
    },
    utc_offset: "+09:00",
)"#,
        )
        .unwrap();
        let m = Mapping::with_file(&file).unwrap();
        assert_eq!(m.meaning("run"), Some(Meaning::State(Group::Working)));
        assert_eq!(m.tags["acme/press1/ok"].reads, Reads::Good);
        assert_eq!(m.tags["acme/press1/status"].station, "cut");
        assert_eq!(m.utc_offset_s, 9.0 * 3600.0);
        let bad = dir.join("bad.ron");
        std::fs::write(&bad, "(tags: {\"a/#\": (station: \"cut\", reads: state)})").unwrap();
        assert!(Mapping::with_file(&bad).unwrap_err().contains("wildcards"));
        std::fs::write(&bad, "(tags: {\"a\": (station: \"cut\", reads: speed)})").unwrap();
        let e = Mapping::with_file(&bad).unwrap_err();
        assert!(e.contains("bad.ron:1:"), "{e}");
        std::fs::write(&bad, "(utc_offset: \"9 hours\")").unwrap();
        assert!(Mapping::with_file(&bad).unwrap_err().contains("utc_offset"));
        assert_eq!(utc_offset("-05:30"), Some(-19_800.0));
        std::fs::remove_dir_all(&dir).ok();
    }
}
