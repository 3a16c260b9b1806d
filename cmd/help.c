/* `holt help [COMMAND]` and `holt --help`: made from the command table. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"

#include <stdio.h>
#include <string.h>

const struct cmd_info cmd_help_info = {
    .name = "help",
    .args = "[COMMAND]",
    .summary = "Show help for holt or for one command",
};

int cmd_help(int argc, char **argv, struct cmd_ctx *ctx)
{
	while (argv && cmd_getopt(argc, argv, &cmd_help_info) != -1)
		;
	if (argv && optind < argc) {
		for (const struct cmd_entry *c = cmd_table; c->name; c++)
			if (strcmp(c->name, argv[optind]) == 0) {
				cmd_usage(c->info, stdout);
				return 0;
			}
		return cmd_error("help: unknown command \"%s\"", argv[optind]);
	}
	cmd_usage(&cmd_global_info, stdout);
	return 0;
}
