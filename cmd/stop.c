/* `holt stop`: the stop signal, then SIGKILL after the timeout. */
#include "cmd/stop.h"
#include "cmd/targets.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/control.h"

#include <stdio.h>
#include <stdlib.h>

static const struct cmd_option stop_options[] = {
    {"time", 't', "SECONDS", "wait this long before SIGKILL (default: the container's, 10)"},
    {"all", 'a', NULL, "stop every running container (podman)"},
    {"ignore", 'i', NULL, "a container that does not exist is no error (podman)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_stop_info = {
    .name = "stop",
    .args = "[OPTIONS] CONTAINER...",
    .summary = "Stop one or more running containers",
    .options = stop_options,
};

int cmd_stop_timeout(const char *arg, int *out)
{
	char *end;
	long t = strtol(arg, &end, 10);
	if (!*arg || *end || t < 0 || t > 86400 * 365)
		return cmd_error("--time \"%s\": not a number of seconds", arg);
	*out = (int)t;
	return 0;
}

int cmd_stop(int argc, char **argv, struct cmd_ctx *ctx)
{
	int opt, timeout = -1, ret = 0;
	bool all = false, ignore = false;
	cleanup_strv char **targets = NULL;

	while ((opt = cmd_getopt(argc, argv, &cmd_stop_info)) != -1)
		if (opt == 't' && cmd_stop_timeout(optarg, &timeout))
			return HOLT_EXIT_ERROR;
		else if (opt == 'a')
			all = true;
		else if (opt == 'i')
			ignore = true;
	if (cmd_targets(ctx, "stop", argc, argv, all, TARGETS_RUNNING, &targets))
		return HOLT_EXIT_ERROR;
	for (char **t = targets; t && *t; t++) {
		struct holt_err err = {0};
		cleanup_container struct container *c = container_lookup(ctx->store, *t, &err);
		if (!c && cmd_targets_ignored(ignore, &err)) {
			holt_err_release(&err);
			continue;
		}
		if (!c || control_stop_as_configured(ctx->store, c, timeout, &err) < 0) {
			cmd_error("stop \"%s\": %s", *t, err.msg);
			holt_err_release(&err);
			ret = HOLT_EXIT_ERROR;
			continue;
		}
		printf("%s\n", *t);
	}
	return ret;
}
