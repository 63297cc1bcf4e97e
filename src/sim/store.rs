//! Buffers and conveyors: places where parts wait or travel between stations.

use super::calendar::Event;
use super::{Action, Engine, NodeKind};
use std::collections::VecDeque;

/// Time-average and maximum of a content level.
#[derive(Clone, Debug, Default)]
pub struct Content {
    pub level: u32,
    pub max: u32,
    /// ∫ level dt since the statistics started.
    pub area: f64,
    since: f64,
    /// Parts that entered since the statistics started.
    pub entered: u64,
}

impl Content {
    #[inline]
    pub fn change(&mut self, now: f64, delta: i32) {
        self.flush(now);
        self.level = self.level.wrapping_add_signed(delta);
        if delta > 0 {
            self.entered += 1;
        }
        self.max = self.max.max(self.level);
    }

    #[inline]
    pub fn flush(&mut self, now: f64) {
        self.area += f64::from(self.level) * (now - self.since);
        self.since = now;
    }

    pub fn reset(&mut self, now: f64) {
        self.area = 0.0;
        self.since = now;
        self.max = self.level;
        self.entered = 0;
    }
}

/// A finite FIFO store.
#[derive(Debug)]
pub struct Buffer {
    pub capacity: u32,
    pub queue: VecDeque<u32>,
    pub content: Content,
    /// `None`: first in, first out, every part offered in turn; else the
    /// dispatching rule and the lots held back (out of the common path).
    pub(super) special: Option<Box<Rules>>,
}

impl Buffer {
    /// Parts in the buffer, queued or held back with their lot.
    pub fn level(&self) -> u32 {
        self.content.level
    }

    /// Parts held back until the rest of their lot is there.
    pub fn held(&self) -> &[u32] {
        self.special.as_deref().map_or(&[], |r| &r.held)
    }
}

/// A buffer's rules beyond first in, first out.
#[derive(Debug, Default)]
pub(super) struct Rules {
    /// `None`: first in, first out.
    pub ordering: Option<Ordering>,
    /// The scene has lots that move together: hold their parts.
    pub holds_lots: bool,
    /// Parts held until their lot is complete here (in arrival order).
    pub held: Vec<u32>,
}

/// A buffer's dispatching rule: the sort key of a part (smaller first).
#[derive(Debug)]
pub(super) enum Ordering {
    EarliestDue,
    /// The mean cycle of each product at the station after the buffer.
    ShortestProcessing(Vec<f64>),
}

/// Puts `part` behind every part with a key no larger (ties stay first
/// come), never before the head, which has been offered already.
pub(super) fn insert_by_rule(b: &mut Buffer, parts: &super::part::Parts, part: u32) {
    let Some(rule) = b.special.as_deref().and_then(|r| r.ordering.as_ref()) else {
        b.queue.push_back(part);
        return;
    };
    let key = rule.key(&parts[part]);
    let mut at = b.queue.len();
    while at > 1 && rule.key(&parts[b.queue[at - 1]]) > key {
        at -= 1;
    }
    b.queue.insert(at, part);
}

impl Ordering {
    fn key(&self, part: &super::part::Part) -> f64 {
        match self {
            Ordering::EarliestDue => part.due,
            Ordering::ShortestProcessing(keys) => keys[part.product as usize],
        }
    }
}

/// A part on a belt.
#[derive(Clone, Copy, Debug)]
pub struct OnBelt {
    pub part: u32,
    /// Real time the part entered the belt.
    pub entered: f64,
    /// Belt moving time at entry (equals `entered` on an accumulating belt).
    pub entered_moving: f64,
}

/// A belt conveyor.
#[derive(Debug)]
pub struct Conveyor {
    pub length: f64,
    pub speed: f64,
    pub spacing: f64,
    pub capacity: u32,
    pub accumulating: bool,
    pub parts: VecDeque<OnBelt>,
    /// The head part has reached the end and waits to leave.
    pub head_ready: bool,
    head_generation: u32,
    last_departure: f64,
    /// Non-accumulating belts: when the whole belt stopped, and the total stop time.
    pub stopped_since: Option<f64>,
    stopped_total: f64,
    pub(super) gap_event_pending: bool,
    pub content: Content,
    /// Sum of transit times of parts that left since the statistics started.
    pub transit_sum: f64,
    pub delivered: u64,
}

