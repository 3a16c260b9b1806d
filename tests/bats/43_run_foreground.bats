#!/usr/bin/env bats
# A foreground run: -t with a stdin that is no terminal is refused at once, and a
# killed `run --rm` leaves nothing that the next command does not clean.

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
	local ids
	ids=$(holt ps -aq --no-trunc 2>/dev/null) || true
	# shellcheck disable=SC2086 # one id a word
	[ -z "$ids" ] || holt rm -f $ids >/dev/null 2>&1 || true
}

@test "run -it with a pipe for stdin: refused at once as docker does, nothing made" {
	run_holt run --rm -it "$IMG" cat <<<"x"
	check_holt_error "the input device is not a TTY"
	run_holt run --name kept -it "$IMG" cat <<<"x"
	check_holt_error "the input device is not a TTY"
	[ -z "$(holt ps -aq)" ] || { holt ps -a; false; }
	# -t alone, or -i alone, is fine
	run_holt run --rm -t "$IMG" echo tty-only </dev/null
	check_status 0
	run_holt run --rm -i "$IMG" cat <<<"pipe"
	check_output "pipe"
}

@test "start -ai of a -it container from a pipe: refused, the container not started" {
	holt create -it --name c "$IMG" cat >/dev/null
	run_holt start -ai c <<<"x"
	check_holt_error "the input device is not a TTY"
	[ "$(holt inspect -f '{{.State.Status}}' c)" = created ]
}

# Starts a foreground `run --rm --name $1` of a long sleep, waits until it runs, and
# kills holt itself with SIGKILL.
run_and_kill()
{
	"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" run --rm --name "$1" "$IMG" \
		sleep 60 >/dev/null 2>&1 &
	local pid=$! i
	for ((i = 0; i < 200; i++)); do
		[ "$(holt inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = running ] && break
		sleep 0.05
	done
	kill -KILL "$pid"
	wait "$pid" || true
}

@test "a killed foreground run --rm: gone from ps -a, its directories too" {
	run_and_kill gone
	run_holt ps -a --format '{{.Names}}'
	check_status 0
	check_output ""
	[ -z "$(ls "$HOLT_ROOT/containers" | grep -v '^names$')" ] ||
		{ ls -la "$HOLT_ROOT/containers"; false; }
}

@test "a killed foreground run --rm: its name is free for the next run" {
	run_and_kill again
	run_holt run --rm --name again "$IMG" echo reused
	check_status 0
	check_output "reused"
}
