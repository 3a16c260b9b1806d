/* The members of `holt volume` that live in files of their own. */
#ifndef HOLT_CMD_VOLUME_H
#define HOLT_CMD_VOLUME_H

#include "cmd/cmd.h"

int cmd_volume_rm(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_volume_prune(int argc, char **argv, struct cmd_ctx *ctx);

#endif
