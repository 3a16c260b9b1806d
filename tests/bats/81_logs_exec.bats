#!/usr/bin/env bats
# holt logs (streams kept apart, --tail, -t, --since/--until, -f, rotation) and holt exec
# (output, status, -e, -w, -u, -i, -d, -t, what the process sees of its container).

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

setup()
{
	cd "$BATS_TEST_TMPDIR" || return
}

# Every test starts with no container: what one leaves is removed here.
teardown()
{
	remove_all_containers
}

now_ms()
{
	date +%s%3N
}

# wait_log NAME REGEX [SECS]: until a line of NAME's log (either stream) matches.
wait_log()
{
	local name=$1 re=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		holt logs "$name" 2>&1 | grep -q -- "$re" && return 0
		sleep 0.05
	done
	echo "timed out after ${secs}s waiting for '$re' in the log of $name:"
	holt logs "$name" 2>&1
	return 1
}

# until_ok SECS COMMAND...: runs COMMAND every 50 ms until it succeeds.
until_ok()
{
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 20; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "timed out after ${secs}s waiting for: $*"
	return 1
}

# holt with stdout and stderr as the caller redirects them (the holt wrapper keeps them
# apart, which hides their order when both go to one file).
holt_direct()
{
	timeout -k 5 "$HOLT_TIMEOUT" "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" "$@"
}

# run_in_pty ARGS: holt ARGS under `script`, in a pty, with stdin a FIFO that never
# reaches EOF (as in 40_io.bats); output with CRs and the subordinate-id warning removed.
run_in_pty()
{
	local cmd
	cmd="stty rows 40 cols 100; exec $(holt_cmdline)$(printf '%q ' "$@")"
	mkfifo "$BATS_TEST_TMPDIR/pty-stdin"
	run --separate-stderr timeout -k 5 "$HOLT_TIMEOUT" script -qefc "$cmd" /dev/null \
		<>"$BATS_TEST_TMPDIR/pty-stdin"
	rm -f "$BATS_TEST_TMPDIR/pty-stdin"
	output=${output//$'\r'/}
	output=$(grep -Ev "$NOSUB_WARNING_RE" <<<"$output" || true)
	lines=()
	mapfile -t lines <<<"$output"
}

# A container that runs until it is stopped.
running()
{
	holt run -d --name "$1" "${@:2}" "$IMG" sh -c 'echo ready; while :; do sleep 0.1; done' \
		>/dev/null || { echo "run -d --name $1 failed"; return 1; }
	wait_log "$1" '^ready$'
}

RFC3339_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})'

# --- logs ------------------------------------------------------------------------------

@test "logs: stdout to stdout, stderr to stderr" {
	holt run -d --name la "$IMG" sh -c 'echo out1; echo err1 >&2; echo out2; echo err2 >&2' >/dev/null
	holt wait la >/dev/null
	run_holt logs la
	check_status 0
	check_output "$(printf 'out1\nout2')"
	[ "$(stderr_sans_warning)" = "$(printf 'err1\nerr2')" ] || { show_run; false; }

	[ "$(holt_direct logs la 2>/dev/null)" = "$(printf 'out1\nout2')" ]
	[ "$(holt_direct logs la 2>&1 >/dev/null | grep -Ev "$NOSUB_WARNING_RE")" = \
		"$(printf 'err1\nerr2')" ]
}

@test "logs into one file (2>&1): the lines in the order the container wrote them" {
	holt run -d --name lo "$IMG" sh -c \
		'echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; sleep 0.1; echo err2 >&2' \
		>/dev/null
	holt wait lo >/dev/null
	holt_direct logs lo >"$BATS_TEST_TMPDIR/both" 2>&1
	local got
	got=$(grep -Ev "$NOSUB_WARNING_RE" "$BATS_TEST_TMPDIR/both")
	[ "$got" = "$(printf 'out1\nerr1\nout2\nerr2')" ] ||
		{ echo "logs >file 2>&1 wrote:"; echo "$got"; false; }
}

