#!/usr/bin/env bats
# build on Debian: a minimal bookworm rootfs (made once by tests/run-checks, as root, with
# mmdebstrap from the host's apt mirror) imported, then `RUN apt-get install` from that
# mirror through the build's network. The user without subordinate ids gets there with
# fake-root-ids, and apt without its _apt sandbox, whose setuid check would fail.

load helpers

setup_file()
{
	holt_setup_file
}

teardown_file()
{
	holt_teardown_file
}

@test "RUN apt-get install in a Debian image, from the host's apt mirror" {
	local i why
	# tests/run-checks makes the rootfs in the background: wait for its word on it
	for ((i = 0; i < 1200; i++)); do
		[ -e "${HOLT_DEBIAN_STATUS:-/nonexistent}" ] && break
		[ -n "${HOLT_DEBIAN_STATUS:-}" ] || break
		sleep 0.5
	done
	why=$(cat "${HOLT_DEBIAN_STATUS:-/nonexistent}" 2>/dev/null) ||
		why="tests/run-checks made none (it makes one as root, with mmdebstrap)"
	[ "$why" = ok ] || skip "no Debian rootfs: $why"
	local ctx=$BATS_TEST_TMPDIR/deb
	mkdir -p "$ctx"
	HOLT_TIMEOUT=120 run_holt import "$HOLT_DEBIAN_ROOTFS" debian:bookworm
	check_status 0
	printf '%s\n' 'FROM debian:bookworm' \
		'RUN apt-get update && apt-get install -y --no-install-recommends hello && rm -rf /var/lib/apt/lists/*' \
		>"$ctx/Dockerfile"
	HOLT_TIMEOUT=300 run_holt build -t hello:1 "$ctx"
	check_status 0
	check_output_has "Setting up hello"
	has_subids || check_stderr_has "and apt runs without its _apt sandbox"
	run_holt run --rm hello:1 sh -c 'hello; dpkg -s hello | grep Status
		test -e /etc/apt/apt.conf.d/00holt-fake-root-ids || echo "no holt apt.conf"'
	check_status 0
	check_output $'Hello, world!\nStatus: install ok installed\nno holt apt.conf'
}
