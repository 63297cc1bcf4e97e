//! Carriers: transfer robots and fleets of vehicles, which carry parts along
//! the flow edges marked `via` them. Each is a station with one server per
//! carrier (one for a robot, one per vehicle) whose "work" is a leg of
//! travel: empty to the pick point, then (holding the part) to the place
//! point. The upstream slot is released only when the part is picked. A
//! request goes to the idle carrier nearest the pick point (the lowest
//! number among equals); requests that find none wait, first come first
//! served, until one is free.
//!
//! A vehicle that carries several (`capacity`) loads, after each part, the
//! next one ready at the same place and bound the same way (via its fleet
//! to the same destination), each taking a load time, until it is full or
//! none is ready; at the destination it sets them down one by one, the
//! last loaded first, each taking an unload time.

use super::calendar::Event;
use super::part::NO_EDGE;
use super::station::{Carrier, Job, Phase, Station, StationKind};
use super::{Engine, LogEvent, NodeKind};

impl Engine {
    pub(super) fn robot_available(&self, robot: u32) -> bool {
        match &self.nodes[robot as usize].kind {
            NodeKind::Station(st) => {
                st.available()
                    && st.servers.iter().any(|s| s.phase == Phase::Idle)
                    && st.operator.is_none_or(|p| self.operator_free(p))
            }
            _ => false,
        }
    }

    /// Where the carrier of `slot` holding a part must place it.
    pub(super) fn transfer_destination(&self, node: u32, slot: u32) -> Option<u32> {
        match &self.nodes[node as usize].kind {
            NodeKind::Station(Station {
                kind: StationKind::Transfer { carriers, .. },
                ..
            }) => carriers[slot as usize].job.map(|j| j.to),
            _ => None,
        }
    }

    /// The idle carrier nearest `point` sets off to pick `part` from
    /// (from, slot) for `to`.
    pub(super) fn robot_fetch(
        &mut self,
        robot: u32,
        from: u32,
        from_slot: u32,
        part: u32,
        to: u32,
    ) {
        let pick_point = self.nodes[from as usize].exit;
        let st = self.station(robot);
        let StationKind::Transfer {
            speed,
            pick,
            carriers,
            ..
        } = &mut st.kind
        else {
            return;
        };
        let servers = &st.servers;
        let Some(k) = (0..carriers.len())
            .filter(|&k| servers[k].phase == Phase::Idle)
            .min_by(|&a, &b| {
                dist(carriers[a].at, pick_point).total_cmp(&dist(carriers[b].at, pick_point))
            })
        else {
            return;
        };
        let travel = dist(carriers[k].at, pick_point) / *speed;
        let duration = travel + *pick;
        carriers[k].job = Some(Job {
            from,
            from_slot,
            to,
            to_pick: true,
        });
        if let Some(pool) = st.operator {
            let driver = self.take_operator(pool);
            self.station(robot).servers[k].operator = driver;
        }
        // The part stays where it is until picked, but no longer offers itself.
        let flat = self.flat_slot(from, from_slot);
        self.slots[flat].reserved = true;
        self.start_leg(robot, k as u32, part, pick_point, travel, duration);
    }

    /// Starts a leg of carrier `server` to `to`: `travel` seconds of driving,
    /// then the pick or place, `duration` in all.
    fn start_leg(
        &mut self,
        robot: u32,
        server: u32,
        part: u32,
        to: (f64, f64),
        travel: f64,
        duration: f64,
    ) {
        let now = self.now;
        let st = self.station(robot);
        if let StationKind::Transfer { carriers, .. } = &mut st.kind {
            let c = &mut carriers[server as usize];
            c.leg_from = c.at;
            c.at = to;
            c.leg_start = now;
            c.travel_end = now + travel;
        }
        let s = &mut st.servers[server as usize];
        s.part = part;
        let generation = s.start_phase(Phase::Work, now, duration);
        self.working_changed(robot, 1);
        self.station(robot).update_server(server as usize, now);
        self.calendar.schedule(
            now + duration,
            Event::PhaseDone {
                node: robot,
                server,
                generation,
            },
        );
    }

