/* -a/--all and --ignore for rm, stop, kill, start and restart, as podman has them. */
#include "cmd/targets.h"
#include "core/base/util.h"
#include "core/container.h"

#include <errno.h>

int cmd_targets(struct cmd_ctx *ctx, const char *cmd, int argc, char **argv, bool all,
		enum targets_which which, char ***out)
{
	*out = NULL;
	if (all && optind < argc)
		return cmd_error("%s: --all and container names conflict", cmd);
	if (!all) {
		if (optind >= argc)
			return cmd_error("%s: name at least one container (or --all)", cmd);
		for (int i = optind; i < argc; i++)
			strv_push(out, argv[i]);
		return 0;
	}
	struct holt_err err = {0};
	struct container **list = NULL;
	size_t n = 0;
	if (container_list(ctx->store, &list, &n, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = n; i-- > 0;) {
		bool running = container_is_running(list[i]);
		if (which == TARGETS_ANY || running == (which == TARGETS_RUNNING))
			strv_push(out, list[i]->id);
	}
	container_list_free(list, n);
	return 0;
}

bool cmd_targets_ignored(bool ignore, const struct holt_err *err)
{
	return ignore && err->errnum == ENOENT;
}
