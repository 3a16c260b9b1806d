/* `holt version`. */
#include "cmd/cmd.h"

#include <stdio.h>

const struct cmd_info cmd_version_info = {
    .name = "version",
    .summary = "Show the holt version",
};

int cmd_version(int argc, char **argv, struct cmd_ctx *ctx)
{
	while (argv && cmd_getopt(argc, argv, &cmd_version_info) != -1)
		;
	printf("holt version %s\n", HOLT_VERSION);
	return 0;
}
