/* `holt container COMMAND`: docker's management group. `container ls` is ps and
 * `container prune` is its own; every other subcommand is the top-level one. */
#include "cmd/cmd.h"

#include <string.h>

static const struct cmd_option container_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_container_info = {
    .name = "container",
    .args = "COMMAND [ARG...]",
    .summary = "Manage containers (ls, prune, and the container commands)",
    .options = container_options,
    .stop_at_operand = true,
};

static const char *const members[] = {"attach", "commit",  "cp",      "create",	 "diff",  "exec",
				      "export", "inspect", "kill",    "logs",	 "pause", "port",
				      "ps",	"rename",  "restart", "rm",	 "run",	  "start",
				      "stats",	"stop",	   "top",     "unpause", "wait",  NULL};

unsigned cmd_container_member_flags(const char *sub)
{
	if (strcmp(sub, "prune") == 0) /* removes files of subordinate ids */
		return NEEDS_STORE | NEEDS_USERNS;
	if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0)
		sub = "ps";
	for (size_t i = 0; members[i]; i++)
		if (strcmp(members[i], sub) == 0)
			return cmd_flags_of(sub, NEEDS_STORE);
	return NEEDS_STORE;
}

int cmd_container(int argc, char **argv, struct cmd_ctx *ctx)
{
	while (cmd_getopt(argc, argv, &cmd_container_info) != -1)
		;
	if (optind >= argc)
		return cmd_error("container: name a command (ls, prune, rm, inspect, ...)");
	const char *sub = argv[optind];
	if (strcmp(sub, "prune") == 0) {
		optind = 0;
		return cmd_container_prune(argc - 1, argv + 1, ctx);
	}
	if (strcmp(sub, "exists") == 0) {
		optind = 0;
		return cmd_container_exists(argc - 1, argv + 1, ctx);
	}
	if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0)
		sub = "ps";
	for (size_t i = 0; members[i]; i++) {
		if (strcmp(members[i], sub))
			continue;
		for (const struct cmd_entry *e = cmd_table; e->name; e++)
			if (strcmp(e->name, sub) == 0) {
				optind = 0;
				return e->fn(argc - 1, argv + 1, ctx);
			}
	}
	return cmd_error("container: unknown command \"%s\"", argv[optind]);
}
