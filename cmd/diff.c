/* `holt diff`: what a container changed in its root filesystem, one line each, as
 * docker prints it ("A /new", "C /etc", "D /gone"). */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/container_changes.h"
#include "storage/image.h"

#include <stdio.h>

static const struct cmd_option diff_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_diff_info = {
    .name = "diff",
    .args = "CONTAINER",
    .summary = "Show what a container changed in its filesystem",
    .options = diff_options,
};

int cmd_diff(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct id_shift shift;
	struct changes changes = {0};
	cleanup_free char *top = NULL;

	while (cmd_getopt(argc, argv, &cmd_diff_info) != -1)
		;
	if (argc - optind != 1)
		return cmd_error("diff: give one container");
	cleanup_container struct container *c = container_lookup(ctx->store, argv[optind], &err);
	if (!c)
		return cmd_fail(&err);
	cleanup_image struct image *img = image_lookup(ctx->store, c->image_id, &err);
	if (!img) {
		holt_err_wrap(&err, "container \"%s\": its image", c->name);
		return cmd_fail(&err);
	}
	if (container_changes(c, img, &shift, &changes, &top, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = 0; i < changes.n; i++)
		printf("%c %s\n", changes.v[i].kind, changes.v[i].path);
	changes_release(&changes);
	return 0;
}
