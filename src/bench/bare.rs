//! The practical ceiling: the same serial line as a bare, hand-written event
//! loop (a binary heap of completions, arrays of counters, no KPIs beyond
//! throughput). It is what a specialised program reaches on this machine;
//! the engine is measured against it in the same run.
//!
//! The same loop can also keep the KPIs the engine keeps on this line
//! ([`LineKpis`]: time in each state, parts made, buffer levels, WIP and the
//! lead-time histogram): what a hand-written program with the engine's
//! output would cost, so the gap to the ceiling splits into what the KPIs
//! cost and what the engine's general hand-off costs.

use crate::kpi::Histogram;
use crate::sim::rng::{Purpose, Stream};
use crate::sim::{STATE_COUNT, State};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Result of one bare run.
#[derive(Clone, Copy, Debug)]
pub struct BareRun {
    pub ops: u64,
    pub throughput: f64,
}

/// What the loop notes beyond throughput, told at each step of a part.
/// Every method does nothing by default: [`NoKpis`] is the bare ceiling,
/// compiled to the loop alone.
pub trait Recorder {
    /// A new part enters station 0.
    fn enter(&mut self, _now: f64) {}
    /// Station `i` starts the job of the part it holds.
    fn start(&mut self, _i: usize, _now: f64) {}
    /// Station `i` finishes its job.
    fn finish(&mut self, _i: usize, _now: f64) {}
    /// Station `b − 1`'s finished part goes into buffer `b` (in front of station `b`).
    fn part_queued(&mut self, _b: usize, _now: f64) {}
    /// The head of buffer `i` goes into station `i`.
    fn part_taken(&mut self, _i: usize, _now: f64) {}
    /// Station `i` holds a finished part that cannot leave.
    fn blocked(&mut self, _i: usize, _now: f64) {}
    /// The last station's part leaves the line.
    fn exit(&mut self, _now: f64) {}
}

/// The ceiling: throughput only.
pub struct NoKpis;

impl Recorder for NoKpis {}

/// Simulates the serial line (saturated source, exponential times with mean
/// 1, or 1.2 at station N/2; buffers of `buffer` between stations, blocking
/// after service) until `warmup + horizon`.
pub fn serial_line(stations: usize, buffer: u32, horizon: f64, warmup: f64, seed: u64) -> BareRun {
    serial_line_recorded(stations, buffer, horizon, warmup, seed, &mut NoKpis)
}

/// The mean process time of station `i` of `n`.
fn mean_time(i: usize, n: usize) -> f64 {
    if i == n / 2 { 1.2 } else { 1.0 }
}

/// [`serial_line`], telling `rec` every step of every part.
pub fn serial_line_recorded<R: Recorder>(
    stations: usize,
    buffer: u32,
    horizon: f64,
    warmup: f64,
    seed: u64,
    rec: &mut R,
) -> BareRun {
    let n = stations;
    let rate: Vec<f64> = (0..n).map(|i| 1.0 / mean_time(i, n)).collect();
    let mut rng = Stream::new(seed, 0, "bare", Purpose::Process);
    // in_buffer[i]: parts waiting in front of station i (i >= 1).
    let mut in_buffer = vec![0u32; n];
    let mut busy = vec![false; n];
    let mut blocked = vec![false; n];
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    let end = warmup + horizon;
    let (mut ops, mut out, mut out_at_warmup) = (0u64, 0u64, None);
    let mut exp = |i: usize, rng: &mut Stream| -(1.0 - rng.uniform()).ln() / rate[i];
    let start = |i: usize,
                 now: f64,
                 busy: &mut [bool],
                 heap: &mut BinaryHeap<Reverse<(u64, u32)>>,
                 rng: &mut Stream,
                 exp: &mut dyn FnMut(usize, &mut Stream) -> f64,
                 rec: &mut R| {
        busy[i] = true;
        rec.start(i, now);
        heap.push(Reverse(((now + exp(i, rng)).to_bits(), i as u32)));
    };
    rec.enter(0.0);
    start(0, 0.0, &mut busy, &mut heap, &mut rng, &mut exp, rec);
    while let Some(Reverse((bits, i))) = heap.pop() {
        let now = f64::from_bits(bits);
        if now > end {
            break;
        }
        if out_at_warmup.is_none() && now >= warmup {
            out_at_warmup = Some(out);
        }
        let mut i = i as usize;
        ops += 1;
        busy[i] = false;
        rec.finish(i, now);
        if i + 1 == n {
            out += 1;
            rec.exit(now);
        } else if in_buffer[i + 1] < buffer {
            in_buffer[i + 1] += 1;
            rec.part_queued(i + 1, now);
            if !busy[i + 1] && !blocked[i + 1] {
                in_buffer[i + 1] -= 1;
                rec.part_taken(i + 1, now);
                start(i + 1, now, &mut busy, &mut heap, &mut rng, &mut exp, rec);
            }
        } else {
            blocked[i] = true;
            rec.blocked(i, now);
            continue;
        }
        // Station i is free: take the next part, and let the blocked chain upstream move on.
        loop {
            if i == 0 {
                rec.enter(now);
                start(0, now, &mut busy, &mut heap, &mut rng, &mut exp, rec);
                break;
            }
            if in_buffer[i] == 0 {
                break;
            }
            in_buffer[i] -= 1;
            rec.part_taken(i, now);
            start(i, now, &mut busy, &mut heap, &mut rng, &mut exp, rec);
            if !blocked[i - 1] {
                break;
            }
            blocked[i - 1] = false;
            in_buffer[i] += 1;
            rec.part_queued(i, now);
            i -= 1;
        }
    }
    let counted = out - out_at_warmup.unwrap_or(0);
    BareRun {
        ops,
        throughput: counted as f64 / horizon,
    }
}

