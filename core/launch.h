/* Starting a container's process (run, start) or a process inside a running container
 * (exec): the child's side is core/init.c; this is the parent's, up to the moment the
 * command has been executed or has failed to be. */
#ifndef HOLT_CORE_LAUNCH_H
#define HOLT_CORE_LAUNCH_H

#include "core/container.h"
#include "core/spec.h"
#include "storage/image.h"
#include "storage/store.h"

#include <signal.h>
#include <sys/ioctl.h>

struct launch_request {
	struct store *store;
	const struct container *container;
	const struct image *image;
	const struct process_spec *spec;
	const char *storage_driver; /* NULL: the first that works */
	int stdio[3];		    /* the child's fds 0-2, or -1 to inherit */
	bool exec;		    /* a new process in the running container, not its first */
	bool detached;		    /* exec -d: the process outlives the command that started it */
	bool privileged;	    /* exec --privileged: every capability */
	const sigset_t *child_mask; /* the signal mask the command starts with */
	const struct winsize *winsize; /* the pty's size with spec->tty; NULL: stdin's */
};

struct launched {
	pid_t pid;
	int master;	  /* the pty master with spec->tty, else -1 */
	int status;	  /* when it could not start: the exit code docker gives, 125/126/127 */
	pid_t net_helper; /* the slirp helper, else -1: reap it with launch_reap_net */
};

/* Starts the process. Returns 0, or -1 with err saying why and out->status the exit code
 * for it; the child is reaped then. */
int launch(const struct launch_request *req, struct launched *out, struct holt_err *err);

/* Reaps the net helper, which exits by itself with the container's first process. Its
 * exit tears down the tap and the network namespace (~20 ms): without wait, a helper
 * still alive is left to finish on its own; with wait, its published ports are free
 * again on return (a restart or the next run may bind them). */
void launch_reap_net(struct launched *l, bool wait);

#endif
