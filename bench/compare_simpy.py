#!/usr/bin/env python3
"""Validate factory-twin against SimPy on the benchmark serial line.

For each line length N the script

1. writes the serial line of ``bench/simpy_line.py`` as a RON scene (saturated
   Source -> s0 -> b1 -> s1 -> ... -> s(N-1) -> Sink, buffers of 5 waiting
   parts, exponential cycles of mean 1 s, 1.2 s at station N // 2) and runs
   ``factory-twin run SCENE --json --reps R``;
2. runs ``bench/simpy_line.py N T --warmup W --seed k --json`` for
   k = seed .. seed + R - 1 (independent replications) and computes the mean and
   the 95 % confidence interval (Student t) of each figure;
3. compares, figure by figure, the difference of the two means with a tolerance
   in combined standard errors se = sqrt(se_ft^2 + se_simpy^2): by default the
   two-sided Student t quantile (Welch degrees of freedom) at level A/m for each
   of the m figures of a line (Bonferroni, A = 0.05 by ``--family-alpha``), so the
   chance of any false failure per line length is at most A however many
   stations it has; ``--tolerance-se K`` sets a fixed K per figure instead.

Figures: the throughput (parts per second = good parts per hour / 3600) and,
per station, the working (SimPy: utilization), blocked and starved shares of
the observed time. Structural zeros (station 0 is never starved, the last
station is never blocked) are compared exactly.

Prints a table per N and a summary line ``N passed, M failed``; exits with 1
if any figure failed, with 2 on a usage or run error.

With a fixed K (say 3) each figure is a separate test, so failures are expected
by chance at N = 50 (about 150 figures: ~1.25 per run with 10 replications a
side); the default family-wise level avoids that. The script prints the number of
failures expected by chance alone.

Usage::

    compare_simpy.py [--stations 2,5,50] [--reps 10] [--horizon T[,T..]]
                     [--warmup W[,W..]] [--seed S] [--binary PATH]
                     [--python PATH] [--jobs J] [--family-alpha A | --tolerance-se K]
                     [--json-out FILE]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SIMPY_SCRIPT = os.path.join(HERE, "simpy_line.py")

BUFFER = 5
# Default measured horizon per line length (simulated seconds). Chosen so that each
# SimPy case costs about the same number of station operations (~0.3-0.4 M per
# replication, ~7 s at 50 k ops/s); other N get T = 500 000 / N.
DEFAULT_HORIZONS = {2: 200_000.0, 5: 100_000.0, 50: 10_000.0}
DEFAULT_WARMUP = 2_000.0
TOL_SE = 3.0  # tolerance in combined standard errors with --tolerance-se
FAMILY_ALPHA = 0.05  # default: chance of any false failure per line length
FIGURES = ("working", "blocked", "starved")


# --------------------------------------------------------------------------
# Student t distribution (no SciPy in the bench venv)
# --------------------------------------------------------------------------

def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a, b, x):
    """Regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t, df):
    """P(|T| > t) for Student t with df degrees of freedom."""
    t = abs(t)
    return _betainc(df / 2.0, 0.5, df / (df + t * t))


def t_quantile_two_sided(p, df):
    """The t with P(|T| > t) = p for Student t with df degrees of freedom."""
    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_two_sided_p(mid, df) > p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def t_quantile_975(df):
    """t(0.975, df): the t with P(|T| > t) = 0.05."""
    return t_quantile_two_sided(0.05, df)


# --------------------------------------------------------------------------
# Estimates
# --------------------------------------------------------------------------

class Est:
    """Mean with its 95 % half width over n replications."""

    __slots__ = ("mean", "hw", "n")

    def __init__(self, mean, hw, n):
        self.mean, self.hw, self.n = mean, hw, n

    @property
    def se(self):
        if self.n < 2 or self.hw is None:
            return None
        return self.hw / t_quantile_975(self.n - 1)

    @classmethod
    def of(cls, values):
        n = len(values)
        mean = sum(values) / n
        if n < 2:
            return cls(mean, None, n)
        var = sum((v - mean) ** 2 for v in values) / (n - 1)
        return cls(mean, t_quantile_975(n - 1) * math.sqrt(var / n), n)

    @classmethod
    def from_json(cls, e, scale=1.0):
        hw = e["half_width"]
        return cls(e["mean"] * scale, None if hw is None else hw * scale, e["n"])

    def as_dict(self):
        return {"mean": self.mean, "half_width": self.hw, "n": self.n}


# --------------------------------------------------------------------------
# The two engines
# --------------------------------------------------------------------------

