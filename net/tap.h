/* The container's end of the slirp network: a tap device made in the calling process's
 * network namespace and addressed as libslirp's virtual network expects. */
#ifndef HOLT_NET_TAP_H
#define HOLT_NET_TAP_H

#include "core/base/err.h"

#include <netinet/in.h>
#include <stdbool.h>

/* The addresses every slirp-networked container sees (podman's and slirp4netns's
 * defaults, so that scripts written for them work). */
#define SLIRP_NETWORK  "10.0.2.0"
#define SLIRP_PREFIX   24
#define SLIRP_ADDRESS  "10.0.2.100"
#define SLIRP_GATEWAY  "10.0.2.2"
#define SLIRP_DNS      "10.0.2.3"
#define SLIRP_TAP_NAME "tap0"
/* IPv6, where the host has it: slirp4netns's --enable-ipv6 prefix and router, the
 * address fixed as the IPv4 one is rather than left to router advertisements. */
#define SLIRP_NETWORK6 "fd00::"
#define SLIRP_PREFIX6  64
#define SLIRP_ADDRESS6 "fd00::100"
#define SLIRP_GATEWAY6 "fd00::2"
#define SLIRP_DNS6     "fd00::3"
/* slirp4netns's default for podman: fewer, larger frames through the helper. */
#define SLIRP_MTU 65520

/* Creates tap0, gives it SLIRP_ADDRESS/SLIRP_PREFIX and the MTU, brings it up and routes
 * by default through SLIRP_GATEWAY; with ipv6, SLIRP_ADDRESS6 and SLIRP_GATEWAY6 too.
 * Returns the tap's fd (close-on-exec, non-blocking). */
int tap_create(bool ipv6, struct holt_err *err);

/* Whether the calling process's network namespace (the host's, for holt) has IPv6:
 * an address can be bound on its ::1. */
bool tap_host_ipv6(void);

#endif
