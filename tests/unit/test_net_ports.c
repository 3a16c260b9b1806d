/* ports_parse, ports_add_exposed and the PortBindings round trip; container_net's
 * /etc/hosts and /etc/resolv.conf. */
#include "core/base/util.h"
#include "core/container_net.h"
#include "net/ports.h"
#include "tap.h"

#include <string.h>

static void test_parse_good(void)
{
	struct port_map *m = NULL;
	size_t n = 0;
	struct holt_err err = {0};

	ok(ports_parse("8080:80", &m, &n, &err) == 0 && n == 1 && m[0].host_port == 8080 &&
	       m[0].ctr_port == 80 && !m[0].udp && !*m[0].host_ip,
	   "HOST:CTR");
	ok(ports_parse("127.0.0.1:5353:53/udp", &m, &n, &err) == 0 && n == 2 &&
	       !strcmp(m[1].host_ip, "127.0.0.1") && m[1].host_port == 5353 &&
	       m[1].ctr_port == 53 && m[1].udp,
	   "IP:HOST:CTR/udp");
	ok(ports_parse("80", &m, &n, &err) == 0 && n == 3 && m[2].host_port == 0 &&
	       m[2].ctr_port == 80,
	   "CTR alone: a host port chosen at start");
	ok(ports_parse("127.0.0.1::90", &m, &n, &err) == 0 && n == 4 && m[3].host_port == 0 &&
	       !strcmp(m[3].host_ip, "127.0.0.1"),
	   "IP::CTR");
	ok(ports_parse("8000-8002:80-82/tcp", &m, &n, &err) == 0 && n == 7 &&
	       m[4].host_port == 8000 && m[6].host_port == 8002 && m[6].ctr_port == 82,
	   "ranges map port by port");
	ok(ports_parse("0.0.0.0:81:81", &m, &n, &err) == 0 && n == 8 && !*m[7].host_ip,
	   "0.0.0.0 is every address");
	ok(ports_parse("[::1]:8080:80", &m, &n, &err) == 0 && n == 9 &&
	       !strcmp(m[8].host_ip, "::1") && m[8].host_port == 8080 && ports_ipv6(&m[8]),
	   "[IPV6]:HOST:CTR");
	ok(ports_parse("[0:0::1]::53/udp", &m, &n, &err) == 0 && n == 10 &&
	       !strcmp(m[9].host_ip, "::1") && m[9].host_port == 0 && m[9].udp,
	   "[IPV6]::CTR, the address spelt as inet_ntop does");
	ok(!ports_ipv6(&m[1]) && !ports_ipv6(&m[0]), "IPv4 and every address are not IPv6");
	free(m);
}

static void test_parse_bad(void)
{
	static const char *const bad[] = {
	    "",		  "0:80",	 "80:99999",	    "x:80",
	    "80/sctp",	  "1.2.3:80:80", "80-79:80-81",	    "8000-8002:80-81",
	    "[::1:80:80", "[::1]:80",	 "[1.2.3.4]:80:80", "[::1]80:80",
	    "::1:80:80",  "80:"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct port_map *m = NULL;
		size_t n = 0;
		struct holt_err err = {0};
		ok(ports_parse(bad[i], &m, &n, &err) < 0 && n == 0 && err.msg &&
		       strstr(err.msg, "--publish"),
		   "\"%s\" refused: %s", bad[i], err.msg ? err.msg : "(no message)");
		holt_err_release(&err);
		free(m);
	}
}

