/* `holt kill`: a signal (SIGKILL by default) to running containers. */
#include "cmd/cmd.h"
#include "cmd/targets.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/control.h"
#include "core/signals.h"

#include <signal.h>
#include <stdio.h>

enum { OPT_IGNORE = OPT_LONG_BASE };

static const struct cmd_option kill_options[] = {
    {"signal", 's', "SIGNAL", "the signal to send (default: KILL)"},
    {"all", 'a', NULL, "signal every running container (podman)"},
    {"ignore", OPT_IGNORE, NULL, "a container that does not exist is no error"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_kill_info = {
    .name = "kill",
    .args = "[OPTIONS] CONTAINER...",
    .summary = "Send a signal to one or more running containers",
    .options = kill_options,
};

int cmd_kill(int argc, char **argv, struct cmd_ctx *ctx)
{
	int opt, sig = SIGKILL, ret = 0;
	bool all = false, ignore = false;
	cleanup_strv char **targets = NULL;

	while ((opt = cmd_getopt(argc, argv, &cmd_kill_info)) != -1)
		if (opt == 's' && (sig = signals_parse(optarg)) <= 0)
			return cmd_error("--signal \"%s\": not a signal", optarg);
		else if (opt == 'a')
			all = true;
		else if (opt == OPT_IGNORE)
			ignore = true;
	if (cmd_targets(ctx, "kill", argc, argv, all, TARGETS_RUNNING, &targets))
		return HOLT_EXIT_ERROR;
	for (char **t = targets; t && *t; t++) {
		struct holt_err err = {0};
		cleanup_container struct container *c = container_lookup(ctx->store, *t, &err);
		if (!c && cmd_targets_ignored(ignore, &err)) {
			holt_err_release(&err);
			continue;
		}
		if (!c || control_kill(c, sig, &err) < 0) {
			cmd_error("kill \"%s\": %s", *t, err.msg);
			holt_err_release(&err);
			ret = HOLT_EXIT_ERROR;
			continue;
		}
		printf("%s\n", *t);
	}
	return ret;
}