impl Conveyor {
    pub fn new(length: f64, speed: f64, spacing: f64, accumulating: bool) -> Self {
        let capacity = ((length / spacing + 1e-9).floor() as u32).max(1);
        Self {
            length,
            speed,
            spacing,
            capacity,
            accumulating,
            parts: VecDeque::new(),
            head_ready: false,
            head_generation: 0,
            last_departure: f64::NEG_INFINITY,
            stopped_since: None,
            stopped_total: 0.0,
            gap_event_pending: false,
            content: Content::default(),
            transit_sum: 0.0,
            delivered: 0,
        }
    }

    /// Transport time of a free-running part.
    pub fn travel_time(&self) -> f64 {
        self.length / self.speed
    }

    /// Time the belt has been moving, up to `now`.
    fn moving(&self, now: f64) -> f64 {
        now - self.stopped_total - self.stopped_since.map_or(0.0, |s| now - s)
    }

    /// Belt distance (seconds of travel) between the entry and the last part.
    fn gap(&self, now: f64) -> f64 {
        match self.parts.back() {
            None => f64::INFINITY,
            Some(last) if self.accumulating => now - last.entered,
            Some(last) => self.moving(now) - last.entered_moving,
        }
    }

    pub fn can_accept(&self, now: f64) -> bool {
        (self.parts.len() as u32) < self.capacity
            && self.gap(now) >= self.spacing / self.speed - 1e-9
    }

    /// Position of each part along the belt (0 = entry, 1 = end), for the viewer.
    pub fn positions(&self, now: f64) -> Vec<f64> {
        let tt = self.travel_time();
        let mut prev_pos = f64::INFINITY;
        let min_gap = self.spacing / self.length;
        self.parts
            .iter()
            .map(|p| {
                let t = if self.accumulating {
                    now - p.entered
                } else {
                    self.moving(now) - p.entered_moving
                };
                let pos = (t / tt).clamp(0.0, 1.0).min(prev_pos - min_gap).max(0.0);
                prev_pos = pos;
                pos
            })
            .collect()
    }
}

impl Engine {
    #[inline]
    pub(super) fn buffer_accept(&mut self, node: u32, part: u32) {
        let now = self.now;
        let NodeKind::Buffer(b) = &mut self.nodes[node as usize].kind else {
            return;
        };
        if b.special.is_none() {
            b.queue.push_back(part);
        } else {
            self.buffer_accept_special(node, part);
            return;
        }
        b.content.change(now, 1);
        if b.queue.len() == 1 {
            self.push_soon(node, 0);
        }
    }

    /// A buffer with a dispatching rule or lots to hold takes `part`. Out of
    /// line: the common first-in, first-out buffer never runs it.
    #[cold]
    #[inline(never)]
    fn buffer_accept_special(&mut self, node: u32, part: u32) {
        let now = self.now;
        let held = self.lot_arrives(node, part);
        let NodeKind::Buffer(b) = &mut self.nodes[node as usize].kind else {
            return;
        };
        b.content.change(now, 1);
        if held {
            self.buffer_full_of_lots(node);
            return;
        }
        insert_by_rule(b, &self.parts, part);
        if b.queue.len() == 1 {
            self.push_soon(node, 0);
        }
    }

    #[inline(always)]
    pub(super) fn buffer_released(&mut self, node: u32) {
        let now = self.now;
        let NodeKind::Buffer(b) = &mut self.nodes[node as usize].kind else {
            return;
        };
        b.queue.pop_front();
        b.content.change(now, -1);
        let more = !b.queue.is_empty();
        self.space_freed(node);
        if more {
            self.offer_next_head(node);
        }
    }

