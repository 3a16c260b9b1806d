#!/usr/bin/env bats
# Networking: slirp (the default: tap0 to a libslirp helper), none, host and
# container:NAME; /etc/hosts and /etc/resolv.conf; published ports; the helper's life.
# All traffic stays on the host's loopback.

load helpers
load registry # free_port
load network

setup_file()
{
	holt_setup_file_with_image
	host_httpd_start
}

teardown_file()
{
	host_httpd_stop
	holt_teardown_file
}

setup()
{
	HTTP_PORT=$(cat "$HOLT_TMP/httpd.port")
}

teardown()
{
	holt_rm_containers
}

# --- modes -------------------------------------------------------------------------------

@test "the default network is slirp: lo and tap0, 10.0.2.100/24, routed via 10.0.2.2" {
	run_holt run --rm "$IMG" holt-test-tool ifaces
	check_status 0
	[ "$(LC_ALL=C sort <<<"$output" | tr '\n' ' ')" = "lo tap0 " ] || { show_run; false; }
	run_holt run --rm "$IMG" sh -c 'ip -4 addr show tap0 | grep -o "inet [0-9./]*"; ip route'
	check_status 0
	check_output_has "inet 10.0.2.100/24"
	check_output_has "default via 10.0.2.2 dev tap0"
}

@test "--network none: only lo, and it is up" {
	run_holt run --rm --network none "$IMG" holt-test-tool ifaces
	check_status 0
	check_output "lo"
	run_holt run --rm --network none "$IMG" sh -c 'ip link show lo | grep -c "UP"'
	check_status 0
	check_output "1"
}

@test "--network host: the host's interfaces and the host's hostname" {
	local want
	want=$("$HOLT_TEST_TOOL" ifaces | LC_ALL=C sort)
	run_holt run --rm --network host "$IMG" holt-test-tool ifaces
	check_status 0
	[ "$(LC_ALL=C sort <<<"$output")" = "$want" ] || { echo "want: $want"; show_run; false; }
	run_holt run --rm --network host "$IMG" hostname
	check_output "$(hostname)"
}

@test "--network container:NAME shares that container's interfaces" {
	holt run -d --name netowner "$IMG" sleep 100
	local mac
	mac=$(holt exec netowner cat /sys/class/net/tap0/address)
	[ -n "$mac" ]
	run_holt run --rm --network container:netowner "$IMG" cat /sys/class/net/tap0/address
	check_status 0
	check_output "$mac"
	run_holt run --rm --network container:nosuch "$IMG" true
	check_status 125
	[[ $stderr == *"container:nosuch"* ]] || { show_run; false; }
}

@test "bad --network, --publish and --add-host values are refused and leave nothing" {
	run_holt run --rm --network bogus "$IMG" true
	check_status 125
	[[ $stderr == *'--network "bogus"'* ]] || { show_run; false; }
	run_holt run --rm -p 99999:80 "$IMG" true
	check_status 125
	[[ $stderr == *'--publish "99999:80"'* ]] || { show_run; false; }
	run_holt run --rm -p 8000-8002:80-81 "$IMG" true
	check_status 125
	run_holt run --rm --add-host nocolon "$IMG" true
	check_status 125
	[[ $stderr == *'--add-host "nocolon"'* ]] || { show_run; false; }
	run_holt run --rm --network host -p 8080:80 "$IMG" true
	check_status 125
	run_holt ps -aq
	check_output ""
}

# --- the host, through slirp ------------------------------------------------------------

@test "a container fetches from the host's loopback via 10.0.2.2 and host.containers.internal" {
	run_holt run --rm "$IMG" wget -qO- "http://10.0.2.2:$HTTP_PORT/"
	check_status 0
	check_output "hello from the host"
	run_holt run --rm "$IMG" wget -qO- "http://host.containers.internal:$HTTP_PORT/"
	check_status 0
	check_output "hello from the host"
	run_holt run --rm "$IMG" wget -qO- "http://host.docker.internal:$HTTP_PORT/"
	check_output "hello from the host"
	run_holt run --rm --network none "$IMG" wget -qO- "http://10.0.2.2:$HTTP_PORT/"
	[ "$status" -ne 0 ] && [[ $stderr == *"unreachable"* ]] || { show_run; false; }
}

