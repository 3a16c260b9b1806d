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
	local ids
	ids=$(holt ps -aq --no-trunc 2>/dev/null) || true
	# shellcheck disable=SC2086 # one id a word
	[ -z "$ids" ] || holt rm -f $ids >/dev/null 2>&1 || true
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
