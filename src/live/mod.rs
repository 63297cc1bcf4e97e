//! The plant on the wire: `serve` runs a scene in real time (or faster) and
//! publishes every station as a plant would, over MQTT on a documented JSON
//! topic tree (`topics`) and over OPC UA (`opcua`, laid out as OPC 40001-1
//! Machinery); `monitor` subscribes to such a feed, records it as
//! the project's event log and computes the KPIs with the simulator's own
//! definitions while it runs, and (`drift`) flags a station whose cycles
//! leave the model's range. `broker` reads the broker's address and keeps
//! the connection: retries with backoff, never a crash, credentials never
//! printed.

pub mod broker;
pub mod drift;
pub mod monitor;
pub mod opcua;
pub mod picture;
pub mod serve;
pub mod shadow;
pub mod topics;