@test "logs --tail N: the last N lines; 0 none; more than there are, or all: every line" {
	holt run -d --name lt "$IMG" seq 1 10 >/dev/null
	holt wait lt >/dev/null
	run_holt logs --tail 3 lt
	check_status 0
	check_output "$(printf '8\n9\n10')"
	run_holt logs --tail 0 lt
	check_status 0
	check_output ""
	run_holt logs --tail 100 lt
	check_output "$(seq 1 10)"
	run_holt logs --tail all lt
	check_output "$(seq 1 10)"
	run_holt logs --tail x lt
	check_holt_error "--tail"
}

@test "logs --tail counts the lines of both streams" {
	holt run -d --name lb "$IMG" sh -c 'echo o1; sleep 0.1; echo e1 >&2; sleep 0.1; echo o2' >/dev/null
	holt wait lb >/dev/null
	run_holt logs --tail 2 lb
	check_status 0
	check_output "o2"
	[ "$(stderr_sans_warning)" = "e1" ] || { show_run; false; }
}

@test "logs -t: each line starts with its RFC 3339 time" {
	holt run -d --name ts "$IMG" sh -c 'echo first; echo second >&2' >/dev/null
	holt wait ts >/dev/null
	run_holt logs -t ts
	check_status 0
	[[ $output =~ ^${RFC3339_RE}\ first$ ]] || { show_run; false; }
	[[ $(stderr_sans_warning) =~ ^${RFC3339_RE}\ second$ ]] || { show_run; false; }
	# and it is the time of now, give or take
	local t
	t=$(date -d "${output%% *}" +%s)
	((t > $(date +%s) - 120 && t <= $(date +%s) + 1)) || { echo "time ${output%% *}"; false; }
}

@test "logs --since and --until: RFC 3339, unix time, a duration ago" {
	holt run -d --name ls "$IMG" sh -c 'echo early; sleep 1.2; echo late' >/dev/null
	holt wait ls >/dev/null
	run_holt logs --since 2099-01-01T00:00:00Z ls
	check_status 0
	check_output ""
	run_holt logs --since 1h ls
	check_status 0
	check_output "$(printf 'early\nlate')"
	run_holt logs --since "$(($(date +%s) + 100))" ls
	check_output ""
	run_holt logs --since "$(($(date +%s) - 100))" ls
	check_output "$(printf 'early\nlate')"
	run_holt logs --until 1h ls
	check_status 0
	check_output ""
	run_holt logs --until 2099-01-01T00:00:00Z ls
	check_output "$(printf 'early\nlate')"

	# At the time of the late line: since takes it, until stops before it.
	local late
	late=$(holt logs -t ls | awk '$2 == "late" { print $1 }')
	[ -n "$late" ]
	run_holt logs --since "$late" ls
	check_output "late"
	run_holt logs --until "$late" ls
	check_output "early"

	run_holt logs --since yesterday ls
	check_holt_error "--since"
}

@test "logs -f: prints lines as they come and ends when the container ends" {
	holt run -d --name lf "$IMG" sh -c 'for i in 1 2 3; do echo $i; sleep 0.3; done' >/dev/null
	local t0 took
	t0=$(now_ms)
	HOLT_TIMEOUT=15 run_holt logs -f lf
	took=$(($(now_ms) - t0))
	check_status 0
	check_output "$(printf '1\n2\n3')"
	((took < 10000)) || { echo "logs -f took ${took} ms"; false; }
	run_holt inspect -f '{{.State.Status}}' lf
	check_output "exited"

	# A stopped container: at once.
	t0=$(now_ms)
	run_holt logs -f lf
	check_status 0
	check_output "$(printf '1\n2\n3')"
	took=$(($(now_ms) - t0))
	((took < 3000)) || { echo "logs -f of a stopped container took ${took} ms"; false; }
}

@test "logs -f of a running container ends when it is stopped" {
	running lfs
	holt_direct logs -f lfs >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local lpid=$!
	sleep 0.3
	kill -0 "$lpid" || { echo "logs -f ended while the container runs"; false; }
	holt stop -t 0 lfs >/dev/null
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$lpid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$lpid" 2>/dev/null; then
		kill "$lpid"
		echo "logs -f still runs 5 s after the container stopped"
		false
	fi
	wait "$lpid"
	grep -qx ready "$BATS_TEST_TMPDIR/out"
}