static void test_exposed_and_json(void)
{
	struct port_map *m = NULL;
	size_t n = 0;
	struct holt_err err = {0};
	char *exposed[] = {"80/tcp", "53/udp", "9/sctp", "8080/tcp", NULL};

	ports_parse("8080:80", &m, &n, &err);
	ports_add_exposed(exposed, &m, &n);
	ok(n == 3 && m[1].ctr_port == 53 && m[1].udp && m[2].ctr_port == 8080,
	   "-P adds the exposed ports not published already, and no sctp");
	json_object *j = ports_to_json(m, n);
	ok(!strcmp(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE),
		   "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}],"
		   "\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}],"
		   "\"8080/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}"),
	   "docker's PortBindings shape: %s",
	   json_object_to_json_string_ext(j,
					  JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	struct port_map *back = NULL;
	size_t nb = 0;
	ports_from_json(j, &back, &nb);
	ok(nb == n && !memcmp(back, m, n * sizeof *m), "PortBindings read back as written");
	json_object_put(j);
	free(back);
	free(m);
}

static void test_bound(void)
{
	struct port_map *m = NULL, *b = NULL;
	size_t n = 0, nb = 0;
	struct holt_err err = {0};

	ports_parse("8080:80", &m, &n, &err);
	ports_parse("127.0.0.1:53:53/udp", &m, &n, &err);
	ports_parse("[::1]:81:81", &m, &n, &err);
	ports_bound(m, n, true, &b, &nb);
	ok(nb == 4 && !strcmp(b[0].host_ip, "0.0.0.0") && !strcmp(b[1].host_ip, "::") &&
	       b[1].host_port == 8080 && b[1].ctr_port == 80 &&
	       !strcmp(b[2].host_ip, "127.0.0.1") && !strcmp(b[3].host_ip, "::1"),
	   "every address is 0.0.0.0 and [::] with IPv6, an address itself alone");
	json_object *j = ports_to_json(b, nb);
	int plain = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	ok(!strcmp(json_object_to_json_string_ext(j, plain),
		   "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"},"
		   "{\"HostIp\":\"::\",\"HostPort\":\"8080\"}],"
		   "\"53/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"53\"}],"
		   "\"81/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"81\"}]}"),
	   "docker's NetworkSettings.Ports shape: %s", json_object_to_json_string_ext(j, plain));
	struct port_map *back = NULL;
	size_t n_back = 0;
	ports_from_json(j, &back, &n_back);
	ok(n_back == nb && !strcmp(back[0].host_ip, "0.0.0.0"), "0.0.0.0 reads back as written");
	json_object_put(j);
	free(back);
	free(b);
	ports_bound(m, n, false, &b, &nb);
	ok(nb == 3 && !strcmp(b[0].host_ip, "0.0.0.0"), "without IPv6, every address is 0.0.0.0");
	free(b);
	free(m);
}

