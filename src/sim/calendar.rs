//! The event calendar: timed events, ties broken by the order in which
//! they were scheduled. A 4-ary heap while few events are pending; a
//! calendar queue (Brown 1988: buckets one "day" wide, a "year" of them,
//! each event in the bucket of its day) once there are many, where a heap's
//! depth and scattered sift-downs cost most (a 10 000-station line keeps
//! about 10 000 events pending). Both give events in exactly the same
//! order, so the choice never changes a run.

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
    /// Many events pending: the calendar queue holds them (the heap is
    /// empty).
    buckets: Option<Box<Buckets>>,
}

const ARITY: usize = 4;
/// Pending events above which the calendar queue takes over, and below
/// which the heap takes them back (apart, so a size near one does not
/// switch back and forth).
const TO_BUCKETS: usize = 2048;
const TO_HEAP: usize = 512;

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
        if let Some(b) = self.buckets.as_deref_mut() {
            b.push(entry);
            return;
        }
        if self.heap.len() >= TO_BUCKETS && !self.hole {
            let mut all = std::mem::take(&mut self.heap);
            all.push(entry);
            self.buckets = Some(Box::new(Buckets::new(all)));
            return;
        }
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
        if let Some(b) = self.buckets.as_deref_mut() {
            let got = b.pop_until(target);
            if b.len < TO_HEAP {
                self.back_to_heap();
            }
            return got;
        }
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
        if let Some(b) = self.buckets.as_deref() {
            return b.peek().map(|(_, _, e)| e.time());
        }
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

    /// Few events left: back to the heap (built by sifting each in).
    fn back_to_heap(&mut self) {
        let Some(b) = self.buckets.take() else {
            return;
        };
        for entry in b.slots.into_iter().flatten() {
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
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        match &self.buckets {
            Some(b) => b.len,
            None => self.heap.len() - usize::from(self.hole),
        }
    }
}

/// A calendar queue: a "year" of buckets, each one "day" (`width` seconds)
/// wide; an event goes in the bucket of its day modulo the year. Popping
/// looks at today's bucket for its earliest event of today (later years'
/// events share the bucket and wait), and moves on a day when there is
/// none. The day of a time is a floor of a product, so it never decreases
/// as time grows: the earliest event of the earliest day with one is the
/// earliest of all, by the same key as the heap's.
#[derive(Debug)]
struct Buckets {
    slots: Vec<Vec<Entry>>,
    mask: usize,
    inv_width: f64,
    /// No event is on an earlier day than this.
    day: u64,
    len: usize,
    /// Buckets and entries looked at by the pops since the last tuning, and
    /// the pops: when a pop looks at many, the day's width is set again.
    looked: u64,
    pops: u64,
}

/// Pops between checks of the width.
const TUNE_EVERY: u64 = 8192;
/// Buckets and entries a pop may look at on average before the width is
/// set again.
const LOOK_AT_MOST: u64 = 12;

impl Buckets {
    fn new(entries: Vec<Entry>) -> Self {
        let mut b = Buckets {
            slots: Vec::new(),
            mask: 0,
            inv_width: 1.0,
            day: 0,
            len: 0,
            looked: 0,
            pops: 0,
        };
        b.rebuild(entries);
        b
    }

    /// Sizes the year to the events (about one bucket each) and the day to
    /// three times the mean gap between the earliest of them, then places
    /// every event.
    fn rebuild(&mut self, mut entries: Vec<Entry>) {
        entries.sort_unstable_by_key(|e| e.key);
        let n = entries.len();
        let k = n.min(64);
        let gap = if k >= 2 {
            (entries[k - 1].time() - entries[0].time()) / (k - 1) as f64
        } else {
            0.0
        };
        let width = if gap > 0.0 && gap.is_finite() {
            3.0 * gap
        } else {
            // All at one time (or one event): any width will do.
            1.0
        };
        self.inv_width = 1.0 / width;
        let size = n.next_power_of_two().max(16);
        self.mask = size - 1;
        self.slots = (0..size).map(|_| Vec::new()).collect();
        self.len = 0;
        self.day = entries.first().map_or(0, |e| self.day_of(e.time()));
        for e in entries {
            self.push(e);
        }
        self.looked = 0;
        self.pops = 0;
    }

    #[inline]
    fn day_of(&self, t: f64) -> u64 {
        // Saturates for times beyond 2^64 days: those share the last day.
        (t * self.inv_width) as u64
    }

    #[inline]
    fn push(&mut self, e: Entry) {
        let day = self.day_of(e.time());
        // The clock may have been moved to a time before the next event
        // (`advance_to`), and an event scheduled then.
        self.day = self.day.min(day);
        self.slots[day as usize & self.mask].push(e);
        self.len += 1;
        if self.len > 2 * self.slots.len() {
            self.retune();
        }
    }

