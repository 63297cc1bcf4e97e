//! Operator pools: interchangeable people that stations need for setup and
//! processing. A station that needs one waits (`waiting_for_operator`) until
//! one is free; requests are served first come, first served.
//!
//! A pool's headcount follows its crews: one crew per shift (`crews`, the
//! crews on shift add up), or one `count` on each of its shifts. When the
//! headcount drops below the operators at work, each finishes the cycle in
//! hand (paid) and leaves; no new job starts until one is free again.
//!
//! With `walks: true` an operator walks (in straight lines, at the layout's
//! walking speed) from where it stands, its post or the station it last
//! left, to the station that gets it: the nearest idle one goes, it is busy
//! while it walks, and the station waits for it.
//!
//! A pool that `helps` others lends its free operators to their stations:
//! a request its own pool cannot grant goes to the first helper with one
//! free, and a helper's operator, once free, serves its own pool's queue
//! first and then the queues of the pools it helps, in its order.

use super::Engine;
use super::NodeKind;
use super::calendar::Event;
use std::collections::VecDeque;

/// The operators a pool has while one of its shifts is on.
#[derive(Clone, Copy, Debug)]
pub struct Crew {
    /// Index into `Engine::shifts`.
    pub shift: u32,
    pub count: u32,
    /// The shift's wage multiplier (overtime).
    pub wage_factor: f64,
}

/// Where a walking pool's idle operators stand (one place each), and how
/// they walk.
#[derive(Debug)]
pub struct Walk {
    pub post: (f64, f64),
    /// Metres per second.
    pub speed: f64,
    pub idle_at: Vec<(f64, f64)>,
}

impl Walk {
    /// The idle operator nearest `to` leaves its place; the walk's seconds.
    fn send(&mut self, to: (f64, f64)) -> f64 {
        let d = |p: &(f64, f64)| (p.0 - to.0).hypot(p.1 - to.1);
        let nearest = (0..self.idle_at.len())
            .min_by(|&a, &b| d(&self.idle_at[a]).total_cmp(&d(&self.idle_at[b])));
        let from = match nearest {
            Some(k) => self.idle_at.swap_remove(k),
            // (Never with a consistent pool; then from the post.)
            None => self.post,
        };
        d(&from) / self.speed
    }

    /// As many idle operators as `idle`: new ones come to the post, the
    /// last ones to become idle leave first.
    fn resize(&mut self, idle: usize) {
        let post = self.post;
        self.idle_at.resize(idle, post);
    }
}

/// The headcount a plant reports for a pool at a shadow's start. It holds
/// while the crews on shift are those on then (read in a break or between
/// shifts: those that come on next, within [`BREAK_AT_MOST`]), through a
/// break (off for at most [`BREAK_AT_MOST`]); a longer time off or another
/// crew coming on ends it: the next shift brings its own crew. A pool
/// without crews keeps it to the end.
#[derive(Clone, Debug)]
struct Present {
    count: u32,
    on: Vec<bool>,
    /// All its crews went off at this time (a break, or the shift's end).
    off_since: Option<f64>,
}

/// The longest time off that is a break, not the end of a shift.
pub const BREAK_AT_MOST: f64 = 4.0 * 3600.0;

/// A pool of operators.
#[derive(Debug)]
pub struct Pool {
    pub id: String,
    /// Operators on shift now.
    pub count: u32,
    /// The pool's size as reports name it: its count, or its largest crew.
    pub size: u32,
    pub busy: u32,
    pub on_shift: bool,
    pub wage_per_hour: f64,
    /// Empty: always on with `count`.
    pub crews: Vec<Crew>,
    /// Crews on shift at once add up (`crews`); otherwise the pool has its
    /// one count while any of its shifts is on.
    pub crews_add_up: bool,
    /// The wage multiplier of the hours paid now.
    wage_factor: f64,
    /// Walking operators: where the idle ones stand, their post, their speed.
    pub(super) walk: Option<Box<Walk>>,
    /// The plant's headcount read at a shadow's start (see [`Present`]).
    present: Option<Present>,
    /// The pools this one's operators also serve, in priority order.
    pub helps: Vec<u32>,
    /// The pools that help this one, in scene order.
    pub helpers: Vec<u32>,
    /// Carriers (transfer robots, fleets) whose trips need one of these
    /// operators: woken when one is free and no station waits.
    pub carriers: Vec<u32>,
    /// Waiting requests: (station node, server).
    queue: VecDeque<(u32, u32)>,
    since: f64,
    /// ∫ busy dt and ∫ (on-shift headcount) dt since the statistics started.
    pub busy_area: f64,
    pub paid_area: f64,
    /// ∫ paid headcount × wage factor dt: labour cost ÷ wage per hour.
    pub wage_area: f64,
}

