"""Draws an event log from known distributions with numpy and fits it with scipy.

Usage: python draw_logs.py OUT_DIR

Writes OUT_DIR/log.csv (time_s,resource,event,part) and OUT_DIR/expected.json:
for each (resource, measure) the true family and parameters, scipy's maximum
likelihood estimates, and a parametric-bootstrap 95 % interval of each
parameter. The test in tests/engine/calibration.rs fits the log with
`factory-twin fit --json` and checks its fits against these.
"""

import json
import sys

import numpy as np
from scipy import stats

out = sys.argv[1]
rng = np.random.default_rng(20261203)
rows = []

# "press": gamma cycle times (shape 4, scale 8 s), idle gaps between parts.
cycles = rng.gamma(4.0, 8.0, 3000)
t = 0.0
for i, c in enumerate(cycles):
    rows.append((t, "press", "start", str(i)))
    t += c
    rows.append((t, "press", "finish", str(i)))
    t += rng.exponential(5.0)
end = t

# "mill": Weibull times between failures (shape 1.5, scale 1200 s) and
# lognormal repairs (mu 6, sigma 0.5); the last time up is censored at the
# end of the log.
t, between, repairs = 0.0, [], []
while True:
    up = 1200.0 * rng.weibull(1.5)
    if t + up >= end:
        censored = end - t
        break
    t += up
    rows.append((t, "mill", "fail", ""))
    r = rng.lognormal(6.0, 0.5)
    if t + r >= end:
        censored = None
        break
    t += r
    rows.append((t, "mill", "repair", ""))
    between.append(up)
    repairs.append(r)

rows.sort(key=lambda r: r[0])
with open(f"{out}/log.csv", "w") as f:
    f.write("time_s,resource,event,part\n")
    for r in rows:
        f.write(f"{float(r[0])!r},{r[1]},{r[2]},{r[3]}\n")


def gamma_fit(x):
    a, _, scale = stats.gamma.fit(x, floc=0)
    return {"shape": a, "scale": scale}


def lognormal_fit(x):
    s, _, scale = stats.lognorm.fit(x, floc=0)
    return {"mu": float(np.log(scale)), "sigma": s}


def weibull_fit(x, right):
    data = stats.CensoredData(uncensored=x, right=right) if right else x
    c, _, scale = stats.weibull_min.fit(data, floc=0)
    return {"shape": c, "scale": scale}


def bootstrap(draw, fit, reps=100):
    """Percentile 2.5 and 97.5 of each parameter over refits of fresh draws."""
    rng_b = np.random.default_rng(7)
    fits = [fit(*draw(rng_b)) for _ in range(reps)]
    return {k: [float(np.percentile([f[k] for f in fits], 2.5)),
                float(np.percentile([f[k] for f in fits], 97.5))] for k in fits[0]}


right = [censored] if censored else []
n_between, n_rep = len(between), len(repairs)
expected = [
    {
        "resource": "press", "measure": "cycle", "family": "gamma",
        "truth": {"shape": 4.0, "scale": 8.0},
        "scipy": gamma_fit(cycles),
        "interval": bootstrap(lambda g: (g.gamma(4.0, 8.0, len(cycles)),), gamma_fit),
    },
    {
        "resource": "mill", "measure": "repair", "family": "lognormal",
        "truth": {"mu": 6.0, "sigma": 0.5},
        "scipy": lognormal_fit(np.array(repairs)),
        "interval": bootstrap(lambda g: (g.lognormal(6.0, 0.5, n_rep),), lognormal_fit),
    },
    {
        "resource": "mill", "measure": "between_failures", "family": "weibull",
        "truth": {"shape": 1.5, "scale": 1200.0},
        "censored": len(right),
        "scipy": weibull_fit(np.array(between), right),
        "interval": bootstrap(lambda g: (1200.0 * g.weibull(1.5, n_between), []), weibull_fit),
    },
]
with open(f"{out}/expected.json", "w") as f:
    json.dump(expected, f, indent=1)