/// The KPIs the engine keeps on the serial line, kept by hand: each
/// station's time in each state with the same per-change bookkeeping
/// (a station that hands its part on and takes the next at once passes
/// through a zero-length starved spell, as in the engine), parts made and
/// ideal time, each buffer's time-weighted level, the WIP's, and every
/// part's lead time into the same histogram. Counted from time 0 (no
/// warm-up reset: that is once per run, not per operation).
#[derive(Debug)]
pub struct LineKpis {
    state: Vec<State>,
    since: Vec<f64>,
    /// Per station: seconds in each state (rows of [`crate::sim::STATES`]).
    pub time_in: Vec<[f64; STATE_COUNT]>,
    pub produced: Vec<u64>,
    pub ideal_time: Vec<f64>,
    mean: Vec<f64>,
    /// Per buffer (index of the station it feeds): ∫ level dt.
    pub level_area: Vec<f64>,
    level_since: Vec<f64>,
    /// When each part waiting in a buffer, and each station's part, was made.
    queued: Vec<VecDeque<f64>>,
    holding: Vec<f64>,
    pub wip: u64,
    wip_since: f64,
    /// ∫ WIP dt.
    pub wip_area: f64,
    pub lead_time: Histogram,
}

impl LineKpis {
    /// Empty KPIs for a line of `stations`, every station starved at time 0.
    pub fn new(stations: usize) -> Self {
        let n = stations;
        Self {
            state: vec![State::Starved; n],
            since: vec![0.0; n],
            time_in: vec![[0.0; STATE_COUNT]; n],
            produced: vec![0; n],
            ideal_time: vec![0.0; n],
            mean: (0..n).map(|i| mean_time(i, n)).collect(),
            level_area: vec![0.0; n],
            level_since: vec![0.0; n],
            queued: vec![VecDeque::new(); n],
            holding: vec![0.0; n],
            wip: 0,
            wip_since: 0.0,
            wip_area: 0.0,
            lead_time: Histogram::default(),
        }
    }

    /// Brings every time integral up to `now` (the end of the run).
    pub fn close(&mut self, now: f64) {
        for i in 0..self.state.len() {
            self.time_in[i][self.state[i] as usize] += now - self.since[i];
            self.since[i] = now;
            self.level(i, now);
        }
        self.wip_change(now, 0);
    }

    fn set_state(&mut self, i: usize, new: State, now: f64) {
        let old = self.state[i];
        if old != new {
            self.time_in[i][old as usize] += now - self.since[i];
            self.since[i] = now;
            self.state[i] = new;
        }
    }

    fn level(&mut self, b: usize, now: f64) {
        self.level_area[b] += self.queued[b].len() as f64 * (now - self.level_since[b]);
        self.level_since[b] = now;
    }

    fn wip_change(&mut self, now: f64, delta: i64) {
        self.wip_area += self.wip as f64 * (now - self.wip_since);
        self.wip_since = now;
        self.wip = self.wip.wrapping_add_signed(delta);
    }
}

impl Recorder for LineKpis {
    fn enter(&mut self, now: f64) {
        self.wip_change(now, 1);
        self.holding[0] = now;
    }

    fn start(&mut self, i: usize, now: f64) {
        self.set_state(i, State::Working, now);
    }

    fn finish(&mut self, i: usize, _now: f64) {
        self.produced[i] += 1;
        self.ideal_time[i] += self.mean[i];
    }

    fn part_queued(&mut self, b: usize, now: f64) {
        self.level(b, now);
        let made = self.holding[b - 1];
        self.queued[b].push_back(made);
        self.set_state(b - 1, State::Starved, now);
    }