    /// The buffer's next part is at the head. The part that just left is on
    /// its way to the buffer's only target; when that target is a one-server
    /// station it is now full, so the new head waits on it at once instead of
    /// making an offer that must fail (about one offer per operation saved).
    #[inline]
    fn offer_next_head(&mut self, node: u32) {
        if let Some(target) = self.nodes[node as usize].single_target
            && self.is_single_server(target)
        {
            self.wait_without_offer(node, 0, target);
        } else {
            self.queue(Action::Push(node, 0));
        }
    }

    pub(super) fn conveyor_accept(&mut self, node: u32, part: u32) {
        self.conveyor_accept_since(node, part, self.now);
    }

    /// A part that got on the belt at `entered` (now, or before the run
    /// when a run starts from a plant's state: as far along as a belt
    /// moving since then has carried it).
    pub(super) fn conveyor_accept_since(&mut self, node: u32, part: u32, entered: f64) {
        let now = self.now;
        let NodeKind::Conveyor(c) = &mut self.nodes[node as usize].kind else {
            return;
        };
        let moving = c.moving(now) - (now - entered);
        c.parts.push_back(super::store::OnBelt {
            part,
            entered,
            entered_moving: moving,
        });
        c.content.change(now, 1);
        if c.parts.len() == 1 {
            self.conveyor_schedule_head(node);
        }
    }

    /// Schedules the moment the head part reaches the end of the belt.
    fn conveyor_schedule_head(&mut self, node: u32) {
        let now = self.now;
        let NodeKind::Conveyor(c) = &mut self.nodes[node as usize].kind else {
            return;
        };
        let Some(head) = c.parts.front() else { return };
        let tt = c.travel_time();
        let ready = if c.accumulating {
            // Free travel, but never closer than one spacing behind the previous head.
            (head.entered + tt).max(c.last_departure + c.spacing / c.speed)
        } else {
            now + (head.entered_moving + tt - c.moving(now))
        };
        c.head_generation += 1;
        let generation = c.head_generation;
        self.calendar
            .schedule(ready.max(now), Event::ConveyorHead { node, generation });
    }

    pub(super) fn conveyor_head(&mut self, node: u32, generation: u32) {
        let NodeKind::Conveyor(c) = &mut self.nodes[node as usize].kind else {
            return;
        };
        if c.head_generation != generation || c.parts.is_empty() {
            return;
        }
        c.head_ready = true;
        self.try_push(node, 0);
    }

    /// The head could not leave: a non-accumulating belt stops as a whole.
    pub(super) fn conveyor_blocked(&mut self, node: u32) {
        let now = self.now;
        let NodeKind::Conveyor(c) = &mut self.nodes[node as usize].kind else {
            return;
        };
        if !c.accumulating && c.stopped_since.is_none() {
            c.stopped_since = Some(now);
        }
    }

    pub(super) fn conveyor_released(&mut self, node: u32) {
        let now = self.now;
        let NodeKind::Conveyor(c) = &mut self.nodes[node as usize].kind else {
            return;
        };
        let Some(head) = c.parts.pop_front() else {
            return;
        };
        c.transit_sum += now - head.entered;
        c.delivered += 1;
        c.head_ready = false;
        c.last_departure = now;
        if let Some(s) = c.stopped_since.take() {
            c.stopped_total += now - s;
        }
        c.content.change(now, -1);
        let more = !c.parts.is_empty();
        if more {
            self.conveyor_schedule_head(node);
        }
        self.queue(Action::Wake(node));
    }

    /// Someone waits to enter: make sure a wake-up comes when the entry gap opens.
    pub(super) fn conveyor_watch_gap(&mut self, node: u32) {
        let now = self.now;
        let NodeKind::Conveyor(c) = &mut self.nodes[node as usize].kind else {
            return;
        };
        if c.gap_event_pending || c.parts.len() as u32 >= c.capacity || c.stopped_since.is_some() {
            return; // a departure or restart will wake the waiters
        }
        let missing = c.spacing / c.speed - c.gap(now);
        if missing > 1e-9 {
            c.gap_event_pending = true;
            self.calendar
                .schedule(now + missing, Event::ConveyorGap { node });
        }
    }
}