@test "exec joins the container's network" {
	holt run -d --name netexec "$IMG" sleep 100
	run_holt exec netexec wget -qO- "http://10.0.2.2:$HTTP_PORT/"
	check_status 0
	check_output "hello from the host"
}

@test "a restarted container gets its network again" {
	holt run -d --name netrestart "$IMG" sleep 100
	holt restart -t 0 netrestart
	run_holt exec netrestart wget -qO- "http://10.0.2.2:$HTTP_PORT/"
	check_status 0
	check_output "hello from the host"
}

# --- /etc/hosts and /etc/resolv.conf ---------------------------------------------------------

@test "/etc/hosts: the container's name and hostname, host.*.internal, --add-host, host-gateway" {
	run_holt run --rm --name hostsy --hostname hy --add-host db:10.0.2.50 \
		--add-host gw:host-gateway "$IMG" cat /etc/hosts
	check_status 0
	check_output_has "10.0.2.100	hy hostsy"
	check_output_has "10.0.2.2	host.containers.internal host.docker.internal"
	check_output_has "10.0.2.50	db"
	check_output_has "10.0.2.2	gw"
	run_holt inspect -f '{{json .HostConfig.ExtraHosts}}' hostsy
	[ "$status" -ne 0 ] # --rm: gone
}

@test "/etc/resolv.conf: the host's resolvers, loopback ones through 10.0.2.3; --dns* replace" {
	printf 'search example.test\nnameserver 127.0.0.53\nnameserver 192.0.2.1\noptions edns0\n' \
		>"$HOLT_TMP/resolv.conf"
	HOLT_RESOLV_CONF=$HOLT_TMP/resolv.conf run_holt run --rm "$IMG" cat /etc/resolv.conf
	check_status 0
	check_output "$(printf 'search example.test\nnameserver 10.0.2.3\nnameserver 192.0.2.1\noptions edns0')"

	HOLT_RESOLV_CONF=$HOLT_TMP/resolv.conf run_holt run --rm --dns 192.0.2.7 \
		--dns-search a.test --dns-search b.test --dns-option ndots:2 "$IMG" cat /etc/resolv.conf
	check_status 0
	check_output "$(printf 'search a.test b.test\nnameserver 192.0.2.7\noptions ndots:2')"

	HOLT_RESOLV_CONF=$HOLT_TMP/resolv.conf run_holt run --rm --network none "$IMG" \
		cat /etc/resolv.conf
	check_output "$(printf 'search example.test\nnameserver 192.0.2.1\noptions edns0')"
}

@test "DNS: 10.0.2.3 forwards to the host's resolver on its loopback (dnsmasq), A name only it knows" {
	command -v dnsmasq >/dev/null || skip "dnsmasq not installed (apt-get install dnsmasq-base)"
	# dnsmasq must listen on port 53, which the test user may bind only in a network
	# namespace of its own: holt runs there too, as that namespace's root, with a store
	# of its own, and that namespace's loopback is "the host's".
	local d=$HOLT_TMP/dns
	mkdir -p "$d/run"
	echo "nameserver 127.0.0.1" >"$d/resolv.conf"
	cat >"$d/inside.sh" <<-EOF
		set -e
		ip link set lo up
		dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=127.0.0.1 \\
			--bind-interfaces --port 53 --address=/only-dnsmasq.test/192.0.2.77 \\
			--pid-file="$d/dnsmasq.pid" 2>"$d/dnsmasq.log" &
		dp=\$!
		trap 'kill \$dp' EXIT
		for i in \$(seq 50); do [ -s "$d/dnsmasq.pid" ] && break; sleep 0.05; done
		export XDG_RUNTIME_DIR="$d/run"
		"$HOLT" --root "$d/root" import "$HOLT_FIXTURES/rootfs.tar.gz" dns:1 >/dev/null
		HOLT_RESOLV_CONF="$d/resolv.conf" "$HOLT" --root "$d/root" run --rm dns:1 \\
			sh -c 'cat /etc/resolv.conf; nslookup -type=a only-dnsmasq.test'
		"$HOLT" --root "$d/root" rmi dns:1 >/dev/null
	EOF
	run --separate-stderr timeout 60 unshare -rn bash "$d/inside.sh"
	check_status 0
	check_output_has "nameserver 10.0.2.3"
	check_output_has "Address: 192.0.2.77"
}

