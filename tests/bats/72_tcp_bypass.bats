#!/usr/bin/env bats
# Outbound TCP past slirp: on the default network the net helper connects the command's
# TCP sockets from the host's namespace (net/tcp_bypass.h). A connection so made shows
# the host's loopback as its local address where it went to 10.0.2.2; through slirp the
# local address is the container's own, 10.0.2.100. All traffic stays on the loopback.

load helpers
load registry # free_port

setup_file()
{
	holt_setup_file_with_image
	REPLY_PORT=$(free_port)
	"$HOLT_TEST_TOOL" tcp-reply "$REPLY_PORT" hello &
	echo $! >"$HOLT_TMP/reply.pid"
	echo "$REPLY_PORT" >"$HOLT_TMP/reply.port"
}

teardown_file()
{
	[ -f "$HOLT_TMP/reply.pid" ] && kill "$(cat "$HOLT_TMP/reply.pid")" 2>/dev/null
	holt_teardown_file
}

setup()
{
	REPLY_PORT=$(cat "$HOLT_TMP/reply.port")
}

teardown()
{
	holt_rm_containers
}

@test "a blocking connect to the host is made from the host's namespace, its options kept" {
	run_holt run --rm "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT"
	check_status 0
	check_output "local 127.0.0.1
nodelay 1
read hello"
}

@test "a non-blocking connect is in progress, then connected from the host's namespace" {
	run_holt run --rm "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT" nonblock
	check_status 0
	check_output "in progress
again: ok
local 127.0.0.1
nodelay 1
read hello"
}

@test "a connect to the host's own address is made from the host's namespace too" {
	local addr
	addr=$(ip -4 -o addr show scope global | awk '{sub("/.*", "", $4); print $4; exit}')
	[ -n "$addr" ] || skip "the host has no IPv4 address but loopback"
	run_holt run --rm "$IMG" holt-test-tool tcp-connect "$addr" "$REPLY_PORT" nonblock
	check_status 0
	check_output "in progress
again: ok
local $addr
nodelay 1
read hello"
}

@test "a connect from a second thread is made from the host's namespace" {
	run_holt run --rm "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT" thread
	check_status 0
	check_output "local 127.0.0.1
nodelay 1
read hello"
}

@test "an IPv6 socket to an IPv4-mapped address is made from the host's namespace" {
	run_holt run --rm "$IMG" holt-test-tool tcp-connect ::ffff:10.0.2.2 "$REPLY_PORT"
	check_status 0
	check_output "local ::ffff:127.0.0.1
nodelay 1
read hello"
}

@test "an IPv6 connect to the gateway reaches the host's ::1 from the host's namespace" {
	run_holt run --rm "$IMG" ip -6 addr show tap0
	[[ $output == *fd00::100* ]] || skip "the host has no IPv6, nor the container"
	run_holt run --rm "$IMG" holt-test-tool tcp-connect fd00::2 "$REPLY_PORT"
	check_status 0
	check_output "local ::1
nodelay 1
read hello"
	run_holt run -d --name bypass-v6 "$IMG" sleep 60
	run_holt exec bypass-v6 holt-test-tool tcp-connect fd00::2 "$REPLY_PORT"
	check_status 0
	check_output "local ::1
nodelay 1
read hello"
}

@test "a refused connect is refused, through either path" {
	local closed
	closed=$(free_port)
	run_holt run --rm "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$closed"
	check_output "connect: Connection refused"
	run_holt run --rm "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$closed" nonblock
	check_output "in progress
connect: Connection refused"
}

@test "a blocking connect that hangs gives up at SO_SNDTIMEO, as the kernel's does" {
	local port i
	port=$(free_port)
	"$HOLT_TEST_TOOL" tcp-listen "$port" 3>&- &
	HANG_PIDS=$!
	sleep 0.2
	# a backlog of one, never accepted: once two wait in it, SYNs are dropped
	for i in 1 2 3; do
		timeout 30 "$HOLT_TEST_TOOL" tcp-connect 127.0.0.1 "$port" >/dev/null 3>&- &
		HANG_PIDS="$HANG_PIDS $!"
	done
	sleep 0.5
	SECONDS=0
	run_holt run --rm "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$port" timeout
	local took=$SECONDS
	kill $HANG_PIDS 2>/dev/null || true
	check_output "connect: Operation now in progress"
	[ "$took" -lt 10 ] || { echo "took ${took}s"; false; }
}

@test "--userns keep-id: connects are made from the host's namespace too" {
	run_holt run --rm --userns keep-id "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT"
	check_status 0
	check_output "local 127.0.0.1
nodelay 1
read hello"
}

@test "a socket bound to a port first goes through slirp" {
	run_holt run --rm "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT" bound
	check_status 0
	check_output "local 10.0.2.100
nodelay 1
read hello"
}

@test "a socket made from the host's namespace cannot listen there" {
	run_holt run --rm "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT" relisten
	check_status 0
	check_output "local 127.0.0.1
nodelay 1
read hello
listen: Operation not permitted"
}

