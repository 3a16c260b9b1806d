/* `holt system COMMAND`: migrate (stop the pause process and the keep-id views, so that
 * the next command maps the user namespace anew after /etc/subuid or /etc/subgid
 * changed, as podman's does), info, df, prune and check. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/ns_holder.h"
#include "storage/layer_view.h"
#include "storage/store.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_option system_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_system_info = {
    .name = "system",
    .args = "migrate|info|df|prune|check [ARG...]",
    .summary = "Manage holt: migrate, info, df, prune, check",
    .options = system_options,
    .stop_at_operand = true,
};

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
} members[] = {
    {"info", cmd_info},
    {"df", cmd_system_df},
    {"prune", cmd_system_prune},
    {"check", cmd_system_check},
};

/* migrate needs neither store nor namespace; the others the store, and the user
 * namespace to read and remove what containers wrote. */
unsigned cmd_system_member_flags(const char *sub)
{
	return strcmp(sub, "migrate") == 0 ? 0 : NEEDS_STORE | NEEDS_USERNS;
}

static int migrate(struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	cleanup_free char *runroot = ctx->runroot ? xstrdup(ctx->runroot) : store_default_runroot();
	/* the views map ids for the namespace that goes with it */
	if (ns_holder_stop(runroot, &err) < 0 || layer_views_stop(runroot, NULL, &err) < 0)
		return cmd_fail(&err);
	return 0;
}

int cmd_system(int argc, char **argv, struct cmd_ctx *ctx)
{
	while (cmd_getopt(argc, argv, &cmd_system_info) != -1)
		;
	if (optind >= argc)
		return cmd_error("system: name a command (migrate, info, df, prune, check)");
	const char *sub = argv[optind];
	int n = argc - optind;
	char **rest = argv + optind;
	if (!strcmp(sub, "migrate")) {
		if (n != 1)
			return cmd_error("system migrate: unexpected argument \"%s\"", rest[1]);
		return migrate(ctx);
	}
	for (size_t i = 0; i < sizeof members / sizeof *members; i++)
		if (!strcmp(sub, members[i].name)) {
			optind = 0;
			return members[i].fn(n, rest, ctx);
		}
	return cmd_error("system: unknown command \"%s\"", sub);
}
