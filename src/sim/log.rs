//! The event log: what a real line's MES would record, one row per event.

use serde::Serialize;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogEvent {
    /// A part entered the system at a source.
    Arrive,
    /// A part entered an object.
    Enter,
    Setup,
    /// An operator began loading or unloading a tended machine.
    Load,
    Unload,
    Start,
    Finish,
    Scrap,
    /// A part was used up by an assembly.
    Consumed,
    Fail,
    Repair,
    /// Planned maintenance began or ended at a station.
    MaintenanceStart,
    MaintenanceEnd,
    Pick,
    Place,
    /// A part left the system at a sink.
    Exit,
}

impl LogEvent {
    pub fn name(self) -> &'static str {
        match self {
            LogEvent::Arrive => "arrive",
            LogEvent::Enter => "enter",
            LogEvent::Setup => "setup",
            LogEvent::Load => "load",
            LogEvent::Unload => "unload",
            LogEvent::Start => "start",
            LogEvent::Finish => "finish",
            LogEvent::Scrap => "scrap",
            LogEvent::Consumed => "consumed",
            LogEvent::Fail => "fail",
            LogEvent::Repair => "repair",
            LogEvent::MaintenanceStart => "maintenance_start",
            LogEvent::MaintenanceEnd => "maintenance_end",
            LogEvent::Pick => "pick",
            LogEvent::Place => "place",
            LogEvent::Exit => "exit",
        }
    }
}

/// [`LogRecord::product`] of an event without a part.
pub const NO_PRODUCT: u16 = u16::MAX;

/// One row of the event log.
#[derive(Clone, Copy, Debug)]
pub struct LogRecord {
    pub time: f64,
    /// Node index (the object id is looked up when writing).
    pub node: u32,
    /// Part serial number, 0 for events without a part.
    pub part: u64,
    /// The part's product (index into the scene's products), or
    /// [`NO_PRODUCT`] for events without a part.
    pub product: u16,
    pub event: LogEvent,
}