# --- published ports ----------------------------------------------------------------------

@test "-p publishes TCP on 0.0.0.0 and on 127.0.0.1; ps, port and inspect show them" {
	local p1 p2
	p1=$(free_port)
	p2=$(free_port)
	holt run -d --name web -p "$p1:80" -p "127.0.0.1:$p2:81" "$IMG" sh -c \
		'echo served > /tmp/index.html; httpd -p 80 -h /tmp; exec httpd -f -p 81 -h /tmp'
	wait_http "http://127.0.0.1:$p1/" served
	wait_http "http://127.0.0.1:$p2/" served
	run_holt port web
	check_output "$(every_address "$p1" 80/tcp)
81/tcp -> 127.0.0.1:$p2"
	run_holt port web 81/tcp
	check_output "127.0.0.1:$p2"
	run_holt port web 82
	check_status 125
	# docker's two bindings for every address where the host has IPv6: 0.0.0.0 and [::]
	local v6ps="" v6json="" v6port=""
	if host_ipv6; then
		v6ps=", [::]:$p1->80/tcp"
		v6json=",{\"HostIp\":\"::\",\"HostPort\":\"$p1\"}"
		v6port=$'\n'"[::]:$p1"
	fi
	run_holt port web 80
	check_output "0.0.0.0:$p1$v6port"
	run_holt port web 80/tcp
	check_output "0.0.0.0:$p1$v6port"
	run_holt ps --format '{{.Ports}}'
	check_output "0.0.0.0:$p1->80/tcp$v6ps, 127.0.0.1:$p2->81/tcp"
	run_holt inspect -f '{{.NetworkSettings.Networks.slirp.IPAddress}}' web
	check_output "10.0.2.100"
	run_holt inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{json .NetworkSettings.Ports}}' web
	check_output "10.0.2.100 10.0.2.2 {\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$p1\"}$v6json],\"81/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$p2\"}]}"
	# what the config asked for stays docker's PortBindings: "" for every address
	run_holt inspect -f '{{json .HostConfig.PortBindings}}' web
	check_output "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$p1\"}],\"81/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$p2\"}]}"
}

@test "-p publishes UDP" {
	local p
	p=$(free_port)
	holt run -d --name udp -p "127.0.0.1:$p:53/udp" "$IMG" holt-test-tool udp-echo 53
	run python3 - "$p" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
for _ in range(50):
    s.sendto(b"hi", ("127.0.0.1", int(sys.argv[1])))
    try:
        print(s.recv(100).decode())
        break
    except socket.timeout:
        pass
PY
	check_output "echo: hi"
}

@test "a published port is free again when its container exits: back-to-back runs, create/start, restart" {
	local p i
	p=$(free_port)
	for i in 1 2 3; do
		run_holt run --rm -p "$p:80" "$IMG" true
		check_status 0
	done
	holt create --name cs -p "$p:80" "$IMG" sh -c 'echo cs > /tmp/index.html; exec httpd -f -p 80 -h /tmp' >/dev/null
	holt start cs >/dev/null
	wait_http "http://127.0.0.1:$p/" cs
	holt restart -t 0 cs >/dev/null
	wait_http "http://127.0.0.1:$p/" cs
}

