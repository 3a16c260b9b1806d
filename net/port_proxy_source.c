#include "net/port_proxy_source.h"
#include "core/base/util.h"
#include "net/netlink.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

/* A table of the container's namespace of its own, and the rules before main's (32766). */
enum { SOURCE_TABLE = 2000, SOURCE_PREF = 2000 };

static bool loopback(struct in_addr a)
{
	return (ntohl(a.s_addr) >> 24) == 127;
}

void proxy_source_hosts(struct proxy_source *ps)
{
	struct ifaddrs *all = NULL;
	if (getifaddrs(&all) < 0)
		return;
	for (struct ifaddrs *i = all; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		struct in_addr a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (loopback(a))
			continue;
		ps->hosts = xrealloc(ps->hosts, (ps->n_hosts + 1) * sizeof *ps->hosts);
		ps->hosts[ps->n_hosts++] = a;
	}
	freeifaddrs(all);
}

static bool seen(const uint16_t *ports, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (ports[j] == ports[i])
			return true;
	return false;
}

/* The rules that send the replies from TCP port (from src, or src6) to the proxy; with
 * main_first, those to the container's own subnets first take their routes, as they lead
 * to other containers: main is looked up, but for its default route. */
static bool tcp_rules(int nl, uint16_t port, const struct in_addr *src, const struct in6_addr *src6,
		      bool main_first, struct holt_err *err)
{
	struct nl_rule main = {.pref = SOURCE_PREF,
			       .proto = IPPROTO_TCP,
			       .sport = port,
			       .src = src,
			       .src6 = src6,
			       .table = RT_TABLE_MAIN,
			       .suppress_prefix = 0};
	struct nl_rule proxy = main;
	proxy.pref = SOURCE_PREF + 1;
	proxy.table = SOURCE_TABLE;
	proxy.suppress_prefix = -1;
	return (!main_first || nl_rule_add(nl, &main, err) == 0) &&
	       nl_rule_add(nl, &proxy, err) == 0;
}

/* The same for ctr6's TCP ports, main first where shared. The default network has no
 * other container on its subnet, only slirp's gateway, which is the host's own address
 * (fd00::2) when the host uses slirp's prefix itself: there every reply from the port
 * goes to the proxy. An IPv6 route needs its device up, and the container's start may
 * not have brought lo up yet. */
static bool setup6(int nl, const uint16_t *tcp, size_t n_tcp, const struct in6_addr *ctr6,
		   bool shared, struct holt_err *err)
{
	bool ok = nl_link_up(nl, (int)if_nametoindex("lo"), 0, 0, err) == 0 &&
		  nl_route_all_local(nl, SOURCE_TABLE, AF_INET6, err) == 0;
	for (size_t i = 0; ok && i < n_tcp; i++)
		ok = seen(tcp, i) || tcp_rules(nl, tcp[i], NULL, ctr6, shared, err);
	return ok;
}

void proxy_source_setup(struct proxy_source *ps, const uint16_t *tcp, size_t n_tcp,
			const uint16_t *udp, size_t n_udp, struct in_addr ctr,
			const struct in6_addr *ctr6, bool shared6)
{
	struct holt_err err = {0};
	ps->transparent = ps->transparent6 = false;
	if (!n_tcp && !(n_udp && ps->n_hosts))
		return; /* no rule to make: loopback clients need none */
	cleanup_close int nl = nl_open(0, &err);
	bool ok = nl >= 0 && nl_route_all_local(nl, SOURCE_TABLE, AF_INET, &err) == 0;
	for (size_t i = 0; ok && i < n_tcp; i++)
		ok = seen(tcp, i) || tcp_rules(nl, tcp[i], &ctr, NULL, true, &err);
	for (size_t i = 0; ok && i < n_udp; i++)
		for (size_t h = 0; ok && !seen(udp, i) && h < ps->n_hosts; h++) {
			struct nl_rule r = {.pref = SOURCE_PREF + 2,
					    .proto = IPPROTO_UDP,
					    .sport = udp[i],
					    .dst = &ps->hosts[h],
					    .table = SOURCE_TABLE,
					    .suppress_prefix = -1};
			ok = nl_rule_add(nl, &r, &err) == 0;
		}
	ps->transparent = ok;
	if (ok && ctr6 && n_tcp && setup6(nl, tcp, n_tcp, ctr6, shared6, &err)) {
		ps->transparent6 = true;
		ps->ctr6 = *ctr6;
	}
	holt_err_release(&err);
}

/* The IPv4 address client sent from; false for IPv6 but ::1 and v4-mapped ones. */
static bool client_v4(const struct sockaddr_storage *client, struct in_addr *addr)
{
	if (client->ss_family == AF_INET) {
		*addr = ((const struct sockaddr_in *)client)->sin_addr;
		return true;
	}
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)client)->sin6_addr;
	if (client->ss_family != AF_INET6)
		return false;
	if (IN6_IS_ADDR_LOOPBACK(a6)) {
		addr->s_addr = htonl(INADDR_LOOPBACK);
		return true;
	}
	if (IN6_IS_ADDR_V4MAPPED(a6)) {
		memcpy(&addr->s_addr, &a6->s6_addr[12], 4);
		return true;
	}
	return false;
}

/* Whether the container's replies to a client at addr reach the proxy (see the rules). */
static bool routed_back(const struct proxy_source *ps, struct in_addr addr, int type)
{
	if (loopback(addr))
		return true;
	if (!ps->transparent)
		return false;
	if (type == SOCK_STREAM)
		return true;
	for (size_t i = 0; i < ps->n_hosts; i++)
		if (ps->hosts[i].s_addr == addr.s_addr)
			return true;
	return false;
}

int proxy_source_socket(const struct proxy_source *ps, const struct sockaddr_storage *client,
			int type)
{
	struct sockaddr_in src = {.sin_family = AF_INET};
	int one = 1;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || !client_v4(client, &src.sin_addr) || !routed_back(ps, src.sin_addr, type))
		return fd;
	bool ok =
	    loopback(src.sin_addr) || setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof one) == 0;
	/* over UDP the client's port too, where the container does not use it itself: the
	 * container sees where the datagrams came from (over TCP, the port is the proxy's) */
	if (ok && type == SOCK_DGRAM)
		src.sin_port = client->ss_family == AF_INET
				   ? ((const struct sockaddr_in *)client)->sin_port
				   : ((const struct sockaddr_in6 *)client)->sin6_port;
	if (ok && src.sin_port && bind(fd, (struct sockaddr *)&src, sizeof src) == 0)
		return fd;
	src.sin_port = 0;
	if (ok && bind(fd, (struct sockaddr *)&src, sizeof src) == 0)
		return fd;
	/* the client as the container's own address, rather than no traffic */
	close(fd);
	return socket(AF_INET, type | SOCK_CLOEXEC, 0);
}

int proxy_source_socket6(const struct proxy_source *ps, const struct sockaddr_storage *client)
{
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)client)->sin6_addr;
	int one = 1;
	if (!ps->transparent6 || client->ss_family != AF_INET6 || IN6_IS_ADDR_LOOPBACK(a6) ||
	    IN6_IS_ADDR_V4MAPPED(a6))
		return -1;
	struct sockaddr_in6 src = {.sin6_family = AF_INET6, .sin6_addr = *a6};
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof one) == 0 &&
	    bind(fd, (struct sockaddr *)&src, sizeof src) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}
