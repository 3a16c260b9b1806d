/* What a container's process must not keep of the command that started it. */
#ifndef HOLT_CORE_SESSION_H
#define HOLT_CORE_SESSION_H

#include "core/base/err.h"

#include <stdbool.h>

/* Cuts the calling process off the caller's login session: a new session unless
 * new_session is false (a pty's setup makes its own), a session keyring of its own, and
 * every fd above 2 + preserve_fds closed when it execs. */
int session_leave(bool new_session, unsigned preserve_fds, struct holt_err *err);

#endif
