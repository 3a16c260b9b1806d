/* Terminals for `run -t`: the pty is opened inside the container's own devpts and its
 * master handed to holt over a socket; holt relays between it and the user's terminal. */
#ifndef HOLT_CORE_PTY_H
#define HOLT_CORE_PTY_H

#include "core/base/err.h"

#include <sys/ioctl.h>
#include <sys/types.h>

/* In the container: opens a pty in /dev/pts, makes its slave the controlling terminal
 * and fds 0-2 (owned by uid:gid), and sends the master on sock. */
int pty_open_in_container(int sock, const struct winsize *ws, uid_t uid, gid_t gid,
			  struct holt_err *err);

/* In holt: receives the master sent by pty_open_in_container. */
int pty_receive_master(int sock, struct holt_err *err);

#endif
