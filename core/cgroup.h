/* cgroup v2 features (pause, stats, limits) need a cgroup tree delegated to the user;
 * where there is none, they fail with a message naming what is missing. */
#ifndef HOLT_CORE_CGROUP_H
#define HOLT_CORE_CGROUP_H

#include "core/err.h"

/* Fails with a message saying why option (e.g. "--memory") cannot be honoured here. */
int cgroup_limits_unavailable(const char *option, struct holt_err *err);

#endif
