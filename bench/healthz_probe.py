#!/usr/bin/env python3
"""Samples GET /healthz on one keep-alive connection every INTERVAL seconds
while the file WHILE exists, until the file STOP exists, then prints
`samples=N p50=… p99=… max=… failures=N` (milliseconds). Runs as its own
process so the load it watches does not slow the measurement.

Usage: healthz_probe.py BASE_URL WHILE_FILE STOP_FILE [INTERVAL (default 0.02)]
"""
import http.client
import os
import sys
import time
import urllib.parse

url = urllib.parse.urlsplit(sys.argv[1])
WHILE = sys.argv[2]
STOP = sys.argv[3]
INTERVAL = float(sys.argv[4]) if len(sys.argv) > 4 else 0.02

times, failures = [], 0
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
while not os.path.exists(STOP):
    if not os.path.exists(WHILE):
        time.sleep(INTERVAL)
        continue
    started = time.perf_counter()
    try:
        conn.request("GET", "/healthz")
        res = conn.getresponse()
        res.read()
        ok = res.status == 200
    except (OSError, http.client.HTTPException):
        ok = False
        conn.close()
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    times.append((time.perf_counter() - started) * 1000)
    if os.environ.get("PROBE_LOG"):
        print(f"{time.time():.3f} {times[-1]:.1f}", file=sys.stderr)
    failures += not ok
    time.sleep(INTERVAL)

times.sort()


def at(q):
    return times[min(len(times) - 1, int(q * len(times)))] if times else float("nan")


print(
    f"samples={len(times)} p50={at(0.5):.1f}ms p99={at(0.99):.1f}ms "
    f"max={at(1.0):.1f}ms failures={failures}"
)
