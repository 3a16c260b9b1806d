/* Putting a container on a user network and taking it off: a veth pair between its
 * network namespace and the network's bridge, an address, and a record the network's
 * resolver answers from. */
#ifndef HOLT_CORE_NETWORK_ATTACH_H
#define HOLT_CORE_NETWORK_ATTACH_H

#include "core/base/err.h"
#include "storage/network.h"

#include <netinet/in.h>
#include <stdbool.h>

struct netd_attach {
	const char *runroot;
	const char *ctr_id;
	char *const *names; /* the container's name and aliases, resolvable on the network */
	const char *want;   /* --ip, or NULL */
	bool default_route; /* the container's first network */
	bool fresh; /* at the container's start: a record of it is its last run's, whose veth
		     * may outlive that run's namespace for a moment */
	const char *resolv_conf; /* the host's resolvers for the network's helper, or NULL */
};

/* Attaches the container whose first process pidfd holds, starting the network's
 * helper when it does not run; *addr gets the container's address. */
int netd_attach(const struct network *n, int pidfd, const struct netd_attach *a,
		struct in_addr *addr, struct holt_err *err);

/* Takes container ctr_id (pidfd its first process) off network n. ENOENT when it is
 * not on it. */
int netd_detach(const char *runroot, const struct network *n, int pidfd, const char *ctr_id,
		struct holt_err *err);

/* The container's address on n while it runs there; false when it is not. */
bool netd_endpoint_addr(const char *runroot, const struct network *n, const char *ctr_id,
			struct in_addr *addr);

#endif
