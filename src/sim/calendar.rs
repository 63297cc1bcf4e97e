//! The event calendar: a heap of timed events, ties broken by the
//! order in which they were scheduled.

/// Something that happens at a point in simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A timed source releases its next part.
    Arrival {
        node: u32,
    },
    /// A station's server finishes its current phase (setup, work, robot leg).
    PhaseDone {
        node: u32,
        server: u32,
        generation: u32,
    },
    /// A station breaks down (stale if its failure clock was reset since).
    Failure {
        node: u32,
        generation: u32,
    },
    Repair {
        node: u32,
    },
    /// A station's weekly maintenance window opens or closes.
    MaintenanceWindow {
        node: u32,
    },
    /// A planned stop after N parts ends.
    MaintenanceEnd {
        node: u32,
    },
    /// A walking operator reaches the station server that asked for one.
    OperatorArrives {
        node: u32,
        server: u32,
        pool: u32,
    },
    /// Orders of a source's order book fall due for release.
    OrderRelease {
        node: u32,
    },
    /// The head part of a conveyor reaches the end.
    ConveyorHead {
        node: u32,
        generation: u32,
    },
    /// The gap behind the last part on a conveyor has opened.
    ConveyorGap {
        node: u32,
    },
    /// A shift turns on or off.
    ShiftChange {
        shift: u32,
    },
    /// Record the over-time series.
    Sample,
    WarmupEnd,
    End,
}

/// A calendar entry. Times are never negative, so the bits of the `f64`
/// order like the number; time and sequence number pack into one `u128`
/// key, so comparing two entries is a single integer compare.
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u128,
    event: Event,
}

impl Entry {
    fn time(&self) -> f64 {
        f64::from_bits((self.key >> 64) as u64)
    }
}

/// Pending events in time order: a 4-ary min-heap (half the depth of a
/// binary heap; a node's four children sit next to each other in memory).
///
/// Popping leaves a *hole* at the root instead of restructuring at once:
/// handling an event nearly always schedules the next one, which then drops
/// into the hole with a single sift-down instead of a sift-down for the pop
/// and a sift-up for the push.
#[derive(Debug, Default)]
pub struct Calendar {
    heap: Vec<Entry>,
    seq: u64,
    /// The root was handed out by `pop` and still sits in `heap[0]`.
    hole: bool,
}

const ARITY: usize = 4;

