#!/usr/bin/env bats
# stdin, terminals and signals: -i, -t (driven through `script`), ^C, window size,
# and signals sent to holt reaching the container.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

# Runs holt ARGS under `script`, in a pty of rows x cols ($PTY_ROWS/$PTY_COLS, default
# 40 100), with stdin from /dev/null; output in $output (CRs removed), status the
# container's (script -e). The pty merges stderr into the output: the warning of a user
# without subordinate ids is taken out.
run_in_pty()
{
	local cmd
	cmd="stty rows ${PTY_ROWS:-40} cols ${PTY_COLS:-100}; exec $(holt_cmdline)$(printf '%q ' "$@")"
	# stdin is a FIFO held open read-write: it never reaches EOF. At EOF on a non-tty
	# stdin, script sends the raw pty an EOF byte (a NUL, ^@), racing the test's output.
	mkfifo "$BATS_TEST_TMPDIR/pty-stdin"
	run --separate-stderr timeout -k 5 "$HOLT_TIMEOUT" script -qefc "$cmd" /dev/null \
		<>"$BATS_TEST_TMPDIR/pty-stdin"
	rm -f "$BATS_TEST_TMPDIR/pty-stdin"
	output=${output//$'\r'/}
	output=$(grep -Ev "$NOSUB_WARNING_RE" <<<"$output" || true)
	lines=()
	mapfile -t lines <<<"$output"
}

# --- stdin -----------------------------------------------------------------------------

@test "-i: stdin reaches the container" {
	run_holt run --rm -i "$IMG" cat <<<"hi"
	check_status 0
	check_output "hi"
}

@test "-i: a megabyte of stdin arrives whole, and EOF ends the command" {
	head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	local want
	want=$(sha256sum <"$BATS_TEST_TMPDIR/in" | cut -d' ' -f1)
	run_holt run --rm -i "$IMG" sha256sum <"$BATS_TEST_TMPDIR/in"
	check_status 0
	check_output "$want  -"
}

@test "-i: stdout and stderr stay apart" {
	run_holt run --rm -i "$IMG" sh -c 'read l; echo "out $l"; echo "err $l" >&2' <<<"x"
	check_status 0
	check_output "out x"
	[ "$(stderr_sans_warning)" = "err x" ] || { show_run; false; }
}

@test "without -i the container's stdin is empty" {
	run_holt run --rm "$IMG" sh -c 'cat; echo end' <<<"not for you"
	check_status 0
	check_output "end"
}

@test "without -t, stdin, stdout and stderr are not terminals" {
	run_holt run --rm -i "$IMG" holt-test-tool isatty </dev/null
	check_status 0
	check_output "0=no 1=no 2=no"
}

# --- terminal ----------------------------------------------------------------------------

@test "-it: stdin, stdout and stderr are the container's terminal" {
	script_or_skip
	run_in_pty run --rm -it "$IMG" sh -c 'holt-test-tool isatty; tty'
	check_status 0
	[ "${lines[0]}" = "0=tty 1=tty 2=tty" ] || { show_run; false; }
	[[ ${lines[1]} =~ ^/dev/pts/[0-9]+$ ]] || { show_run; false; }
}

@test "-it: the terminal is the controlling terminal (/dev/tty opens)" {
	script_or_skip
	run_in_pty run --rm -it "$IMG" sh -c 'echo via-dev-tty > /dev/tty'
	check_status 0
	check_output_has "via-dev-tty"
}

@test "-it: the window size is the one of holt's terminal" {
	script_or_skip
	run_in_pty run --rm -it "$IMG" holt-test-tool winsize
	check_status 0
	check_output_has "40 100"
	PTY_ROWS=13 PTY_COLS=77 run_in_pty run --rm -it "$IMG" stty size
	check_status 0
	check_output_has "13 77"
}

@test "-it: the exit status comes through the terminal" {
	script_or_skip
	run_in_pty run --rm -it "$IMG" sh -c 'exit 5'
	check_status 5
}

@test "-it: ^C on the terminal interrupts the container's foreground command" {
	script_or_skip
	local fifo=$BATS_TEST_TMPDIR/in out=$BATS_TEST_TMPDIR/out
	mkfifo "$fifo"
	local cmd
	cmd="stty rows 40 cols 100; exec $(holt_cmdline) run --rm -it $IMG sh -c 'trap \"echo got-INT; exit 3\" INT; echo ready; while :; do sleep 0.1; done'"
	timeout -k 5 30 script -qefc "$cmd" /dev/null <"$fifo" >"$out" 2>&1 &
	local spid=$!
	exec 7>"$fifo"
	wait_for_line "$out" 20 ready || { exec 7>&-; kill "$spid"; false; }
	printf '\003' >&7
	local rc=0
	wait "$spid" || rc=$?
	exec 7>&-
	grep -q got-INT "$out" || { echo "no got-INT:"; cat -A "$out"; false; }
	[ "$rc" -eq 3 ] || { echo "status $rc, want 3"; cat -A "$out"; false; }
}

@test "-it: input typed on the terminal reaches the container" {
	script_or_skip
	local fifo=$BATS_TEST_TMPDIR/in out=$BATS_TEST_TMPDIR/out
	mkfifo "$fifo"
	local cmd
	cmd="exec $(holt_cmdline) run --rm -it $IMG sh -c 'echo ready; read line; echo \"got [\$line]\"'"
	timeout -k 5 30 script -qefc "$cmd" /dev/null <"$fifo" >"$out" 2>&1 &
	local spid=$!
	exec 7>"$fifo"
	wait_for_line "$out" 20 ready || { exec 7>&-; kill "$spid"; false; }
	printf 'typed words\r' >&7
	local rc=0
	wait "$spid" || rc=$?
	exec 7>&-
	grep -q 'got \[typed words\]' "$out" || { cat -A "$out"; false; }
	[ "$rc" -eq 0 ]
}

# --- signals -----------------------------------------------------------------------------

@test "signals sent to holt are forwarded to the container; TERM ends it with status 0" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" run --rm "$IMG" \
		holt-test-tool signals >"$out" 2>"$err" &
	local hpid=$!
	wait_for_line "$out" 20 ready || { kill -KILL "$hpid"; cat "$err"; false; }
	kill -USR1 "$hpid"
	wait_for_line "$out" 10 USR1 || { kill -KILL "$hpid"; cat "$err"; false; }
	kill -HUP "$hpid"
	wait_for_line "$out" 10 HUP || { kill -KILL "$hpid"; cat "$err"; false; }
	kill -INT "$hpid"
	wait_for_line "$out" 10 INT || { kill -KILL "$hpid"; cat "$err"; false; }
	kill -TERM "$hpid"
	local rc=0
	timeout 10 tail --pid="$hpid" -f /dev/null || { kill -KILL "$hpid"; false; }
	wait "$hpid" || rc=$?
	[ "$rc" -eq 0 ] || { echo "status $rc, want 0"; cat "$out" "$err"; false; }
	[ "$(cat "$out")" = "$(printf 'ready\nUSR1\nHUP\nINT\nTERM')" ] || { cat "$out"; false; }
}

@test "TERM to holt reaches a shell trap in the container, which passes on its child's 143" {
	local out=$BATS_TEST_TMPDIR/out
	# sh as pid 1 ignores TERM unless it traps it; a child that does not trap it dies.
	"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" run --rm "$IMG" \
		sh -c 'trap "kill -TERM \$child; wait \$child; exit \$?" TERM; echo ready; sleep 300 & child=$!; wait $child' \
		>"$out" 2>&1 &
	local hpid=$!
	wait_for_line "$out" 20 ready || { kill -KILL "$hpid"; false; }
	sleep 0.2
	kill -TERM "$hpid"
	local rc=0
	timeout 10 tail --pid="$hpid" -f /dev/null || { kill -KILL "$hpid"; false; }
	wait "$hpid" || rc=$?
	[ "$rc" -eq 143 ] || { echo "status $rc, want 143"; cat "$out"; false; }
}
