//! Reading an OCEL 2.0 event log (the JSON form of the object-centric
//! event log standard, ocel-standard.org): each event has a type, a time
//! and the objects it relates to. The event's type is looked up in the
//! [`Mapping`] as a CSV row's event name is; its resource is the related
//! object whose type or qualifier names a resource (machine, station,
//! resource, equipment, workstation, robot, cell), or else its `resource`
//! attribute; its part is another related object, whose `product`
//! attribute (if any) is its product.

use super::log::{BadRow, Log, Row, parse_time};
use super::mapping::{Mapping, normal};
use serde_json::Value;
use std::collections::BTreeMap;

/// Object types and qualifiers that name the resource an event happened at.
const RESOURCE_WORDS: &[&str] = &[
    "machine",
    "station",
    "resource",
    "equipment",
    "workstation",
    "workcenter",
    "robot",
    "cell",
];

fn is_resource_word(s: &str) -> bool {
    let n = normal(s);
    RESOURCE_WORDS.iter().any(|w| n == *w)
}

/// An object: its type and its `product` attribute.
struct Object {
    kind: String,
    product: Option<String>,
}

/// Reads an OCEL 2.0 JSON log.
pub fn read(text: &str, mapping: &Mapping) -> Result<Log, String> {
    let root: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        format!(
            "line {}, column {}: not OCEL 2.0 JSON: {e}",
            e.line(),
            e.column()
        )
    })?;
    let events = root
        .get("events")
        .and_then(Value::as_array)
        .ok_or("an OCEL 2.0 log needs an \"events\" array")?;
    let objects = objects(&root);
    let mut log = Log::default();
    let mut rows = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let n = i + 1;
        let id = e.get("id").and_then(Value::as_str).unwrap_or("?");
        let bad = |reason: String| BadRow {
            line: n,
            reason: format!("event {n} (id \"{id}\"): {reason}"),
        };
        let Some(kind) = e.get("type").and_then(Value::as_str) else {
            log.bad.push(bad("no \"type\"".into()));
            continue;
        };
        let time_s = match e.get("time").and_then(Value::as_str).map(parse_time) {
            Some(Ok(t)) => t,
            Some(Err(m)) => {
                log.bad.push(bad(m));
                continue;
            }
            None => {
                log.bad.push(bad("no \"time\"".into()));
                continue;
            }
        };
        let related: Vec<(&str, &str)> = e
            .get("relationships")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|x| {
                        Some((
                            x.get("objectId")?.as_str()?,
                            x.get("qualifier").and_then(Value::as_str).unwrap_or(""),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let is_resource = |(o, q): &(&str, &str)| {
            is_resource_word(q) || objects.get(*o).is_some_and(|x| is_resource_word(&x.kind))
        };
        let resource = related
            .iter()
            .find(|r| is_resource(r))
            .map(|(o, _)| o.to_string())
            .or_else(|| attribute(e, "resource"));
        let Some(resource) = resource else {
            log.bad.push(bad(
                "no related object is a resource (an object of type machine, station, resource …) and no \"resource\" attribute".into(),
            ));
            continue;
        };
        let Some(meaning) = mapping.meaning(kind) else {
            *log.unknown.entry(kind.to_string()).or_default() += 1;
            continue;
        };
        let part = related.iter().find(|r| !is_resource(r)).map(|(o, _)| *o);
        rows.push(Row {
            time_s,
            resource,
            meaning,
            part: part.map(str::to_string),
            product: part
                .and_then(|p| objects.get(p))
                .and_then(|o| o.product.clone()),
            replication: 0,
            line: n,
        });
    }
    super::log::finish(log, rows)
}

/// The log's objects by id.
fn objects(root: &Value) -> BTreeMap<String, Object> {
    root.get("objects")
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .filter_map(|o| {
                    Some((
                        o.get("id")?.as_str()?.to_string(),
                        Object {
                            kind: o
                                .get("type")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string(),
                            product: attribute(o, "product"),
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An attribute's value as text (OCEL attributes are `{name, value}`).
fn attribute(v: &Value, name: &str) -> Option<String> {
    v.get("attributes")?
        .as_array()?
        .iter()
        .find(|a| a.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|a| match a.get("value")? {
            Value::String(s) => Some(s.clone()),
            Value::Number(x) => Some(x.to_string()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::log::Kind;

    #[test]
    fn events_find_their_resource_part_and_product() {
        let text = r#"{
          "objectTypes": [{"name": "machine", "attributes": []}, {"name": "part", "attributes": []}],
          "eventTypes": [{"name": "start", "attributes": []}, {"name": "finish", "attributes": []}],
          "objects": [
            {"id": "press", "type": "machine"},
            {"id": "p1", "type": "part", "attributes": [{"name": "product", "time": "1970-01-01T00:00:00Z", "value": "A"}]}
          ],
          "events": [
            {"id": "e2", "type": "finish", "time": "2026-11-30T08:00:30Z",
             "relationships": [{"objectId": "p1", "qualifier": "input"}, {"objectId": "press", "qualifier": "at"}]},
            {"id": "e1", "type": "start", "time": "2026-11-30T08:00:00Z",
             "relationships": [{"objectId": "press", "qualifier": ""}, {"objectId": "p1", "qualifier": ""}]},
            {"id": "e3", "type": "start", "time": "soon", "relationships": []},
            {"id": "e4", "type": "start", "time": "2026-11-30T08:01:00Z",
             "attributes": [{"name": "resource", "value": "lathe"}], "relationships": []}
          ]
        }"#;
        let log = read(text, &Mapping::default()).unwrap();
        assert_eq!(log.events.len(), 3);
        let first = &log.events[0];
        assert_eq!(
            (first.kind, first.resource.as_str(), first.part.as_deref()),
            (Kind::Start, "press", Some("p1"))
        );
        assert_eq!(first.product.as_deref(), Some("A"));
        assert_eq!(log.out_of_order, 1);
        assert_eq!(log.bad.len(), 1);
        assert!(log.bad[0].reason.contains("e3"), "{:?}", log.bad);
        assert_eq!(log.events[2].resource, "lathe");
    }

    #[test]
    fn broken_json_names_its_line() {
        let e = read("{\n \"events\": [\n  {\"id\": }\n]}", &Mapping::default()).unwrap_err();
        assert!(e.contains("line 3"), "{e}");
        let e = read("{\"objects\": []}", &Mapping::default()).unwrap_err();
        assert!(e.contains("\"events\""), "{e}");
    }
}
