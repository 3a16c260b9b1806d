/* The net helper: one process per container running libslirp's loop between the
 * container's tap and the host's sockets, host forwards for the published ports. */
#ifndef HOLT_NET_SLIRP_HELPER_H
#define HOLT_NET_SLIRP_HELPER_H

#include "core/base/err.h"
#include "net/ports.h"

#include <sys/types.h>

struct slirp_helper_config {
	int tap_fd; /* the container's tap0 */
	int pidfd;  /* the container's first process: the helper exits when it does */
	const struct port_map *ports; /* every host_port chosen */
	size_t n_ports;
	const char *resolv_conf; /* the host's resolvers for 10.0.2.3; NULL: /etc/resolv.conf */
};

/* Forks the helper and returns its pid once its published ports listen; -1 with err
 * (a port in use, libslirp missing) and no helper left. The helper dies with the
 * calling process too. */
pid_t slirp_helper_start(const struct slirp_helper_config *cfg, struct holt_err *err);

#endif
