//! The event calendar: a binary heap of timed events, ties broken by the
//! order in which they were scheduled.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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

#[derive(Clone, Copy, Debug)]
struct Entry {
    time: f64,
    seq: u64,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed, so the max-heap pops the earliest (time, seq).
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Pending events in time order.
#[derive(Debug, Default)]
pub struct Calendar {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl Calendar {
    #[inline]
    pub fn schedule(&mut self, time: f64, event: Event) {
        self.seq += 1;
        self.heap.push(Entry {
            time,
            seq: self.seq,
            event,
        });
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(f64, Event)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    pub fn peek_time(&self) -> Option<f64> {
        self.heap.peek().map(|e| e.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
}