@test "-p with a range, -P and -p CTR pick ports that holt port reports" {
	local base
	# two free ports in a row, for a range
	base=$(python3 -c '
import socket
while True:
    a = socket.socket(); a.bind(("0.0.0.0", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("0.0.0.0", p + 1)); print(p); break
    except OSError:
        pass')
	holt run -d --name ranged -p "$base-$((base + 1)):80-81" -p 82 "$IMG" sleep 100
	run_holt port ranged
	check_output_has "80/tcp -> 0.0.0.0:$base"
	check_output_has "81/tcp -> 0.0.0.0:$((base + 1))"
	[[ $output =~ 82/tcp\ -\>\ 0.0.0.0:[0-9]+ ]] || { show_run; false; }

	# -P: the image's EXPOSEd ports, each on a free host port
	holt commit -c 'EXPOSE 80 90/udp' ranged exposing:1 >/dev/null
	holt run -d --name exposed -P exposing:1 sleep 100
	run_holt port exposed
	check_status 0
	[[ $output =~ 80/tcp\ -\>\ 0.0.0.0:[0-9]+ ]] || { show_run; false; }
	[[ $output =~ 90/udp\ -\>\ 0.0.0.0:[0-9]+ ]] || { show_run; false; }
	holt rm -f exposed >/dev/null
	holt rmi exposing:1 >/dev/null
}

@test "a host port in use is refused before the container starts; nothing is left running" {
	local p
	p=$(free_port)
	python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("0.0.0.0",int(sys.argv[1]))); s.listen(); time.sleep(30)' "$p" &
	local holder=$!
	sleep 0.3
	run_holt run --rm -p "$p:80" "$IMG" touch /ran
	kill "$holder"
	check_status 125
	[[ $stderr == *"publish 0.0.0.0:$p to 80/tcp"*"in use"* ]] || { show_run; false; }
	[ -z "$(live_net_procs)" ] || { echo "a helper is left"; false; }
	run_holt ps -aq
	check_output ""
}

@test "a published TCP port shows the container the client's address, not its own" {
	local p host_ip
	p=$(free_port)
	holt run -d --name peer -p "$p:80" "$IMG" sh -c "$PEER_SERVER"
	wait_http "http://127.0.0.1:$p/cgi-bin/peer" 127.0.0.1
	host_ip=$(ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1)
	if [ -n "$host_ip" ]; then
		wait_http "http://$host_ip:$p/cgi-bin/peer" "$host_ip"
	fi
	if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
		# over IPv4 to the container: ::1 is the host's loopback, 127.0.0.1
		wait_http "http://[::1]:$p/cgi-bin/peer" 127.0.0.1
	fi
	# the container's own traffic out is routed as before
	run_holt exec peer wget -qO- "http://10.0.2.2:$HTTP_PORT/"
	check_output "hello from the host"
}

@test "a published UDP port shows the container the client's address, not the gateway" {
	local p host_ip
	p=$(free_port)
	holt run -d --name upeer -p "$p:53/udp" "$IMG" holt-test-tool udp-echo 53
	run udp_ask 127.0.0.1 "$p" "peer?"
	check_output "peer: 127.0.0.1"
	host_ip=$(host_ipv4)
	if [ -n "$host_ip" ]; then
		run udp_ask "$host_ip" "$p" "peer?"
		check_output "peer: $host_ip"
	fi
	if host_ipv6; then
		# over IPv4 to the container: ::1 is the host's loopback, 127.0.0.1
		run udp_ask ::1 "$p" "peer?"
		check_output "peer: 127.0.0.1"
	fi
	# and the datagrams still flow both ways
	run udp_ask 127.0.0.1 "$p"
	check_output "echo: hi"
}

# proxy_pid t|u PORT: the pid of the proxy listening on TCP (t) or UDP (u) PORT (the
# pools of other suites have theirs); fails, showing what listens, if there is none.
proxy_pid()
{
	local pid
	pid=$(ss -Hl"$1"np "sport = :$2" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
	[ -n "$pid" ] || { ss -Hl"$1"np "sport = :$2" >&2; return 1; }
	echo "$pid"
}

@test "a flood of UDP clients holds at most 256 flows in the proxy; a new client is answered" {
	local p pid n
	p=$(free_port)
	holt run -d --name uflood -p "127.0.0.1:$p:53/udp" "$IMG" holt-test-tool udp-echo 53
	run udp_ask 127.0.0.1 "$p"
	check_output "echo: hi"
	pid=$(proxy_pid u "$p")
	# 400 clients, each from a port of its own, hold their sockets until all have sent
	python3 - "$p" <<'PY'
import socket, sys
socks = []
for _ in range(400):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", ("127.0.0.1", int(sys.argv[1])))
    socks.append(s)
PY
	run udp_ask 127.0.0.1 "$p"
	check_output "echo: hi"
	n=$(find "/proc/$pid/fd" -mindepth 1 | wc -l)
	[ "$n" -le 300 ] || { echo "the proxy holds $n fds"; false; }
	holt rm -f uflood >/dev/null
}

# hold_conns PORT N SECONDS [close]: opens N connections to 127.0.0.1:PORT, holds them
# idle for SECONDS, then (with close, after closing the others) sends a line on the last
# one and prints what comes back in 5 s.
hold_conns()
{
	python3 - "$@" <<'PY'
import socket, sys, time
port, n, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]
time.sleep(secs)
last = socks.pop()
if sys.argv[4:] == ["close"]:
    for s in socks:
        s.close()
last.settimeout(5)
last.sendall(b"hi\n")
reply = b""
try:
    while chunk := last.recv(4096):
        reply += chunk
except socket.timeout:
    pass
print(reply.decode(errors="replace").strip())
PY
}

# Waits until a connection to 127.0.0.1:$1 is answered with $2.
wait_tcp_reply()
{
	local i got=""
	for ((i = 0; i < 100; i++)); do
		got=$(hold_conns "$1" 1 0 2>/dev/null) && [ "$got" = "$2" ] && return 0
		sleep 0.05
	done
	echo "127.0.0.1:$1: wanted '$2', got '$got'"
	return 1
}

@test "the port proxy raises its fd limit: 300 connections held at once are all served" {
	local p
	p=$(free_port)
	# the soft limit holt starts with, far below 300 connections' fds; the hard one is not
	# (the server raises its own)
	(ulimit -Sn 64 && holt run -d --name tmany -p "127.0.0.1:$p:80" "$IMG" sh -c \
		'ulimit -n 1024 && exec holt-test-tool tcp-reply 80 many') >/dev/null
	wait_tcp_reply "$p" many
	run hold_conns "$p" 300 0
	check_output "many"
	holt rm -f tmany >/dev/null
}

@test "connections beyond the proxy's fds wait without spinning it, and are served after" {
	local p pid t0 t1
	p=$(free_port)
	# a hard limit of 64 fds: the proxy serves a few connections at once
	(ulimit -n 64 && holt run -d --name tfew -p "127.0.0.1:$p:80" "$IMG" \
		holt-test-tool tcp-reply 80 few) >/dev/null
	wait_tcp_reply "$p" few
	pid=$(proxy_pid t "$p")
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	# 40 idle connections for 2 s: the last waits in the backlog, and is answered once
	# the others are closed
	run hold_conns "$p" 40 2 close
	check_output "few"
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	# clock ticks (100 a second): a proxy spinning on its listener uses 200 and more
	((t1 - t0 < 50)) || { echo "the proxy used $((t1 - t0)) ticks in 2 s"; false; }
	holt rm -f tfew >/dev/null
}

@test "a container slow to accept holds up no other published connection" {
	local p1 p2
	p1=$(free_port)
	p2=$(free_port)
	# port 81 listens with a backlog of one and never accepts: connections to it wait
	holt run -d --name slow -p "127.0.0.1:$p1:80" -p "127.0.0.1:$p2:81" "$IMG" sh -c \
		'holt-test-tool tcp-listen 81 & exec holt-test-tool tcp-reply 80 quick' >/dev/null
	wait_tcp_reply "$p1" quick
	# a few connections to 81 that the container leaves waiting
	python3 - "$p2" <<'PY' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) for _ in range(8)]
