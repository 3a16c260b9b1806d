/* A container on user networks: checked at creation, attached at each start (and by
 * `network connect`), shown by inspect. The networks' own machinery is
 * core/network_netd.h's.
 *
 * Lifecycle of what runs for a user network (nothing runs for one no container is on):
 * - The first container to start on network N (or `network connect` of a running one)
 *   starts, under N's lock in <runroot>/networks/N/, "holt-netd": double-forked and
 *   setsid, owned by no command. It forks "holt-netns", which unshares a network
 *   namespace (inside holt's user namespace) holding the bridge br0 and a tap; netd runs
 *   libslirp on that tap (outbound traffic, N's gateway reaching the host's loopback as
 *   10.0.2.2 does for default containers, no more) and answers DNS for the containers'
 *   names and aliases, passing other queries to the host's resolvers. Each container gets
 *   a veth pair: eth0 in its namespace, the other end on br0. Every network has a
 *   namespace and helper of its own, so containers on different networks cannot reach
 *   each other at all, with no filtering rules to get wrong.
 * - netd hears from rtnetlink when a veth goes (it goes with its container's network
 *   namespace: on exit, rm -f, or kill -9 of the monitor, since the container dies with
 *   its monitor), and checks every 5 s besides; with no veth left it exits, under the
 *   lock so that no container attaches meanwhile. holt-netns dies with it
 *   (PR_SET_PDEATHSIG), and the namespace, bridge and tap with holt-netns.
 * - `network rm` and `prune`, which refuse (rm) or skip (prune) a network a container
 *   is on, end a helper still in its last seconds and remove N's runtime dir.
 * - If netd is killed, holt-netns goes too; the next start on N starts a new pair and
 *   forgets the old endpoints (containers still running on N lose it until restarted). */
#ifndef HOLT_CORE_NETNS_USER_H
#define HOLT_CORE_NETNS_USER_H

#include "core/container.h"
#include "storage/network.h"

#include <sys/types.h>

/* Checks that every user network of n exists. */
int netns_user_check(struct store *s, const struct container_net *n, struct holt_err *err);

/* At start, the child in its new network namespace: attaches it to its networks,
 * writes its /etc/hosts and /etc/resolv.conf with the addresses it got, and starts the
 * proxy of its published TCP ports (*proxy: its pid, or -1). */
int netns_user_start(struct store *s, const struct container *c, char *const *exposed, pid_t child,
		     pid_t *proxy, struct holt_err *err);

/* `network connect`: puts running container c on network name too (aliases more names
 * there, ip its address or NULL) and records it for its next starts. */
int netns_user_connect(struct store *s, struct container *c, const char *name, char *const *aliases,
		       const char *ip, struct holt_err *err);
/* `network disconnect`: takes c off network name, running or not. */
int netns_user_disconnect(struct store *s, struct container *c, const char *name,
			  struct holt_err *err);

/* The names of the containers, running or not, that are on network name, and of the
 * running ones `network connect` put on it. */
int netns_user_users(struct store *s, const char *name, char ***names, struct holt_err *err);

/* `network rm` and `prune`, once netns_user_users found no container on n: removes
 * its record, then ends whatever still runs for it. */
int netns_user_remove(struct store *s, const struct network *n, struct holt_err *err);

/* inspect's NetworkSettings.Networks for a container on user networks, with
 * IPAddress, IPPrefixLen and Gateway of the first put into top (the top-level fields). */
json_object *netns_user_settings(const struct container *c, json_object *top);

#endif