    fn part_taken(&mut self, i: usize, now: f64) {
        self.level(i, now);
        self.holding[i] = self.queued[i]
            .pop_front()
            .expect("a buffer's queue keeps step with its count");
    }

    fn blocked(&mut self, i: usize, now: f64) {
        self.set_state(i, State::Blocked, now);
    }

    fn exit(&mut self, now: f64) {
        let last = self.holding.len() - 1;
        self.lead_time.record(now - self.holding[last]);
        self.wip_change(now, -1);
        self.set_state(last, State::Starved, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_stations_match_the_closed_form() {
        // N = 2 with mean 1.2 at station 1: r = μ1/μ2 = 1.2, K = B + 2 = 7,
        // throughput = μ1 (1 − r^K) / (1 − r^(K+1)).
        let (mu1, r, k) = (1.0f64, 1.2f64, 7);
        let exact = mu1 * (1.0 - r.powi(k)) / (1.0 - r.powi(k + 1));
        let run = serial_line(2, 5, 200_000.0, 1_000.0, 3);
        assert!(
            (run.throughput - exact).abs() < 0.01,
            "{} vs {exact}",
            run.throughput
        );
    }

    /// [`LineKpis`], checking on the way that parts leave in the order
    /// they were made (a serial line of FIFO buffers cannot overtake).
    struct InOrder {
        kpis: LineKpis,
        last_made: f64,
    }

    impl Recorder for InOrder {
        fn enter(&mut self, now: f64) {
            self.kpis.enter(now);
        }
        fn start(&mut self, i: usize, now: f64) {
            self.kpis.start(i, now);
        }
        fn finish(&mut self, i: usize, now: f64) {
            self.kpis.finish(i, now);
        }
        fn part_queued(&mut self, b: usize, now: f64) {
            self.kpis.part_queued(b, now);
        }
        fn part_taken(&mut self, i: usize, now: f64) {
            self.kpis.part_taken(i, now);
        }
        fn blocked(&mut self, i: usize, now: f64) {
            self.kpis.blocked(i, now);
        }
        fn exit(&mut self, now: f64) {
            let made = *self.kpis.holding.last().expect("a station");
            assert!(made > self.last_made, "{made} after {}", self.last_made);
            self.last_made = made;
            self.kpis.exit(now);
        }
    }

    #[test]
    fn the_kpi_loop_runs_the_same_line_and_its_kpis_add_up() {
        let (n, horizon, warmup) = (5, 50_000.0, 1_000.0);
        let bare = serial_line(n, 5, horizon, warmup, 7);
        let mut rec = InOrder {
            kpis: LineKpis::new(n),
            last_made: -1.0,
        };
        let run = serial_line_recorded(n, 5, horizon, warmup, 7, &mut rec);
        let mut kpis = rec.kpis;
        // The same draws in the same order: the same run.
        assert_eq!((run.ops, run.throughput), (bare.ops, bare.throughput));
        let end = horizon + warmup;
        kpis.close(end);
        let time = |i: usize, s: State| kpis.time_in[i][s as usize];
        for i in 0..n {
            let total: f64 = kpis.time_in[i].iter().sum();
            assert!((total - end).abs() < 1e-6 * end, "station {i}: {total}");
            // Time working is the process times drawn: parts made × mean,
            // within sampling error (some 37 000 draws, 0.5 % standard error).
            let ideal = kpis.ideal_time[i];
            assert!(
                (time(i, State::Working) - ideal).abs() < 0.02 * ideal,
                "station {i}: working {} against {ideal}",
                time(i, State::Working)
            );
        }
        // A saturated line blocks its first station now and then, never its
        // last; the fast last station, behind the slow middle one, starves.
        assert!(time(0, State::Blocked) > 0.0 && time(n - 1, State::Blocked) == 0.0);
        assert!(time(n - 1, State::Starved) > 0.05 * end);
        // The slower middle station is the busiest.
        assert!((0..n).all(|i| time(n / 2, State::Working) >= time(i, State::Working)));
        // Parts made equal operations; ideal time is parts × mean time.
        assert_eq!(kpis.produced.iter().sum::<u64>(), run.ops);
        assert!((kpis.ideal_time[n / 2] - 1.2 * kpis.produced[n / 2] as f64).abs() < 1e-6);
        // Little's law over the whole run: mean WIP = exit rate × mean lead time.
        let left = kpis.lead_time.count as f64;
        let little = left / end * (kpis.lead_time.sum / left);
        let wip = kpis.wip_area / end;
        assert!((little - wip).abs() < 0.01 * wip, "{little} vs {wip}");
        // No buffer holds more than its five places on average.
        assert!(kpis.level_area[1..].iter().all(|a| *a / end <= 5.0));
    }
}
