/* `holt tag SOURCE TARGET`: one more name for an image, normalized as docker does
 * ("myimg" is docker.io/library/myimg:latest). */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/pull.h"
#include "storage/image.h"

static const struct cmd_option tag_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_tag_info = {
    .name = "tag",
    .args = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
    .summary = "Give an image another name",
    .options = tag_options,
};

int cmd_tag(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};

	while (cmd_getopt(argc, argv, &cmd_tag_info) != -1)
		;
	if (argc - optind != 2)
		return cmd_error("tag: expected SOURCE_IMAGE TARGET_IMAGE");
	cleanup_free char *source = pull_stored_name(ctx->store, argv[optind]);
	if (image_tag(ctx->store, source, argv[optind + 1], &err) < 0)
		return cmd_fail(&err);
	return 0;
}
