/* Passing a descriptor to another process over a unix socket. */
#ifndef HOLT_CORE_BASE_FD_PASS_H
#define HOLT_CORE_BASE_FD_PASS_H

#include "core/base/err.h"

/* Sends fd over the unix socket sock (SCM_RIGHTS), without SIGPIPE. */
int fd_send(int sock, int fd, struct holt_err *err);
/* Receives one fd sent by fd_send, close-on-exec; -1 with err when the peer closed first. */
int fd_receive(int sock, struct holt_err *err);

#endif
