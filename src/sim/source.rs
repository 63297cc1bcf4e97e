//! Sources: where parts enter, at random intervals or saturated.

use super::calendar::Event;
use super::part::NO_PART;
use super::rng::Stream;
use super::sampler::Sampler;
use super::{Action, Engine, LogEvent, NodeKind};

/// A source of parts.
#[derive(Debug)]
pub struct Source {
    /// Cumulative mix weights and their products.
    pub(super) mix: Vec<(f64, u16)>,
    /// `None`: saturated (a part is always waiting).
    pub(super) interarrival: Option<Sampler>,
    pub(super) due_in: Option<Sampler>,
    pub(super) limit: u64,
    /// Parts made so far.
    pub made: u64,
    /// Parts released since the statistics started.
    pub released: u64,
    /// Seconds an arrived part waited at the source because the next object
    /// was full, since the statistics started (sources with an interarrival
    /// time only): the demand the line turned away for a while.
    pub blocked_s: f64,
    /// Mean interarrival time in seconds (0 when saturated): while a part
    /// waits at the source the arrival clock stops, so `blocked_s` over this
    /// is the number of arrivals the line turned away.
    pub mean_interarrival_s: f64,
    /// Since when the pending part has waited on shift (NaN when none waits
    /// or the source is off shift: no demand arrives then, so none is lost).
    pub blocked_from: f64,
    /// The part waiting to leave, if any.
    pub pending: u32,
    pub on_shift: bool,
    /// An arrival fell due while off shift; it happens at the next shift start.
    arrival_due: bool,
    pub(super) arrival_rng: Stream,
    pub(super) mix_rng: Stream,
    pub(super) due_rng: Stream,
}

impl Source {
    pub(super) fn new(
        mix: Vec<(f64, u16)>,
        interarrival: Option<Sampler>,
        due_in: Option<Sampler>,
        limit: u64,
        arrival_rng: Stream,
        mix_rng: Stream,
        due_rng: Stream,
    ) -> Self {
        Self {
            mix,
            interarrival,
            due_in,
            limit,
            made: 0,
            released: 0,
            blocked_s: 0.0,
            mean_interarrival_s: 0.0,
            blocked_from: f64::NAN,
            pending: NO_PART,
            on_shift: true,
            arrival_due: false,
            arrival_rng,
            mix_rng,
            due_rng,
        }
    }

    pub fn saturated(&self) -> bool {
        self.interarrival.is_none()
    }

    /// Adds the on-shift time the pending part has waited (within the
    /// statistics window) to `blocked_s` and stops the clock.
    fn stop_blocked_clock(&mut self, now: f64, stats_start: f64) {
        if self.blocked_from.is_finite() {
            self.blocked_s += now - self.blocked_from.max(stats_start);
            self.blocked_from = f64::NAN;
        }
    }

    /// On-shift time the pending part has waited so far, within the window.
    pub fn blocked_open(&self, now: f64, stats_start: f64) -> f64 {
        if self.blocked_from.is_finite() {
            (now - self.blocked_from.max(stats_start)).max(0.0)
        } else {
            0.0
        }
    }

    fn draw_product(&mut self) -> u16 {
        if self.mix.len() == 1 {
            return self.mix[0].1;
        }
        let u = self.mix_rng.uniform();
        self.mix
            .iter()
            .find(|(c, _)| u < *c)
            .unwrap_or(&self.mix[self.mix.len() - 1])
            .1
    }
}

impl Engine {
    /// Schedules the first arrival (or the first saturated release).
    pub(super) fn source_start(&mut self, node: u32) {
        let NodeKind::Source(s) = &mut self.nodes[node as usize].kind else {
            return;
        };
        match &s.interarrival {
            Some(ia) => {
                let dt = ia.sample(&mut s.arrival_rng);
                self.calendar
                    .schedule(self.now + dt, Event::Arrival { node });
            }
            None => self.queue(Action::SourceNext(node)),
        }
    }

    pub(super) fn arrival(&mut self, node: u32) {
        let now = self.now;
        let NodeKind::Source(s) = &mut self.nodes[node as usize].kind else {
            return;
        };
        if !s.on_shift {
            s.arrival_due = true;
            return;
        }
        if s.made >= s.limit {
            return;
        }
        s.made += 1;
        let product = s.draw_product();
        let due = s
            .due_in
            .as_ref()
            .map_or(f64::INFINITY, |d| now + d.sample(&mut s.due_rng));
        let part = self.parts.create(product, now, due);
        if let NodeKind::Source(s) = &mut self.nodes[node as usize].kind {
            s.pending = part;
            s.blocked_from = now;
        }
        self.line.entered_total += 1;
        self.line.entered += 1;
        self.wip_change(1);
        self.log(node, part, LogEvent::Arrive);
        self.try_push(node, 0);
    }

    /// A saturated source makes the next part and offers it.
    pub(super) fn source_next(&mut self, node: u32) {
        let NodeKind::Source(s) = &mut self.nodes[node as usize].kind else {
            return;
        };
        if !s.on_shift || s.pending != NO_PART || s.made >= s.limit {
            return;
        }
        s.made += 1;
        let product = s.draw_product();
        // Not in the system yet: `created` is set when it leaves the source.
        let part = self.parts.create(product, f64::NAN, f64::INFINITY);
        if let NodeKind::Source(s) = &mut self.nodes[node as usize].kind {
            s.pending = part;
        }
        self.try_push(node, 0);
    }

    pub(super) fn source_released(&mut self, node: u32) {
        let now = self.now;
        let NodeKind::Source(s) = &mut self.nodes[node as usize].kind else {
            return;
        };
        let part = std::mem::replace(&mut s.pending, NO_PART);
        s.released += 1;
        // Blocking source: the next interarrival starts when the part has left.
        s.stop_blocked_clock(now, self.stats_start);
        match &s.interarrival {
            Some(ia) => {
                let dt = ia.sample(&mut s.arrival_rng);
                self.calendar.schedule(now + dt, Event::Arrival { node });
            }
            None => {
                let due = s
                    .due_in
                    .as_ref()
                    .map_or(f64::INFINITY, |d| now + d.sample(&mut s.due_rng));
                let p = &mut self.parts[part];
                p.created = now;
                p.entered = now;
                p.due = due;
                self.line.entered_total += 1;
                self.line.entered += 1;
                self.wip_change(1);
                self.log(node, part, LogEvent::Arrive);
                self.queue(Action::SourceNext(node));
            }
        }
    }

    pub(super) fn set_source_shift(&mut self, node: u32, on: bool) {
        let NodeKind::Source(s) = &mut self.nodes[node as usize].kind else {
            return;
        };
        s.on_shift = on;
        if !on {
            s.stop_blocked_clock(self.now, self.stats_start);
            return;
        }
        if !s.saturated() && s.pending != NO_PART {
            s.blocked_from = self.now;
        }
        if s.saturated() {
            if s.pending == NO_PART {
                self.queue(Action::SourceNext(node));
            } else {
                self.queue(Action::Push(node, 0));
            }
        } else if std::mem::take(&mut s.arrival_due) {
            self.arrival(node);
        }
    }
}
