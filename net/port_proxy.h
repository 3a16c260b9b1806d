/* Published TCP ports through a host-side proxy rather than slirp: it listens on the
 * host and connects from inside the container's network namespace, then splices bytes
 * between the two sockets. Measured here (bench/net) at ~3x slirp's own forwarding, as
 * RootlessKit's "builtin" driver and podman's rootlessport found. UDP stays with slirp on the
 * default network; on user networks, which have no slirp of their own, the proxy relays it too. */
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
	bool ipv6;	    /* the host has IPv6: every address means [::] too */
	bool udp;	    /* the UDP maps too (else they are libslirp's) */
};

/* Binds a listener for each TCP map, and UDP one with cfg->udp (so a port in use fails
 * here), then forks the proxy, which joins the network namespace of pidfd's process,
 * connects to the container's address there (IPv4 whatever the client's family), and
 * serves until that process exits or the caller dies. Returns the proxy's pid, 0 when
 * there is no port for it. */
pid_t port_proxy_start(const struct port_proxy_config *cfg, struct holt_err *err);

#endif
