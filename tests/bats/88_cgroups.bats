#!/usr/bin/env bats
# cgroup features: pause, unpause, stats, run --memory/--cpus. Without a cgroup v2 tree
# delegated to the user they fail with a message naming what is missing (stats reads
# /proc instead), and run without limits is unaffected; with one (tests/run-checks, as
# root, runs this file again as a user with a range, holt-asan, inside a delegated cgroup),
# they work.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	local name
	for name in $(ls "$HOLT_ROOT/containers" 2>/dev/null | grep -E '^[0-9a-f]{64}$'); do
		holt unpause "$name" >/dev/null 2>&1 || true
		holt rm -f "$name" >/dev/null 2>&1 || true
	done
	holt_teardown_file
	# What holt should have removed itself (a failing test may have left a container).
	local dir
	dir=$(own_cgroup_dir) || return 0
	for name in "$dir"/holt-*; do
		[ -d "$name" ] && rmdir "$name" 2>/dev/null
	done
	return 0
}

teardown()
{
	[ -n "${CTR:-}" ] || return 0
	holt unpause "$CTR" >/dev/null 2>&1 || true
	holt rm -f "$CTR" >/dev/null 2>&1 || holt stop -t 1 "$CTR" >/dev/null 2>&1 || true
}

# --- where this shell stands -----------------------------------------------------------

cgroup_v2_mount()
{
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -n 1
}

own_cgroup()
{
	sed -n 's/^0:://p' /proc/self/cgroup
}

own_cgroup_dir()
{
	local mount path
	mount=$(cgroup_v2_mount)
	path=$(own_cgroup)
	[ -n "$mount" ] && [ -n "$path" ] || return 1
	[ "$path" = / ] && path=
	echo "$mount$path"
}

# What holt checks: the user may create cgroups here and move processes.
delegated()
{
	local dir
	dir=$(own_cgroup_dir) || return 1
	[ -w "$dir" ] && [ -w "$dir/cgroup.procs" ] && [ -w "$dir/cgroup.subtree_control" ]
}

hybrid()
{
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup") f = 1; break } }
	     END { exit !f }' /proc/self/mountinfo
}

delegated_or_skip()
{
	delegated || skip "no cgroup v2 tree delegated to $(id -un) here (as root, tests/run-checks runs this file again in one)"
}

undelegated_or_skip()
{
	! delegated || skip "$(id -un) has a delegated cgroup v2 tree here ($(own_cgroup))"
}

controller_or_skip()
{
	local dir
	dir=$(own_cgroup_dir)
	grep -qw "$1" "$dir/cgroup.controllers" ||
		skip "the $1 controller is not in $dir/cgroup.controllers (which has: $(cat "$dir/cgroup.controllers"))"
}

command_or_skip()
{
	holt "$1" --help >/dev/null 2>&1 || skip "holt $1 does not exist yet"
}

# Starts a detached container named $1 running the rest; sets CTR and CTR_ID.
start_detached()
{
	CTR=$1
	shift
	CTR_ID=$(holt run -d --name "$CTR" "$IMG" "$@") || {
		echo "run -d $CTR failed"
		return 1
	}
}

# The counter a container started by start_counter writes, as the host sees it in the
# container's writable layer.
counter()
{
	local f
	for f in "$HOLT_ROOT/containers/$CTR_ID"/{upper,rootfs}/tmp/n; do
		[ -f "$f" ] && cat "$f" && return 0
	done
	return 1
}

start_counter()
{
	start_detached "$1" sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/n; sleep 0.05; done'
	local i
	for ((i = 0; i < 100; i++)); do
		counter >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "the counter of $1 never appeared"
	return 1
}

# Runs `holt stats --no-stream $1` until its row shows $2 processes (a container just
# started may not have forked them all yet); the last try is in $output.
stats_until_pids()
{
	local i
	for ((i = 0; i < 50; i++)); do
		run_holt stats --no-stream "$1"
		[[ $status -eq 0 && ${lines[1]-} =~ \ $2$ ]] && return 0
		sleep 0.1
	done
	echo "stats never showed $2 processes for $1"
	show_run
	return 1
}

# --- options, wherever this runs -------------------------------------------------------

@test "--memory takes docker's sizes and refuses what is not one" {
	local bad
	for bad in abc 12x -5 1.5.5 ''; do
		run_holt run --rm --memory "$bad" "$IMG" true
		check_holt_error "--memory \"$bad\": not a size"
	done
	run_holt run --rm --memory 1m "$IMG" true
	check_holt_error "the smallest limit is 6m"
}

