/* Published ports through a host-side proxy rather than slirp: it listens on the host
 * and connects from inside the container's network namespace, then splices TCP bytes
 * between the two sockets, and relays UDP datagrams per client. Measured here
 * (bench/net) at ~3x slirp's own forwarding for TCP, as RootlessKit's "builtin" driver
 * and podman's rootlessport found; inside the namespace, it can show the container the
 * clients' addresses (port_proxy_source.h), which slirp's forwards cannot. */
#ifndef HOLT_NET_PORT_PROXY_H
#define HOLT_NET_PORT_PROXY_H

#include "core/base/err.h"
#include "net/ports.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

struct port_proxy_config {
	const struct port_map *maps; /* every host_port chosen */
	size_t n;
	int pidfd;	    /* the container's first process: its network namespace, its life */
	struct in_addr ctr; /* the container's address there */
	const struct in6_addr *ctr6; /* its IPv6 address, NULL: none */
	bool subnet6_shared;	     /* other containers are on ctr6's subnet (a user network) */
	bool ipv6;		     /* the host has IPv6: every address means [::] too */
};

/* Binds a listener for each map (so a port in use fails here), then forks the proxy, which joins
 * the network namespace of pidfd's process, connects to the container's address there (IPv4, but
 * for IPv6 clients shown by their own address: port_proxy_source.h), and serves until that
 * process exits or the caller dies. Returns the proxy's pid, 0 when there is no port for it. */
pid_t port_proxy_start(const struct port_proxy_config *cfg, struct holt_err *err);

#endif