impl Pool {
    pub fn new(id: String, count: u32, wage_per_hour: f64) -> Self {
        Self {
            id,
            count,
            size: count,
            busy: 0,
            on_shift: true,
            wage_per_hour,
            crews: Vec::new(),
            crews_add_up: false,
            wage_factor: 1.0,
            walk: None,
            present: None,
            helps: Vec::new(),
            helpers: Vec::new(),
            carriers: Vec::new(),
            queue: VecDeque::new(),
            since: 0.0,
            busy_area: 0.0,
            paid_area: 0.0,
            wage_area: 0.0,
        }
    }

    /// Sets headcount and wage factor from which of the crews' shifts are
    /// on (`on[i]` for `crews[i]`).
    pub(super) fn apply_crews(&mut self, on: &[bool], now: f64) {
        if self.crews.is_empty() {
            if let Some(p) = &self.present {
                self.count = p.count;
            }
            return;
        }
        let (mut count, mut weighted, mut any, mut top) = (0u32, 0.0, false, 0.0f64);
        for (crew, &on) in self.crews.iter().zip(on) {
            if on {
                any = true;
                count += crew.count;
                weighted += f64::from(crew.count) * crew.wage_factor;
                top = top.max(crew.wage_factor);
            }
        }
        let idle = |count: u32, busy: u32| count.saturating_sub(busy) as usize;
        if self.crews_add_up {
            self.count = count;
            self.on_shift = count > 0;
            self.wage_factor = if count > 0 {
                weighted / f64::from(count)
            } else {
                1.0
            };
        } else {
            self.count = self.size;
            self.on_shift = any;
            self.wage_factor = top;
        }
        self.hold_present(on, now);
        let n = idle(self.count, self.busy);
        if let Some(w) = self.walk.as_deref_mut() {
            w.resize(n);
        }
    }

    /// Keeps the plant's headcount while the same crews are on (see
    /// [`Present`]).
    fn hold_present(&mut self, on: &[bool], now: f64) {
        let Some(p) = self.present.as_mut() else {
            return;
        };
        if p.on == on {
            if p.off_since.is_some_and(|since| now - since > BREAK_AT_MOST) {
                self.present = None;
            } else {
                p.off_since = None;
                self.count = p.count;
            }
        } else if on.iter().all(|&x| !x) {
            p.off_since.get_or_insert(now);
        } else {
            self.present = None;
        }
    }

    /// An operator is free and no one of this pool waits for one.
    fn free(&self) -> bool {
        self.on_shift && self.busy < self.count && self.queue.is_empty()
    }

    pub(super) fn flush(&mut self, now: f64) {
        let dt = now - self.since;
        // Paid time is on-shift time; an operator kept at a paused job
        // overnight is not working. One finishing a cycle after the crew
        // shrank is paid until the cycle ends.
        if self.on_shift {
            let paid = f64::from(self.count.max(self.busy));
            self.busy_area += f64::from(self.busy) * dt;
            self.paid_area += paid * dt;
            self.wage_area += paid * self.wage_factor * dt;
        }
        self.since = now;
    }

    pub(super) fn reset_statistics(&mut self, now: f64) {
        self.busy_area = 0.0;
        self.paid_area = 0.0;
        self.wage_area = 0.0;
        self.since = now;
    }
}

impl Engine {
    /// Asks `pool` (or, if it has no one free, the first pool that helps
    /// it and has) for an operator for (node, server): the pool whose
    /// operator is there now, or `None` when the station must wait (queued,
    /// or the operator is walking over).
    pub(super) fn request_operator(&mut self, pool: u32, node: u32, server: u32) -> Option<u32> {
        let giver = if self.pools[pool as usize].free() {
            Some(pool)
        } else {
            let helpers = &self.pools[pool as usize].helpers;
            helpers
                .iter()
                .copied()
                .find(|&h| self.pools[h as usize].free())
        };
        let Some(giver) = giver else {
            self.pools[pool as usize].queue.push_back((node, server));
            return None;
        };
        let now = self.now;
        let p = &mut self.pools[giver as usize];
        p.flush(now);
        p.busy += 1;
        self.dispatch_operator(giver, node, server).then_some(giver)
    }

    /// Whether `pool`, or a pool that helps it and does not walk, has an
    /// operator free that no station waits for (a carrier may set off).
    pub(super) fn operator_free(&self, pool: u32) -> bool {
        let p = &self.pools[pool as usize];
        p.free() || p.helpers.iter().any(|&h| self.can_drive(h))
    }

    /// A helping pool lends a driver only if its operators do not walk:
    /// drivers ride with the carrier, a walker stays on foot.
    fn can_drive(&self, pool: u32) -> bool {
        let p = &self.pools[pool as usize];
        p.free() && p.walk.is_none()
    }

    /// A carrier takes a free operator of `pool` (or of a pool that helps it
    /// and does not walk) for a trip: the pool it came from.
    pub(super) fn take_operator(&mut self, pool: u32) -> u32 {
        let giver = if self.pools[pool as usize].free() {
            pool
        } else {
            let helpers = &self.pools[pool as usize].helpers;
            let free = helpers.iter().copied().find(|&h| self.can_drive(h));
            free.expect("a carrier sets off only with an operator free")
        };
        let now = self.now;
        let p = &mut self.pools[giver as usize];
        p.flush(now);
        p.busy += 1;
        giver
    }

