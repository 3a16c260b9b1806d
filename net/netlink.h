/* The few rtnetlink requests a user network needs (a bridge, veth pairs, addresses, a
 * route), written by hand: no library holt may link does them. Each works in the network
 * namespace the socket was opened in. */
#ifndef HOLT_NET_NETLINK_H
#define HOLT_NET_NETLINK_H

#include "core/base/err.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* An rtnetlink socket in the calling thread's network namespace; groups: the multicast
 * groups to hear (RTMGRP_LINK), or 0. */
int nl_open(unsigned groups, struct holt_err *err);

/* Creates bridge name, up, with mtu. */
int nl_bridge_create(int nl, const char *name, unsigned mtu, struct holt_err *err);
/* Creates the veth pair name <-> peer with mtu, peer moved into the network namespace
 * peer_ns (an fd). */
int nl_veth_create(int nl, const char *name, const char *peer, int peer_ns, unsigned mtu,
		   struct holt_err *err);
/* Sets link ifindex up, its master when master > 0 and its mtu when mtu > 0. */
int nl_link_up(int nl, int ifindex, int master, unsigned mtu, struct holt_err *err);
/* Deletes link ifindex. */
int nl_link_delete(int nl, int ifindex, struct holt_err *err);
/* Adds addr/prefix to link ifindex. */
int nl_addr_add(int nl, int ifindex, struct in_addr addr, unsigned prefix, struct holt_err *err);
/* Adds the default route through gateway. */
int nl_route_default(int nl, struct in_addr gateway, struct holt_err *err);
/* Adds addr/prefix to link ifindex, usable at once (no duplicate address detection). */
int nl_addr6_add(int nl, int ifindex, const struct in6_addr *addr, unsigned prefix,
		 struct holt_err *err);
/* Adds the IPv6 default route through gateway on link ifindex. */
int nl_route6_default(int nl, int ifindex, const struct in6_addr *gateway, struct holt_err *err);
/* A routing rule on traffic from one port: "[from src] [to dst] PROTO sport: look up
 * table" at priority pref; with suppress_prefix >= 0, routes of that prefix length or
 * shorter found there are ignored (the lookup falls through to the next rule). */
struct nl_rule {
	unsigned pref;
	uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP */
	uint16_t sport;
	const struct in_addr *src, *dst; /* NULL: any */
	const struct in6_addr *src6;	 /* an IPv6 rule from src6; src and dst stay NULL */
	unsigned table;
	int suppress_prefix;
};
int nl_rule_add(int nl, const struct nl_rule *r, struct holt_err *err);
/* Adds "local 0.0.0.0/0 dev lo" (family AF_INET) or "local ::/0 dev lo" (AF_INET6) to
 * table: every destination is this host's. */
int nl_route_all_local(int nl, unsigned table, int family, struct holt_err *err);
/* The names of the links in the socket's namespace whose name starts with prefix,
 * NULL-terminated (NULL when none). */
int nl_link_names(int nl, const char *prefix, char ***names, struct holt_err *err);

#endif
