#!/usr/bin/env python3
"""bench/pull's image builder: an OCI image layout from a rootfs tar, in 1 or N gzip layers.

The rootfs tar (debootstrap's, as root) holds device nodes; container images carry none
and an unprivileged tar -x could not make them, so they are left out. With N > 1 layers
the regular files are dealt out largest first, each to the layer with the fewest bytes so
far, so the layers come out even whatever the archive order (a minbase rootfs has one
50 MB apt list: cutting the archive into runs gave one layer 80 MB and another 160 kB);
every directory and symlink goes into the first layer (so each later layer finds its
parents) and a hard link into the layer of its target (an unpacker resolves it per layer).
Writes DIR/oci-layout, DIR/index.json (ref name TAG), DIR/blobs/sha256/*, and
DIR/layers.tsv (digest, gzip bytes, tar bytes, members) for the caller.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def put_blob(blobs, path):
    """Move PATH into blobs/sha256/<digest>; return (digest, size)."""
    d = sha256_file(path)
    size = os.path.getsize(path)
    os.replace(path, os.path.join(blobs, d))
    return "sha256:" + d, size


def put_json(blobs, obj):
    data = json.dumps(obj, separators=(",", ":")).encode()
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, d), "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)


def norm(name):
    """Member name without the leading "./" (tar's hard link names are written alike)."""
    return name[2:] if name.startswith("./") else name


def assign(members, n):
    """Layer index for each member (None: left out)."""
    loads, where = [0] * n, {}
    for m in sorted((m for m in members if m.isreg()), key=lambda m: -m.size):
        i = loads.index(min(loads))
        loads[i] += m.size
        where[norm(m.name)] = i
    out = []
    for m in members:
        if m.ischr() or m.isblk() or m.isfifo():
            out.append(None)
        elif m.isreg():
            out.append(where[norm(m.name)])
        elif m.islnk():
            out.append(where.get(norm(m.linkname), 0))
        else:
            out.append(0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rootfs", required=True, help="rootfs as an uncompressed tar")
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--out", required=True, help="OCI layout directory (replaced)")
    ap.add_argument("--tag", required=True)
    ap.add_argument("--arch", default="amd64")
    ap.add_argument("--gzip-level", default="6")
    a = ap.parse_args()

    shutil.rmtree(a.out, ignore_errors=True)
    blobs = os.path.join(a.out, "blobs", "sha256")
    os.makedirs(blobs)
    src = tarfile.open(a.rootfs, "r:")
    members = src.getmembers()
    idx = assign(members, a.layers)

    tars = [os.path.join(a.out, f"layer{i}.tar") for i in range(a.layers)]
    outs = [tarfile.open(p, "w:", format=tarfile.PAX_FORMAT) for p in tars]
    counts = [0] * a.layers
    for m, i in zip(members, idx):
        if i is None:
            continue
        outs[i].addfile(m, src.extractfile(m) if m.isreg() else None)
        counts[i] += 1
    for t in outs:
        t.close()
    src.close()

    layers, diff_ids, rows = [], [], []
    for i, p in enumerate(tars):
        diff_id = "sha256:" + sha256_file(p)
        tar_size = os.path.getsize(p)
        gz = p + ".gz"
        with open(p, "rb") as fin, open(gz, "wb") as fout:
            subprocess.run(["gzip", "-n", "-" + a.gzip_level, "-c"], stdin=fin, stdout=fout,
                           check=True)
        os.unlink(p)
        digest, size = put_blob(blobs, gz)
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                       "digest": digest, "size": size})
        diff_ids.append(diff_id)
        rows.append((digest, size, tar_size, counts[i]))

    created = "2026-01-01T00:00:00Z"
    config = {
        "created": created, "architecture": a.arch, "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["/bin/bash"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": created, "created_by": f"bench/pull layer {i + 1}/{a.layers}"}
                    for i in range(a.layers)],
    }
    cdigest, csize = put_json(blobs, config)
    manifest = {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": cdigest, "size": csize},
        "layers": layers,
    }
    mdigest, msize = put_json(blobs, manifest)
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest,
        "size": msize, "annotations": {"org.opencontainers.image.ref.name": a.tag}}]}
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(a.out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(a.out, "layers.tsv"), "w") as f:
        f.write("digest\tgzip_bytes\ttar_bytes\tmembers\n")
        for r in rows:
            f.write("\t".join(map(str, r)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