impl Calendar {
    /// Schedules `event` at `time` (not negative; -0.0 counts as 0).
    #[inline]
    pub fn schedule(&mut self, time: f64, event: Event) {
        debug_assert!(time >= 0.0, "negative event time {time}");
        self.seq += 1;
        let bits = (time + 0.0).to_bits();
        let entry = Entry {
            key: (u128::from(bits) << 64) | u128::from(self.seq),
            event,
        };
        if self.hole {
            self.hole = false;
            self.sift_down(entry);
            return;
        }
        let mut i = self.heap.len();
        self.heap.push(entry);
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if self.heap[parent].key <= entry.key {
                break;
            }
            self.heap[i] = self.heap[parent];
            i = parent;
        }
        self.heap[i] = entry;
    }

    /// Places `entry` at the root and sifts it down to its place.
    #[inline]
    fn sift_down(&mut self, entry: Entry) {
        let n = self.heap.len();
        let mut i = 0;
        loop {
            let first = i * ARITY + 1;
            let best = if first + ARITY <= n {
                // All four children exist: a tournament of two pairs, three
                // comparisons and no loop.
                let c = &self.heap[first..first + ARITY];
                let a = if c[1].key < c[0].key { 1 } else { 0 };
                let b = if c[3].key < c[2].key { 3 } else { 2 };
                first + if c[b].key < c[a].key { b } else { a }
            } else if first < n {
                (first..n)
                    .min_by_key(|&c| self.heap[c].key)
                    .unwrap_or(first)
            } else {
                break;
            };
            if self.heap[best].key >= entry.key {
                break;
            }
            self.heap[i] = self.heap[best];
            i = best;
        }
        self.heap[i] = entry;
    }

    /// Removes the root handed out by the last `pop`, if nothing filled it.
    #[inline]
    fn settle(&mut self) {
        if std::mem::take(&mut self.hole) {
            let last = self.heap.pop().expect("a hole means a root");
            if !self.heap.is_empty() {
                self.sift_down(last);
            }
        }
    }

    /// Removes and returns the earliest event if it is due by `target`.
    #[inline]
    pub fn pop_until(&mut self, target: f64) -> Option<(f64, Event)> {
        self.settle();
        let first = self.heap.first()?;
        if first.time() > target {
            return None;
        }
        self.hole = true;
        Some((first.time(), first.event))
    }

    /// Removes and returns the earliest event.
    #[cfg(test)]
    fn pop(&mut self) -> Option<(f64, Event)> {
        self.pop_until(f64::INFINITY)
    }

    /// Time of the earliest pending event.
    pub fn peek_time(&self) -> Option<f64> {
        if self.hole {
            // The root is gone; the minimum is among its children.
            self.heap
                .iter()
                .skip(1)
                .take(ARITY)
                .map(|e| e.key)
                .min()
                .map(|k| f64::from_bits((k >> 64) as u64))
        } else {
            self.heap.first().map(Entry::time)
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.heap.len() - usize::from(self.hole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut c = Calendar::default();
        c.schedule(2.0, Event::Arrival { node: 0 });
        c.schedule(1.0, Event::Arrival { node: 1 });
        c.schedule(2.0, Event::Arrival { node: 2 });
        c.schedule(1.0, Event::Arrival { node: 3 });
        let order: Vec<u32> = std::iter::from_fn(|| c.pop())
            .map(|(_, e)| match e {
                Event::Arrival { node } => node,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, vec![1, 3, 0, 2]);
    }

    #[test]
    fn many_random_events_come_out_sorted() {
        let mut c = Calendar::default();
        let mut x: u64 = 12345;
        for i in 0..10_000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            c.schedule((x >> 54) as f64, Event::Arrival { node: i });
            if i % 3 == 0 {
                c.pop();
            }
        }
        let mut last = (f64::NEG_INFINITY, 0);
        while let Some((t, e)) = c.pop() {
            let Event::Arrival { node } = e else {
                unreachable!()
            };
            assert!(
                t > last.0 || (t == last.0 && node > last.1),
                "out of order at {t}"
            );
            last = (t, node);
        }
    }

    #[test]
    fn agrees_with_a_sorted_list_while_growing_and_shrinking() {
        // Lengths cross whole groups of four children both ways (full and
        // partial sift-down levels); the peeked time (hole or not), the
        // length and every popped event match a plain sorted list ordered
        // by (time, insertion).
        let mut c = Calendar::default();
        let mut model: Vec<(u64, u32)> = Vec::new();
        let mut x: u64 = 99;
        let mut next = 0u32;
        for step in 0..20_000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Phases of mostly pushing and mostly popping.
            let push = (x >> 60) < if (step / 500) % 2 == 0 { 11 } else { 5 };
            if push {
                let t = (x >> 56) as f64;
                c.schedule(t, Event::Arrival { node: next });
                model.push((t.to_bits(), next));
                model.sort();
                next += 1;
            } else {
                let got = c.pop().map(|(t, e)| match e {
                    Event::Arrival { node } => (t.to_bits(), node),
                    _ => unreachable!(),
                });
                let want = (!model.is_empty()).then(|| model.remove(0));
                assert_eq!(got, want, "step {step}");
            }
            assert_eq!(c.len(), model.len(), "step {step}");
            let peek = c.peek_time().map(f64::to_bits);
            assert_eq!(peek, model.first().map(|m| m.0), "step {step}");
        }
    }
}
