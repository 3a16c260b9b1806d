#!/usr/bin/env bats
# A container pins its image: rmi, rmi -f and image prune never take the layers a
# container runs on, and a rmi racing `run -d` either sees the container or wins cleanly.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

# Every test starts with the test image alone and no container.
teardown()
{
	local ids id
	ids=$(holt ps -aq --no-trunc 2>/dev/null) || true
	# shellcheck disable=SC2086 # one id a word
	[ -z "$ids" ] || holt rm -f $ids >/dev/null 2>&1 || true
	for id in $(holt images -q --no-trunc); do
		[ "$id" = "$(image_id)" ] || holt rmi -f "$id" >/dev/null 2>&1 || true
	done
}

# A second image, pinned:1, of its own (an import gets a new id), its id on stdout.
pinned_image()
{
	holt import "$HOLT_FIXTURES/rootfs.tar" pinned:1
}

@test "rmi refuses an image a stopped container uses; the container still starts" {
	local id
	id=$(pinned_image)
	holt create --name stopped pinned:1 sh -c 'echo from-image' >/dev/null
	run_holt rmi pinned:1
	check_holt_error 'container "stopped" uses it'
	[ -n "$(holt images -q pinned:1)" ] || { holt images; false; }
	run_holt start -a stopped
	check_status 0
	check_output from-image
}

@test "rmi -f refuses an image a running container uses, and exec keeps working" {
	pinned_image >/dev/null
	holt run -d --name running pinned:1 sleep 1000 >/dev/null
	run_holt rmi -f pinned:1
	check_holt_error 'running container "running" uses it'
	[ -n "$(holt images -q pinned:1)" ] || { holt images; false; }
	run_holt exec running echo still-here
	check_status 0
	check_output still-here
}

@test "rmi -f of an image a stopped container uses only untags it, until the container goes" {
	local id
	id=$(pinned_image)
	holt run --name stopped pinned:1 sh -c 'echo changed >/file' >/dev/null
	run_holt rmi -f pinned:1
	check_status 0
	check_output "Untagged: pinned:1"
	# dangling, not deleted: the container's commands still find its layers
	[ "$(holt images -q --no-trunc --filter dangling=true)" = "$id" ] || { holt images -a; false; }
	run_holt diff stopped
	check_status 0
	check_output_has "A /file"
	run_holt start -a stopped
	check_status 0
	run_holt rmi -f "$id"
	check_holt_error 'container "stopped" uses it'
	holt rm stopped >/dev/null
	run_holt image prune -f
	check_status 0
	check_output_has "deleted: $id"
}

@test "image prune -a keeps the images running and stopped containers use" {
	local id
	id=$(pinned_image)
	holt tag pinned:1 other:1
	holt rmi pinned:1 >/dev/null
	holt create --name stopped "$id" true >/dev/null
	holt run -d --name running "$IMG" sleep 1000 >/dev/null
	run_holt image prune -a -f
	check_status 0
	check_output "Total reclaimed space: 0B"
	[ -n "$(holt images -q other:1)" ] && [ -n "$(holt images -q "$IMG")" ] ||
		{ holt images; false; }
	run_holt start -a stopped
	check_status 0
}

@test "rmi racing run -d: the container keeps its image, or is never made" {
	# bats' run has an $i of its own: the loop counts in $try
	local try id rc delay kept=0 refused=0
	for try in 1 2 3 4 5 6; do
		id=$(pinned_image)
		holt run -d --name "race$try" "$id" sleep 1000 >"$HOLT_TMP/run.out" 2>&1 &
		delay=(0 0.001 0.002 0.004 0.008 0.016)
		sleep "${delay[try - 1]}"
		rc=0
		holt rmi pinned:1 >/dev/null 2>&1 || rc=$?
		wait $! || true
		if [ "$rc" -eq 0 ]; then
			# rmi won: run -d must have failed and left no record, and the layers went
			! holt ps -a --format '{{.Names}}' | grep -qx "race$try" ||
				{ echo "race $try: rmi deleted the image of a container"; holt ps -a; false; }
			! holt images -q --no-trunc | grep -qx "$id" || { holt images; false; }
			refused=$((refused + 1))
		else
			# the container won: it runs on its image, which is still there
			run_holt exec "race$try" true
			check_status 0 || { cat "$HOLT_TMP/run.out"; holt ps -a; false; }
			[ -n "$(holt images -q pinned:1)" ] || { holt images; false; }
			holt rm -f "race$try" >/dev/null || { cat "$HOLT_TMP/run.out"; holt ps -a; false; }
			holt rmi pinned:1 >/dev/null
			kept=$((kept + 1))
		fi
	done
	echo "# containers kept: $kept, runs refused: $refused" >&3
}
