#include "net/port_proxy_source.h"
#include "core/base/util.h"
#include "net/netlink.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <unistd.h>

/* A table of the container's namespace of its own, and the rules before main's (32766). */
enum { SOURCE_TABLE = 2000, SOURCE_PREF = 2000 };

bool proxy_source_setup(const uint16_t *ports, size_t n, struct in_addr ctr)
{
	struct holt_err err = {0};
	cleanup_close int nl = nl_open(0, &err);
	bool ok = nl >= 0 && nl_route_all_local(nl, SOURCE_TABLE, &err) == 0;
	for (size_t i = 0; ok && i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= ports[j] == ports[i];
		/* first main, but for its default route: replies to the container's own
		 * subnets go there; then the proxy's table for the rest */
		ok = seen ||
		     (nl_rule_sport(nl, SOURCE_PREF, ctr, ports[i], RT_TABLE_MAIN, 0, &err) == 0 &&
		      nl_rule_sport(nl, SOURCE_PREF + 1, ctr, ports[i], SOURCE_TABLE, -1, &err) ==
			  0);
	}
	holt_err_release(&err);
	return ok;
}

/* The IPv4 address client connected from; false for IPv6 but ::1 and v4-mapped ones. */
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

int proxy_source_socket(const struct sockaddr_storage *client, bool transparent)
{
	struct sockaddr_in src = {.sin_family = AF_INET};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || !client_v4(client, &src.sin_addr))
		return fd;
	bool loopback = (ntohl(src.sin_addr.s_addr) >> 24) == 127;
	if (!loopback && !transparent)
		return fd;
	if ((!loopback && setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof one) < 0) ||
	    bind(fd, (struct sockaddr *)&src, sizeof src) < 0) {
		/* the client as the container's own address, rather than no connection */
		close(fd);
		return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	}
	return fd;
}
