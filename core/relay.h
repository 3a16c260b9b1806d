/* The foreground side of `run` and `exec`: holt waits for the process, relaying its
 * terminal and forwarding the signals the user sends to holt (docker's sig-proxy). */
#ifndef HOLT_CORE_RELAY_H
#define HOLT_CORE_RELAY_H

#include "core/attach.h"
#include "core/base/err.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Blocks the signals relay_wait forwards, before the process starts so that none is
 * lost; *old gets the mask to give back and to start the process with. */
int relay_block_signals(sigset_t *old, struct holt_err *err);

/* relay_wait's return when the user typed the detach keys */
enum { RELAY_DETACHED = -2 };

/* Waits for pid, copying between the terminal and master (when >= 0; stdin too when
 * interactive), and forwarding signals. Restores *old. Returns the exit code (128+N for
 * signal N), or -1 with err. With keys (may be NULL) and a master, typing them detaches:
 * pid runs on, its terminal kept open by a background process of its own that reads
 * and drops what it writes, and RELAY_DETACHED is returned. */
int relay_wait(pid_t pid, int master, bool interactive, const struct attach_keys *keys,
	       const sigset_t *old, struct holt_err *err);

/* The exit code of a wait status, as the shell reports it. */
int relay_exit_code(int status);

#endif
