"""Writes a large plant as a scene: LINES parallel lines of MACHINES
machines each, a 5-place buffer between neighbours, one source and one sink
per line, triangular cycles of 50-60-80 s and breakdowns (mean 8 h between,
20 min to repair), running round the clock. For the throughput of `serve` and
`monitor` (docs/live.md) and the forecast latency (docs/performance.md).

    python3 bench/plant.py 20 25 > /tmp/plant_500.ron   # 500 machines
"""

import sys

lines, machines = int(sys.argv[1]), int(sys.argv[2])
objects, flow = [], []
for l in range(lines):
    prev = f"src{l}"
    objects.append(f'Source(id: "{prev}", pos: (0, {2 * l}), product: "part")')
    for m in range(machines):
        x = 2 + 4 * m
        mid = f"m{l}_{m}"
        objects.append(
            f'Machine(id: "{mid}", pos: ({x}, {2 * l}), '
            "cycle: Triangular(min: Seconds(50), mode: Seconds(60), max: Seconds(80)), "
            "failures: (between: Exponential(mean: Hours(8)), repair: Exponential(mean: Minutes(20))))"
        )
        flow.append(f'("{prev}", "{mid}")')
        if m + 1 < machines:
            buf = f"b{l}_{m}"
            objects.append(f'Buffer(id: "{buf}", pos: ({x + 2}, {2 * l}), capacity: 5)')
            flow.append(f'("{mid}", "{buf}")')
            prev = buf
        else:
            prev = mid
    sink = f"out{l}"
    objects.append(f'Sink(id: "{sink}", pos: ({4 * machines + 2}, {2 * l}))')
    flow.append(f'("{prev}", "{sink}")')
print(f"""Scene(
    name: "Plant of {lines * machines} machines",
    run: (horizon: Hours(24), warmup: Hours(0), seed: 1, replications: 1),
    products: [Product(id: "part")],
    objects: [
        {(","+chr(10)+"        ").join(objects)},
    ],
    flow: [{", ".join(flow)}],
)""")