time.sleep(2.5)
PY
	sleep 0.3
	run hold_conns "$p1" 1 0
	check_output "quick"
	wait
	holt rm -f slow >/dev/null
}

# --- IPv6, where the host has it ---------------------------------------------------------

# The host has IPv6 when something can bind its ::1.
ipv6_or_skip()
{
	host_ipv6 || skip "the host has no IPv6 loopback"
}

@test "IPv6: tap0 has fd00::100/64 routed via fd00::2, and inspect shows it" {
	ipv6_or_skip
	run_holt run --rm "$IMG" sh -c 'ip -6 addr show tap0 scope global; ip -6 route'
	check_status 0
	check_output_has "inet6 fd00::100/64 scope global"
	check_output_has "default via fd00::2 dev tap0"
	# the address is fixed: no second one from slirp's router advertisements
	[ "$(grep -c "scope global" <<<"$output")" = 1 ] || { show_run; false; }
	holt run -d --name v6 "$IMG" sleep 100
	run_holt inspect -f '{{.NetworkSettings.GlobalIPv6Address}}/{{.NetworkSettings.GlobalIPv6PrefixLen}} {{.NetworkSettings.IPv6Gateway}} {{.NetworkSettings.Networks.slirp.GlobalIPv6Address}}' v6
	check_output "fd00::100/64 fd00::2 fd00::100"
	holt stop -t 0 v6
	run_holt inspect -f '[{{.NetworkSettings.GlobalIPv6Address}}]' v6
	check_output "[]"
}

