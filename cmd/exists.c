/* `holt image exists` and `holt container exists`, podman's: exit 0 when it exists, 1
 * when not, 125 when that cannot be told. Nothing is printed on success or absence. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/pull.h"
#include "storage/image.h"

#include <errno.h>

static const struct cmd_option exists_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_image_exists_info = {
    .name = "image exists",
    .args = "IMAGE",
    .summary = "Exit 0 when the image exists, 1 when not",
    .options = exists_options,
};

const struct cmd_info cmd_container_exists_info = {
    .name = "container exists",
    .args = "CONTAINER",
    .summary = "Exit 0 when the container exists, 1 when not",
    .options = exists_options,
};

/* 0, 1 or 125 for a lookup that found (found), missed (err ENOENT) or failed. */
static int answer(bool found, struct holt_err *err)
{
	if (found)
		return 0;
	if (err->errnum == ENOENT) {
		holt_err_release(err);
		return 1;
	}
	return cmd_fail(err);
}

int cmd_image_exists(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	while (cmd_getopt(argc, argv, &cmd_image_exists_info) != -1)
		;
	if (argc - optind != 1)
		return cmd_error("image exists: name one image");
	cleanup_free char *ref = pull_stored_name(ctx->store, argv[optind]);
	cleanup_image struct image *img = image_lookup(ctx->store, ref, &err);
	return answer(img != NULL, &err);
}

int cmd_container_exists(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	while (cmd_getopt(argc, argv, &cmd_container_exists_info) != -1)
		;
	if (argc - optind != 1)
		return cmd_error("container exists: name one container");
	cleanup_container struct container *c = container_lookup(ctx->store, argv[optind], &err);
	return answer(c != NULL, &err);
}
