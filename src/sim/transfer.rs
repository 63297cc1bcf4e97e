//! Transfer robots: a robot that carries parts along the flow edges marked
//! `via` it. It is a one-server station whose "work" is a leg of travel: to
//! the pick point, then (holding the part) to the place point; the upstream
//! slot is released only when the robot has picked the part.

use super::calendar::Event;
use super::station::{Job, Phase, Station, StationKind};
use super::{Engine, LogEvent, NodeKind};

impl Engine {
    pub(super) fn robot_available(&self, robot: u32) -> bool {
        match &self.nodes[robot as usize].kind {
            NodeKind::Station(st) => st.available() && st.servers[0].phase == Phase::Idle,
            _ => false,
        }
    }

    /// Where a transfer robot holding a part must place it.
    pub(super) fn transfer_destination(&self, node: u32) -> Option<u32> {
        match &self.nodes[node as usize].kind {
            NodeKind::Station(Station {
                kind: StationKind::Transfer { job: Some(job), .. },
                ..
            }) => Some(job.to),
            _ => None,
        }
    }

    /// The robot sets off to pick `part` from (from, slot) for `to`.
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
            at,
            job,
            ..
        } = &mut st.kind
        else {
            return;
        };
        let duration = dist(*at, pick_point) / *speed + *pick;
        *job = Some(Job {
            from,
            from_slot,
            to,
            to_pick: true,
        });
        // The part stays where it is until picked, but no longer offers itself.
        let flat = self.flat_slot(from, from_slot);
        self.slots[flat].reserved = true;
        self.start_leg(robot, part, duration);
    }

    pub(super) fn start_leg(&mut self, robot: u32, part: u32, duration: f64) {
        let now = self.now;
        let st = self.station(robot);
        let s = &mut st.servers[0];
        s.part = part;
        let generation = s.start_phase(Phase::Work, now, duration);
        self.working_changed(robot, 1);
        self.station(robot).update_server(0, now);
        self.calendar.schedule(
            now + duration,
            Event::PhaseDone {
                node: robot,
                server: 0,
                generation,
            },
        );
    }

    pub(super) fn transfer_leg_done(&mut self, robot: u32) {
        let now = self.now;
        let st = self.station(robot);
        let StationKind::Transfer { job: Some(job), .. } = &st.kind else {
            return;
        };
        let job = *job;
        let part = st.servers[0].part;
        if job.to_pick {
            let pick_point = self.nodes[job.from as usize].exit;
            let place_point = self.nodes[job.to as usize].entry;
            self.log(robot, part, LogEvent::Pick);
            // The part is in the gripper: the upstream slot is free.
            let flat = self.flat_slot(job.from, job.from_slot);
            self.slots[flat].reserved = false;
            self.release(job.from, job.from_slot);
            let st = self.station(robot);
            let StationKind::Transfer {
                speed,
                place,
                at,
                job,
                ..
            } = &mut st.kind
            else {
                return;
            };
            *at = pick_point;
            let duration = dist(pick_point, place_point) / *speed + *place;
            if let Some(j) = job.as_mut() {
                j.to_pick = false;
            }
            self.start_leg(robot, part, duration);
        } else {
            let place_point = self.nodes[job.to as usize].entry;
            let st = self.station(robot);
            st.produced += 1;
            if let StationKind::Transfer { at, .. } = &mut st.kind {
                *at = place_point;
            }
            st.servers[0].phase = Phase::Done;
            st.update_server(0, now);
            self.log(robot, part, LogEvent::Place);
            self.try_push(robot, 0);
        }
    }

    /// Current tool position of a transfer robot (for the viewer).
    pub fn robot_tool(&self, robot: u32) -> Option<(f64, f64)> {
        match &self.nodes[robot as usize].kind {
            NodeKind::Station(Station {
                kind: StationKind::Transfer { at, .. },
                ..
            }) => Some(*at),
            _ => None,
        }
    }
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}
