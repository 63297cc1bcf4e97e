//! Moving parts between nodes: offer, accept, block, wake.
//!
//! A node holding a finished part in a *slot* calls [`Engine::try_push`]. The
//! part goes to the first outgoing edge whose target accepts it (or to the
//! edge drawn for it when the node routes by probability). An edge `via` a
//! transfer robot hands the part to the robot, which releases the upstream
//! slot only when it has picked the part. If nothing accepts, the slot waits
//! on every candidate target; a target with new space wakes its waiters in
//! FIFO order.

use super::part::{NO_EDGE, NO_PART};
use super::{Action, Engine, LogEvent, NodeKind, Waiter};

/// Whether and as what a node takes a part offered to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Intake {
    Refused,
    Station,
    Buffer,
    Conveyor,
    Sink,
}

impl Engine {
    /// The part ready to leave `slot` of `node`, if any.
    #[inline(always)]
    pub(super) fn ready_part(&self, node: u32, slot: u32) -> Option<u32> {
        let n = &self.nodes[node as usize];
        // No robot fetches from a node that waits by flag (its one edge has
        // none): its slot need not be read.
        if !n.waits_by_flag && self.slots[(n.slot_base + slot) as usize].reserved {
            return None;
        }
        // Stations and buffers first, the other kinds out of line: two
        // predictable compares instead of an indirect jump whose target
        // changes from one hand-off to the next (the same in `intake`,
        // `deliver` and `release`).
        let p = match &n.kind {
            NodeKind::Station(s) => s.ready_part(slot),
            NodeKind::Buffer(b) => b.queue.front().copied().unwrap_or(NO_PART),
            other => Self::ready_part_elsewhere(other),
        };
        (p != NO_PART).then_some(p)
    }

    #[inline(never)]
    fn ready_part_elsewhere(kind: &NodeKind) -> u32 {
        match kind {
            NodeKind::Source(s) if s.on_shift || s.timed() => s.pending,
            NodeKind::Conveyor(c) if c.head_ready => c.parts.front().map_or(NO_PART, |p| p.part),
            _ => NO_PART,
        }
    }

    /// Offers the part in `slot` of `node` downstream. Returns whether it left
    /// (or a robot is on its way to fetch it).
    pub(super) fn try_push(&mut self, node: u32, slot: u32) -> bool {
        let Some(part) = self.ready_part(node, slot) else {
            return false;
        };
        let waiter = self.waiter(node, slot);
        let n = &self.nodes[node as usize];
        // One fixed destination: a transfer robot's place point, or the only
        // plain edge of a node (the common case, so it skips the edge loop).
        let fixed = if n.is_transfer {
            self.transfer_destination(node, slot)
        } else {
            n.single_target
        };
        if let Some(to) = fixed {
            let intake = self.intake(to, part);
            if intake != Intake::Refused {
                self.release(node, slot);
                self.deliver(to, part, intake);
                return true;
            }
            self.wait_for(to, node, waiter);
            self.on_blocked(node, slot);
            return false;
        }
        let waiter = waiter.expect("only a node with one fixed destination waits by flag");
        let product = self.parts[part].product;
        let n = &self.nodes[node as usize];
        let chosen = if n.weighted {
            let mut e = self.parts[part].next_edge;
            if e == NO_EDGE {
                e = self.draw_edge(node, product);
                self.parts[part].next_edge = e;
            }
            Some(e as usize)
        } else {
            None
        };
        let n = &self.nodes[node as usize];
        let count = n.out.len();
        for i in 0..count {
            let Some((to, via)) = self.candidate(node, i, product, chosen) else {
                continue;
            };
            match via {
                None => {
                    let intake = self.intake(to, part);
                    if intake != Intake::Refused {
                        self.forget_drawn_edge(part, chosen);
                        self.release(node, slot);
                        self.deliver(to, part, intake);
                        return true;
                    }
                }
                Some(robot) => {
                    if self.robot_available(robot) && self.can_accept(to, part) {
                        self.forget_drawn_edge(part, chosen);
                        self.robot_fetch(robot, node, slot, part, to);
                        return true;
                    }
                }
            }
        }
        // Blocked: wait on every candidate target (and robot).
        for i in 0..count {
            let Some((to, via)) = self.candidate(node, i, product, chosen) else {
                continue;
            };
            self.wait_on(to, waiter);
            if let Some(robot) = via {
                self.wait_on(robot, waiter);
            }
        }
        self.on_blocked(node, slot);
        false
    }

