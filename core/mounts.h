/* The container's view of the system: /proc, a minimal /dev, /sys, the /etc files holt
 * provides, and the switch of the root with pivot_root. */
#ifndef HOLT_CORE_MOUNTS_H
#define HOLT_CORE_MOUNTS_H

#include "core/base/err.h"

#include <stdbool.h>

/* Mounts /proc, /dev, /sys under rootfs and binds etc_dir's hostname, hosts and
 * resolv.conf over rootfs/etc. own_netns: the container has its own network namespace
 * (sysfs can be mounted; otherwise the host's /sys is bound). /sys is read-only unless
 * sys_writable (--privileged, as docker). */
int mounts_setup(const char *rootfs, const char *etc_dir, bool own_netns, bool sys_writable,
		 struct holt_err *err);

/* Makes rootfs the root of the mount namespace and drops the old root. */
int mounts_pivot(const char *rootfs, struct holt_err *err);

#endif