@test "--cpus takes a number of CPUs from 0.01 to those of the machine" {
	local bad
	for bad in abc 1e3 0x2 -1 1.2.3 .; do
		run_holt run --rm --cpus "$bad" "$IMG" true
		check_holt_error "--cpus \"$bad\": not a number of CPUs"
	done
	run_holt run --rm --cpus 0.001 "$IMG" true
	check_holt_error "from 0.01 to $(getconf _NPROCESSORS_ONLN)"
	run_holt run --rm --cpus 100000 "$IMG" true
	check_holt_error "from 0.01 to $(getconf _NPROCESSORS_ONLN)"
}

@test "--memory and --cpus are kept in HostConfig as Memory and NanoCpus, as docker" {
	# Whether the limits can be applied here or not, the record is written first.
	run_holt run --name limits --memory 1.5g --cpus 0.5 "$IMG" true
	CTR=limits
	local config
	config=$HOLT_ROOT/containers/$(readlink "$HOLT_ROOT/containers/names/limits")/config.json
	grep -q '"Memory":1610612736' "$config" || { cat "$config"; false; }
	grep -q '"NanoCpus":500000000' "$config" || { cat "$config"; false; }
}

@test "pause, unpause and stats of a container that does not exist or is not running" {
	run_holt pause no-such-container
	check_holt_error 'no such container: no-such-container'
	run_holt stats --no-stream no-such-container
	check_holt_error 'no such container: no-such-container'
	run_holt run --name stopped "$IMG" true
	check_status 0
	CTR=stopped
	run_holt pause stopped
	check_holt_error 'container "stopped" is not running'
	run_holt unpause stopped
	check_holt_error 'container "stopped" is not running'
	# docker shows a stopped container it is asked about with zeros.
	run_holt stats --no-stream stopped
	check_status 0
	[[ ${lines[1]} =~ ^[0-9a-f]{12}\ +stopped\ +0\.00%\ +0B\ /\ 0B\ +0\.00%\ +0B\ /\ 0B\ +0B\ /\ 0B\ +0$ ]] ||
		{ show_run; false; }
}

# --- without a delegated cgroup v2 tree ------------------------------------------------

@test "no delegated cgroup: run without limits is unaffected" {
	undelegated_or_skip
	run_holt run --rm "$IMG" echo ok
	check_status 0
	check_output ok
	check_no_stderr
	run_holt run --rm --init "$IMG" echo ok
	check_status 0
	check_output ok
	check_no_stderr
}

# The message names the tree, the user's cgroup and what would fix it.
check_needs_delegation()
{
	check_holt_error "$1: needs a cgroup v2 tree delegated to you: " || return 1
	if hybrid; then
		check_stderr_has "mounts cgroup v2 at $(cgroup_v2_mount) beside cgroup v1 (hybrid), and your cgroup $(own_cgroup) there" ||
			return 1
	fi
	check_stderr_has "Delegate=yes"
}

@test "no delegated cgroup: run --memory and --cpus fail with 125 and say what is missing" {
	undelegated_or_skip
	run_holt run --rm --memory 64m "$IMG" true
	check_needs_delegation --memory
	run_holt run --rm --cpus 0.5 "$IMG" true
	check_needs_delegation --cpus
	run_holt run -d --memory 64m --name limited "$IMG" true
	check_needs_delegation --memory
	CTR=limited
}

@test "no delegated cgroup: pause and unpause fail with 125 and say what is missing" {
	undelegated_or_skip
	start_detached idle sleep 1000
	run_holt pause idle
	check_needs_delegation 'pause "idle"'
	run_holt unpause idle
	check_needs_delegation 'unpause "idle"'
}

@test "no delegated cgroup: stats sums the container's processes from /proc" {
	undelegated_or_skip
	start_detached busy sh -c 'sleep 1000 & sleep 1000; true'
	stats_until_pids busy 3
	run_holt stats --no-stream
	check_status 0
	check_output_has "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT"
	[[ ${lines[0]} =~ MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]] || { show_run; false; }
	# sh and its two sleeps, some memory, under the machine's
	[[ ${lines[1]} =~ ^${CTR_ID:0:12}\ +busy\ +[0-9]+\.[0-9]{2}%\ +[0-9.]+[KM]iB\ /\ [0-9.]+[MGT]iB\ +[0-9]+\.[0-9]{2}%\ .*\ 3$ ]] ||
		{ show_run; false; }
}

# --- in a delegated cgroup v2 tree -----------------------------------------------------