static void test_etc_files(void)
{
	struct container_net n = {0};
	struct holt_err err = {0};

	ok(container_net_add_host(&n, "db:10.1.2.3", &err) == 0 &&
	       container_net_add_host(&n, "gw:host-gateway", &err) == 0 &&
	       container_net_add_host(&n, "v6:::1", &err) == 0,
	   "--add-host takes NAME:IP, host-gateway and IPv6");
	ok(container_net_add_host(&n, "db", &err) < 0 &&
	       container_net_add_host(&n, ":1.2.3.4", &err) < 0 &&
	       container_net_add_host(&n, "x:notanip", &err) < 0,
	   "--add-host refuses no IP, no name, a bad IP");
	holt_err_release(&err);
	cleanup_free char *hosts = container_net_hosts(NETWORK_SLIRP, &n, "h1", "web");
	ok(strstr(hosts, "10.0.2.100\th1 web\n") &&
	       strstr(hosts, "10.0.2.2\thost.containers.internal host.docker.internal\n") &&
	       strstr(hosts, "10.1.2.3\tdb\n") && strstr(hosts, "10.0.2.2\tgw\n") &&
	       strstr(hosts, "::1\tv6\n"),
	   "slirp hosts: %s", hosts);
	cleanup_free char *user =
	    container_net_hosts_user(&n, "h1", "web", "10.89.0.2", "fd42::2", "10.89.0.1");
	ok(strstr(user, "10.89.0.2\th1 web\nfd42::2\th1 web\n") &&
	       strstr(user, "10.89.0.1\thost.containers.internal"),
	   "user network hosts, with the IPv6 address: %s", user);
	cleanup_free char *none = container_net_hosts(NETWORK_NONE, &n, "h1", "web");
	ok(strstr(none, "127.0.1.1\th1 web\n") && !strstr(none, "host.containers.internal") &&
	       strstr(none, "127.0.0.1\tgw\n"),
	   "none hosts: %s", none);

	const char *host = "domain x.test\nsearch a.test b.test\nnameserver 127.0.0.53\n"
			   "nameserver 192.0.2.1\nnameserver 127.0.0.1\noptions edns0 trust-ad\n";
	cleanup_free char *r = container_net_resolv(NETWORK_SLIRP, &n, host);
	ok(!strcmp(r, "search a.test b.test\nnameserver 10.0.2.3\nnameserver 192.0.2.1\n"
		      "options edns0 trust-ad\n"),
	   "slirp: loopback resolvers become 10.0.2.3 once: %s", r);
	cleanup_free char *rn = container_net_resolv(NETWORK_NONE, &n, host);
	ok(!strcmp(rn, "search a.test b.test\nnameserver 192.0.2.1\noptions edns0 trust-ad\n"),
	   "none: loopback resolvers dropped: %s", rn);
	cleanup_free char *re = container_net_resolv(NETWORK_SLIRP, &n, "");
	ok(!strcmp(re, "nameserver 10.0.2.3\n"), "slirp, no host resolvers: 10.0.2.3: %s", re);
	strv_push(&n.dns, "9.9.9.9");
	strv_push(&n.dns_options, "ndots:2");
	strv_push(&n.dns_search, "c.test");
	cleanup_free char *rd = container_net_resolv(NETWORK_SLIRP, &n, host);
	ok(!strcmp(rd, "search c.test\nnameserver 9.9.9.9\noptions ndots:2\n"),
	   "--dns, --dns-search, --dns-option replace the host's: %s", rd);
	container_net_release(&n);
}

static void test_aliases(void)
{
	struct container_net n = {0}, back = {0};
	enum container_network mode;
	strv_push(&n.networks, "na");
	strv_push(&n.networks, "nb");
	strv_push(&n.aliases, "first");
	container_net_add_aliases(&n, "nb", (char *[]){"b1", "b2", NULL});
	container_net_add_aliases(&n, "nb", (char *[]){"b1", NULL});
	cleanup_strv char **on_a = container_net_aliases_on(&n, "na");
	cleanup_strv char **on_b = container_net_aliases_on(&n, "nb");
	cleanup_strv char **on_c = container_net_aliases_on(&n, "n");
	ok(strv_len(on_a) == 1 && !strcmp(on_a[0], "first"),
	   "--network-alias: the first network's");
	ok(strv_len(on_b) == 2 && !strcmp(on_b[0], "b1") && !strcmp(on_b[1], "b2"),
	   "connect's aliases: their network's, once each");
	ok(!on_c, "no aliases on another network, even one whose name prefixes one");

	cleanup_json json_object *host = json_object_new_object();
	container_net_to_json(NETWORK_USER, &n, host);
	container_net_from_json(host, &mode, &back);
	cleanup_strv char **back_b = container_net_aliases_on(&back, "nb");
	ok(mode == NETWORK_USER && strv_len(back_b) == 2, "the record keeps them per network");

	container_net_drop_aliases(&n, "na");
	container_net_drop_aliases(&n, "nb");
	ok(!n.aliases && !n.connect_aliases, "leaving a network forgets its aliases");
	container_net_release(&n);
	container_net_release(&back);
}

int main(void)
{
	plan(44);
	test_parse_good();
	test_parse_bad();
	test_exposed_and_json();
	test_bound();
	test_etc_files();
	test_aliases();
	return done();
}