@test "--log-opt max-size=1k: the log rotates to ctr.log.1, logs prints the latest lines" {
	local id
	id=$(holt run -d --name rot --log-opt max-size=1k "$IMG" sh -c \
		'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i + 1)); done')
	holt wait rot >/dev/null
	local dir=$HOLT_ROOT/containers/$id
	[ -e "$dir/ctr.log.1" ] || { echo "no ctr.log.1:"; ls -la "$dir"; false; }
	local size
	for f in ctr.log ctr.log.1; do
		size=$(stat -c %s "$dir/$f")
		((size <= 1024)) || { echo "$f has $size bytes"; false; }
	done
	[ ! -e "$dir/ctr.log.2" ]
	run_holt logs rot
	check_status 0
	[ "${lines[-1]}" = line-199 ] || { show_run; false; }
	((${#lines[@]} >= 5 && ${#lines[@]} < 200)) || { show_run; false; }
	# What is kept is the end, whole and in order.
	local first=${lines[0]#line-}
	[ "$output" = "$(seq -f 'line-%g' "$first" 199)" ] || { show_run; false; }
	run_holt logs --tail 2 rot
	check_output "$(printf 'line-198\nline-199')"
}

@test "logs -f follows the log across rotations" {
	holt run -d --name rf --log-opt max-size=1k "$IMG" sh -c \
		'i=0; while [ $i -lt 100 ]; do echo line-$i; i=$((i + 1)); sleep 0.02; done' >/dev/null
	HOLT_TIMEOUT=20 run_holt logs -f rf
	check_status 0
	[ "${lines[-1]}" = line-99 ] || { show_run; false; }
	local first=${lines[0]#line-}
	[ "$output" = "$(seq -f 'line-%g' "$first" 99)" ] || { echo "lines lost"; show_run; false; }
}

@test "logs of a container that ran only in the foreground: nothing, and a note that says why" {
	holt run --name fg "$IMG" sh -c 'echo fg-out; echo fg-err >&2' >/dev/null 2>&1
	run_holt logs fg
	check_status 0
	check_output ""
	check_stderr_has "ran only in the foreground"
	holt start -a fg >/dev/null 2>&1
	run_holt logs fg
	check_status 0
	check_output "fg-out"
	[ "$(stderr_sans_warning)" = "fg-err" ] || { show_run; false; }
}

# --- exec ------------------------------------------------------------------------------

@test "exec: the command's output and exit status" {
	running ex
	run_holt exec ex echo hello
	check_status 0
	check_output "hello"
	check_no_stderr
	run_holt exec ex sh -c 'echo to-err >&2; exit 7'
	check_status 7
	check_stderr_has "to-err"
	run_holt exec ex sh -c 'kill -9 $$'
	check_status 137
	run_holt exec ex false
	check_status 1
	# The container is none the worse.
	run_holt inspect -f '{{.State.Status}}' ex
	check_output "running"
}

@test "exec: the container's environment, with -e on top" {
	running ee -e FROM_RUN=run -e BOTH=run
	run_holt exec ee env
	check_status 0
	grep -qx 'FROM_RUN=run' <<<"$output" || { show_run; false; }
	grep -q '^PATH=' <<<"$output" || { show_run; false; }
	run_holt exec -e K=V -e BOTH=exec ee sh -c 'echo "$K $BOTH $FROM_RUN"'
	check_status 0
	check_output "V exec run"
}

@test "exec -w: the working directory; default, the container's" {
	running ew -w /home
	run_holt exec ew pwd
	check_status 0
	check_output "/home"
	run_holt exec -w /tmp ew pwd
	check_status 0
	check_output "/tmp"
	run_holt exec -w relative ew pwd
	check_status 125
}

@test "exec -u: another user of the container" {
	subids_or_skip
	running eu
	run_holt exec eu id -u
	check_output "0"
	run_holt exec -u 1000 eu id -u
	check_status 0
	check_output "1000"
	run_holt exec -u tester eu sh -c 'id -un; echo $HOME'
	check_status 0
	check_output "$(printf 'tester\n/home/tester')"
	run_holt exec -u 1000:100 eu id -g
	check_output "100"
}

@test "exec sees the container's hostname, files and processes" {
	holt run -d --name ep --hostname exhost "$IMG" sh -c 'echo inside >/tmp/mark; sleep 60; true' \
		>/dev/null
	until_ok 5 holt exec ep test -e /tmp/mark
	run_holt exec ep hostname
	check_status 0
	check_output "exhost"
	run_holt exec ep cat /tmp/mark
	check_output "inside"
	until_ok 5 sh -c "$(holt_cmdline) exec ep ps | grep -q 'sleep 60'"
	run_holt exec ep ps -o pid,args
	check_status 0
	awk '$1 == 1 && /sh -c echo inside/ { found = 1 } END { exit !found }' <<<"$output" ||
		{ echo "pid 1 is not the container's command"; show_run; false; }
	# pid 1, its sleep, and ps itself: nothing of the host.
	[ "${#lines[@]}" -le 5 ] || { show_run; false; }
}

@test "exec -i: stdin reaches the process; without -i it is empty" {
	running ei
	run_holt exec -i ei cat <<<"piped in"
	check_status 0
	check_output "piped in"
	run_holt exec ei sh -c 'cat; echo end' <<<"not for you"
	check_status 0
	check_output "end"
}

@test "exec -d: returns at once and leaves the process running" {
	running ed
	local t0 took
	t0=$(now_ms)
	run_holt exec -d ed sh -c 'sleep 0.3; touch /tmp/flag; exec sleep 4242'
	took=$(($(now_ms) - t0))
	check_status 0
	check_output ""
	((took < 3000)) || { echo "exec -d took ${took} ms"; false; }
	until_ok 5 holt exec ed test -e /tmp/flag
	# the shell execs sleep just after the flag: ps may land between the two
	until_ok 5 holt exec ed sh -c 'ps -o args | grep -q "^sleep 4242"'
	run_holt exec ed ps -o args
	check_output_has "sleep 4242"
}

@test "exec into a container that does not run: exit 125, not running" {
	holt run --name gone "$IMG" true
	run_holt exec gone true
	check_holt_error "is not running"
	holt create --name made "$IMG" true >/dev/null
	run_holt exec made true
	check_holt_error "is not running"
	running stopped
	holt stop -t 0 stopped >/dev/null
	run_holt exec stopped true
	check_holt_error "is not running"
}

@test "exec of a missing command: 127; of a file that cannot run: 126" {
	running em
	run_holt -127 exec em no-such-command
	check_status 127
	check_stderr_has "no-such-command"
	run_holt -127 exec em /no/such/path
	check_status 127
	run_holt exec em /bin/notexec
	check_status 126
	run_holt exec em
	check_status 125
}

@test "exec -t: the process has a terminal; its exit status comes through" {
	script_or_skip
	running et
	run_in_pty exec -t et tty
	check_status 0
	[[ ${lines[0]} =~ ^/dev/pts/[0-9]+$ ]] || { show_run; false; }
	run_in_pty exec -t et sh -c 'exit 4'
	check_status 4
	# Without -t: no terminal.
	run_holt exec et tty
	check_status 1
	check_output "not a tty"
}

@test "a log rotates at 50 MiB by default, one old file kept; max-size=-1 lifts the limit" {
	local id dir f size
	id=$(holt run -d --name biglog "$IMG" sh -c \
		'head -c 56000000 /dev/zero | tr "\0" x | fold -w 4000')
	holt wait biglog >/dev/null
	run_holt inspect -f '{{index .HostConfig.LogConfig.Config "max-size"}}' biglog
	check_output "52428800"
	dir=$HOLT_ROOT/containers/$id
	[ -e "$dir/ctr.log.1" ] || { echo "no ctr.log.1:"; ls -la "$dir"; false; }
	for f in ctr.log ctr.log.1; do
		size=$(stat -c %s "$dir/$f")
		((size <= 52428800)) || { echo "$f has $size bytes"; false; }
	done
	holt rm biglog >/dev/null
	holt create --name nolimit --log-opt max-size=-1 "$IMG" true >/dev/null
	run_holt inspect -f '{{index .HostConfig.LogConfig.Config "max-size"}}' nolimit
	check_output "-1"
	holt rm nolimit >/dev/null
}
