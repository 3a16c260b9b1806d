#!/usr/bin/env bats
# What docker and podman users expect of state and messages: a restarting container's
# exit code, --restart without -d, the hostname on the host's network, a -u outside the
# mapped range.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

teardown()
{
	remove_all_containers
}

@test "a restarting container shows the exit code of its last run, in ps and inspect" {
	holt run -d --name rs --restart always "$IMG" sh -c 'sleep 0.2; exit 7' >/dev/null
	local i got=""
	for ((i = 0; i < 200; i++)); do
		got=$(holt inspect -f '{{.State.Status}} {{.State.ExitCode}}' rs)
		[[ $got == restarting* ]] && break
		sleep 0.02
	done
	[ "$got" = "restarting 7" ] || { echo "inspect: $got"; false; }
	run_holt ps -a --format '{{.Status}} | {{.State}}'
	check_status 0
	[[ $output == "Restarting (7) "*" ago | restarting" || $output == "Up "*" | running" ]] ||
		{ show_run; false; }
}

@test "--restart on a foreground run: refused, nothing made; -d and 'no' are fine" {
	run_holt run --restart always "$IMG" true
	check_holt_error "--restart needs -d"
	run_holt run --restart on-failure:3 --name fg "$IMG" true
	check_holt_error "--restart needs -d"
	[ -z "$(holt ps -aq)" ] || { holt ps -a; false; }
	run_holt run --rm --restart no "$IMG" true
	check_status 0
}

@test "--network host: the container's hostname is the host's, as in docker" {
	run_holt run --rm --network host "$IMG" hostname
	check_status 0
	check_output "$(uname -n)"
	# on a network of its own, the id's first 12 digits, as before
	run_holt run --name own "$IMG" hostname
	check_output "$(holt inspect -f '{{.Id}}' own | cut -c1-12)"
}

@test "-u with a uid outside the mapped range: says so, and what the range is" {
	run_holt run --rm -u 123456789 "$IMG" true
	[ "$status" -ne 0 ] || { show_run; false; }
	check_stderr_matches 'uid 123456789 is outside the uids mapped into the container \(0-[0-9]+'
	[[ $stderr != *"no subordinate uids for you"* ]] || { show_run; false; }
}

@test "exit codes: holt --help says 125 is holt's own error; every command keeps to it" {
	run_holt --help
	check_status 0
	check_output_has "125 whenever holt itself fails"
	run_holt stop nosuch
	check_status 125
	run_holt rmi nosuch:1
	check_status 125
	run_holt inspect nosuch
	check_status 125
}

@test "--tz Area/City: /etc/localtime from the host's zone files, and TZ; --tz local: the host's" {
	run_holt run --rm --tz Asia/Tokyo "$IMG" sh -c 'echo "TZ=$TZ"; unset TZ; date +%Z; cat /etc/localtime'
	check_status 0
	[ "${lines[0]}" = "TZ=Asia/Tokyo" ] || { show_run; false; }
	[ "${lines[1]}" = "JST" ] || { show_run; false; }
	holt run --rm --tz Asia/Tokyo "$IMG" cat /etc/localtime | cmp - /usr/share/zoneinfo/Asia/Tokyo
	holt run --rm --tz=local "$IMG" cat /etc/localtime | cmp - /etc/localtime
	run_holt run --rm --tz=local "$IMG" sh -c 'echo "TZ=${TZ-unset}"'
	check_output "TZ=unset"
	holt create --name tzc --tz Europe/Paris "$IMG" true >/dev/null
	run_holt inspect -f '{{.Config.Timezone}}' tzc
	check_output "Europe/Paris"
}

@test "--tz with a zone that does not exist: a 125 error naming it, nothing made" {
	run_holt run --rm --tz Nope/Zone "$IMG" true
	check_holt_error '--tz "Nope/Zone": no such time zone'
	run_holt create --tz ../../../etc/passwd "$IMG" true
	check_holt_error '--tz "../../../etc/passwd"'
	[ -z "$(holt ps -aq)" ] || { holt ps -a; false; }
}

@test "--log-driver k8s-file (the default): podman's line format, which logs reads" {
	local id dir
	id=$(holt run -d --name k8s "$IMG" sh -c 'echo out; echo err >&2; printf part')
	holt wait k8s >/dev/null
	dir=$HOLT_ROOT/containers/$id
	local ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}[+-][0-9]{2}:[0-9]{2}'
	run grep -Ec "^$ts (stdout F out|stderr F err|stdout P part)\$" "$dir/ctr.log"
	[ "$output" = 3 ] || { cat "$dir/ctr.log"; false; }
	run_holt logs k8s
	check_output "out"$'\n'"part"
	run_holt inspect -f '{{.HostConfig.LogConfig.Type}}' k8s
	check_output "k8s-file"
}

