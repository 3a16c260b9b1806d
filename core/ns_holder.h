/* The user-namespace holder, seen as "holt-pause": one tiny process per runroot that holds
 * holt's mapped user namespace, so that later commands join it with setns(2) instead of
 * running the setuid helpers newuidmap/newgidmap again (about 3 ms of every start). It
 * serves no requests: holt stays daemonless. `holt system migrate` stops it. (Not to be
 * confused with `holt pause`, which freezes a container's cgroup.) */
#ifndef HOLT_CORE_NS_HOLDER_H
#define HOLT_CORE_NS_HOLDER_H

#include "core/base/err.h"

/* Joins the user namespace of runroot's pause process. Returns 1 when joined (with the
 * single-map reason the creator recorded, or NULL, in *single_reason), 0 when there is
 * no live pause process, <0 on error. */
int ns_holder_join(const char *runroot, char **single_reason, struct holt_err *err);

/* Forks the pause process from a process already in the mapped namespace and records
 * it under runroot with single_reason (may be NULL). */
int ns_holder_start(const char *runroot, const char *single_reason, struct holt_err *err);

/* Stops runroot's pause process, if any. Returns 1 when one was stopped. */
int ns_holder_stop(const char *runroot, struct holt_err *err);

/* A pidfd of runroot's live pause process, or -1. */
int ns_holder_pidfd(const char *runroot);

/* Takes runroot's pause lock (serialising the creation of the pause process); returns
 * the lock fd to close. */
int ns_holder_lock(const char *runroot, struct holt_err *err);

#endif
