/* User networks as configuration: <root>/networks/<name>.json, one record each, made by
 * `network create` and kept until `network rm` as docker keeps its networks. What runs
 * for a network while containers use it is core/network_netd.c's. */
#ifndef HOLT_STORAGE_NETWORK_H
#define HOLT_STORAGE_NETWORK_H

#include "core/base/err.h"
#include "core/base/json.h"
#include "storage/store.h"

#include <netinet/in.h>
#include <stdbool.h>

struct network {
	char *name;
	char *id; /* 64 hex */
	char *created;
	struct in_addr subnet; /* the network address */
	unsigned prefix;
	struct in_addr gateway; /* libslirp's side: outbound traffic leaves through it */
	struct in_addr dns;	/* the embedded resolver: the subnet's last host address */
	bool internal;		/* no outbound traffic */
	char **labels;		/* KEY=VALUE */
	/* --ipv6: an IPv6 subnet beside the IPv4 one. A host's IPv6 address is its IPv4
	 * one's place in subnet, at the same place in subnet6: no second allocation, and
	 * the gateway's is the IPv4 gateway's place. */
	bool ipv6;
	struct in6_addr subnet6;
	unsigned prefix6;
};

void network_free(struct network *n);
static inline void network_freep(struct network **n)
{
	if (*n)
		network_free(*n);
}
#define cleanup_network __attribute__((cleanup(network_freep)))

/* What `network create` takes; subnet and gateway NULL: chosen (10.89.N.0/24, .1);
 * with ipv6, subnet6 NULL: a /64 of fd00::/8 made of random bits (RFC 4193's way). */
struct network_spec {
	const char *name;
	const char *subnet;
	const char *gateway;
	bool internal;
	char *const *labels;
	bool ipv6;
	const char *subnet6;
};

/* True for the names --network means itself: slirp, none, host and their synonyms. */
bool network_name_builtin(const char *name);

/* Creates the network under the store lock; EEXIST when the name is taken. */
struct network *network_create(struct store *s, const struct network_spec *spec,
			       struct holt_err *err);
/* The network named name, or whose id starts with it; NULL with ENOENT when none. */
struct network *network_lookup(struct store *s, const char *name, struct holt_err *err);
/* Every network, by name. */
int network_list(struct store *s, struct network ***out, size_t *n, struct holt_err *err);
void network_list_free(struct network **list, size_t n);
/* Removes the record; the caller has checked that no container uses it. */
int network_remove(struct store *s, const struct network *n, struct holt_err *err);

/* "10.89.0.0/24". */
char *network_subnet_text(const struct network *n);
/* "fd12:3456:789a::/64"; with ipv6 only. */
char *network_subnet6_text(const struct network *n);
/* The IPv6 address of the host at addr (an address of n's IPv4 subnet); n has ipv6. */
void network_addr6(const struct network *n, struct in_addr addr, struct in6_addr *out);
/* Whether addr is a host address of n that is neither its gateway nor its resolver. */
bool network_host_addr(const struct network *n, struct in_addr addr);

#endif
