/* Who is on a user network while it runs: <runroot>/networks/<name>/endpoints/<peer>,
 * one file per attached container, named after its veth's end on the bridge and holding
 * "ADDRESS IFNAME CONTAINER-ID NAME [ALIAS...]". The embedded resolver answers from
 * these; addresses are handed out from them. All changes happen under the network's
 * lock (core/network_netd.h). */
#ifndef HOLT_CORE_NETWORK_ENDPOINT_H
#define HOLT_CORE_NETWORK_ENDPOINT_H

#include "core/base/err.h"
#include "storage/network.h"

#include <netinet/in.h>
#include <stdbool.h>

struct endpoint {
	struct in_addr addr;
	char *ifname; /* in the container: eth0, eth1… */
	char *ctr_id; /* 64 hex */
	char **names; /* the container's name, its short id, its aliases */
	char *peer;   /* the file's name */
};

void endpoint_release(struct endpoint *e);

/* The bridge-side name of a container's veth: "v" and 12 hex digits of its id. */
char *endpoint_peer_name(const char *ctr_id);

/* The address want names (NULL: the lowest free one) if it is free on n. */
int endpoint_choose_addr(const char *dir, const struct network *n, const char *want,
			 struct in_addr *addr, struct holt_err *err);
int endpoint_write(const char *dir, const struct endpoint *e, struct holt_err *err);
/* The record of container ctr_id on the network whose runtime dir is dir; 0 when none. */
int endpoint_find(const char *dir, const char *ctr_id, struct endpoint *e);
void endpoint_remove(const char *dir, const char *peer);
/* Removes the records whose peer is not in alive. */
void endpoint_prune(const char *dir, char *const *alive);
/* The address of the container called name on the network. */
bool endpoint_lookup(const char *dir, const char *name, struct in_addr *addr);

#endif
