/* `holt system migrate`: stop the pause process, so that the next command maps the
 * user namespace anew (after /etc/subuid or /etc/subgid changed), as podman's does. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/ns_holder.h"
#include "storage/store.h"

#include <stdio.h>
#include <string.h>

const struct cmd_info cmd_system_info = {
    .name = "system",
    .args = "migrate",
    .summary = "Stop holt's pause process (after subordinate id changes)",
};

int cmd_system(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};

	while (cmd_getopt(argc, argv, &cmd_system_info) != -1)
		;
	if (optind != argc - 1 || strcmp(argv[optind], "migrate") != 0)
		return cmd_error("system: expected \"migrate\"");
	cleanup_free char *runroot = ctx->runroot ? xstrdup(ctx->runroot) : store_default_runroot();
	if (ns_holder_stop(runroot, &err) < 0)
		return cmd_fail(&err);
	return 0;
}
