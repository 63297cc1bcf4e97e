//! Lots that move together (`lots: Together` on an order source): a buffer
//! holds the parts of a lot until the whole lot has reached that point of
//! its route, then lets them go on, in the buffer's order.
//!
//! "That point" is counted in buffers: a part's `stage` is the number of
//! buffers it has entered. A lot is whole at stage k when every one of its
//! parts has entered k buffers or left the system (shipped, scrapped or
//! built in), so a scrapped part never keeps its lot waiting, and a lot
//! split over parallel buffers moves on from each of them at once.
//!
//! A buffer that fills up with parts held back (nothing in it could leave)
//! would stop the line for good: it lets its oldest held lot go part by
//! part instead, and the run counts the lot as split.

use super::part::NO_ORDER;
use super::store::insert_by_rule;
use super::{Action, Engine, NodeKind};

/// How far the parts of one lot have come.
#[derive(Clone, Debug, Default)]
pub struct LotTrack {
    /// `reached[k]`: parts that entered k + 1 buffers or left the system.
    reached: Vec<u32>,
    /// Parts that left the system.
    gone: u32,
    /// Buffers holding parts of the lot now.
    held_at: Vec<u32>,
    /// Let go part by part once (a buffer filled up).
    split: bool,
}

impl LotTrack {
    /// A part of the lot enters its `stage`-th buffer.
    fn reach(&mut self, stage: u16) {
        let k = usize::from(stage) - 1;
        if self.reached.len() <= k {
            // Parts gone already count as past every stage not yet reached.
            self.reached.resize(k + 1, self.gone);
        }
        self.reached[k] += 1;
    }

    /// A part that had entered `stage` buffers left the system.
    fn part_gone(&mut self, stage: u16) {
        self.gone += 1;
        for r in self.reached.iter_mut().skip(usize::from(stage)) {
            *r += 1;
        }
    }

    fn whole_at(&self, stage: u16, quantity: u32) -> bool {
        self.reached[usize::from(stage) - 1] >= quantity
    }
}

impl Engine {
    /// `part` enters a buffer `node`: true if it is held back for its lot.
    /// The part that makes its lot whole lets the lot's held parts go.
    pub(super) fn lot_arrives(&mut self, node: u32, part: u32) -> bool {
        let holds = match &self.nodes[node as usize].kind {
            NodeKind::Buffer(b) => b.special.as_deref().is_some_and(|r| r.holds_lots),
            _ => false,
        };
        let order = self.parts[part].order;
        if !holds || order == NO_ORDER {
            return false;
        }
        let o = &mut self.orders[order as usize];
        let Some(lot) = o.lot.as_deref_mut() else {
            return false;
        };
        let p = &mut self.parts[part];
        p.stage += 1;
        lot.reach(p.stage);
        if lot.whole_at(p.stage, o.quantity) {
            self.let_lots_go(order);
            return false;
        }
        if !lot.held_at.contains(&node) {
            lot.held_at.push(node);
        }
        if let NodeKind::Buffer(b) = &mut self.nodes[node as usize].kind
            && let Some(r) = b.special.as_deref_mut()
        {
            r.held.push(part);
        }
        true
    }

    /// A part of a lot that moves together left the system.
    pub(super) fn lot_part_gone(&mut self, part: u32) {
        let p = self.parts[part];
        if let Some(lot) = self.orders[p.order as usize].lot.as_deref_mut() {
            lot.part_gone(p.stage);
            self.let_lots_go(p.order);
        }
    }

    /// Lets go the held parts of `order` wherever its lot is whole.
    fn let_lots_go(&mut self, order: u32) {
        let Some(lot) = self.orders[order as usize].lot.as_deref() else {
            return;
        };
        for node in lot.held_at.clone() {
            self.unhold(node, order, false);
        }
    }

    /// A buffer full of held parts lets its oldest lot go part by part.
    pub(super) fn buffer_full_of_lots(&mut self, node: u32) {
        let NodeKind::Buffer(b) = &self.nodes[node as usize].kind else {
            return;
        };
        if b.content.level < b.capacity || !b.queue.is_empty() {
            return;
        }
        let Some(&oldest) = b.held().first() else {
            return;
        };
        let order = self.parts[oldest].order;
        if let Some(lot) = self.orders[order as usize].lot.as_deref_mut()
            && !lot.split
        {
            lot.split = true;
            self.line.lots_split += 1;
        }
        self.unhold(node, order, true);
    }

    /// Moves the held parts of `order` at `node` into its queue: those
    /// whose lot is whole at their stage, or all of them (`all`).
    fn unhold(&mut self, node: u32, order: u32, all: bool) {
        let Engine {
            nodes,
            parts,
            orders,
            ..
        } = self;
        let o = &mut orders[order as usize];
        let Some(lot) = o.lot.as_deref_mut() else {
            return;
        };
        let NodeKind::Buffer(b) = &mut nodes[node as usize].kind else {
            return;
        };
        let was_empty = b.queue.is_empty();
        let mut held = std::mem::take(&mut b.special.as_deref_mut().expect("holds lots").held);
        held.retain(|&p| {
            let goes = parts[p].order == order && (all || lot.whole_at(parts[p].stage, o.quantity));
            if goes {
                insert_by_rule(b, parts, p);
            }
            !goes
        });
        if !held.iter().any(|&p| parts[p].order == order) {
            lot.held_at.retain(|&n| n != node);
        }
        b.special.as_deref_mut().expect("holds lots").held = held;
        if was_empty && !b.queue.is_empty() {
            self.queue(Action::Push(node, 0));
        }
    }
}
