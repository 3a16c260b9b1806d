#!/usr/bin/env python3
"""Table and TSV for bench/run-latency, from hyperfine's JSON and GNU time's %M files."""
import argparse
import json
import math
import os
import statistics
import sys

TARGET_MEDIAN_MS = 10.0
TARGET_VS_PODMAN = 15.0
TARGET_VS_CHRUN = 4.0
TARGET_RSS_KIB = 8 * 1024


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    k = max(1, math.ceil(p / 100.0 * len(s)))
    return s[k - 1]


def load(results, tool):
    row = {}
    path = os.path.join(results, tool + ".json")
    if os.path.exists(path):
        with open(path) as f:
            r = json.load(f)["results"][0]
        times = [t * 1000.0 for t in r["times"]]
        row.update(runs=len(times), median=statistics.median(times), p90=pct(times, 90),
                   mean=statistics.fmean(times), min=min(times), max=max(times),
                   stddev=statistics.pstdev(times))
    path = os.path.join(results, tool + ".rss")
    if os.path.exists(path):
        with open(path) as f:
            rss = [int(x) for x in f.read().split() if x.strip().isdigit()]
        if rss:
            row["rss"] = max(rss)
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
    ap.add_argument("--runs", type=int)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--host", default="")
    a = ap.parse_args()

    rows = []
    with open(a.meta) as f:
        for line in f:
            tool, status, cmd, note = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
            row = dict(tool=tool, status=status, cmd=cmd, note=note)
            if status == "ok":
                row.update(load(a.results, tool))
            rows.append(row)
    by = {r["tool"]: r for r in rows}
    holt = by.get("holt", {})
    hm = holt.get("median") if holt.get("status") == "ok" else None

    for r in rows:
        r["ratio"] = r["median"] / hm if hm and r.get("median") else None

    print()
    print(f"run --rm ... true: {a.runs} timed runs after {a.warmup} warm-up; {a.host}")
    print()
    hdr = f"{'tool':<8} {'status':<11} {'median ms':>10} {'p90 ms':>9} {'min ms':>8} " \
          f"{'peak RSS KiB':>13} {'x holt':>8}"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['tool']:<8} {r['status']:<11} {fmt(r.get('median'), '10.2f')} "
              f"{fmt(r.get('p90'), '9.2f')} {fmt(r.get('min'), '8.2f')} "
              f"{fmt(r.get('rss'), '13d')} {fmt(r.get('ratio'), '8.2f')}")
    notes = [r for r in rows if r["note"]]
    if notes:
        print()
        for r in notes:
            print(f"  {r['tool']}: {r['note']}")
    print()
    print("commands:")
    for r in rows:
        if r["cmd"]:
            print(f"  {r['tool']:<8} {r['cmd']}")

    # Targets from the issue.
    def target(name, want, value, ok):
        return dict(target=name, want=want, value=value,
                    result="n/a" if ok is None else ("met" if ok else "MISSED"))

    pm = by.get("podman", {}).get("median")
    cm = by.get("ch-run", {}).get("median")
    hr = holt.get("rss") if hm else None
    targets = [
        target("holt median", f"<= {TARGET_MEDIAN_MS:g} ms",
               fmt(hm, ".2f") + " ms" if hm else "-",
               None if hm is None else hm <= TARGET_MEDIAN_MS),
        target("podman / holt", f">= {TARGET_VS_PODMAN:g}x",
               f"{pm / hm:.1f}x" if hm and pm else "-",
               None if not (hm and pm) else pm / hm >= TARGET_VS_PODMAN),
        target("holt / ch-run", f"<= {TARGET_VS_CHRUN:g}x",
               f"{hm / cm:.2f}x" if hm and cm else "-",
               None if not (hm and cm) else hm / cm <= TARGET_VS_CHRUN),
        target("holt peak RSS", f"<= {TARGET_RSS_KIB} KiB (8 MiB)",
               f"{hr} KiB" if hr else "-",
               None if not hr else hr <= TARGET_RSS_KIB),
    ]
    print()
    print("targets:" + ("" if hm else "  (holt not measured: all n/a)"))
    for t in targets:
        print(f"  {t['target']:<15} {t['want']:<22} {t['value']:>12}   {t['result']}")

    cols = ["tool", "status", "runs", "median_ms", "p90_ms", "mean_ms", "min_ms", "max_ms",
            "stddev_ms", "peak_rss_kib", "ratio_to_holt", "command", "note"]
    keys = ["tool", "status", "runs", "median", "p90", "mean", "min", "max", "stddev", "rss",
            "ratio", "cmd", "note"]
    with open(a.tsv, "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in rows:
            vals = []
            for k in keys:
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