@test "a 32-bit program's connect and listen are looked into, direct or through socketcall" {
	[ "$(uname -m)" = x86_64 ] || skip "32-bit calls are made as x86-64's i386 ones"
	local mode
	for mode in i386 socketcall; do
		run_holt run --rm "$IMG" holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT" "$mode"
		check_status 0
		check_output "local 127.0.0.1
nodelay 1
read hello
listen: Operation not permitted"
		run_holt run --rm "$IMG" sh -c "holt-test-tool tcp-reply 7000 inside & sleep 0.3
			holt-test-tool tcp-connect 127.0.0.1 7000 $mode"
		check_status 0
		# the kernel's own answer, as to a 64-bit program: the socket was connected
		check_output "local 127.0.0.1
nodelay 1
read inside
listen: Invalid argument"
	done
}

@test "the container's own sockets listen, and its loopback stays its own" {
	run_holt run --rm "$IMG" sh -c \
		'holt-test-tool tcp-reply 7000 inside & sleep 0.3; holt-test-tool tcp-connect 127.0.0.1 7000'
	check_status 0
	check_output "local 127.0.0.1
nodelay 1
read inside"
	run_holt run --rm "$IMG" sh -c \
		'holt-test-tool tcp-reply 7000 inside & sleep 0.3; holt-test-tool tcp-connect 10.0.2.100 7000'
	check_status 0
	check_output "local 10.0.2.100
nodelay 1
read inside"
}

@test "an unconfined container goes through slirp, and so do its exec's processes" {
	run_holt run --rm --security-opt seccomp=unconfined "$IMG" \
		holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT"
	check_status 0
	check_output_has "local 10.0.2.100"
	check_output_has "read hello"
	holt run -d --name unconfined --security-opt seccomp=unconfined "$IMG" sleep 60 >/dev/null
	run_holt exec unconfined holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT"
	check_status 0
	check_output_has "local 10.0.2.100"
}

@test "--network slirp:bypass=false: every connection through slirp, kept in the record" {
	run_holt run --rm --network slirp:bypass=false "$IMG" \
		holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT"
	check_status 0
	check_output "local 10.0.2.100
nodelay 1
read hello"
	run_holt create --name nobypass --network slirp4netns:bypass=false "$IMG" \
		holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT"
	check_status 0
	run_holt inspect -f '{{.HostConfig.NetworkMode}}' nobypass
	check_output "slirp:bypass=false"
	run_holt start -a nobypass
	check_status 0
	check_output_has "local 10.0.2.100"
	run_holt run --rm --network slirp:bypass=true "$IMG" \
		holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT"
	check_output_has "local 127.0.0.1"
	run_holt run --rm --network slirp:mtu=1500 "$IMG" true
	check_status 125
	check_stderr_matches 'network slirp:mtu=1500: unknown option "mtu=1500"'
}

@test "a host socket is never connected where the container may not go, whatever the call's length says" {
	local closed target holder
	closed=$(free_port)
	target=$(free_port)
	# a server on the host's loopback but not at 127.0.0.1, which the gateway leads to
	python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.2",int(sys.argv[1]))); s.listen(); time.sleep(30)' "$target" &
	holder=$!
	sleep 0.3
	run_holt run --rm "$IMG" holt-test-tool tcp-escape "$closed" 127.0.0.2 "$target"
	kill "$holder"
	check_status 0
	# the failed connect's socket is the host's; aimed at 127.0.0.2, the kernel would
	# have connected it there (it reads the length's lower half), as the disconnected
	# one could be after it
	check_output "local 127.0.0.1
again: Network is unreachable
again: Network is unreachable
peer: none
disconnect: Operation not supported"
}

@test "holt exec's processes are looked into too: connected from the host's namespace, no listen there" {
	holt run -d --name ex "$IMG" sleep 100 >/dev/null
	run_holt exec ex holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT" relisten
	check_status 0
	check_output "local 127.0.0.1
nodelay 1
read hello
listen: Operation not permitted"
	# a detached one too, once holt exec has gone: the helper holds its listener
	holt exec -d ex sh -c "sleep 0.5; holt-test-tool tcp-connect 10.0.2.2 $REPLY_PORT >/tmp/out"
	sleep 1.5
	run_holt exec ex cat /tmp/out
	check_output "local 127.0.0.1
nodelay 1
read hello"
	# each exec's listener is given back once its process is gone: this store's helper
	# holds the container's alone
	local helper p
	for p in $(pgrep -u "$UID" -x holt-net); do
		grep -qa -- "$HOLT_ROOT" "/proc/$p/cmdline" && helper=$p
	done
	[ -n "$helper" ] || { echo "no net helper of this store"; false; }
	[ "$(ls -l "/proc/$helper/fd" | grep -c 'seccomp')" = 1 ] || { ls -l "/proc/$helper/fd"; false; }
	# a helper without the doorway (started by an older holt): the exec's process goes
	# without the filter, through slirp, rather than fail
	rm "$HOLT_RUNROOT/containers/$(holt inspect -f '{{.Id}}' ex)/net.sock"
	run_holt exec ex holt-test-tool tcp-connect 10.0.2.2 "$REPLY_PORT"
	check_status 0
	check_output "local 10.0.2.100
nodelay 1
read hello"
}