def scene_ron(n, horizon, warmup, seed, reps):
    """The serial line of simpy_line.py as a factory-twin scene."""
    bottleneck = n // 2
    objs = ['        Source(id: "src", pos: (0, 0), product: "part"),']
    flow = []
    prev = "src"
    x = 2
    for i in range(n):
        if i > 0:
            objs.append(f'        Buffer(id: "b{i}", pos: ({x}, 0), capacity: {BUFFER}),')
            flow.append(f'("{prev}", "b{i}")')
            prev = f"b{i}"
            x += 2
        mean = "1.2" if i == bottleneck else "1"
        objs.append(f'        Machine(id: "s{i}", pos: ({x}, 0), '
                    f'cycle: Exponential(mean: Seconds({mean}))),')
        flow.append(f'("{prev}", "s{i}")')
        prev = f"s{i}"
        x += 2
    objs.append(f'        Sink(id: "sink", pos: ({x}, 0)),')
    flow.append(f'("{prev}", "sink")')
    return "\n".join([
        f"// Serial line of bench/simpy_line.py, N = {n}, written by bench/compare_simpy.py",
        "Scene(",
        f'    name: "SimPy serial line N={n}",',
        f"    run: (horizon: Seconds({horizon:g}), warmup: Seconds({warmup:g}), "
        f"seed: {seed}, replications: {reps}),",
        '    products: [Product(id: "part")],',
        "    objects: [",
        *objs,
        "    ],",
        "    flow: [" + ", ".join(flow) + "],",
        ")",
        "",
    ])


def run_factory_twin(binary, n, horizon, warmup, seed, reps):
    """Runs factory-twin on the line; returns (figures, wall seconds)."""
    with tempfile.TemporaryDirectory(prefix="ft-simpy-") as tmp:
        path = os.path.join(tmp, f"serial_line_{n}.ron")
        with open(path, "w") as f:
            f.write(scene_ron(n, horizon, warmup, seed, reps))
        start = time.perf_counter()
        proc = subprocess.run([binary, "run", path, "--json", "--reps", str(reps)],
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"factory-twin failed (exit {proc.returncode}) on N={n}:\n"
                           f"{proc.stderr.strip()}")
    out = json.loads(proc.stdout)
    if abs(out["horizon_s"] - horizon) > 1e-9 * horizon or out["replications"] != reps:
        raise RuntimeError(f"factory-twin ran horizon {out['horizon_s']}, "
                           f"{out['replications']} replications; expected {horizon}, {reps}")
    by_id = {s["id"]: s for s in out["stations"]}
    stations = []
    for i in range(n):
        st = by_id[f"s{i}"]["states"]
        stations.append({fig: Est.from_json(st[fig]) for fig in FIGURES})
    return {
        # parts per second of simulated time
        "throughput": Est.from_json(out["line"]["good_per_hour"], 1.0 / 3600.0),
        "stations": stations,
    }, wall


def run_simpy(python, n, horizon, warmup, seed, reps, jobs):
    """Runs R independent SimPy replications; returns (figures, wall seconds, ops/s)."""

    def one(k):
        cmd = [python, SIMPY_SCRIPT, str(n), repr(float(horizon)),
               "--warmup", repr(float(warmup)), "--seed", str(k), "--buffer", str(BUFFER),
               "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"SimPy failed (exit {proc.returncode}) on N={n} seed={k}:\n"
                               f"{proc.stderr.strip()}")
        return json.loads(proc.stdout)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = list(pool.map(one, range(seed, seed + reps)))
    wall = time.perf_counter() - start
    key = {"working": "utilization", "blocked": "blocked", "starved": "starved"}
    stations = [{fig: Est.of([r[key[fig]][i] for r in runs]) for fig in FIGURES}
                for i in range(n)]
    ops_per_s = sum(r["station_ops_total"] for r in runs) / sum(r["wall_s"] for r in runs)
    return {
        "throughput": Est.of([r["throughput"] for r in runs]),
        "stations": stations,
        "engine": runs[0]["engine"],
        "replications": [{"seed": r["seed"], "throughput": r["throughput"],
                          "working": r["utilization"], "blocked": r["blocked"],
                          "starved": r["starved"]} for r in runs],
    }, wall, ops_per_s


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def compare(label, figure, ft, sp, k=TOL_SE, alpha=None):
    """One row: difference of means against a tolerance in combined standard
    errors: `k` fixed, or, with `alpha`, the two-sided Student t quantile
    (Welch degrees of freedom) at level `alpha` for this figure."""
    diff = ft.mean - sp.mean
    se_ft, se_sp = ft.se, sp.se
    if se_ft is None or se_sp is None:
        raise RuntimeError("need at least 2 replications on both sides")
    se = math.sqrt(se_ft ** 2 + se_sp ** 2)
    if se == 0.0:
        # Both sides constant (a structural zero): must agree exactly.
        ok = abs(diff) <= 1e-12
        z = None
        p_chance = 0.0
        tol = 0.0
    else:
        # Welch-Satterthwaite degrees of freedom of the difference.
        v_ft, v_sp = se_ft ** 2, se_sp ** 2
        terms = (v_ft ** 2 / (ft.n - 1) if v_ft else 0.0) + (v_sp ** 2 / (sp.n - 1) if v_sp else 0.0)
        df = (v_ft + v_sp) ** 2 / terms
        if alpha is not None:
            k = t_quantile_two_sided(alpha, df)
        tol = k * se
        ok = abs(diff) <= tol
        z = diff / se
        # The chance of a failure when both engines have the same mean.
        p_chance = t_two_sided_p(k, df)
    return {"station": label, "figure": figure, "factory_twin": ft.as_dict(),
            "simpy": sp.as_dict(), "diff": diff, "se": se, "diff_over_se": z,
            "tolerance": tol, "tolerance_se": tol / se if se else None, "ok": ok,
            "p_chance": p_chance}


