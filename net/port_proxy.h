/* Published TCP ports through a host-side proxy rather than slirp: it listens on the
 * host and connects from inside the container's network namespace, then splices bytes
 * between the two sockets. Measured here (bench/net) at ~3x slirp's own forwarding, as
 * RootlessKit's "builtin" driver and podman's rootlessport found. UDP stays with slirp. */
#ifndef HOLT_NET_PORT_PROXY_H
#define HOLT_NET_PORT_PROXY_H

#include "core/base/err.h"
#include "net/ports.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

/* Binds a listener for each TCP map (so a port in use fails here; one on [::] too for
 * every address if ipv6), then forks the proxy, which joins the network namespace of
 * pidfd's process, connects to the container's address ctr there (IPv4 whatever the
 * client's family), and serves until that process exits or the caller dies. Returns
 * the proxy's pid, 0 when there is no TCP port. */
pid_t port_proxy_start(const struct port_map *maps, size_t n, int pidfd, struct in_addr ctr,
		       bool ipv6, struct holt_err *err);

#endif