    /// A waiter for (node, slot) with a new token, so the slot's older
    /// waiters in any queue are stale from now on; none for a node that
    /// waits by its target's flag (it never queues one).
    #[inline(always)]
    fn waiter(&mut self, node: u32, slot: u32) -> Option<Waiter> {
        if self.nodes[node as usize].waits_by_flag {
            return None;
        }
        let flat = self.flat_slot(node, slot);
        let t = &mut self.slots[flat].token;
        *t = t.wrapping_add(1);
        Some(Waiter {
            node,
            slot,
            flat: flat as u32,
            token: *t,
        })
    }

    /// Registers (node, slot) as waiting on `target` without offering its
    /// part, where the offer is known to fail (as in `wait_for`).
    pub(super) fn wait_without_offer(&mut self, node: u32, slot: u32, target: u32) {
        let waiter = self.waiter(node, slot);
        self.wait_for(target, node, waiter);
    }

    /// The part leaves the node that drew an edge for it: the next node
    /// draws afresh. (Only routing by probability draws, so only it resets:
    /// the common hand-off does not write to the part.)
    #[inline]
    fn forget_drawn_edge(&mut self, part: u32, chosen: Option<usize>) {
        if chosen.is_some() {
            self.parts[part].next_edge = NO_EDGE;
        }
    }

    /// Edge `i` of `node` as (target, robot), if a part of `product` may take
    /// it (the drawn edge only, when the node routes by probability).
    pub(super) fn candidate(
        &self,
        node: u32,
        i: usize,
        product: u16,
        chosen: Option<usize>,
    ) -> Option<(u32, Option<u32>)> {
        let edge = &self.nodes[node as usize].out[i];
        let admitted = chosen.is_none_or(|c| c == i) && edge.product.is_none_or(|p| p == product);
        admitted.then_some((edge.to, edge.via))
    }

    /// Draws an outgoing edge for `product` by the edges' weights.
    pub(super) fn draw_edge(&mut self, node: u32, product: u16) -> u32 {
        let n = &mut self.nodes[node as usize];
        let u = n.routing_rng.uniform();
        let mut acc = 0.0;
        let mut last = NO_EDGE;
        for (i, e) in n.out.iter().enumerate() {
            if e.product.is_some_and(|p| p != product) {
                continue;
            }
            acc += e.weight;
            last = i as u32;
            if u < acc {
                return i as u32;
            }
        }
        last // rounding: weights sum to 1 within 1e-6
    }

    /// A node waits for space in `target`, its only destination: by the
    /// target's flag when it is the sole feeder (no waiter), else in the
    /// waiter queue.
    #[inline(always)]
    fn wait_for(&mut self, target: u32, node: u32, waiter: Option<Waiter>) {
        match waiter {
            None => {
                let t = &mut self.nodes[target as usize];
                debug_assert_eq!(
                    t.sole_feeder,
                    Some(node),
                    "waits by flag only on its target"
                );
                t.feeder_waiting = true;
            }
            Some(w) => self.wait_on(target, w),
        }
    }

    #[inline(always)]
    fn wait_on(&mut self, target: u32, waiter: Waiter) {
        let len = self.nodes[target as usize].waiters.len();
        if len >= 64 && len.is_power_of_two() {
            // Drop stale entries now and then so retries cannot pile up.
            let slots = &self.slots;
            let keep: Vec<Waiter> = self.nodes[target as usize]
                .waiters
                .iter()
                .copied()
                .filter(|w| slots[w.flat as usize].token == w.token)
                .collect();
            self.nodes[target as usize].waiters = keep.into();
        }
        let n = &mut self.nodes[target as usize];
        n.waiters.push_back(waiter);
        if let NodeKind::Conveyor(_) = n.kind {
            self.conveyor_watch_gap(target);
        }
    }

    /// Retries the nodes waiting on `node`, while it has space.
    #[inline(always)]
    pub(super) fn wake(&mut self, node: u32) {
        if self.is_assembly(node) {
            self.assembly_try_start(node);
        }
        let n = &mut self.nodes[node as usize];
        if let Some(feeder) = n.sole_feeder {
            // A link: the feeder is the only one that can wait here.
            if std::mem::take(&mut n.feeder_waiting) {
                self.try_push(feeder, 0);
            }
            return;
        }
        let rounds = self.nodes[node as usize].waiters.len();
        for _ in 0..rounds {
            if !self.has_space(node) {
                break;
            }
            let Some(w) = self.nodes[node as usize].waiters.pop_front() else {
                break;
            };
            if self.slots[w.flat as usize].token == w.token {
                self.try_push(w.node, w.slot);
            }
        }
    }

    /// Whether `node` could take some part now (a cheap pre-check for waking).
    #[inline]
    fn has_space(&self, node: u32) -> bool {
        let n = &self.nodes[node as usize];
        match &n.kind {
            NodeKind::Station(s) => s.has_space(!n.is_assembly && !n.is_transfer),
            NodeKind::Buffer(b) => b.content.level < b.capacity,
            NodeKind::Conveyor(c) => c.parts.len() < c.capacity as usize,
            NodeKind::Sink(_) => true,
            NodeKind::Source(_) => false,
        }
    }

