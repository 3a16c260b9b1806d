/* The members of `holt network` that live in files of their own. */
#ifndef HOLT_CMD_NETWORK_H
#define HOLT_CMD_NETWORK_H

#include "cmd/cmd.h"

/* The members' options and usage, for their parsers and for completion. */
extern const struct cmd_info cmd_network_create_info, cmd_network_inspect_info, cmd_network_ls_info,
    cmd_network_rm_info, cmd_network_prune_info, cmd_network_connect_info,
    cmd_network_disconnect_info;

int cmd_network_rm(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_network_prune(int argc, char **argv, struct cmd_ctx *ctx);

#endif
