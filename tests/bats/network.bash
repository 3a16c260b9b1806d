# Shared by 70_network.bats and 71_networks.bats: the host side of the tests (a web
# server on the host's loopback only), the network processes of this file's store, and
# a UDP client. Needs helpers.bash and registry.bash (free_port) loaded first.

# Starts busybox httpd on 127.0.0.1 serving "hello from the host"; its port is in
# $HOLT_TMP/httpd.port (setup reads it into HTTP_PORT).
host_httpd_start()
{
	mkdir -p "$HOLT_TMP/www"
	echo "hello from the host" >"$HOLT_TMP/www/index.html"
	HTTP_PORT=$(free_port)
	busybox httpd -f -p "127.0.0.1:$HTTP_PORT" -h "$HOLT_TMP/www" &
	echo $! >"$HOLT_TMP/httpd.pid"
	echo "$HTTP_PORT" >"$HOLT_TMP/httpd.port"
}

host_httpd_stop()
{
	[ -f "$HOLT_TMP/httpd.pid" ] && kill "$(cat "$HOLT_TMP/httpd.pid")" 2>/dev/null
	return 0
}

# Waits until URL answers with WANT.
wait_http()
{
	local url=$1 want=$2 i got=""
	for ((i = 0; i < 100; i++)); do
		got=$(curl -s -g --noproxy '*' -m 2 "$url" 2>/dev/null) && [ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	echo "$url: wanted '$want', got '$got'"
	return 1
}

# A web server on port 80 whose /cgi-bin/peer says the client's address, as httpd saw
# it; on IPv4 alone, or on [::] as "${PEER_SERVER/0.0.0.0:80/[::]:80}".
PEER_SERVER='mkdir -p /w/cgi-bin && printf "#!/bin/sh\necho Content-Type: text/plain\necho\necho \$REMOTE_ADDR\n" >/w/cgi-bin/peer && chmod +x /w/cgi-bin/peer && exec httpd -f -p 0.0.0.0:80 -h /w'

# The host's first global IPv6 address, or nothing.
host_ipv6_global()
{
	ip -6 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1
}

# The pids of this store's network processes that are alive (not zombies): the slirp
# helpers of default containers and of user networks, and their namespace holders.
live_net_procs()
{
	local p comm stat
	for p in $(pgrep -u "$UID" -f -- "$HOLT_ROOT" 2>/dev/null); do
		read -r comm <"/proc/$p/comm" 2>/dev/null || continue
		case $comm in holt-net | holt-netd | holt-netns | holt-ports) ;; *) continue ;; esac
		read -r stat <"/proc/$p/stat" 2>/dev/null || continue
		[[ ${stat##*) } == Z* ]] || echo "$p"
	done
}

# Waits up to 10 s for this store's network processes to be gone.
wait_no_net_procs()
{
	local i
	for ((i = 0; i < 200; i++)); do
		[ -z "$(live_net_procs)" ] && return 0
		sleep 0.05
	done
	echo "network processes still alive:"
	ps -o pid,ppid,stat,comm,args -p "$(live_net_procs | tr '\n' ',' | sed 's/,$//')"
	return 1
}

# The host's first global IPv4 address, or nothing.
host_ipv4()
{
	ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1
}

# The host has IPv6 when something can bind its ::1: holt then listens on [::] too for a
# port published on every address.
host_ipv6()
{
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null
}

# every_address PORT CTR/PROTO: what `holt port` prints for CTR/PROTO published on every
# address at host port PORT, as docker does: 0.0.0.0, and [::] where the host has IPv6.
every_address()
{
	printf '%s -> 0.0.0.0:%s' "$2" "$1"
	if host_ipv6; then printf '\n%s -> [::]:%s' "$2" "$1"; fi
}

# udp_ask HOST PORT [TEXT]: sends TEXT (default "hi") until an answer comes (10 s at
# most), prints it.
udp_ask()
{
	python3 - "$1" "$2" "${3:-hi}" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
for _ in range(50):
    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recv(100).decode())
        break
    except socket.timeout:
        pass
PY
}
