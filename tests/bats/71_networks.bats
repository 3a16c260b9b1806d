#!/usr/bin/env bats
# User networks: `holt network create/ls/inspect/rm/prune/connect/disconnect`, and
# containers on one network reaching each other by name and --network-alias through
# the network's embedded DNS, the host's loopback through the network's gateway (10.0.2.2's role),
# and nothing left running once the last container is gone. Loopback only.

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
	local n
	holt_rm_containers
	for n in $(holt network ls -q 2>/dev/null); do
		holt network rm "$n" >/dev/null 2>&1 || true
	done
}

json_get()
{
	python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# --- the network objects -------------------------------------------------------------------

@test "network create, ls, inspect (docker's shape), rm" {
	run_holt network create app
	check_status 0
	[[ $output =~ ^[0-9a-f]{64}$ ]] || { show_run; false; }
	local id=$output

	run_holt network ls
	check_status 0
	[[ $output == *NAME* ]] && [[ $output == *app* ]] && [[ $output == *bridge* ]] ||
		{ show_run; false; }
	run_holt network ls -q
	check_output "${id:0:12}"
	run_holt network ls --format '{{.Name}}'
	check_output "app"

	run_holt network inspect app
	check_status 0
	[ "$(json_get 'd[0]["Name"]' <<<"$output")" = app ]
	[ "$(json_get 'd[0]["Id"]' <<<"$output")" = "$id" ]
	[ "$(json_get 'd[0]["Driver"]' <<<"$output")" = bridge ]
	[[ $(json_get 'd[0]["IPAM"]["Config"][0]["Subnet"]' <<<"$output") =~ ^10\.89\.[0-9]+\.0/24$ ]]
	[[ $(json_get 'd[0]["IPAM"]["Config"][0]["Gateway"]' <<<"$output") =~ ^10\.89\.[0-9]+\.1$ ]]
	[ "$(json_get 'd[0]["Containers"]' <<<"$output")" = "{}" ]

	run_holt network create app
	check_holt_error '"app"'
	run_holt network create --subnet 10.99.0.0/24 --gateway 10.99.0.1 other
	check_status 0
	run_holt network inspect other
	[ "$(json_get 'd[0]["IPAM"]["Config"][0]["Subnet"]' <<<"$output")" = 10.99.0.0/24 ]

	run_holt network rm app other
	check_status 0
	run_holt network ls --format '{{.Name}}'
	check_output ""
	run_holt network inspect app
	check_holt_error '"app"'
}

@test "bad network names and options are refused and leave nothing" {
	run_holt network create host
	check_holt_error host
	run_holt network create 'a/b'
	check_status 125
	run_holt network create --subnet 10.1.2.3 x
	check_status 125
	run_holt network create --driver macvlan x
	check_status 125
	run_holt network create --subnet fd42:1::/64 x
	check_holt_error ipv6
	run_holt network create --ipv6 --subnet fd42:1::/130 x
	check_holt_error fd42:1::/130
	run_holt network create --ipv6 --subnet 10.98.0.0/16 --subnet fd42:1::/116 x
	check_holt_error "fewer hosts"
	run_holt network create --ipv6 --gateway fd42:1::1 x
	check_holt_error fd42:1::1
	run_holt network ls --format '{{.Name}}'
	check_output ""
	run_holt run --rm --network nosuchnet "$IMG" true
	check_holt_error nosuchnet
	run_holt run --rm --network-alias x "$IMG" true
	check_holt_error network-alias
	holt network create app >/dev/null
	run_holt run --rm --network app --network-alias 'a b' "$IMG" true
	check_holt_error 'a b'
	run_holt run --rm --network app --ip 10.1.1.1 "$IMG" true
	check_holt_error 10.1.1.1
	holt network rm app >/dev/null
	[ -z "$(holt ps -aq)" ]
}

@test "network prune removes the unused networks only" {
	holt network create used >/dev/null
	holt network create unused >/dev/null
	holt create --name user --network used "$IMG" true >/dev/null
	run_holt network prune -f
	check_status 0
	check_output "unused"
	run_holt network ls --format '{{.Name}}'
	check_output "used"
}

@test "system prune removes the networks no container is on, as docker's" {
	holt network create keptnet >/dev/null
	holt network create gonenet >/dev/null
	holt create --name keeper --network keptnet "$IMG" sleep 100 >/dev/null
	holt start keeper >/dev/null
	run_holt system prune -f
	check_status 0
	run_holt network ls --format '{{.Name}}'
	check_output "keptnet"
}

@test "network rm refuses a network in use, running or not" {
	holt network create busy >/dev/null
	holt create --name c1 --network busy "$IMG" true >/dev/null
	run_holt network rm busy
	check_holt_error busy
	[[ $stderr == *c1* ]] || { show_run; false; }
	holt rm c1
	holt run -d --name c2 --network busy "$IMG" sleep 100 >/dev/null
	run_holt network rm busy
	check_holt_error busy
	run_holt network rm -f busy
	check_status 0
	[ -z "$(holt ps -aq)" ] || { echo "rm -f left the container"; holt ps -a; false; }
	wait_no_net_procs
}

# --- containers on a network ---------------------------------------------------------------

@test "two containers on a network reach each other by name and by alias" {
	holt network create app >/dev/null
	holt run -d --network app --name db --network-alias database "$IMG" \
		sh -c 'while true; do echo pong | nc -l -p 7000; done' >/dev/null
	run_holt run --rm --network app "$IMG" busybox ping -c1 -W5 db
	check_status 0
	run_holt run --rm --network app "$IMG" busybox ping -c1 -W5 database
	check_status 0
	run_holt run --rm --network app "$IMG" sh -c 'nc -w5 db 7000 </dev/null'
	check_status 0
	check_output "pong"
	run_holt run --rm --network app "$IMG" nslookup database
	check_status 0
	[[ $output == *10.89.* ]] || { show_run; false; }
	# the network's resolver alone: it passes other names on to the host's
	run_holt run --rm --network app "$IMG" grep -c '^nameserver' /etc/resolv.conf
	check_output 1
	run_holt run --rm --network app "$IMG" grep '^nameserver' /etc/resolv.conf
	check_output "nameserver 10.89.0.254"
}

# resolves NET NAME: a container on network NET finds NAME through its resolver.
resolves()
{
	holt run --rm --network "$1" "$IMG" nslookup "$2" >/dev/null 2>&1
}

@test "aliases are per network: --network-alias on the first, network connect --alias on its own" {
	holt network create na >/dev/null
	holt network create nb >/dev/null
	holt run -d --name two --network na --network nb --network-alias aliasa "$IMG" \
		sleep 100 >/dev/null
	holt network create nc >/dev/null
	holt network connect --alias aliasc nc two
	local round
	for round in first restarted; do
		resolves na two && resolves nb two && resolves nc two
		resolves na aliasa
		! resolves nb aliasa || { echo "$round: aliasa on nb"; false; }
		! resolves nc aliasa || { echo "$round: aliasa on nc"; false; }
		resolves nc aliasc
		! resolves na aliasc || { echo "$round: aliasc on na"; false; }
		run_holt inspect -f '{{.NetworkSettings.Networks.na.Aliases}} {{.NetworkSettings.Networks.nb.Aliases}} {{.NetworkSettings.Networks.nc.Aliases}}' two
		check_output "[aliasa] [] [aliasc]"
		holt restart -t 0 two >/dev/null
	done
	# leaving a network forgets the aliases there
	holt network disconnect nc two
	holt network connect nc two
	run_holt inspect -f '{{.NetworkSettings.Networks.nc.Aliases}}' two
	check_output "[]"
}

@test "containers starting at once on a network share one helper and get distinct addresses" {
	holt network create app >/dev/null
	local i
	for i in 1 2 3 4 5 6; do
		holt run --rm --network app "$IMG" sh -c 'sleep 1; ip -4 addr show eth0' \
			>"$HOLT_TMP/par$i.out" 2>&1 &
	done
	wait
	local addrs
	addrs=$(grep -ho 'inet 10\.89\.[0-9.]*' "$HOLT_TMP"/par*.out | sort -u | wc -l)
	[ "$addrs" -eq 6 ] || { cat "$HOLT_TMP"/par*.out; false; }
	wait_no_net_procs
}

@test "inspect shows the container on its network, with its address" {
	holt network create app >/dev/null
	holt run -d --network app --name web --network-alias www "$IMG" sleep 100 >/dev/null
	run_holt inspect web
	check_status 0
	local addr
	addr=$(json_get 'd[0]["NetworkSettings"]["Networks"]["app"]["IPAddress"]' <<<"$output")
	[[ $addr =~ ^10\.89\.[0-9]+\.[0-9]+$ ]] || { show_run; false; }
	[[ $(json_get 'd[0]["NetworkSettings"]["Networks"]["app"]["Aliases"]' <<<"$output") == *www* ]]
	run_holt network inspect app
	check_status 0
	[ "$(json_get 'list(d[0]["Containers"].values())[0]["Name"]' <<<"$output")" = web ]
	[[ $(json_get 'list(d[0]["Containers"].values())[0]["IPv4Address"]' <<<"$output") == "$addr/24" ]]
}

@test "restart, stop/start and exec: a container gets its network, name and alias again" {
	holt network create app >/dev/null
	holt run -d --network app --name again --network-alias again2 "$IMG" sleep 100 >/dev/null
	holt restart -t 0 again >/dev/null
	run_holt exec again sh -c 'ip -4 addr show eth0'
	check_status 0
	[[ $output == *"inet 10.89."* ]] || { show_run; false; }
	run_holt run --rm --network app "$IMG" busybox ping -c1 -W5 again2
	check_status 0
	holt stop -t 0 again >/dev/null
	holt start again >/dev/null
	run_holt run --rm --network app "$IMG" busybox ping -c1 -W5 again
	check_status 0
}

@test "a container on a network reaches the host's loopback through the gateway" {
	holt network create app >/dev/null
	local gw
	gw=$(holt network inspect app | json_get 'd[0]["IPAM"]["Config"][0]["Gateway"]')
	run_holt run --rm --network app "$IMG" wget -qO- "http://$gw:$HTTP_PORT/"
	check_status 0
	check_output "hello from the host"
	run_holt run --rm --network app "$IMG" wget -qO- "http://host.containers.internal:$HTTP_PORT/"
	check_status 0
	check_output "hello from the host"
}

@test "DNS on a network: the containers' names, and the host's resolver (dnsmasq) for the rest" {
	command -v dnsmasq >/dev/null || skip "dnsmasq not installed (apt-get install dnsmasq-base)"
	# as in 70_network.bats: dnsmasq on port 53 of the loopback of a network namespace of
	# the test user's own, where holt runs too
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
		h() { HOLT_RESOLV_CONF="$d/resolv.conf" "$HOLT" --root "$d/root" "\$@"; }
		trap 'h rm -f dnsdb >/dev/null 2>&1; h network rm dnsnet >/dev/null 2>&1;
			h rmi dns:1 >/dev/null 2>&1; kill \$dp' EXIT
		for i in \$(seq 50); do [ -s "$d/dnsmasq.pid" ] && break; sleep 0.05; done
		export XDG_RUNTIME_DIR="$d/run"
		h import "$HOLT_FIXTURES/rootfs.tar.gz" dns:1 >/dev/null
		h network create dnsnet >/dev/null
		h run -d --network dnsnet --name dnsdb --network-alias dbalias dns:1 sleep 100 >/dev/null
		h run --rm --network dnsnet dns:1 sh -c 'cat /etc/resolv.conf;
			nslookup -type=a only-dnsmasq.test; nslookup dbalias'
	EOF
	run --separate-stderr timeout 60 unshare -rn bash "$d/inside.sh"
	check_status 0
	check_output_has "Address: 192.0.2.77"
	check_output_has "Name:	dbalias"
	check_output_has "Address: 10.89.0.2"
}

@test "-p publishes a TCP port of a container on a network" {
	holt network create app >/dev/null
	local port
	port=$(free_port)
	holt run -d --network app --name pub -p "127.0.0.1:$port:80" "$IMG" sh -c \
		'mkdir /w && echo from-the-network >/w/index.html && busybox httpd -f -p 80 -h /w' \
		>/dev/null
	local i got=""
	for ((i = 0; i < 100; i++)); do
		got=$(curl -s --noproxy '*' -m 2 "http://127.0.0.1:$port/" 2>/dev/null) &&
			[ "$got" = from-the-network ] && break
		sleep 0.05
	done
	[ "$got" = from-the-network ] || { echo "got '$got'"; false; }
	run_holt port pub
	check_output "80/tcp -> 127.0.0.1:$port"
}

@test "a published port on a network: the host's client and another container each seen as itself" {
	holt network create app >/dev/null
	local port
	port=$(free_port)
	holt run -d --network app --name web -p "$port:80" "$IMG" sh -c "$PEER_SERVER" >/dev/null
	wait_http "http://127.0.0.1:$port/cgi-bin/peer" 127.0.0.1
	# the replies to another container on the network still go to it, not to the proxy
	run_holt run --rm --network app --name client "$IMG" sh -c \
		'wget -qO- http://web/cgi-bin/peer; ip -4 -o addr show eth0'
	check_status 0
	local mine
	mine=$(awk '/inet /{print $4}' <<<"$output" | cut -d/ -f1)
	[ "$(head -1 <<<"$output")" = "$mine" ] || { show_run; false; }
}

@test "-p publishes a UDP port of a container on a network; two clients get their own answers" {
	holt network create app >/dev/null
	local p1 p2
	p1=$(free_port)
	p2=$(free_port)
	holt run -d --network app --name udp -p "127.0.0.1:$p1:53/udp" -p "$p2:54/udp" "$IMG" \
		sh -c 'holt-test-tool udp-echo 54 & exec holt-test-tool udp-echo 53' >/dev/null
	run udp_ask 127.0.0.1 "$p1"
	check_output "echo: hi"
	run udp_ask 127.0.0.1 "$p2"
	check_output "echo: hi"
	# each client its own flow: the replies go back to the right one
	run python3 - "$p1" <<'PY'
import socket, sys
a, b = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
for s in (a, b):
    s.settimeout(5)
a.sendto(b"from-a", ("127.0.0.1", int(sys.argv[1])))
b.sendto(b"from-b", ("127.0.0.1", int(sys.argv[1])))
print(a.recv(100).decode(), b.recv(100).decode())
PY
	check_output "echo: from-a echo: from-b"
	run_holt port udp
	check_output "53/udp -> 127.0.0.1:$p1
$(every_address "$p2" 54/udp)"
	if host_ipv6; then
		run udp_ask ::1 "$p2"
		check_output "echo: hi"
	fi
	# the container sees each client's own address
	run udp_ask 127.0.0.1 "$p2" "peer?"
	check_output "peer: 127.0.0.1"
	local host_ip
	host_ip=$(host_ipv4)
	if [ -n "$host_ip" ]; then
		run udp_ask "$host_ip" "$p2" "peer?"
		check_output "peer: $host_ip"
	fi
	# a UDP port in use is refused before the container starts
	run_holt run --rm --network app -p "127.0.0.1:$p1:53/udp" "$IMG" touch /ran
	check_status 125
	[[ $stderr == *"publish 127.0.0.1:$p1 to 53/udp"* ]] || { show_run; false; }
}

@test "an --internal network: containers reach each other, nothing outside" {
	holt network create --internal closed >/dev/null
	run_holt network inspect closed
	[ "$(json_get 'd[0]["Internal"]' <<<"$output")" = True ]
	holt run -d --network closed --name inside "$IMG" sleep 100 >/dev/null
	run_holt run --rm --network closed "$IMG" busybox ping -c1 -W5 inside
	check_status 0
	local gw
	gw=$(holt network inspect closed | json_get 'd[0]["IPAM"]["Config"][0]["Gateway"]')
	run_holt run --rm --network closed "$IMG" wget -T 3 -qO- "http://$gw:$HTTP_PORT/"
	[ "$status" -ne 0 ] || { show_run; false; }
}

@test "containers on different networks do not reach each other" {
	holt network create n1 >/dev/null
	holt network create n2 >/dev/null
	holt run -d --network n1 --name a1 "$IMG" sleep 100 >/dev/null
	local addr
	addr=$(holt inspect a1 | json_get 'd[0]["NetworkSettings"]["Networks"]["n1"]["IPAddress"]')
	run_holt run --rm --network n2 "$IMG" busybox ping -c1 -W2 a1
	[ "$status" -ne 0 ] || { show_run; false; }
	run_holt run --rm --network n2 "$IMG" busybox ping -c1 -W2 "$addr"
	[ "$status" -ne 0 ] || { show_run; false; }
	run_holt run --rm --network n1 "$IMG" busybox ping -c1 -W5 a1
	check_status 0
}

# --- IPv6 on a network (--ipv6) ----------------------------------------------------------------

@test "--ipv6: containers get an IPv6 address too and reach each other by name and alias over it" {
	holt network create --ipv6 --subnet fd42:4242:1::/64 six >/dev/null
	holt run -d --network six --name srv6 --network-alias alias6 "$IMG" sh -c \
		'mkdir /w && echo over-ipv6 >/w/index.html && exec busybox httpd -f -p 80 -h /w' \
		>/dev/null
	run_holt exec srv6 sh -c 'ip -6 addr show eth0 scope global; ip -6 route; cat /etc/hosts'
	check_status 0
	[[ $output =~ fd42:4242:1::2[[:space:]].*srv6 ]] || { show_run; false; }
	check_output_has "inet6 fd42:4242:1::2/64 scope global"
	check_output_has "default via fd42:4242:1::1 dev eth0"
	# the address is fixed: no second one from the helper's router advertisements
	[ "$(grep -c "scope global" <<<"$output")" = 1 ] || { show_run; false; }
	run_holt run --rm --network six "$IMG" sh -c \
		'busybox ping -6 -c1 -W5 srv6 && busybox ping -6 -c1 -W5 alias6 &&
		 nslookup -type=AAAA srv6 && wget -qO- "http://[fd42:4242:1::2]/"'
	check_status 0
	check_output_has "fd42:4242:1::2"
	check_output_has "over-ipv6"

	run_holt inspect srv6
	check_status 0
	[ "$(json_get 'd[0]["NetworkSettings"]["Networks"]["six"]["GlobalIPv6Address"]' <<<"$output")" = fd42:4242:1::2 ]
	[ "$(json_get 'd[0]["NetworkSettings"]["Networks"]["six"]["GlobalIPv6PrefixLen"]' <<<"$output")" = 64 ]
	[ "$(json_get 'd[0]["NetworkSettings"]["Networks"]["six"]["IPv6Gateway"]' <<<"$output")" = fd42:4242:1::1 ]
	run_holt inspect -f '{{.NetworkSettings.GlobalIPv6Address}} {{.NetworkSettings.IPv6Gateway}}' srv6
	check_output "fd42:4242:1::2 fd42:4242:1::1"
	run_holt network inspect six
	check_status 0
	[ "$(json_get 'd[0]["EnableIPv6"]' <<<"$output")" = True ]
	[ "$(json_get 'd[0]["IPAM"]["Config"][1]["Subnet"]' <<<"$output")" = fd42:4242:1::/64 ]
	[ "$(json_get 'd[0]["IPAM"]["Config"][1]["Gateway"]' <<<"$output")" = fd42:4242:1::1 ]
	[ "$(json_get 'list(d[0]["Containers"].values())[0]["IPv6Address"]' <<<"$output")" = fd42:4242:1::2/64 ]

	# network connect gives a running container its IPv6 address on the network too
	holt run -d --name roamer "$IMG" sleep 100 >/dev/null
	holt network connect six roamer
	run_holt exec roamer sh -c 'ip -6 addr show eth0 scope global; busybox ping -6 -c1 -W5 fd42:4242:1::2'
	check_status 0
	check_output_has "inet6 fd42:4242:1::3/64 scope global"
}

@test "--ipv6: a published port shows an IPv6 client its own address; replies to the network still go to it" {
	local a6 port
	a6=$(host_ipv6_global)
	[ -n "$a6" ] || skip "the host has no global IPv6 address"
	holt network create --ipv6 --subnet fd42:4242:7::/64 six7 >/dev/null
	port=$(free_port)
	holt run -d --network six7 --name web6 -p "$port:80" "$IMG" sh -c "${PEER_SERVER/0.0.0.0:80/[::]:80}" >/dev/null
	# over IPv6 to fd42:4242:7::2, from the client's own address
	wait_http "http://[$a6]:$port/cgi-bin/peer" "[$a6]"
	wait_http "http://127.0.0.1:$port/cgi-bin/peer" "[::ffff:127.0.0.1]"
	# another container on the network reaches the server over IPv6 itself: the replies
	# from the published port to the network's subnet take its route, not the proxy's
	run_holt run --rm --network six7 "$IMG" sh -c \
		'timeout 5 wget -qO- "http://[fd42:4242:7::2]/cgi-bin/peer"; ip -6 -o addr show eth0 scope global'
	check_status 0
	local mine
	mine=$(awk '/inet6 /{print $4}' <<<"$output" | cut -d/ -f1)
	[ "$(head -1 <<<"$output")" = "[$mine]" ] || { show_run; false; }
}

@test "--ipv6 without --subnet takes a /64 of fd00::/8; a network without --ipv6 stays IPv4 only" {
	holt network create --ipv6 auto6 >/dev/null
	holt network create plain >/dev/null
	local subnet
	subnet=$(holt network inspect auto6 | json_get 'd[0]["IPAM"]["Config"][1]["Subnet"]')
	[[ $subnet =~ ^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::/64$ ]] || { echo "$subnet"; false; }
	# another network may not take an overlapping IPv6 subnet
	run_holt network create --ipv6 --subnet "${subnet%::/64}::1:0:0/96" clash
	check_holt_error overlaps
	run_holt network ls --format '{{.Name}} {{.IPv6}}'
	check_output "$(printf 'auto6 true\nplain false')"

	holt run -d --network plain --name p4 "$IMG" sleep 100 >/dev/null
	run_holt exec p4 ip -6 addr show eth0 scope global
	check_status 0
	check_output ""
	run_holt run --rm --network plain "$IMG" busybox ping -6 -c1 -W2 p4
	[ "$status" -ne 0 ] || { show_run; false; }
	run_holt inspect -f '[{{.NetworkSettings.GlobalIPv6Address}}] [{{.NetworkSettings.IPv6Gateway}}]' p4
	check_output "[] []"
	run_holt network inspect plain
	[ "$(json_get 'd[0]["EnableIPv6"]' <<<"$output")" = False ]
	[ "$(json_get 'len(d[0]["IPAM"]["Config"])' <<<"$output")" = 1 ]
	[ "$(json_get 'list(d[0]["Containers"].values())[0]["IPv6Address"]' <<<"$output")" = "" ]
}

@test "--ipv6: a container reaches a server on the host's [::1] through the network's IPv6 gateway" {
	host_ipv6 || skip "the host has no IPv6 loopback"
	holt network create --ipv6 --subnet fd42:4242:2::/64 six >/dev/null
	local p
	p=$(free_port)
	busybox httpd -f -p "[::1]:$p" -h "$HOLT_TMP/www" &
	local httpd=$!
	run_holt run --rm --network six "$IMG" sh -c \
		"for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://[fd42:4242:2::1]:$p/ && exit; sleep 0.1; done; exit 1"
	kill "$httpd"
	check_status 0
	check_output "hello from the host"
}

@test "network connect and disconnect a running container" {
	holt network create n1 >/dev/null
	holt network create n2 >/dev/null
	holt run -d --network n1 --name srv "$IMG" sleep 100 >/dev/null
	run_holt run --rm --network n2 "$IMG" busybox ping -c1 -W2 srv
	[ "$status" -ne 0 ] || { show_run; false; }
	run_holt network connect --alias srv2 n2 srv
	check_status 0
	run_holt run --rm --network n2 "$IMG" busybox ping -c1 -W5 srv2
	check_status 0
	run_holt network disconnect n2 srv
	check_status 0
	run_holt run --rm --network n2 "$IMG" busybox ping -c1 -W2 srv
	[ "$status" -ne 0 ] || { show_run; false; }
	# a container on the default network joins one too, and keeps it in use
	holt run -d --name dflt "$IMG" sleep 100 >/dev/null
	run_holt network connect n2 dflt
	check_status 0
	run_holt run --rm --network n2 "$IMG" busybox ping -c1 -W5 dflt
	check_status 0
	run_holt exec dflt wget -qO- "http://10.0.2.2:$HTTP_PORT/"
	check_output "hello from the host"
	run_holt network rm n2
	check_holt_error dflt
	holt create --name dfltstopped "$IMG" true >/dev/null
	run_holt network connect n2 dfltstopped
	check_holt_error "not running"
	# a stopped container on a user network is put on another for its next start
	holt create --name later --network n1 "$IMG" sleep 100 >/dev/null
	run_holt network connect n2 later
	check_status 0
	holt start later >/dev/null
	run_holt run --rm --network n2 "$IMG" busybox ping -c1 -W5 later
	check_status 0
}

@test "nothing is left running after the containers exit, rm -f, kill -9 of a monitor" {
	holt network create app >/dev/null
	holt run --rm --network app "$IMG" true
	wait_no_net_procs

	holt run -d --network app --name k1 "$IMG" sleep 100 >/dev/null
	holt run -d --network app --name k2 "$IMG" sleep 100 >/dev/null
	[ -n "$(live_net_procs)" ] || { echo "no network helper for running containers"; false; }
	holt rm -f k1
	[ -n "$(live_net_procs)" ] || { echo "the helper left with a container still on"; false; }
	holt rm -f k2
	wait_no_net_procs

	local id mpid
	id=$(holt run -d --network app --name k3 "$IMG" sleep 100)
	mpid=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["MonitorPid"])' \
		"$HOLT_ROOT/containers/$id/state.json")
	[ "$(cat "/proc/$mpid/comm")" = holt-monitor ]
	kill -KILL "$mpid"
	wait_no_net_procs
	holt rm -f k3 >/dev/null 2>&1 || true

	run_holt network rm app
	check_status 0
	wait_no_net_procs
}

@test "network rm ends a helper in its last seconds and leaves no runtime state" {
	holt network create app >/dev/null
	holt run --rm --network app "$IMG" true
	holt network rm app
	wait_no_net_procs
	[ ! -e "$HOLT_RUNROOT/networks/app" ] || { ls -la "$HOLT_RUNROOT/networks/app"; false; }
}

@test "the network helper and its namespace holder keep no capabilities" {
	holt network create app >/dev/null
	holt run -d --network app --name caps "$IMG" sleep 100 >/dev/null
	local p n=0
	for p in $(live_net_procs); do
		case $(cat "/proc/$p/comm") in holt-netd | holt-netns) ;; *) continue ;; esac
		grep -E '^Cap(Eff|Prm|Bnd):' "/proc/$p/status" | grep -v '0000000000000000$' &&
			{ echo "process $p keeps capabilities"; false; }
		grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$p/status"
		n=$((n + 1))
	done
	[ "$n" -eq 2 ] || { echo "expected a network helper and a holder, found $n"; false; }
}
