#!/usr/bin/env python3
"""Table and TSVs for bench/pull, from its runs.tsv (one line per timed run)."""
import argparse
import os
import statistics
import sys

TARGET_VS_PODMAN = 0.4  # holt's median at most this times podman's, on both images
TARGET_VS_PIPELINE = 1.3  # and at most this times curl | gzip -d | tar -x, one layer
TARGET_RSS_KIB = 64 << 10

# measurement -> what it is, in table order
WHAT = {
    "holt-one": "holt pull",
    "podman-one": "podman pull",
    "pipeline-one": "curl | gzip -d | tar -x",
    "curl-one": "curl > /dev/null",
    "gunzip-one": "gzip -dc > /dev/null",
    "holt-five": "holt pull",
    "podman-five": "podman pull",
}


def read_tsv(path, head=None):
    with open(path) as f:
        lines = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    if head is None:
        head, lines = lines[0], lines[1:]
    return [dict(zip(head, l)) for l in lines]


def summarise(runs, meta):
    rows = {}
    for name in WHAT:
        if name not in meta:
            continue
        ok = [r for r in runs if r["name"] == name and r["rc"] == "0"]
        row = {"name": name, "image": name.split("-")[1], "status": meta[name]["status"],
               "note": meta[name]["note"], "cmd": meta[name]["cmd"], "n": len(ok)}
        if ok:
            secs = [float(r["seconds"]) for r in ok]
            rss = [int(r["rss_kib"]) for r in ok if r["rss_kib"].isdigit()]
            row.update(median=statistics.median(secs), min=min(secs), max=max(secs),
                       rss=max(rss) if rss else None,
                       store_mb=statistics.median(int(r["store_kib"]) for r in ok) / 1024)
        rows[name] = row
    for row in rows.values():
        holt = rows.get("holt-" + row["image"], {}).get("median")
        if holt and "median" in row:
            row["x_holt"] = row["median"] / holt
    return rows


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def targets(rows):
    """(target, limit, value, met) for each target of issue 3."""
    def med(name):
        return rows.get(name, {}).get("median")

    def ratio(a, b):
        return med(a) / med(b) if med(a) and med(b) else None

    out = []
    for img, label in (("one", "1 layer"), ("five", "5 layers")):
        out.append((f"holt / podman, {label}", f"<= {TARGET_VS_PODMAN:.2f}",
                    ratio(f"holt-{img}", f"podman-{img}"), TARGET_VS_PODMAN))
    out.append(("holt / pipeline, 1 layer", f"<= {TARGET_VS_PIPELINE:.2f}",
                ratio("holt-one", "pipeline-one"), TARGET_VS_PIPELINE))
    rss = [rows[n]["rss"] for n in ("holt-one", "holt-five") if rows.get(n, {}).get("rss")]
    out.append(("holt peak RSS, KiB", f"<= {TARGET_RSS_KIB} (64 MiB)",
                max(rss) if rss else None, TARGET_RSS_KIB))
    return [(t, lim, v, None if v is None else v <= limit) for t, lim, v, limit in out]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs-tsv", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--layers", action="append", default=[])
    ap.add_argument("--tsv", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--host", default="")
    a = ap.parse_args()

    meta = {r["name"]: r for r in read_tsv(a.meta, ["name", "status", "cmd", "note"])}
    rows = summarise(read_tsv(a.runs_tsv), meta)
    for path in a.layers:
        layers = read_tsv(path)
        gz = sum(int(l["gzip_bytes"]) for l in layers) / 1e6
        tar = sum(int(l["tar_bytes"]) for l in layers) / 1e6
        sizes = ", ".join(f"{int(l['gzip_bytes']) / 1e6:.1f}" for l in layers)
        print(f"{os.path.basename(os.path.dirname(path))}: {len(layers)} layer(s), "
              f"{gz:.1f} MB gzip ({sizes}), {tar:.1f} MB tar")
    print(f"\npull from docker-registry on 127.0.0.1, fresh store each run, "
          f"{a.runs} timed runs; {a.host}\n")
    head = f"{'measurement':<14} {'image':<5} {'status':<7} {'median s':>9} {'min s':>7} " \
           f"{'max s':>7} {'peak RSS KiB':>12} {'store MB':>8} {'x holt':>7}"
    print(head)
    print("-" * len(head))
    for r in rows.values():
        print(f"{r['name']:<14} {r['image']:<5} {r['status']:<7} "
              f"{fmt(r.get('median'), '9.2f')} {fmt(r.get('min'), '7.2f')} "
              f"{fmt(r.get('max'), '7.2f')} {fmt(r.get('rss'), '12d')} "
              f"{fmt(r.get('store_mb'), '8.0f')} {fmt(r.get('x_holt'), '7.2f')}")
    print("\ncommands (STORE: a fresh directory each run):")
    for r in rows.values():
        print(f"  {r['name']:<13} {r['cmd']}")
        if r["note"]:
            print(f"  {'':<13} note: {r['note']}")
    tg = targets(rows)
    print("\ntargets:")
    for t, lim, v, met in tg:
        val = fmt(v, ".0f" if "RSS" in t else ".3f")
        print(f"  {t:<26} {lim:<20} {val:>8}   "
              f"{'n/a' if met is None else 'PASS' if met else 'FAIL'}")

    with open(a.tsv, "w") as f:
        f.write("measurement\timage\tstatus\truns\tmedian_s\tmin_s\tmax_s\tpeak_rss_kib"
                "\tstore_mb\tx_holt\tcommand\n")
        for r in rows.values():
            f.write("\t".join(str(x) for x in (
                r["name"], r["image"], r["status"], r["n"], fmt(r.get("median"), ".4f"),
                fmt(r.get("min"), ".4f"), fmt(r.get("max"), ".4f"), fmt(r.get("rss"), "d"),
                fmt(r.get("store_mb"), ".0f"), fmt(r.get("x_holt"), ".3f"), r["cmd"])) + "\n")
    ttsv = a.tsv[:-4] + "-targets.tsv"
    with open(ttsv, "w") as f:
        f.write("target\tlimit\tvalue\tresult\n")
        for t, lim, v, met in tg:
            f.write(f"{t}\t{lim}\t{fmt(v, '.4f')}\t"
                    f"{'n/a' if met is None else 'PASS' if met else 'FAIL'}\n")
    print(f"\nwrote {a.tsv}\nwrote {ttsv}")
    return 0 if all(m is not False for _, _, _, m in tg) else 1


if __name__ == "__main__":
    sys.exit(main())
