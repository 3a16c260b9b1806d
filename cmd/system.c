/* `holt system`: migrate stops the pause process, so that the next command maps the user
 * namespace anew (after /etc/subuid or /etc/subgid changed), as podman's does; check
 * checks the store. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/ns_holder.h"
#include "storage/store.h"

#include <stdio.h>
#include <string.h>

const struct cmd_info cmd_system_info = {
    .name = "system",
    .args = "migrate|check [ARG...]",
    .summary = "Manage holt: migrate (after subordinate id changes), check the store",
    .stop_at_operand = true,
};

unsigned cmd_system_member_flags(const char *sub)
{
	return strcmp(sub, "migrate") == 0 ? 0 : NEEDS_STORE | NEEDS_USERNS;
}

int cmd_system(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};

	while (cmd_getopt(argc, argv, &cmd_system_info) != -1)
		;
	if (optind < argc && strcmp(argv[optind], "check") == 0) {
		int first = optind;
		optind = 0;
		return cmd_system_check(argc - first, argv + first, ctx);
	}
	if (optind != argc - 1 || strcmp(argv[optind], "migrate") != 0)
		return cmd_error("system: expected \"migrate\" or \"check\"");
	cleanup_free char *runroot = ctx->runroot ? xstrdup(ctx->runroot) : store_default_runroot();
	if (ns_holder_stop(runroot, &err) < 0)
		return cmd_fail(&err);
	return 0;
}
