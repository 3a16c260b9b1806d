/* `holt wait`: block until containers stop, then print their exit codes. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/control.h"

#include <stdio.h>

static const struct cmd_option wait_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_wait_info = {
    .name = "wait",
    .args = "CONTAINER...",
    .summary = "Wait for containers to stop and print their exit codes",
    .options = wait_options,
};

int cmd_wait(int argc, char **argv, struct cmd_ctx *ctx)
{
	int ret = 0;

	while (cmd_getopt(argc, argv, &cmd_wait_info) != -1)
		;
	if (optind >= argc)
		return cmd_error("wait: name at least one container");
	for (int i = optind; i < argc; i++) {
		struct holt_err err = {0};
		cleanup_container struct container *c = container_lookup(ctx->store, argv[i], &err);
		if (!c || control_wait(c, &err) < 0) {
			cmd_error("wait \"%s\": %s", argv[i], err.msg);
			holt_err_release(&err);
			ret = HOLT_EXIT_ERROR;
			continue;
		}
		printf("%d\n", c->state.exit_code);
		fflush(stdout);
	}
	return ret;
}
