/* The embedded resolver of a user network, as a frame filter: a DNS query on the tap
 * for a container's name is answered at once, any other is left to libslirp, which
 * forwards it to the host's resolvers. */
#ifndef HOLT_NET_DNS_REPLY_H
#define HOLT_NET_DNS_REPLY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The search domain user-network containers get, so that a bare name is asked as
 * NAME.dns.holt first and never wanders to the host's resolvers. */
#define DNS_DOMAIN "dns.holt"

/* A name's addresses: IPv4 always, IPv6 (answering AAAA) when has6. */
struct dns_addrs {
	struct in_addr v4;
	struct in6_addr v6;
	bool has6;
};

/* Looks name (lowercase, no trailing dot, DNS_DOMAIN cut) up; true with *addrs. */
typedef bool (*dns_lookup_fn)(void *opaque, const char *name, struct dns_addrs *addrs);

/* When frame is an IPv4 UDP DNS query to server:53 that is ours to answer (a name
 * lookup() knows, anything under DNS_DOMAIN, or anything at all when all), writes the
 * reply frame into out and returns its length; else 0. */
size_t dns_reply(const uint8_t *frame, size_t len, struct in_addr server, bool all,
		 dns_lookup_fn lookup, void *opaque, uint8_t *out, size_t cap);

#endif