@test "IPv6: a container reaches a server on the host's [::1] via fd00::2" {
	ipv6_or_skip
	local p
	p=$(free_port)
	busybox httpd -f -p "[::1]:$p" -h "$HOLT_TMP/www" &
	local httpd=$!
	run_holt run --rm "$IMG" sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://[fd00::2]:$p/ && exit; sleep 0.1; done; exit 1"
	kill "$httpd"
	check_status 0
	check_output "hello from the host"
}

@test "IPv6: a published TCP port shows an IPv6 client its own address where the container listens on IPv6" {
	ipv6_or_skip
	local p4 p6 a6 hp
	a6=$(host_ipv6_global)
	[ -n "$a6" ] || skip "the host has no global IPv6 address"
	p6=$(free_port)
	p4=$(free_port)
	holt run -d --name peer6 -p "$p6:80" "$IMG" sh -c "${PEER_SERVER/0.0.0.0:80/[::]:80}"
	holt run -d --name peer4 -p "$p4:80" "$IMG" sh -c "$PEER_SERVER"
	# over IPv6 to the container's fd00::100, from the client's own address
	wait_http "http://[$a6]:$p6/cgi-bin/peer" "[$a6]"
	# IPv4 clients and ::1 still come over IPv4, as v4-mapped addresses to [::]
	wait_http "http://127.0.0.1:$p6/cgi-bin/peer" "[::ffff:127.0.0.1]"
	wait_http "http://[::1]:$p6/cgi-bin/peer" "[::ffff:127.0.0.1]"
	# a server on IPv4 alone refuses the IPv6 connection: the request, already read from
	# the client, goes to it over IPv4, from the container's own address
	wait_http "http://[$a6]:$p4/cgi-bin/peer" 10.0.2.100
	# the container's own connections to the gateway (the host's address here) still go
	# out through slirp: the replies routed to the proxy are those from published ports
	hp=$(free_port)
	busybox httpd -f -p "[::1]:$hp" -h "$HOLT_TMP/www" &
	local httpd=$!
	run_holt exec peer6 sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://[fd00::2]:$hp/ && exit; sleep 0.1; done; exit 1"
	kill "$httpd"
	check_status 0
	check_output "hello from the host"
}