@test "delegated: each container runs in a cgroup of its own, removed when it exits" {
	delegated_or_skip
	local own
	own=$(own_cgroup)
	[ "$own" = / ] && own=
	run_holt run --rm "$IMG" cat /proc/self/cgroup
	check_status 0
	check_no_stderr
	[[ $(grep '^0::' <<<"$output") =~ ^0::$own/holt-[0-9a-f]{64}$ ]] || { show_run; false; }
	# what --init forks is there too
	run_holt run --rm --init "$IMG" cat /proc/self/cgroup
	check_status 0
	[[ $(grep '^0::' <<<"$output") =~ ^0::$own/holt-[0-9a-f]{64}$ ]] || { show_run; false; }
	run ls "$(own_cgroup_dir)"
	[[ $output != *holt-* ]] || { show_run; false; }
	# holt went back where it was
	[ "$(own_cgroup)" = "${own:-/}" ]
}

@test "delegated: pause freezes every process, unpause thaws them" {
	delegated_or_skip
	start_counter counting
	run_holt pause counting
	check_status 0
	check_output counting
	local a b
	a=$(counter)
	sleep 0.5
	b=$(counter)
	[ "$a" = "$b" ] || { echo "the counter went on while paused: $a, then $b"; false; }
	if holt inspect --help >/dev/null 2>&1; then
		run_holt inspect counting
		check_output_has '"Status": "paused"'
	fi
	run_holt unpause counting
	check_status 0
	check_output counting
	sleep 0.5
	b=$(counter)
	((b > a)) || { echo "the counter did not go on after unpause: $a, then $b"; false; }
}

@test "delegated: pause twice, unpause a running container: docker's errors" {
	delegated_or_skip
	start_detached twice sleep 1000
	run_holt pause twice
	check_status 0
	run_holt pause twice
	check_holt_error 'container "twice" is already paused'
	run_holt unpause twice
	check_status 0
	run_holt unpause twice
	check_holt_error 'container "twice" is not paused'
}

@test "delegated: stats reads the container's cgroup" {
	delegated_or_skip
	start_detached measured sh -c 'sleep 1000 & sleep 1000; true'
	stats_until_pids measured 3
	[[ ${lines[1]} =~ ^${CTR_ID:0:12}\ +measured\ +[0-9]+\.[0-9]{2}%\ +[0-9.]+[KM]iB\ /\ [0-9.]+[MGT]iB\ +[0-9]+\.[0-9]{2}%\ .*\ 3$ ]] ||
		{ show_run; false; }
	# paused, it is still measured
	run_holt pause measured
	run_holt stats --no-stream measured
	check_status 0
	[[ ${lines[1]} =~ \ 3$ ]] || { show_run; false; }
}

@test "delegated: exec joins the container's cgroup, and is refused while it is paused" {
	delegated_or_skip
	command_or_skip exec
	start_detached joined sleep 1000
	run_holt exec joined cat /proc/self/cgroup
	check_status 0
	[[ $(grep '^0::' <<<"$output") =~ /holt-$CTR_ID$ ]] || { show_run; false; }
	run_holt pause joined
	run_holt exec joined true
	check_holt_error '"joined"'
}

@test "delegated: --memory and --cpus need their controllers in the delegated cgroup" {
	delegated_or_skip
	local dir
	dir=$(own_cgroup_dir)
	if grep -qw memory "$dir/cgroup.controllers"; then
		skip "the memory controller is delegated here: the next test uses it"
	fi
	run_holt run --rm --memory 64m "$IMG" true
	check_holt_error "--memory: the memory controller is not enabled in your delegated cgroup $(own_cgroup)"
	if hybrid && grep -qw memory /proc/self/mountinfo; then
		check_stderr_has "belongs to cgroup v1"
	fi
	run_holt run --rm --cpus 0.5 "$IMG" true
	check_holt_error "--cpus: the cpu controller is not enabled in your delegated cgroup"
}

@test "delegated: --memory and --cpus become memory.max and cpu.max" {
	delegated_or_skip
	controller_or_skip memory
	controller_or_skip cpu
	CTR_ID=$(holt run -d --name limited --memory 64m --cpus 0.5 "$IMG" sleep 1000)
	CTR=limited
	local dir
	dir=$(own_cgroup_dir)
	dir=${dir%/init}/holt-$CTR_ID
	[ "$(cat "$dir/memory.max")" = 67108864 ]
	[ "$(cat "$dir/cpu.max")" = "50000 100000" ]
}
