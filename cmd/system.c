/* `holt system COMMAND`: migrate (stop the pause process, so that the next command maps
 * the user namespace anew after /etc/subuid or /etc/subgid changed, as podman's does),
 * info, df and prune. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/pause.h"
#include "core/userns.h"
#include "storage/store.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_option system_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_system_info = {
    .name = "system",
    .args = "migrate|info|df|prune [ARG...]",
    .summary = "Manage holt: migrate, info, df, prune",
    .options = system_options,
    .stop_at_operand = true,
};

static int migrate(struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	cleanup_free char *runroot = ctx->runroot ? xstrdup(ctx->runroot) : store_default_runroot();
	if (pause_stop(runroot, &err) < 0)
		return cmd_fail(&err);
	return 0;
}

/* info, df and prune need the store (and the user namespace, to remove what containers
 * wrote); `system` itself is registered without, so that migrate needs neither. */
static int with_store(int (*fn)(int, char **, struct cmd_ctx *), int argc, char **argv,
		      struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	cleanup_free char *root = ctx->root ? xstrdup(ctx->root) : store_default_root();
	cleanup_free char *runroot = ctx->runroot ? xstrdup(ctx->runroot) : store_default_runroot();
	struct userns_info info;
	if (userns_enter(runroot, &info, &err) < 0)
		return cmd_fail(&err);
	userns_info_release(&info);
	ctx->store = store_open(root, runroot, &err);
	if (!ctx->store)
		return cmd_fail(&err);
	optind = 0;
	int ret = fn(argc, argv, ctx);
	store_free(ctx->store);
	ctx->store = NULL;
	return ret;
}

int cmd_system(int argc, char **argv, struct cmd_ctx *ctx)
{
	while (cmd_getopt(argc, argv, &cmd_system_info) != -1)
		;
	if (optind >= argc)
		return cmd_error("system: name a command (migrate, info, df, prune)");
	const char *sub = argv[optind];
	int n = argc - optind;
	char **rest = argv + optind;
	if (!strcmp(sub, "migrate")) {
		if (n != 1)
			return cmd_error("system migrate: unexpected argument \"%s\"", rest[1]);
		return migrate(ctx);
	}
	if (!strcmp(sub, "info"))
		return with_store(cmd_info, n, rest, ctx);
	if (!strcmp(sub, "df"))
		return with_store(cmd_system_df, n, rest, ctx);
	if (!strcmp(sub, "prune"))
		return with_store(cmd_system_prune, n, rest, ctx);
	return cmd_error("system: unknown command \"%s\"", sub);
}
