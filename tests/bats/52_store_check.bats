#!/usr/bin/env bats
# holt system check [--repair]: a store damaged the ways kills, full disks and hands damage
# one, each problem named; repair fixes what it can without losing what the user made.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

@test "system check: a sound store is consistent, exit 0" {
	run_holt system check
	check_status 0
	check_output "the store is consistent"
}

@test "system check names each problem; --repair fixes what it safely can, and the image runs" {
	local d=$BATS_TEST_TMPDIR hex blob claim
	# an image whose unpacked layer is gone
	mkdir -p "$d/one" && echo one >"$d/one/x"
	tar -C "$d/one" -cf "$d/one.tar" x
	holt import "$d/one.tar" broken:1 >/dev/null
	hex=$(holt image inspect -f '{{index .RootFS.Layers 0}}' broken:1)
	rm -rf "$HOLT_ROOT/layers/${hex#sha256:}"
	# the test image's layer blob cut short, as a full disk leaves it
	blob=$(ls -S "$HOLT_ROOT/blobs/sha256" | head -1)
	truncate -s 100 "$HOLT_ROOT/blobs/sha256/$blob"
	# a name whose image is gone, a half-made container, a claim nobody holds
	python3 - "$HOLT_ROOT/images/names.json" <<'PY'
import json, sys
p = sys.argv[1]
n = json.load(open(p))
n["docker.io/library/ghost:1"] = "0" * 64
json.dump(n, open(p, "w"))
PY
	mkdir -p "$HOLT_ROOT/containers/$(printf 'c%.0s' {1..64})/upper"
	mkdir -p "$HOLT_ROOT/containers/names"
	ln -s "$(printf 'd%.0s' {1..64})" "$HOLT_ROOT/containers/names/nobody"

	run_holt system check
	check_status 1
	check_output_has "layer $hex is missing"
	check_output_has "layer blob sha256:$blob is corrupt"
	check_output_has "name docker.io/library/ghost:1: its image is missing"
	check_output_has "container cccccccccccc: a directory without a record"
	check_output_has "container name nobody: claimed by a container that is gone"
	check_output_has "0 repaired"

	run_holt system check --repair
	check_status 1
	check_output_has "layer blob sha256:$blob is corrupt: removed"
	check_output_has "ghost:1: its image is missing: removed"
	check_output_has "without a record (a create that was killed): removed"
	check_output_has "nobody: claimed by a container that is gone: released"

	run_holt system check
	check_status 1
	check_output_has "layer $hex is missing"
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	run_holt run --rm "$IMG" cat /etc/passwd
	check_status 0
	holt rmi broken:1 >/dev/null
	run_holt system check
	check_status 0
}
