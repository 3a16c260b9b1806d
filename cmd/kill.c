/* `holt kill`: a signal (SIGKILL by default) to running containers. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/control.h"
#include "core/signals.h"

#include <signal.h>
#include <stdio.h>

static const struct cmd_option kill_options[] = {
    {"signal", 's', "SIGNAL", "the signal to send (default: KILL)"},
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

	while ((opt = cmd_getopt(argc, argv, &cmd_kill_info)) != -1)
		if (opt == 's' && (sig = signals_parse(optarg)) <= 0)
			return cmd_error("--signal \"%s\": not a signal", optarg);
	if (optind >= argc)
		return cmd_error("kill: name at least one container");
	for (int i = optind; i < argc; i++) {
		struct holt_err err = {0};
		cleanup_container struct container *c = container_lookup(ctx->store, argv[i], &err);
		if (!c || control_kill(c, sig, &err) < 0) {
			cmd_error("kill \"%s\": %s", argv[i], err.msg);
			holt_err_release(&err);
			ret = HOLT_EXIT_ERROR;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return ret;
}
