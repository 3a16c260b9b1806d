/* The containers a command acts on, with podman's -a/--all and --ignore beside the
 * operands docker takes. */
#ifndef HOLT_CMD_TARGETS_H
#define HOLT_CMD_TARGETS_H

#include "cmd/cmd.h"

enum targets_which {
	TARGETS_ANY,
	TARGETS_RUNNING,     /* stop -a, kill -a */
	TARGETS_NOT_RUNNING, /* start -a */
};

/* The operands argv[optind..], or with all every container that which picks (full ids,
 * oldest first, as podman acts); NULL-terminated in *out. Prints the error and returns
 * 125 when both or neither are given, else 0. */
int cmd_targets(struct cmd_ctx *ctx, const char *cmd, int argc, char **argv, bool all,
		enum targets_which which, char ***out);

/* Whether err says the container does not exist and --ignore (ignore) lets that pass. */
bool cmd_targets_ignored(bool ignore, const struct holt_err *err);

#endif
