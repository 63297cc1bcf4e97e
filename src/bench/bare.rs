//! The practical ceiling: the same serial line as a bare, hand-written event
//! loop (a binary heap of completions, arrays of counters, no KPIs beyond
//! throughput). It is what a specialised program reaches on this machine;
//! the engine is measured against it in the same run.

use crate::sim::rng::{Purpose, Stream};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Result of one bare run.
#[derive(Clone, Copy, Debug)]
pub struct BareRun {
    pub ops: u64,
    pub throughput: f64,
}

/// Simulates the serial line (saturated source, exponential times with mean
/// 1, or 1.2 at station N/2; buffers of `buffer` between stations, blocking
/// after service) until `warmup + horizon`.
pub fn serial_line(stations: usize, buffer: u32, horizon: f64, warmup: f64, seed: u64) -> BareRun {
    let n = stations;
    let rate: Vec<f64> = (0..n)
        .map(|i| if i == n / 2 { 1.0 / 1.2 } else { 1.0 })
        .collect();
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
                 exp: &mut dyn FnMut(usize, &mut Stream) -> f64| {
        busy[i] = true;
        heap.push(Reverse(((now + exp(i, rng)).to_bits(), i as u32)));
    };
    start(0, 0.0, &mut busy, &mut heap, &mut rng, &mut exp);
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
        if i + 1 == n {
            out += 1;
        } else if in_buffer[i + 1] < buffer {
            in_buffer[i + 1] += 1;
            if !busy[i + 1] && !blocked[i + 1] {
                in_buffer[i + 1] -= 1;
                start(i + 1, now, &mut busy, &mut heap, &mut rng, &mut exp);
            }
        } else {
            blocked[i] = true;
            continue;
        }
        // Station i is free: take the next part, and let the blocked chain upstream move on.
        loop {
            if i == 0 {
                start(0, now, &mut busy, &mut heap, &mut rng, &mut exp);
                break;
            }
            if in_buffer[i] == 0 {
                break;
            }
            in_buffer[i] -= 1;
            start(i, now, &mut busy, &mut heap, &mut rng, &mut exp);
            if !blocked[i - 1] {
                break;
            }
            blocked[i - 1] = false;
            in_buffer[i] += 1;
            i -= 1;
        }
    }
    let counted = out - out_at_warmup.unwrap_or(0);
    BareRun {
        ops,
        throughput: counted as f64 / horizon,
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
}