    /// Whether `node` takes `part` now.
    #[inline(always)]
    pub(super) fn can_accept(&self, node: u32, part: u32) -> bool {
        self.intake(node, part) != Intake::Refused
    }

    /// How `node` takes `part` now, if it does: its kind, so the delivery
    /// that follows need not look it up again.
    #[inline(always)]
    fn intake(&self, node: u32, part: u32) -> Intake {
        let n = &self.nodes[node as usize];
        let takes = |yes: bool, kind: Intake| if yes { kind } else { Intake::Refused };
        match &n.kind {
            NodeKind::Station(s) => {
                let plain = !n.is_assembly && !n.is_transfer;
                // Only assembly bins care about the product.
                let product = if plain { 0 } else { self.parts[part].product };
                takes(s.can_accept(product, plain), Intake::Station)
            }
            NodeKind::Buffer(b) => takes(b.content.level < b.capacity, Intake::Buffer),
            other => self.intake_elsewhere(other),
        }
    }

    #[inline(never)]
    fn intake_elsewhere(&self, kind: &NodeKind) -> Intake {
        match kind {
            NodeKind::Conveyor(c) if c.can_accept(self.now) => Intake::Conveyor,
            NodeKind::Sink(_) => Intake::Sink,
            _ => Intake::Refused,
        }
    }

    /// Hands `part` to `node`, which has just taken it as `intake` says.
    #[inline(always)]
    fn deliver(&mut self, node: u32, part: u32, intake: Intake) {
        self.log(node, part, LogEvent::Enter);
        match intake {
            Intake::Station => self.station_accept(node, part),
            Intake::Buffer => self.buffer_accept(node, part),
            other => self.deliver_elsewhere(node, part, other),
        }
    }

    #[inline(never)]
    fn deliver_elsewhere(&mut self, node: u32, part: u32, intake: Intake) {
        match intake {
            Intake::Conveyor => self.conveyor_accept(node, part),
            Intake::Sink => self.sink_accept(node, part),
            _ => unreachable!("{intake:?} is delivered in `deliver`"),
        }
    }

    /// The part in `slot` of `node` has left: update the node.
    #[inline(always)]
    pub(super) fn release(&mut self, node: u32, slot: u32) {
        match &self.nodes[node as usize].kind {
            NodeKind::Station(_) => self.station_released(node, slot),
            NodeKind::Buffer(_) => self.buffer_released(node),
            _ => self.release_elsewhere(node),
        }
    }

    #[inline(never)]
    fn release_elsewhere(&mut self, node: u32) {
        match &self.nodes[node as usize].kind {
            NodeKind::Conveyor(_) => self.conveyor_released(node),
            NodeKind::Source(_) => self.source_released(node),
            _ => {}
        }
    }

    /// A push just failed: the node is blocked in that slot.
    #[inline]
    fn on_blocked(&mut self, node: u32, _slot: u32) {
        if let NodeKind::Conveyor(_) = self.nodes[node as usize].kind {
            self.conveyor_blocked(node);
        }
    }

    /// Offers the part in (node, slot) now, or queues the offer when pushes
    /// are already nested deeply (a chain of buffers must not eat the stack).
    #[inline(always)]
    pub(super) fn push_soon(&mut self, node: u32, slot: u32) {
        if self.depth < 16 {
            self.depth += 1;
            self.try_push(node, slot);
            self.depth -= 1;
        } else {
            self.queue(Action::Push(node, slot));
        }
    }

    #[inline]
    pub(super) fn queue(&mut self, action: Action) {
        self.actions.push(action);
    }

    fn sink_accept(&mut self, node: u32, part: u32) {
        let p = self.parts[part];
        self.log(node, part, LogEvent::Exit);
        self.line.exited_total += 1;
        self.line.exited += 1;
        self.line.lead_time.record(self.now - p.created);
        self.depart(part);
        if let NodeKind::Sink(s) = &mut self.nodes[node as usize].kind {
            s.received += 1;
            if p.due.is_finite() {
                s.with_due_date += 1;
                if self.now <= p.due {
                    s.on_time += 1;
                }
            }
        }
        self.parts.destroy(part);
        self.wip_change(-1);
    }

    /// Queues a wake-up of `node` (it has space again).
    #[inline(always)]
    pub(super) fn space_freed(&mut self, node: u32) {
        let n = &self.nodes[node as usize];
        // A link has no waiter queue to look at (it sits on another cache line).
        let waiters = n.sole_feeder.is_none() && !n.waiters.is_empty();
        if n.feeder_waiting || waiters || n.is_assembly {
            self.queue(Action::Wake(node));
        }
    }
}
