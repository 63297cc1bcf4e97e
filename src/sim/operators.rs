//! Operator pools: interchangeable people that stations need for setup and
//! processing. A station that needs one waits (`waiting_for_operator`) until
//! one is free; requests are served first come, first served.

use super::Engine;
use super::NodeKind;
use std::collections::VecDeque;

/// A pool of operators.
#[derive(Debug)]
pub struct Pool {
    pub id: String,
    pub count: u32,
    pub busy: u32,
    pub on_shift: bool,
    pub wage_per_hour: f64,
    /// Waiting requests: (station node, server).
    queue: VecDeque<(u32, u32)>,
    since: f64,
    /// ∫ busy dt and ∫ (on-shift headcount) dt since the statistics started.
    pub busy_area: f64,
    pub paid_area: f64,
}

impl Pool {
    pub fn new(id: String, count: u32, wage_per_hour: f64) -> Self {
        Self {
            id,
            count,
            busy: 0,
            on_shift: true,
            wage_per_hour,
            queue: VecDeque::new(),
            since: 0.0,
            busy_area: 0.0,
            paid_area: 0.0,
        }
    }

    pub(super) fn flush(&mut self, now: f64) {
        let dt = now - self.since;
        // Paid time is on-shift time; an operator kept at a paused job
        // overnight is not working.
        if self.on_shift {
            self.busy_area += f64::from(self.busy) * dt;
            self.paid_area += f64::from(self.count) * dt;
        }
        self.since = now;
    }

    pub(super) fn reset_statistics(&mut self, now: f64) {
        self.busy_area = 0.0;
        self.paid_area = 0.0;
        self.since = now;
    }
}

impl Engine {
    /// Asks `pool` for an operator for (node, server); true if granted now.
    pub(super) fn request_operator(&mut self, pool: u32, node: u32, server: u32) -> bool {
        let now = self.now;
        let p = &mut self.pools[pool as usize];
        if p.on_shift && p.busy < p.count && p.queue.is_empty() {
            p.flush(now);
            p.busy += 1;
            true
        } else {
            p.queue.push_back((node, server));
            false
        }
    }

    /// An operator of `pool` is free again.
    pub(super) fn release_operator(&mut self, pool: u32) {
        let now = self.now;
        let p = &mut self.pools[pool as usize];
        p.flush(now);
        p.busy -= 1;
        self.grant_operators(pool);
    }

    /// Hands free operators to waiting stations.
    fn grant_operators(&mut self, pool: u32) {
        let now = self.now;
        loop {
            let p = &mut self.pools[pool as usize];
            if !p.on_shift || p.busy >= p.count {
                return;
            }
            let Some((node, server)) = p.queue.pop_front() else {
                return;
            };
            p.flush(now);
            p.busy += 1;
            self.operator_arrived(node, server);
        }
    }

    pub(super) fn set_pool_shift(&mut self, pool: u32, on: bool) {
        let now = self.now;
        let p = &mut self.pools[pool as usize];
        p.flush(now);
        p.on_shift = on;
        if on {
            self.grant_operators(pool);
        }
    }

    /// Operators currently at `node` (for the viewer).
    pub fn operators_at(&self, node: u32) -> u32 {
        match &self.nodes[node as usize].kind {
            NodeKind::Station(s) => s.servers.iter().filter(|sv| sv.has_operator).count() as u32,
            _ => 0,
        }
    }
}
