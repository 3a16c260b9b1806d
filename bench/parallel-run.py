#!/usr/bin/env python3
"""parallel-run.py — times one command run alone, one at a time, and N at once.

    parallel-run.py --single 30 --parallel 32 --rounds 3 -- CMD [ARG...]

Prints JSON: each start-to-exit time in ms, alone and at once, their medians, and how
many runs failed. Used by bench/parallel, as the bench user."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    return p, t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--single", type=int, default=30)
    ap.add_argument("--parallel", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    failed = 0
    for _ in range(a.warmup):
        subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    alone = []
    for _ in range(a.single):
        p, t0 = timed(cmd)
        failed += p.wait() != 0
        alone.append((time.perf_counter() - t0) * 1000)
    at_once = []
    for _ in range(a.rounds):
        started = dict((p.pid, (p, t0)) for p, t0 in (timed(cmd) for _ in range(a.parallel)))
        # reaped in the order they end, so that each time is its own
        while started:
            pid, status = os.waitpid(-1, 0)
            if pid not in started:
                continue
            p, t0 = started.pop(pid)
            p.returncode = os.waitstatus_to_exitcode(status)
            failed += p.returncode != 0
            at_once.append((time.perf_counter() - t0) * 1000)
    json.dump({"alone_ms": alone, "at_once_ms": at_once,
               "alone_p50": statistics.median(alone),
               "at_once_p50": statistics.median(at_once), "failed": failed}, sys.stdout)
    print()


main()
