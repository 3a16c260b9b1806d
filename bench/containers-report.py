#!/usr/bin/env python3
"""Table and TSV for bench/containers, from its batch timestamps and hyperfine's JSON."""
import argparse
import json
import math
import os
import statistics
import sys

TARGET_BATCH_VS_PODMAN = 10.0
TARGET_PS_MS = 20.0
TARGET_PS_VS_PODMAN = 10.0


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    k = max(1, math.ceil(p / 100.0 * len(s)))
    return s[k - 1]


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        lines = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    if not lines:
        return []
    head = lines[0]
    return [dict(zip(head, l)) for l in lines[1:]]


def load_batches(results, tool):
    """Per timed batch, in ms: run -d phase, stop phase, rm phase and their sum."""
    rows = []
    for r in read_tsv(os.path.join(results, "batches.tsv")):
        if r["tool"] != tool:
            continue
        t = [float(r[f"t{i}"]) for i in range(6)]
        run, stop, rm = (t[1] - t[0]) * 1e3, (t[3] - t[2]) * 1e3, (t[5] - t[4]) * 1e3
        rows.append(dict(run=run, stop=stop, rm=rm, total=run + stop + rm))
    if not rows:
        return {}
    med = {k: statistics.median(r[k] for r in rows) for k in ("run", "stop", "rm", "total")}
    totals = [r["total"] for r in rows]
    return dict(batches=len(rows), run=med["run"], stop=med["stop"], rm=med["rm"],
                median=med["total"], min=min(totals), max=max(totals))


def load_ps(results, tool):
    row = {}
    path = os.path.join(results, f"ps-{tool}.json")
    if os.path.exists(path):
        with open(path) as f:
            r = json.load(f)["results"][0]
        times = [t * 1000.0 for t in r["times"]]
        row.update(runs=len(times), median=statistics.median(times), p90=pct(times, 90),
                   mean=statistics.fmean(times), min=min(times), max=max(times),
                   stddev=statistics.pstdev(times))
    for r in read_tsv(os.path.join(results, "fills.tsv")):
        if r["tool"] == tool:
            row["fill"] = (float(r["t1"]) - float(r["t0"])) * 1e3
    return row


