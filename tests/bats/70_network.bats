#!/usr/bin/env bats
# Networking modes available before slirp lands: none (the default) and host.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

@test "--network none: only lo, and it is up" {
	run_holt run --rm --network none "$IMG" holt-test-tool ifaces
	check_status 0
	check_output "lo"
	run_holt run --rm --network none "$IMG" sh -c 'ip link show lo | grep -c "UP"'
	check_status 0
	check_output "1"
}

@test "the default network is none for now" {
	run_holt run --rm "$IMG" holt-test-tool ifaces
	check_status 0
	check_output "lo"
}

@test "--network host: the host's interfaces" {
	local want
	want=$("$HOLT_TEST_TOOL" ifaces | LC_ALL=C sort)
	run_holt run --rm --network host "$IMG" holt-test-tool ifaces
	check_status 0
	[ "$(LC_ALL=C sort <<<"$output")" = "$want" ] || { echo "want: $want"; show_run; false; }
}