    /// The earliest event: (its day, its place in its bucket, it), and how
    /// many buckets and entries were looked at; `None` when empty.
    fn peek(&self) -> Option<(u64, usize, Entry)> {
        self.find().0
    }

    fn find(&self) -> (Option<(u64, usize, Entry)>, u64) {
        if self.len == 0 {
            return (None, 0);
        }
        let mut looked = 0;
        for day in self.day..self.day.saturating_add(self.slots.len() as u64) {
            let slot = &self.slots[day as usize & self.mask];
            looked += 1 + slot.len() as u64;
            let mut best: Option<(usize, Entry)> = None;
            for (i, e) in slot.iter().enumerate() {
                if self.day_of(e.time()) == day && best.is_none_or(|(_, b)| e.key < b.key) {
                    best = Some((i, *e));
                }
            }
            if let Some((i, e)) = best {
                return (Some((day, i, e)), looked);
            }
        }
        // A year without an event: the earliest of all, wherever it is.
        let (i, e) = self
            .slots
            .iter()
            .enumerate()
            .flat_map(|(s, v)| v.iter().enumerate().map(move |(i, e)| ((s, i), *e)))
            .min_by_key(|(_, e)| e.key)
            .expect("not empty");
        looked += self.len as u64;
        let day = self.day_of(e.time());
        debug_assert_eq!(day as usize & self.mask, i.0);
        (Some((day, i.1, e)), looked)
    }

    fn pop_until(&mut self, target: f64) -> Option<(f64, Event)> {
        let (found, looked) = self.find();
        let (day, i, e) = found?;
        self.day = day;
        self.looked += looked;
        if e.time() > target {
            return None;
        }
        self.slots[day as usize & self.mask].swap_remove(i);
        self.len -= 1;
        self.pops += 1;
        if self.pops >= TUNE_EVERY {
            if self.looked > LOOK_AT_MOST * self.pops {
                self.retune();
            }
            self.looked = 0;
            self.pops = 0;
        }
        Some((e.time(), e.event))
    }

    /// Sets the year and the day again for the events now pending.
    fn retune(&mut self) {
        let all: Vec<Entry> = self.slots.iter_mut().flat_map(std::mem::take).collect();
        self.rebuild(all);
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

    /// The calendar queue against the heap it replaces for many events:
    /// random workloads that grow past the switch and shrink below it,
    /// times spread narrow and wide (the day's width is set again), many
    /// events at one time, and pops bounded by a target after which an
    /// event is scheduled before the next one (as `advance_to` does): the
    /// same events in the same order, and the same peeked times.
    #[test]
    fn the_calendar_queue_gives_the_heaps_order_on_random_workloads() {
        for seed in 1..=6u64 {
            let mut c = Calendar::default();
            let mut model = std::collections::BTreeMap::<(u64, u64), u32>::new();
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut rand = || {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                x >> 11
            };
            let (mut now, mut seq, mut next) = (0.0f64, 0u64, 0u32);
            let mut switched = false;
            for step in 0..60_000u32 {
                // Grow to about 4,000 pending, shrink to none, and again.
                let phase = (step / 10_000) % 2 == 0;
                let spread = match (step / 5_000) % 3 {
                    0 => 10.0,
                    1 => 10_000.0,
                    _ => 0.0,
                };
                let r = rand();
                if r % 100 < if phase { 70 } else { 30 } {
                    let t = now + (rand() % 1_000_000) as f64 / 1_000_000.0 * spread;
                    seq += 1;
                    c.schedule(t, Event::Arrival { node: next });
                    model.insert((t.to_bits(), seq), next);
                    next += 1;
                } else {
                    // Now and then only up to a target, then an event before
                    // the next one.
                    let target = if r % 7 == 0 { now + 0.5 } else { f64::INFINITY };
                    let want = model
                        .iter()
                        .next()
                        .filter(|(k, _)| f64::from_bits(k.0) <= target)
                        .map(|(&k, &n)| (k, n));
                    let got = c.pop_until(target);
                    match want {
                        Some((k, n)) => {
                            model.remove(&k);
                            now = f64::from_bits(k.0);
                            assert_eq!(
                                got,
                                Some((now, Event::Arrival { node: n })),
                                "seed {seed} step {step}"
                            );
                        }
                        None => {
                            assert_eq!(got, None, "seed {seed} step {step}");
                            if target.is_finite() {
                                now = target;
                                seq += 1;
                                c.schedule(now, Event::Arrival { node: next });
                                model.insert((now.to_bits(), seq), next);
                                next += 1;
                            }
                        }
                    }
                }
                switched |= c.buckets.is_some();
                assert_eq!(c.len(), model.len(), "seed {seed} step {step}");
                let peek = c.peek_time().map(f64::to_bits);
                assert_eq!(
                    peek,
                    model.keys().next().map(|k| k.0),
                    "seed {seed} step {step}"
                );
            }
            assert!(switched, "the calendar queue was used");
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
