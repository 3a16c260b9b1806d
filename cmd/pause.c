/* `holt pause` and `holt unpause`: freeze and thaw every process of running containers
 * with the cgroup v2 freezer. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/cgroup.h"
#include "core/container.h"
#include "core/container_events.h"

#include <stdio.h>

static const struct cmd_option no_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_pause_info = {
    .name = "pause",
    .args = "CONTAINER...",
    .summary = "Pause all processes within one or more containers",
    .options = no_options,
};

const struct cmd_info cmd_unpause_info = {
    .name = "unpause",
    .args = "CONTAINER...",
    .summary = "Unpause all processes within one or more containers",
    .options = no_options,
};

static int freeze_one(struct cmd_ctx *ctx, const char *name, bool frozen, struct holt_err *err)
{
	cleanup_container struct container *c = container_lookup(ctx->store, name, err);
	if (!c)
		return -1;
	if (frozen && c->state.status == STATUS_PAUSED)
		return holt_err_set(err, 0, "container \"%s\" is already paused", c->name);
	/* Thawing a running container changes nothing, but where it has no cgroup that
	 * says why it could never have been paused. */
	if (!frozen && c->state.status == STATUS_RUNNING)
		return cgroup_freeze(c, false, err) < 0
			   ? -1
			   : holt_err_set(err, 0, "container \"%s\" is not paused", c->name);
	if (c->state.status != STATUS_RUNNING && c->state.status != STATUS_PAUSED)
		return holt_err_set(err, 0, "container \"%s\" is not running", c->name);
	if (cgroup_freeze(c, frozen, err) < 0)
		return -1;
	container_event(c, frozen ? "pause" : "unpause", NULL);
	return 0;
}

static int freeze(int argc, char **argv, struct cmd_ctx *ctx, const struct cmd_info *info,
		  bool frozen)
{
	int ret = 0;

	while (cmd_getopt(argc, argv, info) != -1)
		;
	if (optind >= argc)
		return cmd_error("%s: name at least one container", info->name);
	for (int i = optind; i < argc; i++) {
		struct holt_err err = {0};
		if (freeze_one(ctx, argv[i], frozen, &err) < 0) {
			cmd_error("%s \"%s\": %s", info->name, argv[i], err.msg);
			holt_err_release(&err);
			ret = HOLT_EXIT_ERROR;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return ret;
}

int cmd_pause(int argc, char **argv, struct cmd_ctx *ctx)
{
	return freeze(argc, argv, ctx, &cmd_pause_info, true);
}

int cmd_unpause(int argc, char **argv, struct cmd_ctx *ctx)
{
	return freeze(argc, argv, ctx, &cmd_unpause_info, false);
}