@test "IPv6: -p answers on [::1] too; [::1]:HOST:CTR on [::1] alone; port, ps and inspect show it" {
	ipv6_or_skip
	local p1 p2
	p1=$(free_port)
	p2=$(free_port)
	holt run -d --name web6 -p "$p1:80" -p "[::1]:$p2:80" "$IMG" sh -c \
		'echo served > /tmp/index.html; exec httpd -f -p 80 -h /tmp'
	wait_http "http://[::1]:$p1/" served
	wait_http "http://127.0.0.1:$p1/" served
	wait_http "http://[::1]:$p2/" served
	run curl -s --noproxy '*' -m 2 "http://127.0.0.1:$p2/"
	[ "$status" -ne 0 ] || { echo "[::1]:$p2 answered on 127.0.0.1"; false; }
	run_holt port web6
	check_output "$(printf '80/tcp -> 0.0.0.0:%s\n80/tcp -> [::]:%s\n80/tcp -> [::1]:%s' "$p1" "$p1" "$p2")"
	run_holt port web6 80
	check_output "$(printf '0.0.0.0:%s\n[::]:%s\n[::1]:%s' "$p1" "$p1" "$p2")"
	run_holt ps --format '{{.Ports}}'
	check_output "0.0.0.0:$p1->80/tcp, [::]:$p1->80/tcp, [::1]:$p2->80/tcp"
	run_holt inspect -f '{{json .NetworkSettings.Ports}}' web6
	check_output "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$p1\"},{\"HostIp\":\"::\",\"HostPort\":\"$p1\"},{\"HostIp\":\"::1\",\"HostPort\":\"$p2\"}]}"
}

@test "IPv6: -p publishes UDP on [::1] too, and on [::1] alone" {
	ipv6_or_skip
	local p1 p2
	p1=$(free_port)
	p2=$(free_port)
	holt run -d --name udp6 -p "$p1:53/udp" -p "[::1]:$p2:54/udp" "$IMG" sh -c \
		'holt-test-tool udp-echo 54 & exec holt-test-tool udp-echo 53'
	run udp_ask ::1 "$p1"
	check_output "echo: hi"
	run udp_ask 127.0.0.1 "$p1"
	check_output "echo: hi"
	run udp_ask ::1 "$p2"
	check_output "echo: hi"
}

# --- the helper's life ------------------------------------------------------------------

@test "the net helper is gone after the container exits, after rm -f and after kill -9 of the monitor" {
	holt run --rm "$IMG" true
	wait_no_net_procs

	holt run -d --name h1 "$IMG" sleep 100
	[ -n "$(live_net_procs)" ] || { echo "no helper for a running container"; false; }
	holt rm -f h1
	wait_no_net_procs

	local id mpid
	id=$(holt run -d --name h2 -p "$(free_port):80" "$IMG" sleep 100)
	[ -n "$(live_net_procs)" ]
	mpid=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["MonitorPid"])' \
		"$HOLT_ROOT/containers/$id/state.json")
	[ "$(cat "/proc/$mpid/comm")" = holt-monitor ]
	kill -KILL "$mpid"
	wait_no_net_procs
}

@test "the net helper keeps CAP_SYS_PTRACE and CAP_NET_ADMIN alone; the port proxy CAP_NET_RAW" {
	holt run -d --name caps -p "$(free_port):80" "$IMG" sleep 100 >/dev/null
	local p n=0 want
	for p in $(live_net_procs); do
		# the helper's, over holt's user namespace, to take the sockets the container
		# connects and see their namespace; the proxy's: IP_TRANSPARENT, to keep
		# clients' addresses
		want=0000000000081000
		[ "$(cat "/proc/$p/comm")" = holt-ports ] && want=0000000000002000
		grep -E '^Cap(Eff|Prm):' "/proc/$p/status" | grep -v "$want\$" &&
			{ echo "process $p ($(cat "/proc/$p/comm")) keeps capabilities"; false; }
		grep -E '^CapBnd:' "/proc/$p/status" | grep -v '0000000000000000$' &&
			{ echo "process $p ($(cat "/proc/$p/comm")) keeps a bounding set"; false; }
		grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$p/status"
		n=$((n + 1))
	done
	[ "$n" -eq 2 ] || { echo "expected a helper and a proxy, found $n"; false; }
}
