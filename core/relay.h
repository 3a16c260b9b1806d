/* The foreground side of `run` and `exec`: holt waits for the process, relaying its
 * terminal and forwarding the signals the user sends to holt (docker's sig-proxy). */
#ifndef HOLT_CORE_RELAY_H
#define HOLT_CORE_RELAY_H

#include "core/base/err.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Blocks the signals relay_wait forwards, before the process starts so that none is
 * lost; *old gets the mask to give back and to start the process with. */
int relay_block_signals(sigset_t *old, struct holt_err *err);

/* Waits for pid, copying between the terminal and master (when >= 0; stdin too when
 * interactive), and forwarding signals. Restores *old. Returns the exit code (128+N for
 * signal N), or -1 with err. */
int relay_wait(pid_t pid, int master, bool interactive, const sigset_t *old, struct holt_err *err);

/* The exit code of a wait status, as the shell reports it. */
int relay_exit_code(int status);

#endif