    pub(super) fn transfer_leg_done(&mut self, robot: u32, server: u32) {
        let now = self.now;
        let st = self.station(robot);
        let StationKind::Transfer { carriers, .. } = &st.kind else {
            return;
        };
        let Some(job) = carriers[server as usize].job else {
            return;
        };
        let part = st.servers[server as usize].part;
        if job.to_pick {
            let pick_point = self.nodes[job.from as usize].exit;
            let place_point = self.nodes[job.to as usize].entry;
            self.log(robot, part, LogEvent::Pick);
            if let StationKind::Transfer { carriers, .. } = &mut self.station(robot).kind {
                // (Zero for a second part loaded where the first was.)
                let c = &mut carriers[server as usize];
                c.empty_travel += c.travel_end - c.leg_start;
            }
            // The part is on board: the upstream slot is free.
            let flat = self.flat_slot(job.from, job.from_slot);
            self.slots[flat].reserved = false;
            self.release(job.from, job.from_slot);
            if self.load_another(robot, server, part) {
                return;
            }
            let st = self.station(robot);
            let StationKind::Transfer {
                speed,
                place,
                carriers,
                ..
            } = &mut st.kind
            else {
                return;
            };
            let c = &mut carriers[server as usize];
            let travel = dist(pick_point, place_point) / *speed;
            let duration = travel + *place;
            if let Some(j) = c.job.as_mut() {
                j.to_pick = false;
            }
            self.start_leg(robot, server, part, place_point, travel, duration);
        } else {
            let st = self.station(robot);
            st.produced += 1;
            st.servers[server as usize].phase = Phase::Done;
            st.update_server(server as usize, now);
            self.log(robot, part, LogEvent::Place);
            self.try_push(robot, server);
        }
    }

    /// A carrier that just loaded `part` and has room loads the next part
    /// ready at the same place and bound for the same destination via it:
    /// true if it does (one more load time there).
    fn load_another(&mut self, robot: u32, server: u32, part: u32) -> bool {
        let StationKind::Transfer {
            carriers,
            capacity,
            pick,
            ..
        } = &self.station(robot).kind
        else {
            return false;
        };
        let (c, pick) = (&carriers[server as usize], *pick);
        let Some(job) = c.job else { return false };
        if c.cargo.len() as u32 + 1 >= *capacity {
            return false;
        }
        let Some((slot, next)) = self.bound_with(robot, job.from, job.to) else {
            return false;
        };
        let flat = self.flat_slot(job.from, slot);
        self.slots[flat].reserved = true;
        let at = self.nodes[job.from as usize].exit;
        let StationKind::Transfer { carriers, .. } = &mut self.station(robot).kind else {
            return false;
        };
        let c = &mut carriers[server as usize];
        c.cargo.push(part);
        if let Some(j) = c.job.as_mut() {
            j.from_slot = slot;
        }
        self.start_leg(robot, server, next, at, 0.0, pick);
        true
    }

    /// A part ready at `from` (not yet asked for) that may go via `robot` to
    /// `to`: its slot and the part.
    fn bound_with(&mut self, robot: u32, from: u32, to: u32) -> Option<(u32, u32)> {
        let slots = match &self.nodes[from as usize].kind {
            NodeKind::Station(st) => st.servers.len() as u32,
            _ => 1,
        };
        for slot in 0..slots {
            let Some(part) = self.ready_part(from, slot) else {
                continue;
            };
            let product = self.parts[part].product;
            let n = &self.nodes[from as usize];
            let chosen = if n.weighted {
                if self.parts[part].next_edge == NO_EDGE {
                    let e = self.draw_edge(from, product);
                    self.parts[part].next_edge = e;
                }
                Some(self.parts[part].next_edge as usize)
            } else {
                None
            };
            let goes = (0..self.nodes[from as usize].out.len())
                .any(|i| self.candidate(from, i, product, chosen) == Some((to, Some(robot))));
            if goes {
                if chosen.is_some() {
                    self.parts[part].next_edge = NO_EDGE;
                }
                return Some((slot, part));
            }
        }
        None
    }

    /// A carrier set down its part at the destination: with more on
    /// board, it sets down the next (one unload time). True if it does.
    pub(super) fn unload_next(&mut self, robot: u32, server: u32) -> bool {
        let StationKind::Transfer {
            carriers, place, ..
        } = &mut self.station(robot).kind
        else {
            return false;
        };
        let place = *place;
        let c = &mut carriers[server as usize];
        let Some(next) = c.cargo.pop() else {
            return false;
        };
        let at = c.at;
        self.start_leg(robot, server, next, at, 0.0, place);
        true
    }

    /// Where a transfer robot's tool is (for the viewer).
    pub fn robot_tool(&self, robot: u32) -> Option<(f64, f64)> {
        self.carriers(robot).first().map(|c| c.at)
    }

    /// The carriers of a transfer robot or a fleet (for the viewer: each
    /// vehicle's [`Carrier::position`]).
    pub fn carriers(&self, node: u32) -> &[Carrier] {
        match &self.nodes[node as usize].kind {
            NodeKind::Station(Station {
                kind: StationKind::Transfer { carriers, .. },
                ..
            }) => carriers,
            _ => &[],
        }
    }
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}
