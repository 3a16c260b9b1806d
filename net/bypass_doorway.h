/* The doorway of a container's net helper: a unix socket in the container's run dir
 * through which holt exec hands over the seccomp listener of the process it starts, so
 * that the helper looks into that process's connects and listens as it does the
 * container's own (net/tcp_bypass.h). Only the user reaches the run dir. */
#ifndef HOLT_NET_BYPASS_DOORWAY_H
#define HOLT_NET_BYPASS_DOORWAY_H

#include "core/base/err.h"

/* The helper's side: listens at dir/net.sock (nonblocking). */
int bypass_doorway_open(const char *dir, struct holt_err *err);
/* A listener handed over at doorway, or -1: none waiting, or not a seccomp listener. */
int bypass_doorway_take(int doorway);

/* holt exec's side: a socket connected to the doorway at dir/net.sock, or -1 (and no
 * error) when there is none: a helper without the bypass, or one from before it. */
int bypass_doorway_knock(const char *dir, struct holt_err *err);
/* Hands listener over through knocked, as bypass_doorway_knock gave it. */
int bypass_doorway_enter(int knocked, int listener, struct holt_err *err);

#endif
