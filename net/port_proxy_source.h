/* The client's address, kept for the container on published ports. The proxy sends from
 * inside the container's network namespace, so the container would see every client
 * come from its own address. Instead:
 * - a client on the host's loopback comes from 127.0.0.1 (the proxy binds there: an
 *   address of the container's own loopback, no privilege needed), as with podman's
 *   rootlessport;
 * - over TCP, any other IPv4 client comes from its own address: the proxy binds it with
 *   IP_TRANSPARENT (which needs CAP_NET_RAW in the namespace's owner, kept for that
 *   alone), and policy routing sends the container's replies from a published port
 *   to the proxy on lo rather than out through the default route, while replies to
 *   the container's own subnets (other containers) still take those routes;
 * - over UDP the same holds for clients at the host's own addresses only: a UDP server
 *   replies from an unbound socket, whose source the kernel picks only after routing,
 *   so the rules cannot name the container's address and name the client's instead;
 *   a rule for every address would also take the container's own traffic out from that
 *   port (a WireGuard peer, ntpd) to the proxy. Other UDP clients come from the
 *   container's own address;
 * - over TCP, an IPv6 client other than ::1 (and not v4-mapped) comes from its own
 *   address where the container has an IPv6 address and listens on it: the proxy then
 *   connects over IPv6, bound with IPV6_TRANSPARENT, and a rule sends the replies from
 *   that port to it. A container listening on IPv4 alone refuses that connection, and
 *   the proxy connects again over IPv4, from the container's own address. Over UDP
 *   such a client comes from the container's own address. */
#ifndef HOLT_NET_PORT_PROXY_SOURCE_H
#define HOLT_NET_PORT_PROXY_SOURCE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct proxy_source {
	bool transparent;      /* the rules are in place: IP_TRANSPARENT binds are answered */
	bool transparent6;     /* the IPv6 rules too, for TCP to ctr6 */
	struct in6_addr ctr6;  /* the container's IPv6 address, with transparent6 */
	struct in_addr *hosts; /* the host's own IPv4 addresses, but loopback ones */
	size_t n_hosts;
};

/* In the host's network namespace: the host's own addresses, into ps. */
void proxy_source_hosts(struct proxy_source *ps);

/* In the container's network namespace, with CAP_NET_ADMIN there: routes the replies
 * from ctr's TCP ports (n_tcp) to the proxy, and those from its UDP ports (n_udp) to
 * the host's addresses; with ctr6 (the container's IPv6 address, or NULL), the replies
 * from ctr6's TCP ports too, but for those to its own subnets where shared6 (other
 * containers are on them). ps->transparent (transparent6) false when the kernel
 * refuses (rules by port need Linux 4.17): clients then come from the container's own
 * address. */
void proxy_source_setup(struct proxy_source *ps, const uint16_t *tcp, size_t n_tcp,
			const uint16_t *udp, size_t n_udp, struct in_addr ctr,
			const struct in6_addr *ctr6, bool shared6);

/* A TCP or UDP (type) socket to reach the container from, bound to what the container
 * is to see of client; -1 on failure. */
int proxy_source_socket(const struct proxy_source *ps, const struct sockaddr_storage *client,
			int type);

/* A TCP socket to reach ps->ctr6 from, bound to client's own IPv6 address; -1 when the
 * client is not to be shown so (IPv4, ::1, v4-mapped, or no transparent6). */
int proxy_source_socket6(const struct proxy_source *ps, const struct sockaddr_storage *client);

#endif