    /// A walking operator sets off for (node, server): false (it arrives
    /// later, as an event), or true at once for a pool that does not walk
    /// or an operator already there.
    fn dispatch_operator(&mut self, pool: u32, node: u32, server: u32) -> bool {
        let to = self.nodes[node as usize].entry;
        let Some(w) = self.pools[pool as usize].walk.as_deref_mut() else {
            return true;
        };
        let walk = w.send(to);
        if walk <= 0.0 {
            return true;
        }
        self.calendar.schedule(
            self.now + walk,
            Event::OperatorArrives { node, server, pool },
        );
        false
    }

    /// An operator of `pool` is free again, at station `node` (a walking
    /// one waits there for the next request; one more than the crew now on
    /// shift goes home).
    pub(super) fn release_operator(&mut self, pool: u32, node: u32) {
        let now = self.now;
        let at = self.nodes[node as usize].entry;
        let p = &mut self.pools[pool as usize];
        p.flush(now);
        let stays = p.busy <= p.count;
        p.busy -= 1;
        if let Some(w) = p.walk.as_deref_mut()
            && stays
        {
            w.idle_at.push(at);
        }
        self.grant_operators(pool);
    }

    /// Hands free operators to waiting stations: this pool's first, then
    /// those of the pools it helps, in order.
    fn grant_operators(&mut self, pool: u32) {
        let now = self.now;
        let helps = self.pools[pool as usize].helps.len();
        for k in 0..=helps {
            let from = match k {
                0 => pool,
                k => self.pools[pool as usize].helps[k - 1],
            };
            loop {
                let p = &self.pools[pool as usize];
                if !p.on_shift || p.busy >= p.count {
                    return;
                }
                let Some((node, server)) = self.pools[from as usize].queue.pop_front() else {
                    break;
                };
                let p = &mut self.pools[pool as usize];
                p.flush(now);
                p.busy += 1;
                if self.dispatch_operator(pool, node, server) {
                    self.operator_arrived(node, server, pool);
                }
            }
        }
        self.wake_carriers(pool);
    }

    /// With operators of `pool` still free, the carriers that need them
    /// (or one of the pools it helps) look again for parts to carry.
    fn wake_carriers(&mut self, pool: u32) {
        let p = &self.pools[pool as usize];
        if !p.free() {
            return;
        }
        for k in 0..=p.helps.len() {
            let p = &self.pools[pool as usize];
            let whose = if k == 0 { pool } else { p.helps[k - 1] };
            for i in 0..self.pools[whose as usize].carriers.len() {
                let node = self.pools[whose as usize].carriers[i];
                self.space_freed(node);
            }
        }
    }

    /// A shift of `pool`'s crews turned on or off: new headcount, and
    /// free operators to whoever waits.
    pub(super) fn refresh_pool(&mut self, pool: u32) {
        let now = self.now;
        let (shifts, p) = (&self.shifts, &mut self.pools[pool as usize]);
        p.flush(now);
        let on: Vec<bool> = p
            .crews
            .iter()
            .map(|c| shifts[c.shift as usize].calendar.is_on(now))
            .collect();
        p.apply_crews(&on, now);
        self.grant_operators(pool);
    }

    /// The plant's headcount of `pool` now (shadow mode): it replaces the
    /// crew on shift until the crews on shift change.
    pub(super) fn set_present(&mut self, pool: u32, present: u32) {
        let now = self.now;
        let (shifts, p) = (&self.shifts, &mut self.pools[pool as usize]);
        p.flush(now);
        let on_at = |t: f64| -> Vec<bool> {
            p.crews
                .iter()
                .map(|c| shifts[c.shift as usize].calendar.is_on(t))
                .collect()
        };
        let on = on_at(now);
        let (mut held, mut off_since) = (on.clone(), None);
        if !on.is_empty() && on.iter().all(|&x| !x) {
            // Read in a break: the headcount is for the crews that come
            // back within a break's length (none: the shift has ended).
            off_since = Some(now);
            let back = p
                .crews
                .iter()
                .map(|c| shifts[c.shift as usize].calendar.next_change(now))
                .fold(f64::INFINITY, f64::min);
            if back - now <= BREAK_AT_MOST {
                held = on_at(back);
            }
        }
        p.present = Some(Present {
            count: present,
            on: held,
            off_since,
        });
        p.apply_crews(&on, now);
        self.grant_operators(pool);
    }

    /// Operators currently at `node` (for the viewer).
    pub fn operators_at(&self, node: u32) -> u32 {
        match &self.nodes[node as usize].kind {
            NodeKind::Station(s) => s.servers.iter().filter(|sv| sv.has_operator()).count() as u32,
            _ => 0,
        }
    }
}
