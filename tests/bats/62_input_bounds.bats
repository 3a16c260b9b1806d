#!/usr/bin/env bats
# Input that is too big, not a file, or holds bytes meant to break the output: refused
# with a clear error, or stored and printed escaped so that it cannot forge JSON or rows.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

@test "--env-file refuses a directory, a device and a file over 1 MiB" {
	local before big=$HOLT_TMP/big.env
	before=$(store_listing)
	run_holt create --env-file "$HOLT_TMP" "$IMG" true
	check_holt_error "env file \"$HOLT_TMP\": is a directory"
	run_holt run --rm --env-file /dev/zero "$IMG" true
	check_holt_error 'env file "/dev/zero": not a regular file'
	head -c 1100000 /dev/zero | tr '\0' 'A' | fold -w 99 | sed 's/^/X=/' >"$big"
	run_holt run --rm --env-file "$big" "$IMG" true
	check_holt_error "env file \"$big\": larger than the limit of 1 MiB"
	check_store_unchanged "$before"
}

@test "--env-file of 100,000 variables is read in linear time" {
	local f=$HOLT_TMP/many.env
	seq 1 100000 | sed 's/^/V/; s/$/=x/' >"$f"
	echo 'LAST=here' >>"$f"
	SECONDS=0
	run --separate-stderr holt run --rm --env-file "$f" "$IMG" sh -c 'echo "$V1 $V100000 $LAST"'
	[ "$status" -eq 0 ] && [ "$output" = "x x here" ] || { echo "status $status, output: ${output:0:200}"; false; }
	((SECONDS < 10)) || { echo "took ${SECONDS}s"; false; }
}

@test "a label with a newline and invalid UTF-8 keeps inspect valid JSON and ps one row" {
	local id label
	label=$(printf 'evil=x\nfake_row   forged\xff\x1b[2J')
	id=$(holt create --label "$label" -e "$(printf 'E=1\n2\xfe')" "$IMG" true)
	run_holt inspect "$id"
	check_status 0
	python3 -c 'import json,sys; d = json.loads(sys.stdin.buffer.read().decode("utf-8"));
assert d[0]["Config"]["Labels"]["evil"] == "x\nfake_row   forged\ufffd\x1b[2J", d' <<<"$output"
	run_holt inspect --format json "$id"
	python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))' <<<"$output"
	run_holt ps -a --format json
	python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin.buffer.read().decode("utf-8").splitlines()]' <<<"$output"
	run_holt ps -a --no-trunc --format 'table {{.ID}}\t{{.Labels}}'
	check_status 0
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	check_output_has 'evil=x\nfake_row   forged\xff\x1b[2J'
	holt rm "$id" >/dev/null
}

# Found by fuzzing: both crashed holt (SIGSEGV) before they were refused.
@test "import of a layer with a nameless entry, load of a link without a target" {
	local before nameless=$HOLT_TMP/nameless.tar sym=$HOLT_TMP/sym.tar
	before=$(store_listing)
	python3 - "$nameless" "$sym" <<'PY'
import io, sys, tarfile
h = bytearray(512)
h[0:1] = b"a"
for off, s in [(100, b"0000644"), (108, b"0000000"), (116, b"0000000"),
               (124, b"00000000005"), (136, b"14524770400"), (257, b"ustar\x0000")]:
    h[off:off + len(s)] = s
h[156] = ord("0")
h[148:156] = b" " * 8
h[148:155] = b"%06o\0" % sum(h)
data = b"hello".ljust(512, b"\0")
odd = bytearray(512)
for off, s in [(80, b"000644"), (87, b"0000000"), (95, b"0000000"), (103, b"00000000000"),
               (115, b"14524770400"), (127, b"006227"), (134, b" 5")]:
    odd[off:off + len(s)] = s
open(sys.argv[1], "wb").write(bytes(h) + data + bytes(odd))
b = io.BytesIO()
with tarfile.open(fileobj=b, mode="w", format=tarfile.USTAR_FORMAT) as t:
    ti = tarfile.TarInfo("manifest.json")
    ti.type = tarfile.SYMTYPE
    t.addfile(ti)
open(sys.argv[2], "wb").write(b.getvalue())
PY
	run_holt import "$nameless" bad:1
	check_holt_error "an entry without a name"
	run_holt load -i "$sym"
	check_holt_error 'member "manifest.json": link without a target'
	check_store_unchanged "$before"
}

@test "load: a 100 MB manifest.json and one nested 10,000 deep are refused, not parsed" {
	local before big=$HOLT_TMP/big-manifest.tar deep=$HOLT_TMP/deep-manifest.tar
	before=$(store_listing)
	python3 - "$big" "$deep" <<'PY'
import sys, tarfile
class Spaces:
    """100 MB of JSON without holding it: '[', spaces, ']'."""
    def __init__(self, n):
        self.left = n
    def read(self, k=-1):
        k = self.left if k < 0 else min(k, self.left)
        first = self.left == 100 << 20
        self.left -= k
        if k == 0:
            return b""
        chunk = bytearray(b" " * k)
        if first:
            chunk[0:1] = b"["
        if self.left == 0:
            chunk[-1:] = b"]"
        return bytes(chunk)
for path, size, src in [(sys.argv[1], 100 << 20, Spaces(100 << 20)), (sys.argv[2], 20000, None)]:
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as t:
        ti = tarfile.TarInfo("manifest.json")
        ti.size = size
        if src is None:
            import io
            src = io.BytesIO(b"[" * 10000 + b"]" * 10000)
        t.addfile(ti, src)
PY
	run_holt load -i "$big"
	check_holt_error 'member "manifest.json": larger than the limit of 4 MiB'
	run_holt load -i "$deep"
	check_holt_error 'member "manifest.json": nesting too deep'
	rm -f "$big"
	check_store_unchanged "$before"
}
