#!/usr/bin/env bats
# Flags as docker's and podman's scripts write them: booleans with =true/=false, in long
# and short form, and podman's spellings beside docker's.

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

# --- --flag=true|false -------------------------------------------------------------------

@test "--rm=true removes, --rm=false keeps, as --rm and no flag" {
	run_holt run --rm=true --name t1 "$IMG" echo a
	check_status 0
	check_output a
	run_holt run --rm=false --name t2 "$IMG" echo b
	check_output b
	run_holt ps -a --format '{{.Names}}'
	check_output t2
}

@test "short flags take =BOOL too: -d=false runs in the foreground, -i=false closes stdin" {
	run_holt run -d=false --rm "$IMG" echo fg
	check_status 0
	check_output fg
	run_holt run -i=false --rm "$IMG" sh -c 'cat; echo end' <<<"not for you"
	check_output end
	run_holt run -i=true --rm "$IMG" cat <<<"for you"
	check_output "for you"
	run_holt run --init=true --rm "$IMG" sh -c 'echo $$'
	check_status 0
	[ "$output" != 1 ] || { show_run; false; }
}

@test "Go's spellings of booleans: 1, t, TRUE, 0, f, False; anything else is 125" {
	run_holt run --rm=1 -d=f --name x "$IMG" true
	check_status 0
	run_holt ps -aq
	check_output ""
	run_holt run --rm=maybe "$IMG" true
	check_holt_error 'flag "--rm" takes true or false, not "maybe"'
}

@test "=BOOL is read in option position only: an operand or a flag's value is left alone" {
	run_holt run --rm -e V=-d=false "$IMG" sh -c 'echo "$V"'
	check_output "-d=false"
	run_holt run --rm "$IMG" echo -d=false --rm=false
	check_output "-d=false --rm=false"
}
