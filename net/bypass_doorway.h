/* The doorway of a container's net helper: a unix socket in the container's run dir
 * through which holt exec hands over the seccomp listener of the process it starts, so
 * that the helper looks into that process's connects and listens as it does the
 * container's own (net/tcp_bypass.h). Only the user reaches the run dir. */
#ifndef HOLT_NET_BYPASS_DOORWAY_H
#define HOLT_NET_BYPASS_DOORWAY_H

#include "core/base/err.h"

/* The helper's side: listens at dir/net.sock (nonblocking). */
int bypass_doorway_open(const char *dir, struct holt_err *err);
/* A visitor come to the doorway (a nonblocking socket), or -1: none waiting. holt exec
 * knocks before it starts its process and hands the listener over later: the helper
 * waits for it in its loop, not here. */
int bypass_doorway_accept(int doorway);
/* The listener a visitor handed over, once it is readable; -1 if it left without one,
 * or with something else than a seccomp listener. */
int bypass_doorway_receive(int visitor);

/* holt exec's side: a socket connected to the doorway at dir/net.sock, or -1 (and no
 * error) when there is none: a helper without the bypass, or one from before it. */
int bypass_doorway_knock(const char *dir, struct holt_err *err);
/* Hands listener over through knocked, as bypass_doorway_knock gave it. */
int bypass_doorway_enter(int knocked, int listener, struct holt_err *err);

#endif
