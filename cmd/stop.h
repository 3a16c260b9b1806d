/* What stop shares with restart and rm. */
#ifndef HOLT_CMD_STOP_H
#define HOLT_CMD_STOP_H

#include "cmd/cmd.h"
#include "core/container.h"

/* Parses stop's -t; prints the error and returns non-zero when arg is not seconds. */
int cmd_stop_timeout(const char *arg, int *out);

#endif
