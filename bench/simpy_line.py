#!/usr/bin/env python3
"""Peer benchmark for factory-twin: the serial production line, in SimPy.

The model
---------
* ``N`` stations ``S0 .. S(N-1)`` in series, one server each.
* ``S0`` always has raw material (it is never starved).
* Between ``S(i)`` and ``S(i+1)`` sits a FIFO buffer of capacity ``B``
  (default 5). The capacity counts *waiting* parts only: the part being
  processed at ``S(i+1)`` and a part held by a blocked ``S(i)`` do not
  occupy a slot.
* Processing times are exponential with mean 1.0, except at station index
  ``N // 2`` (0-based), the bottleneck, where the mean is 1.2.
* Blocking after service: a station that finishes a part while the
  downstream buffer is full keeps the part and stays blocked until a slot
  frees. The last station hands parts to an infinite sink (never blocked).
* The line runs for a warm-up ``W`` (statistics discarded), then for the
  horizon ``T`` over which the statistics are taken.

In SimPy terms every station is one process and every buffer a
``simpy.Store(capacity=B)``: taking a part is ``yield store.get()`` and
handing it on is ``yield store.put(part)``, which waits while the store is
full -- exactly blocking after service.

Reported figures
----------------
* ``throughput``: parts leaving the last station per time unit after warm-up.
* ``utilization`` / ``blocked`` / ``starved``: per station, the fraction of
  ``T`` spent processing / holding a finished part / waiting for a part.
* Work metric (engine neutral): *station operations* = service completions
  summed over all stations, counted over the whole run including warm-up so
  that it matches ``wall_s``, the wall-clock time of building and running the
  simulation (interpreter start-up and imports excluded).
  ``station_ops_per_s = station_ops_total / wall_s``. Every operation needs at
  least one scheduled event, so ops/s compares engines with different
  event granularity fairly.

Usage::

    simpy_line.py N T [--warmup W] [--seed S] [--buffer B] [--json]
"""
import argparse
import json
import random
import sys
import time

import simpy

# Station states, used as indices into the time accumulators.
BUSY, BLOCKED, STARVED = 0, 1, 2


class StateClock:
    """Accumulates the time one station spends in each state."""

    __slots__ = ("state", "since", "time_in", "completions")

    def __init__(self, state, now):
        self.state = state
        self.since = now
        self.time_in = [0.0, 0.0, 0.0]
        self.completions = 0  # since the last reset

    def enter(self, state, now):
        """Closes the current state at ``now`` and switches to ``state``."""
        self.time_in[self.state] += now - self.since
        self.state = state
        self.since = now

    def reset(self, now):
        """Discards everything measured so far (end of the warm-up)."""
        self.time_in = [0.0, 0.0, 0.0]
        self.since = now
        self.completions = 0


class SerialLine:
    """The line: N station processes linked by N-1 bounded stores."""

    def __init__(self, env, n, buffer_cap, rng):
        self.env = env
        self.rng = rng
        self.means = [1.2 if i == n // 2 else 1.0 for i in range(n)]
        self.buffers = [simpy.Store(env, capacity=buffer_cap) for _ in range(n - 1)]
        # S0 starts processing at once; every other station starts starved.
        self.clocks = [StateClock(BUSY if i == 0 else STARVED, env.now) for i in range(n)]
        self.ops_total = 0  # completions over the whole run, warm-up included
        for i in range(n):
            env.process(self.station(i))

    def station(self, i):
        """SimPy process of station ``i``: take, process, hand on, repeat."""
        env = self.env
        clock = self.clocks[i]
        draw = self.rng.expovariate
        rate = 1.0 / self.means[i]
        upstream = self.buffers[i - 1] if i > 0 else None
        downstream = self.buffers[i] if i < len(self.buffers) else None
        part = None
        while True:
            # 1. Get a part (S0 has an endless supply of raw material).
            if upstream is not None:
                clock.enter(STARVED, env.now)
                part = yield upstream.get()
            clock.enter(BUSY, env.now)
            # 2. Process it.
            yield env.timeout(draw(rate))
            clock.completions += 1
            self.ops_total += 1
            # 3. Release it; with a full buffer the station stays blocked
            #    until the put succeeds (the last station feeds the sink).
            if downstream is not None:
                clock.enter(BLOCKED, env.now)
                yield downstream.put(part)

    def reset_stats(self):
        now = self.env.now
        for clock in self.clocks:
            clock.reset(now)

    def close_stats(self):
        """Books the time of the states still open at the end of the run."""
        now = self.env.now
        for clock in self.clocks:
            clock.enter(clock.state, now)


def simulate(n, horizon, warmup, seed, buffer_cap):
    """Builds and runs the line; returns the figures as a dict."""
    if n < 1:
        raise ValueError("N must be at least 1")
    start = time.perf_counter()
    env = simpy.Environment()
    line = SerialLine(env, n, buffer_cap, random.Random(seed))
    if warmup > 0:
        env.run(until=warmup)
        line.reset_stats()
    env.run(until=warmup + horizon)
    wall_s = time.perf_counter() - start
    line.close_stats()

    clocks = line.clocks
    return {
        "engine": "simpy " + simpy.__version__,
        "python": sys.version.split()[0],
        "N": n,
        "T": horizon,
        "warmup": warmup,
        "seed": seed,
        "buffer": buffer_cap,
        "bottleneck": n // 2,
        "throughput": clocks[-1].completions / horizon,
        "utilization": [c.time_in[BUSY] / horizon for c in clocks],
        "blocked": [c.time_in[BLOCKED] / horizon for c in clocks],
        "starved": [c.time_in[STARVED] / horizon for c in clocks],
        "station_ops_total": line.ops_total,
        "wall_s": wall_s,
        "station_ops_per_s": line.ops_total / wall_s,
    }


def print_summary(r):
    print(f"Serial line, {r['engine']} (Python {r['python']})")
    print(f"  N={r['N']}  B={r['buffer']}  T={r['T']:g} after warm-up {r['warmup']:g}"
          f"  seed={r['seed']}  bottleneck=S{r['bottleneck']}")
    print(f"  throughput        {r['throughput']:.6f} parts per time unit")
    print(f"  station ops       {r['station_ops_total']} in {r['wall_s']:.3f} s wall"
          f" = {r['station_ops_per_s']:,.0f} ops/s")
    n = r["N"]
    shown = range(n) if n <= 12 else sorted({0, 1, n // 2 - 1, n // 2, n // 2 + 1, n - 2, n - 1})
    print("  station   busy  blocked  starved")
    for i in shown:
        print(f"  S{i:<6} {r['utilization'][i]:6.3f} {r['blocked'][i]:8.3f} {r['starved'][i]:8.3f}")
    if n > 12:
        print(f"  ({n - len(shown)} stations not shown; use --json)")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("N", type=int, help="number of stations")
    p.add_argument("T", type=float, help="measured horizon, after the warm-up")
    p.add_argument("--warmup", type=float, default=0.0, help="warm-up time, statistics discarded")
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--buffer", type=int, default=5, help="capacity of each inter-station buffer")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    a = p.parse_args(argv)
    if a.N < 1 or a.T <= 0 or a.warmup < 0 or a.buffer < 1:
        p.error("need N >= 1, T > 0, W >= 0 and B >= 1")

    r = simulate(a.N, a.T, a.warmup, a.seed, a.buffer)
    if a.json:
        print(json.dumps(r))
    else:
        print_summary(r)


if __name__ == "__main__":
    main()
