/* The net helper: one process per container running libslirp's loop between the
 * container's tap and the host's sockets, and the port proxy (net/port_proxy.h) for
 * the published ports. */
#ifndef HOLT_NET_SLIRP_HELPER_H
#define HOLT_NET_SLIRP_HELPER_H

#include "core/base/err.h"
#include "net/ports.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct slirp_helper_config {
	int tap_fd;   /* the container's tap0 */
	int pidfd;    /* the container's first process: the helper exits when it does */
	int listener; /* the connect filter's (net/tcp_bypass.h); -1: none */
	const struct port_map *ports; /* every host_port chosen */
	size_t n_ports;
	const char *resolv_conf; /* the host's resolvers for 10.0.2.3; NULL: /etc/resolv.conf */
	const char *run_dir;	 /* the container's: the bypass's doorway is there */
	bool ipv6;		 /* the tap has SLIRP_ADDRESS6: serve fd00::/64 too */
};

/* The virtual network libslirp serves: the default one (10.0.2.0/24), or a user
 * network's subnet with its gateway and resolver. */
struct slirp_net {
	struct in_addr network, gateway, dns;
	unsigned prefix;
	bool restricted; /* no traffic out (an --internal network) */
	bool ipv6;	 /* network6 too, gateway6 reaching the host's ::1 */
	struct in6_addr network6, gateway6, dns6;
	unsigned prefix6;
};

/* The default network's: 10.0.2.0/24 and, with ipv6, fd00::/64. */
void slirp_net_default(struct slirp_net *net, bool ipv6);

/* What a caller of slirp_helper_serve adds to the loop. */
struct slirp_hooks {
	void *opaque;
	/* A frame from the tap before libslirp sees it; true when it was taken. */
	bool (*frame)(void *opaque, const uint8_t *frame, size_t len);
	int watch_fd; /* when readable, watch() is called; -1: none */
	void (*watch)(void *opaque);
	int tick_ms; /* tick() is called this often */
	void (*tick)(void *opaque);
};

/* Runs libslirp between tap and the host in the calling process, which it never leaves:
 * writes "ok" (or why it failed, then exits) to ready once serving, with every
 * capability dropped. */
__attribute__((noreturn)) void slirp_helper_serve(int tap, int ready, const struct slirp_net *net,
						  const char *resolv_conf,
						  const struct slirp_hooks *hooks);

/* Loads libslirp in the calling process, to be inherited by the helper it starts next;
 * a failure is left for slirp_helper_start to report. */
void slirp_helper_preload(void);

/* Forks the helper and returns its pid once its published ports listen; -1 with err
 * (a port in use, libslirp missing) and no helper left. The helper dies with the
 * calling process too. */
pid_t slirp_helper_start(const struct slirp_helper_config *cfg, struct holt_err *err);

#endif
