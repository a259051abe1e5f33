#!/usr/bin/env python3
"""Prints scripts/bench's report: medians over valid rounds, ratios against nginx measured in the same run,
CPU per request, telemetry accounting, peak RSS, and the issue's targets."""
import statistics
import sys
from collections import defaultdict

results, warmups, checks, rss_kb, rows, rollup, dropped, non2xx_rows = sys.argv[1:9]
runs = defaultdict(list)
invalid = []
gh_requests = int(checks)


def read(path, measured):
    """Reads bench-wrk.py rows; counts calls at the worker, sets invalid runs aside, keeps measured ones."""
    global gh_requests
    for line in open(path):
        r, c, t, rps, p50, p99, non2xx, errors, requests, cpu = line.rstrip("\n").split("\t")
        if t.startswith("gh-"):
            gh_requests += int(requests)
        if int(non2xx) or int(errors):
            where = f"round {r}" if measured else "warm-up/1,000-connection run"
            invalid.append(f"{where}, {c} connections, {t}: {non2xx} non-2xx, {errors} socket errors")
        elif measured:
            runs[(int(c), t)].append((float(rps), float(p50), float(p99), float(cpu) * 1e6 / max(1, int(requests)), int(r)))


read(results, measured=True)
read(warmups, measured=False)

def med(values):
    return statistics.median(values) if values else float("nan")


targets = []
for (c, t) in runs:
    if t not in targets:
        targets.append(t)
print(f"{'conns':>5} {'target':<11} {'req/s':>9} {'x nginx-1w':>10} {'x nginx-auto':>12} {'p50 ms':>7} {'p99 ms':>7} "
      f"{'+p99 vs direct':>14} {'CPU us/req':>10} {'rounds':>6}  x nginx-1w in each round (min-max)")
summary = {}
for c in sorted({c for c, _ in runs}):
    anchor1 = med([x[0] for x in runs.get((c, "nginx-1w"), [])])
    anchora = med([x[0] for x in runs.get((c, "nginx-auto"), [])])
    direct99 = med([x[2] for x in runs.get((c, "direct"), [])])
    for t in targets:
        rs = runs.get((c, t), [])
        rps, p50, p99, cpu = (med([x[i] for x in rs]) for i in range(4))
        summary[(c, t)] = (rps, p99, cpu)
        # The ratio within each round, against nginx-1w measured minutes apart rather than over the whole run: on a
        # noisy machine its spread says how far the median ratio can be trusted.
        anchor_by_round = {x[4]: x[0] for x in runs.get((c, "nginx-1w"), [])}
        per_round = [x[0] / anchor_by_round[x[4]] for x in rs if anchor_by_round.get(x[4])]
        spread = f"{min(per_round):.2f}-{max(per_round):.2f}" if per_round else "-"
        print(f"{c:>5} {t:<11} {rps:>9.0f} {rps / anchor1:>10.2f} {rps / anchora:>12.2f} {p50:>7.2f} {p99:>7.2f} "
              f"{p99 - direct99:>14.2f} {cpu:>10.1f} {len(rs):>6}  {spread}")
    print()
if invalid:
    print("INVALID runs (left out of the medians):")
    for line in invalid:
        print("  " + line)
else:
    print("Every run answered 2xx only, with no socket errors.")
print(f"telemetry: calls wrk counted at the worker {gh_requests}; access-log rows {rows}; rollup count {rollup}; "
      f"rows with status >= 300 {non2xx_rows}; dropped {dropped}")
print(f"worker peak RSS (VmHWM, after 1,000 open connections): {int(rss_kb) / 1024:.1f} MB")


def check(name, ok, detail):
    print(f"  [{'met' if ok else 'NOT met'}] {name}: {detail}")


print("targets (2 cores):")
if (64, "gh-proxy") in summary and (64, "nginx-1w") in summary:
    g, n = summary[(64, "gh-proxy")], summary[(64, "nginx-1w")]
    check("HTTP_PROXY >= 1.0x nginx proxy req/s at 64 connections", g[0] >= n[0], f"{g[0] / n[0]:.2f}x")
    check("HTTP_PROXY p99 <= nginx p99 + 0.5 ms at 64 connections", g[1] <= n[1] + 0.5, f"{g[1]:.2f} vs {n[1]:.2f} ms")
    # CPU ratios within each round too: this VM's fast and slow phases move nginx's cost more than Gatehouse's.
    nginx_cpu = {x[4]: x[3] for x in runs.get((64, "nginx-1w"), [])}
    cpu_ratios = [x[3] / nginx_cpu[x[4]] for x in runs.get((64, "gh-proxy"), []) if nginx_cpu.get(x[4])]
    cpu_spread = f"; each round {min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}x" if cpu_ratios else ""
    check("HTTP_PROXY CPU per request <= 2x nginx's (the floor)", g[2] <= 2 * n[2],
          f"{g[2]:.1f} vs {n[2]:.1f} us ({g[2] / n[2]:.2f}x{cpu_spread})")
    check("HTTP_PROXY >= 0.6x nginx (the floor)", g[0] >= 0.6 * n[0], f"{g[0] / n[0]:.2f}x")
if (64, "gh-mock") in summary and (64, "nginx-1w") in summary:
    g, n = summary[(64, "gh-mock")], summary[(64, "nginx-1w")]
    check("MOCK >= 1.5x nginx proxy req/s at 64 connections", g[0] >= 1.5 * n[0], f"{g[0] / n[0]:.2f}x")
for gh, nio in (("gh-proxy", "nio-proxy"), ("gh-mock", "nio-mock")):
    if (64, gh) in summary and (64, nio) in summary and (64, "nginx-1w") in summary:
        g, b, n = summary[(64, gh)], summary[(64, nio)], summary[(64, "nginx-1w")]
        print(f"  [info] {nio} (bare SwiftNIO, nothing of Gatehouse) at 64 connections: {b[0] / n[0]:.2f}x nginx-1w at "
              f"{b[2]:.1f} us per call ({b[2] / n[2]:.1f}x nginx's CPU); {gh} is {g[0] / b[0]:.2f}x its req/s at {g[2]:.1f} us")
rows_i, rollup_i = int(rows), int(rollup)
check("every answered call is one access-log row, counted once in the rollups, none dropped",
      rows_i >= gh_requests and rollup_i == rows_i and int(dropped) == 0,
      f"rows {rows_i} (>= {gh_requests} counted by wrk; the rest were in flight when wrk stopped), rollups {rollup_i}, dropped {dropped}")
check("worker RSS < 150 MB at 1,000 connections", int(rss_kb) < 150 * 1024, f"{int(rss_kb) / 1024:.1f} MB")