@test "--log-driver json-file: docker's JSON lines, read back by logs (streams, -t)" {
	local id dir
	id=$(holt run -d --name jf --log-driver json-file "$IMG" sh -c 'echo "a \"q\""; echo err >&2; printf part')
	holt wait jf >/dev/null
	dir=$HOLT_ROOT/containers/$id
	run python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    print(o["stream"], repr(o["log"]), o["time"][-1])' "$dir/ctr.log"
	# the streams come through two pipes: their order between them is not kept
	output=$(printf '%s\n' "$output" | LC_ALL=C sort)
	check_output "stderr 'err\\n' Z
stdout 'a \"q\"\\n' Z
stdout 'part' Z"
	run_holt logs jf
	check_output 'a "q"'$'\n'"part"
	[ "$stderr" = err ] || { show_run; false; }
	run_holt logs -t jf
	[[ ${lines[1]} =~ ^[0-9-]+T[0-9:]+\.[0-9]{9}Z\ part$ ]] || { show_run; false; }
	run_holt inspect -f '{{.HostConfig.LogConfig.Type}}' jf
	check_output "json-file"
}

@test "--log-opt path=FILE: the log goes there; --log-driver none: logs says there is none" {
	local log=$BATS_TEST_TMPDIR/elsewhere.log
	holt run -d --name lp --log-opt path="$log" "$IMG" echo hello >/dev/null
	holt wait lp >/dev/null
	grep -q ' stdout F hello$' "$log" || { cat "$log"; false; }
	run_holt logs lp
	check_output "hello"
	run_holt inspect -f '{{.LogPath}} {{.HostConfig.LogConfig.Config.path}}' lp
	check_output "$log $log"
	local id
	id=$(holt run -d --name ln --log-driver none "$IMG" echo gone)
	holt wait ln >/dev/null
	[ ! -e "$HOLT_ROOT/containers/$id/ctr.log" ]
	run_holt logs ln
	check_holt_error 'the container'"'"'s log driver is none'
	run_holt run --log-driver journald "$IMG" true
	check_holt_error '--log-driver "journald"'
	run_holt run --log-opt path=rel.log "$IMG" true
	check_holt_error '--log-opt "path=rel.log"'
}

@test "ps --sort: podman's fields (names, created, id, command, status, size); a bad one is a 125" {
	holt create --name sb "$IMG" sh -c 'echo b' >/dev/null
	holt run --name sa "$IMG" sh -c 'head -c 200000 /dev/zero >/big' >/dev/null
	holt run -d --name sc "$IMG" sleep 30 >/dev/null
	run_holt ps -a --sort names --format '{{.Names}}'
	check_output $'sa\nsb\nsc'
	run_holt ps -a --sort created --format '{{.Names}}'
	check_output $'sc\nsa\nsb'
	run_holt ps -a --sort runningfor --format '{{.Names}}'
	check_output $'sc\nsa\nsb'
	run_holt ps -a --sort id -q --no-trunc
	check_output "$(holt ps -aq --no-trunc | LC_ALL=C sort)"
	run_holt ps -a --sort command --format '{{.Names}}'
	check_output $'sb\nsa\nsc'
	run_holt ps -a --sort status --format '{{.Status}}'
	[[ ${lines[0]} == Created && ${lines[1]} == Exited* && ${lines[2]} == Up* ]] || { show_run; false; }
	run_holt ps -a --sort size --format '{{.Names}}'
	[ "${lines[2]}" = sa ] || { show_run; false; }
	run_holt ps --sort nope
	check_holt_error '--sort "nope"'
}

