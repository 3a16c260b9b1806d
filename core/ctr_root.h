/* Work inside a container's root filesystem, running or stopped, from a child process
 * chrooted into it: absolute symlinks and ".." in the container then resolve inside the
 * container, which is what keeps cp and export from reaching the host's files. */
#ifndef HOLT_CORE_CTR_ROOT_H
#define HOLT_CORE_CTR_ROOT_H

#include "core/base/err.h"
#include "core/container.h"
#include "storage/store.h"

#include <sys/types.h>

enum ctr_root_view {
	/* as the container's processes see it, with the mounts it runs with (cp) */
	CTR_ROOT_LIVE,
	/* the root filesystem alone, as the storage driver assembles it: no /proc, /sys or
	 * /dev contents, no files bound in (export) */
	CTR_ROOT_ROOTFS,
};

struct ctr_root_request {
	struct store *store;
	const struct container *container;
	const char *storage_driver; /* NULL: vfs when the container has a copy, else the first
				     * that works */
	enum ctr_root_view view;
	/* Runs in the child, chrooted, with fd open; returns <0 with err on failure. */
	int (*fn)(void *arg, int fd, struct holt_err *err);
	void *arg;
	int fd; /* the caller's descriptor for fn; the caller still closes its own copy */
};

struct ctr_root_child {
	pid_t pid;
	int report; /* read end of the child's error report */
};

/* Starts req->fn in a child chrooted into the container's root filesystem: the running
 * container's own, or for a stopped one its layers mounted in a private mount namespace
 * that goes away with the child (and any fuse-overlayfs daemon with it). The child keeps
 * no descriptor but fd and stderr; its stdin and stdout are /dev/null unless fd is one. */
int ctr_root_start(const struct ctr_root_request *req, struct ctr_root_child *child,
		   struct holt_err *err);

/* Waits for the child; returns 0 when fn succeeded, else -1 with fn's error (its errnum
 * kept) or why the child failed. Close the descriptors that the child talks to first. */
int ctr_root_wait(struct ctr_root_child *child, struct holt_err *err);

#endif
