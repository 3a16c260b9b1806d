#!/usr/bin/env bats
# What a container must not reach of the session that started it: the caller's terminal
# (TIOCSTI pushes keystrokes into the user's shell), the caller's open files, and the
# caller's session keyring. Each test performs the attack, for run, exec, run -d and
# start -a, and checks that nothing got through.

load helpers

# holt with this file's store, for commands started by another program (bash, keyctl).
HOLT_CMD=(timeout -k 5 30 "$HOLT" --root "$BATS_FILE_TMPDIR/root" --runroot "$BATS_FILE_TMPDIR/run")

setup_file()
{
	holt_setup_file_with_image
	holt run -d --name target "$IMG" sh -c 'while :; do sleep 0.1; done' >/dev/null
}

teardown_file()
{
	holt rm -f target >/dev/null 2>&1
	holt_teardown_file
}

keyctl_or_skip()
{
	command -v keyctl >/dev/null || skip "keyctl (keyutils) not installed"
	keyctl show @s >/dev/null 2>&1 || skip "no session keyring can be made here"
}

# Runs holt ARGS in a pty whose shell, once holt has exited, reads one line from the
# terminal for 1s and prints it as `got:[LINE]`: what a container pushed into the
# terminal's input with TIOCSTI would be read, as the user's shell would run it.
run_then_read_terminal()
{
	local cmd fifo=$BATS_TEST_TMPDIR/pty-stdin
	cmd="$(holt_cmdline)$(printf '%q ' "$@"); read -r -t 1 line; echo \"got:[\$line]\""
	mkfifo "$fifo"
	run timeout -k 5 "$HOLT_TIMEOUT" script -qfc "$cmd" /dev/null <>"$fifo"
	rm -f "$fifo"
	output=${output//$'\r'/}
}

# --- the terminal ------------------------------------------------------------------

@test "TIOCSTI: run without -t cannot type into the caller's terminal" {
	script_or_skip
	run_then_read_terminal run --rm "$IMG" holt-test-tool sti 1 'echo INJECTED\n'
	check_output_has "sti: EPERM"
	check_output_has "got:[]"
	[[ $output != *"got:[echo INJECTED]"* ]]
}

@test "TIOCSTI: exec without -t cannot type into the caller's terminal" {
	script_or_skip
	run_then_read_terminal exec target holt-test-tool sti 1 'echo INJECTED\n'
	check_output_has "sti: EPERM"
	check_output_has "got:[]"
}

@test "TIOCSTI: -it still gives job control: the shell's foreground job gets ^C" {
	script_or_skip
	local cmd fifo=$BATS_TEST_TMPDIR/pty-stdin out=$BATS_TEST_TMPDIR/out
	mkfifo "$fifo"
	cmd="$(holt_cmdline) run --rm -it $IMG sh -c 'trap \"echo GOT-INT; exit 7\" INT; echo ready; while :; do sleep 0.1; done'"
	timeout -k 5 20 script -qefc "$cmd" /dev/null <"$fifo" >"$out" 2>&1 &
	local pid=$!
	exec 9>"$fifo"
	wait_for_line "$out" 10 ready
	printf '\003' >&9
	local rc=0
	wait "$pid" || rc=$?
	exec 9>&-
	grep -q GOT-INT "$out"
	[ "$rc" -eq 7 ]
}

# --- inherited descriptors -------------------------------------------------------------

# Opens a directory on fd 7 and a file on fd 8, then runs holt ARGS with them open.
with_open_fds()
{
	mkdir -p "$BATS_TEST_TMPDIR/home"
	echo secret >"$BATS_TEST_TMPDIR/home/f"
	run --separate-stderr bash -c 'exec 7<"$1" 8<"$1/f"; shift; "$@"' _ \
		"$BATS_TEST_TMPDIR/home" "${HOLT_CMD[@]}" "$@"
}

# A container command that reports which of fds 7 and 8 it has, and tries the attack.
PROBE='for fd in 7 8; do [ -e /proc/self/fd/$fd ] && echo "open $fd"; done
echo pwned >/proc/self/fd/7/planted 2>/dev/null; echo done'

@test "fds: run does not hand the caller's open files to the container" {
	with_open_fds run --rm "$IMG" sh -c "$PROBE"
	check_status 0
	check_output "done"
	[ ! -e "$BATS_TEST_TMPDIR/home/planted" ]
}

@test "fds: exec and exec -d do not hand the caller's open files to the process" {
	with_open_fds exec target sh -c "$PROBE"
	check_status 0
	check_output "done"
	with_open_fds exec -d target sh -c "$PROBE >/tmp/exec-d.out"
	check_status 0
	sleep 0.3
	run_holt exec target cat /tmp/exec-d.out
	check_output "done"
	[ ! -e "$BATS_TEST_TMPDIR/home/planted" ]
}

@test "fds: run -d and start -a do not hand the caller's open files to the container" {
	with_open_fds run -d --name fds-d "$IMG" sh -c "$PROBE"
	check_status 0
	run_holt wait fds-d
	run_holt logs fds-d
	check_output "done"
	holt create --name fds-a "$IMG" sh -c "$PROBE" >/dev/null
	with_open_fds start -a fds-a
	check_status 0
	check_output "done"
	[ ! -e "$BATS_TEST_TMPDIR/home/planted" ]
	holt rm -f fds-d fds-a >/dev/null
}

@test "--preserve-fds N passes fds 3 .. 3+N-1 and nothing above" {
	run --separate-stderr bash -c 'exec 3<"$1" 4<"$1" 5<"$1"; shift; "$@"' _ "$HOLT_FIXTURES" \
		"${HOLT_CMD[@]}" run --rm --preserve-fds 2 "$IMG" sh -c \
		'for fd in 3 4 5; do [ -e /proc/self/fd/$fd ] && echo "open $fd"; done; true'
	check_status 0
	check_output "open 3
open 4"
	run --separate-stderr bash -c 'exec 3<"$1"; shift; "$@"' _ "$HOLT_FIXTURES" \
		"${HOLT_CMD[@]}" exec --preserve-fds 1 target sh -c '[ -e /proc/self/fd/3 ] && echo "open 3"'
	check_output "open 3"
}

@test "--preserve-fds: a closed fd, a bad count, and -d are refused" {
	run --separate-stderr bash -c 'exec 3<&- 4<&-; "$@"' _ \
		"${HOLT_CMD[@]}" run --rm --preserve-fds 2 "$IMG" true
	check_holt_error "--preserve-fds 2: fd 3 is not open"
	run_holt run --rm --preserve-fds x "$IMG" true
	check_holt_error '--preserve-fds "x"'
	run --separate-stderr bash -c 'exec 3</dev/null; shift; "$@"' _ _ \
		"${HOLT_CMD[@]}" run -d --preserve-fds 1 "$IMG" true
	check_holt_error "--preserve-fds and --detach conflict"
	run_holt ps -aq
	check_output "$(holt ps -aq)"
}

# --- the session keyring ---------------------------------------------------------------

# Runs holt ARGS in a fresh session keyring holding the user key "secret" = "topsecret";
# afterwards prints `after: planted` if a key "planted" is in that keyring.
in_keyring_session()
{
	run --separate-stderr keyctl session - bash -c '
		keyctl add user secret topsecret @s >/dev/null
		"$@"
		rc=$?
		keyctl search @s user planted >/dev/null 2>&1 && echo "after: planted"
		exit $rc' _ "${HOLT_CMD[@]}" "$@"
}

@test "keyring: the default seccomp filter denies the keyring calls" {
	keyctl_or_skip
	in_keyring_session run --rm "$IMG" sh -c \
		'holt-test-tool key-read secret; holt-test-tool key-add planted x; grep Seccomp: /proc/self/status'
	check_output "key: EPERM
key: EPERM
Seccomp:	2"
}

@test "keyring: unconfined, the container has a keyring of its own: no secret, no plant" {
	keyctl_or_skip
	in_keyring_session run --rm --security-opt seccomp=unconfined "$IMG" sh -c \
		'holt-test-tool key-read secret; holt-test-tool key-add planted x; grep Seccomp: /proc/self/status'
	check_output "key: ENOKEY
key: ok
Seccomp:	0"
}

@test "keyring: exec, exec -d and run -d get a keyring of their own too" {
	keyctl_or_skip
	holt run -d --name keys --security-opt seccomp=unconfined "$IMG" sleep 100 >/dev/null
	in_keyring_session exec keys sh -c 'holt-test-tool key-read secret; holt-test-tool key-add planted x'
	check_output "key: ENOKEY
key: ok"
	in_keyring_session exec -d keys sh -c 'holt-test-tool key-add planted x > /tmp/d.out'
	check_output ""
	in_keyring_session run -d --name keys-d --security-opt seccomp=unconfined "$IMG" sh -c \
		'holt-test-tool key-read secret; holt-test-tool key-add planted x'
	[[ $output != *"after: planted"* ]]
	run_holt wait keys-d
	run_holt logs keys-d
	check_output "key: ENOKEY
key: ok"
	run_holt exec keys cat /tmp/d.out
	check_output "key: ok"
	holt rm -f keys keys-d >/dev/null
}

@test "--security-opt: shown by inspect, kept by restart; an unknown one is refused" {
	holt create --name so --security-opt seccomp=unconfined "$IMG" grep Seccomp: /proc/self/status >/dev/null
	run_holt inspect -f '{{json .HostConfig.SecurityOpt}}' so
	check_output '["seccomp=unconfined"]'
	run_holt start -a so
	check_output "Seccomp:	0"
	run_holt run --rm --security-opt label=disable "$IMG" grep Seccomp: /proc/self/status
	check_output "Seccomp:	2"
	run_holt run --rm --security-opt apparmor=x "$IMG" true
	check_holt_error '--security-opt "apparmor=x"'
	holt rm so >/dev/null
}
