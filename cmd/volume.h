/* The members of `holt volume` that live in files of their own. */
#ifndef HOLT_CMD_VOLUME_H
#define HOLT_CMD_VOLUME_H

#include "cmd/cmd.h"

/* The members' options and usage, for their parsers and for completion. */
extern const struct cmd_info cmd_volume_create_info, cmd_volume_inspect_info, cmd_volume_ls_info,
    cmd_volume_rm_info, cmd_volume_prune_info;

int cmd_volume_rm(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_volume_prune(int argc, char **argv, struct cmd_ctx *ctx);

#endif