def shown_stations(n):
    if n <= 12:
        return list(range(n))
    b = n // 2
    return sorted({0, 1, 2, b - 1, b, b + 1, n - 3, n - 2, n - 1})


def fmt_est(e, digits):
    hw = "" if e["half_width"] is None else f" ± {e['half_width']:.{digits}f}"
    return f"{e['mean']:.{digits}f}{hw}"


def print_rows(rows):
    head = (f"  {'station':<10} {'figure':<11} {'factory-twin':>22} {'SimPy':>22}"
            f" {'diff':>10} {'diff/se':>8}  ")
    print(head)
    print("  " + "-" * (len(head) - 2 + 4))
    for r in rows:
        d = 6 if r["figure"] == "throughput" else 5
        z = "—" if r["diff_over_se"] is None else f"{r['diff_over_se']:+.2f}"
        print(f"  {r['station']:<10} {r['figure']:<11} {fmt_est(r['factory_twin'], d):>22}"
              f" {fmt_est(r['simpy'], d):>22} {r['diff']:>+10.{d}f} {z:>8}  "
              f"{'OK' if r['ok'] else 'FAIL'}")


def parse_list(text, cast, name):
    try:
        return [cast(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise SystemExit(f"compare_simpy.py: bad --{name} value {text!r}")


def per_case(values, stations, default, name):
    """One value for all N, or one per N."""
    if values is None:
        return [default(n) for n in stations]
    if len(values) == 1:
        return values * len(stations)
    if len(values) != len(stations):
        raise SystemExit(f"compare_simpy.py: --{name} needs 1 or {len(stations)} values")
    return values


def default_binary():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.expanduser(
        "~/.cache/factory-twin/target")
    return os.path.join(target, "release", "factory-twin")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stations", default="2,5,50", help="line lengths N, comma separated")
    p.add_argument("--reps", type=int, default=10, help="replications on each side")
    p.add_argument("--horizon", help="measured horizon T in seconds: one value, or one per N "
                   "(default 200000 for N=2, 100000 for N=5, 10000 for N=50, else 500000/N)")
    p.add_argument("--warmup", help=f"warm-up W in seconds: one value, or one per N "
                   f"(default {DEFAULT_WARMUP:g})")
    p.add_argument("--seed", type=int, default=1,
                   help="factory-twin seed; SimPy uses seeds SEED .. SEED+reps-1 (default 1)")
    p.add_argument("--binary", default=default_binary(),
                   help="factory-twin binary (default: $CARGO_TARGET_DIR or "
                   "~/.cache/factory-twin/target, then release/factory-twin)")
    p.add_argument("--python", default=os.path.join(REPO, ".venv-bench", "bin", "python"),
                   help="Python interpreter with SimPy (default .venv-bench/bin/python)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="SimPy replications run at the same time (default: all cores)")
    p.add_argument("--family-alpha", type=float, default=FAMILY_ALPHA, metavar="A",
                   help="chance of any false failure per line length (default "
                   f"{FAMILY_ALPHA:g}): each of the m figures is tested at level A/m "
                   "(Bonferroni), so many figures do not fail by chance alone")
    p.add_argument("--tolerance-se", type=float, metavar="K",
                   help="instead: a fixed tolerance of K combined standard errors per figure")
    p.add_argument("--json-out", metavar="FILE",
                   help="also write every row, and SimPy's replications, as JSON")
    a = p.parse_args(argv)

    stations = parse_list(a.stations, int, "stations")
    horizons = per_case(parse_list(a.horizon, float, "horizon") if a.horizon else None,
                        stations, lambda n: DEFAULT_HORIZONS.get(n, 500_000.0 / n), "horizon")
    warmups = per_case(parse_list(a.warmup, float, "warmup") if a.warmup else None,
                       stations, lambda n: DEFAULT_WARMUP, "warmup")
    if not stations or any(n < 1 for n in stations) or a.reps < 2:
        p.error("need N >= 1 and --reps >= 2")
    if any(t <= 0 for t in horizons) or any(w < 0 for w in warmups) \
            or (a.tolerance_se is not None and a.tolerance_se <= 0) or not 0 < a.family_alpha < 1:
        p.error("need T > 0, W >= 0, K > 0 and 0 < A < 1")
    if not os.path.isfile(a.binary):
        p.error(f"factory-twin binary not found: {a.binary} (build it with "
                f"`cargo build --release` or pass --binary)")

    version = subprocess.run([a.binary, "--version"], capture_output=True,
                             text=True).stdout.strip()
    mtime = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(os.path.getmtime(a.binary)))
    print(f"{version} ({a.binary}, built {mtime}) against SimPy, {a.reps} replications each")

    t0 = time.perf_counter()
    cases = []
    passed = failed = 0
    expected_chance = 0.0
    for n, horizon, warmup in zip(stations, horizons, warmups):
        try:
            ft, ft_wall = run_factory_twin(a.binary, n, horizon, warmup, a.seed, a.reps)
            sp, sp_wall, sp_ops = run_simpy(a.python, n, horizon, warmup, a.seed, a.reps, a.jobs)
        except (RuntimeError, OSError, json.JSONDecodeError, KeyError) as e:
            print(f"compare_simpy.py: {e}", file=sys.stderr)
            return 2
        # m: figures with a spread (structural zeros are compared exactly).
        m = 1 + sum(1 for i in range(n) for fig in FIGURES
                    if ft["stations"][i][fig].se or sp["stations"][i][fig].se)
        k = a.tolerance_se if a.tolerance_se is not None else TOL_SE
        alpha = None if a.tolerance_se is not None else a.family_alpha / m
        rows = [compare("line", "throughput", ft["throughput"], sp["throughput"], k, alpha)]
        for i in range(n):
            for fig in FIGURES:
                rows.append(compare(f"s{i}" + ("*" if i == n // 2 else ""), fig,
                                    ft["stations"][i][fig], sp["stations"][i][fig], k, alpha))
        n_fail = sum(not r["ok"] for r in rows)
        passed += len(rows) - n_fail
        failed += n_fail
        chance = sum(r["p_chance"] for r in rows)
        expected_chance += chance

        print(f"\nN = {n}: T = {horizon:g} s after warm-up {warmup:g} s, buffers {BUFFER}, "
              f"bottleneck s{n // 2} (*), {a.reps} replications each "
              f"(factory-twin seed {a.seed}, SimPy seeds {a.seed}..{a.seed + a.reps - 1})")
        rule = (f"|diff| <= {k:g} se" if alpha is None else
                f"|diff| within the t quantile at level {a.family_alpha:g}/{m} "
                f"(about {max(r['tolerance_se'] or 0 for r in rows):.1f} se)")
        print(f"  throughput in parts/s; states as shares of the observed time; "
              f"± = 95 % CI; OK if {rule}")
        shown = set(shown_stations(n))
        visible = [r for r in rows if r["station"] == "line"
                   or int(r["station"].lstrip("s").rstrip("*")) in shown]
        print_rows(visible)
        if len(shown) < n:
            print(f"  ({n - len(shown)} stations not shown; all {len(rows)} figures tested)")
            hidden_fail = [r for r in rows if not r["ok"] and r not in visible]
            if hidden_fail:
                print("  failures among the stations not shown:")
                print_rows(hidden_fail)
        print(f"  {len(rows) - n_fail} passed, {n_fail} failed; expected by chance alone "
              f"{chance:.2f} failures; wall: factory-twin {ft_wall:.2f} s, "
              f"SimPy {sp_wall:.1f} s ({sp_ops:,.0f} ops/s per process, {a.jobs} at a time)")
        cases.append({"N": n, "horizon_s": horizon, "warmup_s": warmup, "reps": a.reps,
                      "seed": a.seed, "buffer": BUFFER, "bottleneck": n // 2,
                      "simpy_engine": sp["engine"], "passed": len(rows) - n_fail,
                      "failed": n_fail, "expected_chance_failures": chance,
                      "wall_s": {"factory_twin": ft_wall, "simpy": sp_wall},
                      "rows": rows, "simpy_replications": sp["replications"]})

    total_wall = time.perf_counter() - t0
    print(f"\n{passed} passed, {failed} failed "
          f"(expected by chance alone: {expected_chance:.2f}); "
          f"wall {total_wall:.1f} s")
    if failed:
        print("A failure is a difference beyond the tolerance; rerun with more --reps or "
              "another --seed to tell chance from a real difference.")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"tolerance_se": a.tolerance_se, "family_alpha": a.family_alpha,
                       "binary": a.binary,
                       "binary_version": version, "binary_mtime": mtime, "cases": cases,
                       "passed": passed, "failed": failed,
                       "expected_chance_failures": expected_chance,
                       "wall_s": total_wall}, f, indent=1)
            f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
