#!/usr/bin/env python3
"""Reads one wrk --latency report on stdin and prints a TSV row for scripts/bench:
round, connections, target, req/s, p50 ms, p99 ms, non-2xx answers, socket errors, requests, CPU seconds."""
import re
import sys

round_, conns, target, ticks, hz = sys.argv[1:6]
text = sys.stdin.read()


def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
# Runs without --latency (the warm-up) have no distribution; a "xx.50%" in wrk's stdev column is not one.
p50 = ms(m.group(1)) if (m := re.search(r"^\s+50%\s+(\S+)", text, re.M)) else float("nan")
p99 = ms(m.group(1)) if (m := re.search(r"^\s+99%\s+(\S+)", text, re.M)) else float("nan")
non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)) else 0
errors = sum(int(x) for x in m.groups()) if (m := re.search(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)) else 0
cpu = int(ticks) / int(hz)
print("\t".join(map(str, [round_, conns, target, rps, p50, p99, non2xx, errors, requests, cpu])))
