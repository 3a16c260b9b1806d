/* `holt rename`: a container's new name, claimed before the old one is let go. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/container.h"

static const struct cmd_option rename_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_rename_info = {
    .name = "rename",
    .args = "CONTAINER NEW_NAME",
    .summary = "Rename a container",
    .options = rename_options,
};

int cmd_rename(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};

	while (cmd_getopt(argc, argv, &cmd_rename_info) != -1)
		;
	if (argc - optind != 2)
		return cmd_error("rename: give a container and its new name");
	cleanup_container struct container *c = container_lookup(ctx->store, argv[optind], &err);
	if (!c || container_rename(ctx->store, c, argv[optind + 1], &err) < 0)
		return cmd_fail(&err);
	return 0;
}
