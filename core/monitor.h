/* The monitor of a detached container (`run -d`, `start`): a small process of its own,
 * in a session of its own, that starts the container, logs its output, answers `attach`
 * clients, records its exit, applies its restart policy and --rm, and then exits. It
 * holds the monitor lock while it lives and never the store lock. */
#ifndef HOLT_CORE_MONITOR_H
#define HOLT_CORE_MONITOR_H

#include "core/run.h"

#include <sys/un.h>

/* Signal to the monitor: the user stopped the container, do not restart it. */
#define MONITOR_SIG_STOPPED SIGUSR1

/* Starts the monitor of req->container and returns 0 once the container's command runs,
 * or -1 with err when it could not start, *status then the exit code for that (125/126/
 * 127). With attach_fd, *attach_fd gets a connection the monitor treats as an attached
 * client from before the start, so no output is missed (`start -a`). */
int monitor_start(const struct run_request *req, int *attach_fd, int *status, struct holt_err *err);

/* monitor_start for a container from its record: its image and process worked out
 * from its config (start, restart). */
int monitor_start_container(struct store *s, struct container *c, const char *storage_driver,
			    int *attach_fd, int *status, struct holt_err *err);

/* The attach protocol, monitor to client: frames of one byte naming the stream (1
 * stdout, 2 stderr) and four bytes of length, little-endian, then the bytes. Client to
 * monitor: plain bytes for the container's stdin; shutdown(SHUT_WR) closes it. */
/* ATTACH_EXIT: the last frame, the exit code as 4 bytes, little-endian. ATTACH_PTY: no
 * bytes, and the container's pty master with it (SCM_RIGHTS), for the client to give
 * it its terminal's size. */
enum { ATTACH_STDOUT = 1, ATTACH_STDERR = 2, ATTACH_EXIT = 3, ATTACH_PTY = 4, ATTACH_HEADER = 5 };

/* The address of the attach socket. A run directory can be deeper than the 107 bytes a
 * socket path may have, so the address goes through /proc/self/fd and the returned
 * O_PATH descriptor of that directory, which the caller closes after bind or connect. */
int monitor_attach_addr(const struct container *c, struct sockaddr_un *sa, struct holt_err *err);

#endif
