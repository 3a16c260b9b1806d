/* Outbound TCP past slirp: the container's connect(2) and listen(2) come to the net
 * helper through a seccomp listener (core/seccomp-connect.json). A TCP connect to the
 * outside gets a socket made here, in the host's network namespace, connected here and
 * put in place of the container's (SECCOMP_IOCTL_NOTIF_ADDFD), so that its data never
 * crosses slirp's TCP stack; bypass4netns does the same for nerdctl. The container's
 * gateway becomes the host's loopback, as slirp makes it. What stays slirp's: the
 * container's own network (its loopback, the slirp subnet, the resolver), sockets bound
 * to a port or device of their own, and UDP. A listen on a
 * socket of the host's namespace is refused: it would open a port on the host. A
 * connect on one is answered by the helper, never let through (tcp_bypass.c). */
#ifndef HOLT_NET_TCP_BYPASS_H
#define HOLT_NET_TCP_BYPASS_H

#include "core/base/err.h"
#include "net/slirp_helper.h"

#include <stdbool.h>
#include <sys/types.h>

struct tcp_bypass;

/* Whether the kernel has what the helper needs: thread pidfds (Linux 6.9), to answer
 * each thread's calls from that thread's descriptors. */
bool tcp_bypass_supported(void);

/* Answers listener for the container whose network namespace has tap, on net, and the
 * listeners that holt exec hands over at doorway (net/bypass_doorway.h; -1: none). */
struct tcp_bypass *tcp_bypass_new(int listener, int doorway, int tap, const struct slirp_net *net,
				  struct holt_err *err);
/* Readable when tcp_bypass_serve has something to do. */
int tcp_bypass_fd(const struct tcp_bypass *b);
/* Answers what came, never blocking. */
void tcp_bypass_serve(struct tcp_bypass *b);

#endif
