/* A container on user networks: checked at creation, attached at each start (and by
 * `network connect`), shown by inspect. The networks' own machinery is core/network_netd.h's. */
#ifndef HOLT_CORE_NETNS_USER_H
#define HOLT_CORE_NETNS_USER_H

#include "core/container.h"

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

/* The names of the containers, running or not, that are on network name. */
int netns_user_users(struct store *s, const char *name, char ***names, struct holt_err *err);

/* inspect's NetworkSettings.Networks for a container on user networks, with
 * IPAddress, IPPrefixLen and Gateway of the first put into top (the top-level fields). */
json_object *netns_user_settings(const struct container *c, json_object *top);

#endif
