//! Sources: where parts enter, at random intervals, saturated, or from an
//! order book (each order's parts released at its release time, waiting at
//! the source, in release order, until the line takes them).

use super::calendar::Event;
use super::part::NO_PART;
use super::rng::Stream;
use super::sampler::Sampler;
use super::{Action, Engine, LogEvent, NodeKind};
use std::collections::VecDeque;

/// A source's order book.
#[derive(Debug, Default)]
pub struct OrderFeed {
    /// (release time, order, product), in release order (higher priority
    /// first among equal times).
    pub(super) list: Vec<(f64, u32, u16)>,
    next: usize,
    /// Released orders with parts still to leave the source: (order,
    /// product, parts left).
    backlog: VecDeque<(u32, u16, u32)>,
}

impl OrderFeed {
    pub(super) fn new(list: Vec<(f64, u32, u16)>) -> Self {
        Self {
            list,
            ..Self::default()
        }
    }

    /// Its orders (indices into `Engine::orders`), in release order.
    pub fn orders(&self) -> impl Iterator<Item = u32> + '_ {
        self.list.iter().map(|&(_, order, _)| order)
    }
}

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
    /// An order book instead of random or saturated arrivals.
    pub(super) feed: Option<Box<OrderFeed>>,
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
            feed: None,
        }
    }

    /// A part is always waiting (no interarrival time, no order book).
    pub fn saturated(&self) -> bool {
        self.interarrival.is_none() && self.feed.is_none()
    }

    /// Its order book, if it has one.
    pub fn feed(&self) -> Option<&OrderFeed> {
        self.feed.as_deref()
    }

    /// Parts arrive at random intervals (its waiting part is in the system).
    pub fn timed(&self) -> bool {
        self.interarrival.is_some()
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
        if let Some(feed) = &s.feed {
            if let Some(&(first, _, _)) = feed.list.first()
                && first < self.end_time()
            {
                self.calendar.schedule(first, Event::OrderRelease { node });
            }
            return;
        }
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

    /// The orders due for release at this time join the source's backlog.
    pub(super) fn order_release(&mut self, node: u32) {
        let (now, end) = (self.now, self.end_time());
        let NodeKind::Source(s) = &mut self.nodes[node as usize].kind else {
            return;
        };
        let Some(feed) = s.feed.as_deref_mut() else {
            return;
        };
        while let Some(&(at, order, product)) = feed.list.get(feed.next)
            && at <= now
        {
            // (Less the parts a shadow's plant had already let go.)
            let o = &self.orders[order as usize];
            let quantity = o.quantity.saturating_sub(o.arrived);
            if quantity > 0 {
                feed.backlog.push_back((order, product, quantity));
            }
            feed.next += 1;
        }
        if let Some(&(at, _, _)) = feed.list.get(feed.next)
            && at < end
        {
            self.calendar.schedule(at, Event::OrderRelease { node });
        }
        self.source_next(node);
    }

    /// A source with an order book offers the next part of its backlog.
    fn order_next(&mut self, node: u32) {
        let now = self.now;
        let NodeKind::Source(s) = &mut self.nodes[node as usize].kind else {
            return;
        };
        if !s.on_shift || s.pending != NO_PART {
            return;
        }
        let Some(feed) = s.feed.as_deref_mut() else {
            return;
        };
        let Some(front) = feed.backlog.front_mut() else {
            return;
        };
        let (order, product) = (front.0, front.1);
        front.2 -= 1;
        if front.2 == 0 {
            feed.backlog.pop_front();
        }
        s.made += 1;
        s.blocked_from = now;
        // Its lead time runs from the order's release; it enters the
        // system (WIP) when it leaves the source.
        let o = &self.orders[order as usize];
        let part = self.parts.create(product, o.release, o.due);
        self.parts[part].order = order;
        if let NodeKind::Source(s) = &mut self.nodes[node as usize].kind {
            s.pending = part;
        }
        self.try_push(node, 0);
    }

    /// A saturated source makes the next part and offers it.
    pub(super) fn source_next(&mut self, node: u32) {
        let NodeKind::Source(s) = &mut self.nodes[node as usize].kind else {
            return;
        };
        if s.feed.is_some() {
            self.order_next(node);
            return;
        }
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
        if s.feed.is_some() {
            self.parts[part].entered = now;
            self.line.entered_total += 1;
            self.line.entered += 1;
            self.wip_change(1);
            self.log(node, part, LogEvent::Arrive);
            self.queue(Action::SourceNext(node));
            return;
        }
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
        if !s.timed() {
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
