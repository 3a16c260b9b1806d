#!/usr/bin/env bats
# attach and start -ai: stdin ending closes only the container's stdin, the output keeps
# coming until the container exits; what cannot be attached to says why.

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

@test "attach: after stdin ends, the output keeps coming until the container exits" {
	holt run -d -i --name ra1 "$IMG" sh -c 'cat; echo after-cat; sleep 0.5; echo later; exit 4' >/dev/null
	run_holt attach ra1 <<<"IN"
	check_status 4
	check_output "IN
after-cat
later"
}

@test "start -ai: piped stdin, then the rest of the output and the exit code" {
	holt create -i --name sal "$IMG" sh -c 'cat; echo after; exit 3' >/dev/null
	run_holt start -ai sal <<<"X"
	check_status 3
	check_output "X
after"
}

@test "attach --no-stdin, ended: the container's stdin stays open for the next client" {
	holt run -d -i --name keep "$IMG" sh -c 'read l; echo "got $l"; exit 2' >/dev/null
	# a client that only watches, killed: stdin is not closed under the container
	timeout -s KILL 1 "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" attach --no-stdin \
		keep >/dev/null 2>&1 || true
	run_holt attach keep <<<"second"
	check_status 2
	check_output "got second"
}

@test "start -ai with a terminal: ^D ends cat, and what the container prints next arrives" {
	script_or_skip
	holt create -it --name pt "$IMG" sh -c 'echo ready; cat; echo after-eof; exit 3' >/dev/null
	local fifo=$BATS_TEST_TMPDIR/in out=$BATS_TEST_TMPDIR/out
	mkfifo "$fifo"
	timeout -k 5 30 script -qefc "exec $(holt_cmdline) start -ai pt" /dev/null \
		<"$fifo" >"$out" 2>&1 &
	local spid=$! rc=0
	exec 7>"$fifo"
	# "ready" comes through the relay: holt's terminal is raw by then, so ^D is a byte
	# for the container's terminal, not an end of holt's stdin
	wait_for_line "$out" 20 ready || { exec 7>&-; kill "$spid"; false; }
	printf 'typed\r' >&7
	wait_for_line "$out" 20 typed || { exec 7>&-; kill "$spid"; false; }
	printf '\004' >&7
	wait "$spid" || rc=$?
	exec 7>&-
	grep -q after-eof "$out" || { echo "no after-eof:"; cat -A "$out"; false; }
	[ "$rc" -eq 3 ] || { echo "status $rc, want 3"; cat -A "$out"; false; }
}

@test "attach to a container of a foreground run: refused, saying why" {
	holt run --name fg "$IMG" sh -c 'sleep 30' >/dev/null 2>&1 &
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(holt inspect -f '{{.State.Status}}' fg 2>/dev/null)" = running ] && break
		sleep 0.05
	done
	run_holt attach fg
	check_holt_error "runs in the foreground"
	holt kill fg >/dev/null
	wait || true
}

@test "attach --detach-keys: those keys detach, the container runs on; bad keys are 125" {
	holt run -d -i --name dk "$IMG" sh -c 'cat >/dev/null; echo done' >/dev/null
	run_holt attach --detach-keys ctrl-a,x dk < <(printf 'abc\001x')
	check_status 0
	check_stderr_has "read escape sequence"
	[ "$(holt inspect -f '{{.State.Status}}' dk)" = running ]
	# the default, ctrl-p ctrl-q
	run_holt attach dk < <(printf '\020\021')
	check_status 0
	[ "$(holt inspect -f '{{.State.Status}}' dk)" = running ]
	run_holt attach --detach-keys ctrl-1 dk
	check_holt_error '"ctrl-1" is no key'
	run_holt start -a --detach-keys ctrl- dk
	check_holt_error "--detach-keys"
}