def fmt(v, spec):
    if v is None:
        width = "".join(c for c in spec.split(".")[0] if c.isdigit())
        return format("-", ">" + width)
    return format(v, spec)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--tsv", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--ps-containers", type=int, required=True)
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--warm-batches", type=int)
    ap.add_argument("--ps-runs", type=int)
    ap.add_argument("--ps-warmup", type=int)
    ap.add_argument("--host", default="")
    a = ap.parse_args()

    rows = []
    with open(a.meta) as f:
        for line in f:
            test, tool, status, cmd, note = (line.rstrip("\n").split("\t") + [""] * 4)[:5]
            row = dict(test=test, tool=tool, status=status, cmd=cmd, note=note)
            if test == "batch" and status in ("ok", "failed"):
                row.update(load_batches(a.results, tool))
                if status == "failed":       # batches before the failure are not reported
                    row.pop("median", None)
            if test == "ps" and status == "ok":
                row.update(load_ps(a.results, tool))
            rows.append(row)
    by = {(r["test"], r["tool"]): r for r in rows}

    def ratio_rows(test):
        hm = by.get((test, "holt"), {}).get("median")
        for r in rows:
            if r["test"] == test:
                m = r.get("median")
                r["ratio"] = m / hm if hm and m else None
        return hm

    hb = ratio_rows("batch")
    hp = ratio_rows("ps")
    for r in rows:
        if r["test"] == "batch" and r.get("median") is not None:
            r["per"] = r["median"] / a.n

    print()
    print(f"{a.host}")
    print()
    print(f"1. {a.n} x run -d IMG sleep 1000, then {a.n} x stop -t 0, then {a.n} x rm "
          f"(sequential): median of {a.repeats} batches after {a.warm_batches} warm-up")
    print()
    hdr = (f"{'tool':<7} {'status':<11} {'run -d ms':>9} {'stop ms':>9} {'rm ms':>9} "
           f"{'batch ms':>9} {'min':>8} {'max':>8} {'ms/cont.':>8} {'x holt':>7}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        if r["test"] != "batch":
            continue
        ok = r.get("median") is not None
        print(f"{r['tool']:<7} {r['status']:<11} {fmt(r.get('run') if ok else None, '9.1f')} "
              f"{fmt(r.get('stop') if ok else None, '9.1f')} {fmt(r.get('rm') if ok else None, '9.1f')} "
              f"{fmt(r.get('median'), '9.1f')} {fmt(r.get('min') if ok else None, '8.1f')} "
              f"{fmt(r.get('max') if ok else None, '8.1f')} {fmt(r.get('per'), '8.2f')} "
              f"{fmt(r.get('ratio'), '7.1f')}")
    print("  (each phase column is the median of that phase; batch = median of the per-batch sums)")

    print()
    print(f"2. ps with {a.ps_containers} running containers: hyperfine -N, "
          f"{a.ps_runs} runs after {a.ps_warmup} warm-up")
    print()
    hdr = (f"{'tool':<7} {'status':<11} {'median ms':>10} {'p90 ms':>8} {'min ms':>8} "
           f"{'max ms':>8} {'x holt':>7}   {'(creating them, ms)':>19}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        if r["test"] != "ps":
            continue
        print(f"{r['tool']:<7} {r['status']:<11} {fmt(r.get('median'), '10.2f')} "
              f"{fmt(r.get('p90'), '8.2f')} {fmt(r.get('min'), '8.2f')} {fmt(r.get('max'), '8.2f')} "
              f"{fmt(r.get('ratio'), '7.1f')}   {fmt(r.get('fill'), '19.0f')}")

    notes = [r for r in rows if r["note"]]
    if notes:
        print()
        for r in notes:
            print(f"  {r['test']} {r['tool']}: {r['note']}")
    print()
    print("commands (each tool on its own store under a temporary directory):")
    seen = set()
    for r in rows:
        if r["cmd"] and r["tool"] not in seen:
            seen.add(r["tool"])
            print(f"  {r['tool']:<7} {r['cmd']} run -d --network none --name NAME IMG sleep 1000")
            print(f"  {'':<7} {r['cmd']} stop -t 0 NAME | rm NAME | ps")

    def target(name, want, value, ok):
        return dict(target=name, want=want, value=value,
                    result="n/a" if ok is None else ("met" if ok else "MISSED"))

    pb = by.get(("batch", "podman"), {}).get("median")
    pp = by.get(("ps", "podman"), {}).get("median")
    targets = [
        target("batch podman/holt", f">= {TARGET_BATCH_VS_PODMAN:g}x",
               f"{pb / hb:.1f}x" if hb and pb else "-",
               None if not (hb and pb) else pb / hb >= TARGET_BATCH_VS_PODMAN),
        target("ps holt median", f"<= {TARGET_PS_MS:g} ms",
               f"{hp:.2f} ms" if hp else "-", None if hp is None else hp <= TARGET_PS_MS),
        target("ps podman/holt", f">= {TARGET_PS_VS_PODMAN:g}x",
               f"{pp / hp:.1f}x" if hp and pp else "-",
               None if not (hp and pp) else pp / hp >= TARGET_PS_VS_PODMAN),
    ]
    print()
    print("targets:")
    for t in targets:
        print(f"  {t['target']:<18} {t['want']:<10} {t['value']:>10}   {t['result']}")

    cols = ["test", "tool", "status", "containers", "samples", "median_ms", "run_ms", "stop_ms",
            "rm_ms", "per_container_ms", "p90_ms", "mean_ms", "min_ms", "max_ms", "stddev_ms",
            "create_ms", "ratio_to_holt", "command", "note"]
    with open(a.tsv, "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in rows:
            r = dict(r)
            r["containers"] = a.n if r["test"] == "batch" else a.ps_containers
            r["samples"] = r.get("batches", r.get("runs"))
            vals = []
            for c, k in zip(cols, ["test", "tool", "status", "containers", "samples", "median",
                                   "run", "stop", "rm", "per", "p90", "mean", "min", "max",
                                   "stddev", "fill", "ratio", "cmd", "note"]):
                v = r.get(k)
                if v is None:
                    vals.append("")
                elif isinstance(v, float):
                    vals.append(f"{v:.3f}")
                else:
                    vals.append(str(v).replace("\t", " "))
            f.write("\t".join(vals) + "\n")
    tpath = a.tsv[:-4] + "-targets.tsv"
    with open(tpath, "w") as f:
        f.write("target\twant\tvalue\tresult\n")
        for t in targets:
            f.write(f"{t['target']}\t{t['want']}\t{t['value']}\t{t['result']}\n")
    print()
    print(f"wrote {a.tsv}")
    print(f"wrote {tpath}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
