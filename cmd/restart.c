/* `holt restart`: stop (if running), then start under a new monitor. */
#include "cmd/stop.h"
#include "cmd/targets.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/control.h"
#include "core/monitor.h"

#include <stdio.h>

static const struct cmd_option restart_options[] = {
    {"time", 't', "SECONDS", "wait this long before SIGKILL (default: the container's, 10)"},
    {"all", 'a', NULL, "restart every container (podman)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_restart_info = {
    .name = "restart",
    .args = "[OPTIONS] CONTAINER...",
    .summary = "Restart one or more containers",
    .options = restart_options,
};

static int restart_one(struct cmd_ctx *ctx, const char *name, int timeout, struct holt_err *err)
{
	cleanup_container struct container *c = container_lookup(ctx->store, name, err);
	if (!c || control_stop_as_configured(ctx->store, c, timeout, err) < 0)
		return HOLT_EXIT_ERROR;
	int code;
	if (monitor_start_container(ctx->store, c, ctx->storage_driver, NULL, &code, err) < 0)
		return code;
	return 0;
}

int cmd_restart(int argc, char **argv, struct cmd_ctx *ctx)
{
	int opt, timeout = -1, ret = 0;
	bool all = false;
	cleanup_strv char **targets = NULL;

	while ((opt = cmd_getopt(argc, argv, &cmd_restart_info)) != -1)
		if (opt == 't' && cmd_stop_timeout(optarg, &timeout))
			return HOLT_EXIT_ERROR;
		else if (opt == 'a')
			all = true;
	if (cmd_targets(ctx, "restart", argc, argv, all, TARGETS_ANY, &targets))
		return HOLT_EXIT_ERROR;
	for (char **t = targets; t && *t; t++) {
		struct holt_err err = {0};
		int code = restart_one(ctx, *t, timeout, &err);
		if (code) {
			cmd_error("restart \"%s\": %s", *t, err.msg);
			holt_err_release(&err);
			ret = code;
			continue;
		}
		printf("%s\n", *t);
	}
	return ret;
}