@test "images --sort: repository, tag, created, id, size; a bad one is a 125" {
	holt tag "$IMG" zz/last:a
	holt tag "$IMG" aa/first:z
	holt import "$HOLT_FIXTURES/rootfs.tar.gz" mm/newest:m >/dev/null
	run_holt images --sort repository --format '{{.Repository}}:{{.Tag}}'
	check_output "aa/first:z
mm/newest:m
${IMG%:*}:${IMG#*:}
zz/last:a"
	run_holt images --sort tag --format '{{.Tag}}'
	check_output "$(printf '%s\n' 1 a m z | LC_ALL=C sort)"
	run_holt images --sort created --format '{{.Repository}}'
	[ "${lines[0]}" = mm/newest ] || { show_run; false; }
	run_holt images --sort id -q
	check_output "$(holt images -q | LC_ALL=C sort)"
	run_holt images --sort size -q
	check_status 0
	run_holt images --sort nope
	check_holt_error 'images --sort "nope"'
	holt rmi zz/last:a aa/first:z mm/newest:m >/dev/null
}

# pty_start NAME HOLT-ARGS...: runs holt HOLT-ARGS in a terminal (script), its typed input
# from fd 7, its output in $BATS_TEST_TMPDIR/NAME.out; $spid is script's pid.
pty_start()
{
	local name=$1 cmd
	shift
	cmd="exec $(holt_cmdline)$(printf '%q ' "$@")"
	mkfifo "$BATS_TEST_TMPDIR/$name.in"
	timeout -k 5 30 script -qefc "$cmd" /dev/null <"$BATS_TEST_TMPDIR/$name.in" \
		>"$BATS_TEST_TMPDIR/$name.out" 2>&1 &
	spid=$!
	exec 7>"$BATS_TEST_TMPDIR/$name.in"
}

# pty_detach NAME KEYS: types KEYS once the output says ready; script must end with 0.
pty_detach()
{
	local out=$BATS_TEST_TMPDIR/$1.out rc=0
	wait_for_line "$out" 20 ready || { exec 7>&-; kill "$spid"; false; }
	printf "$2" >&7
	wait "$spid" || rc=$?
	exec 7>&-
	[ "$rc" -eq 0 ] || { echo "status $rc"; cat -A "$out"; false; }
	grep -q "read escape sequence" "$out" || { cat -A "$out"; false; }
}

@test "run -it: ctrl-p ctrl-q detaches, the container runs on, and attach works afterwards" {
	script_or_skip
	pty_start rd run -it --name rd "$IMG" sh -c 'echo ready; while :; do echo tick; sleep 0.2; done'
	pty_detach rd '\020\021'
	[ "$(holt inspect -f '{{.State.Status}}' rd)" = running ]
	run timeout 2 "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" attach --no-stdin rd
	[ "$status" -eq 124 ] || { show_run; false; }
	[[ $output == *tick* ]] || { show_run; false; }
	# --detach-keys sets others; ctrl-p ctrl-q then reach the container
	pty_start rk run -it --rm --detach-keys ctrl-a,x --name rk "$IMG" sh -c 'echo ready; while :; do sleep 0.2; done'
	pty_detach rk '\001x'
	[ "$(holt inspect -f '{{.State.Status}}' rk)" = running ]
	run_holt run -it --detach-keys ctrl-1 "$IMG" true
	check_holt_error '"ctrl-1" is no key'
}

@test "exec -it: ctrl-p ctrl-q (or --detach-keys) detaches, the exec'd process runs on" {
	script_or_skip
	holt run -d --name ed "$IMG" sleep 60 >/dev/null
	pty_start ex exec -it ed sh -c 'echo $$ >/tmp/exec.pid; echo ready; sleep 30'
	pty_detach ex '\020\021'
	holt exec ed sh -c 'kill -0 "$(cat /tmp/exec.pid)"'
	pty_start ek exec -it --detach-keys ctrl-x ed sh -c 'echo $$ >/tmp/exec2.pid; echo ready; sleep 30'
	pty_detach ek '\030'
	holt exec ed sh -c 'kill -0 "$(cat /tmp/exec2.pid)"'
}

@test "attach from a terminal gives the container's terminal its size" {
	script_or_skip
	holt run -dit --name ws "$IMG" sh -c 'while :; do sleep 0.2; done' >/dev/null
	local cmd
	cmd="stty rows 13 cols 77; exec $(holt_cmdline)attach ws"
	mkfifo "$BATS_TEST_TMPDIR/ws.in"
	timeout -k 5 30 script -qefc "$cmd" /dev/null <"$BATS_TEST_TMPDIR/ws.in" \
		>"$BATS_TEST_TMPDIR/ws.out" 2>&1 &
	spid=$!
	exec 7>"$BATS_TEST_TMPDIR/ws.in"
	local i size=""
	for ((i = 0; i < 100; i++)); do
		size=$(holt exec ws sh -c 'stty size </dev/pts/0' 2>/dev/null) || true
		[ "$size" = "13 77" ] && break
		sleep 0.1
	done
	printf '\020\021' >&7
	wait "$spid" || true
	exec 7>&-
	[ "$size" = "13 77" ] || { echo "size: '$size'"; cat -A "$BATS_TEST_TMPDIR/ws.out"; false; }
}

@test "run --rm -it: gone when holt returns, its exit code kept" {
	script_or_skip
	mkfifo "$BATS_TEST_TMPDIR/rm.in"
	run timeout -k 5 30 script -qefc "exec $(holt_cmdline)run --rm -it --name gone-it $IMG sh -c 'exit 6'" \
		/dev/null <>"$BATS_TEST_TMPDIR/rm.in"
	[ "$status" -eq 6 ] || { show_run; false; }
	[ -z "$(holt ps -aq)" ] || { holt ps -a; false; }
}
