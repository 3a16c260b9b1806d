/* Containers' cgroups: each container gets <your cgroup>/holt-<id> in a cgroup v2 tree
 * delegated to you, for pause, stats and --memory/--cpus. Where there is no such tree,
 * containers run without one, and what needs one fails with a message saying what is
 * missing and what would fix it. */
#ifndef HOLT_CORE_CGROUP_H
#define HOLT_CORE_CGROUP_H

#include "core/base/err.h"
#include "core/container.h"

#include <stdbool.h>
#include <stdint.h>

/* Where the calling process was before cgroup_enter moved it. */
struct cgroup_entered {
	char *back; /* the cgroup.procs to return to; NULL: not moved */
};

/* Called just before the container's process is created (exec: a process in it): moves
 * the calling process into the container's cgroup, made with c's limits for a new one,
 * so that the child is born there and starts nothing outside it. Fails when c has limits
 * that cannot be applied, or when exec would join a paused container; with no cgroup to
 * be had and no limits, it moves nothing and succeeds. */
int cgroup_enter(const struct container *c, bool exec, struct cgroup_entered *out,
		 struct holt_err *err);

/* Right after the child is created: moves the calling process back. */
void cgroup_leave(struct cgroup_entered *e);

/* Once the container's processes have all exited: removes its cgroup, if it has one. */
void cgroup_remove(const struct container *c);

/* Freezes (frozen) or thaws the running container's processes, and returns once the
 * kernel says they are. */
int cgroup_freeze(const struct container *c, bool frozen, struct holt_err *err);

/* True when the running container's processes are frozen. */
bool cgroup_is_frozen(const struct container *c);

/* What a running container uses, from its cgroup where it has one and the controller
 * for the figure is enabled, else summed over its processes from /proc. */
struct cgroup_usage {
	uint64_t cpu_usec;	      /* CPU time of its processes */
	uint64_t age_usec;	      /* since its first process started */
	uint64_t mem;		      /* bytes in use, without the page cache that can be dropped */
	uint64_t mem_limit;	      /* bytes; the machine's memory when it has no limit */
	uint64_t pids;		      /* processes */
	uint64_t net_rx, net_tx;      /* bytes, over its own network's interfaces but lo */
	uint64_t blk_read, blk_write; /* bytes read from and written to storage */
};

/* One sample of c's usage; c must be running. */
int cgroup_usage_read(const struct container *c, struct cgroup_usage *u, struct holt_err *err);

#endif
