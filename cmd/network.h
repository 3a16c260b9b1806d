/* The members of `holt network` that live in files of their own. */
#ifndef HOLT_CMD_NETWORK_H
#define HOLT_CMD_NETWORK_H

#include "cmd/cmd.h"

int cmd_network_rm(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_network_prune(int argc, char **argv, struct cmd_ctx *ctx);

#endif
