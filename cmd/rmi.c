/* `holt rmi`: untag images, and remove those left without a name. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/image_pins.h"
#include "core/pull.h"
#include "storage/image.h"
#include "storage/store_gc.h"

#include <errno.h>
#include <stdio.h>

static const struct cmd_option rmi_options[] = {
    {"force", 'f', NULL, "remove an image a stopped container uses: only its names go"},
    {"all", 'a', NULL, "remove every image: each of its names, then it (podman)"},
    {"ignore", 'i', NULL, "an image that does not exist is no error (podman)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_rmi_info = {
    .name = "rmi",
    .args = "[OPTIONS] IMAGE [IMAGE...]",
    .summary = "Remove images",
    .options = rmi_options,
};

/* What rmi -a goes through: every name of every image, and the ids of unnamed ones. */
static int every_image(struct cmd_ctx *ctx, char ***out)
{
	struct holt_err err = {0};
	struct image **imgs = NULL;
	size_t n = 0;
	if (image_list(ctx->store, &imgs, &n, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = 0; i < n; i++) {
		for (char **name = imgs[i]->names; name && *name; name++)
			strv_push(out, *name);
		if (!imgs[i]->names)
			strv_push(out, imgs[i]->id);
		image_free(imgs[i]);
	}
	free(imgs);
	return 0;
}

int cmd_rmi(int argc, char **argv, struct cmd_ctx *ctx)
{
	bool force = false, all = false, ignore = false;
	cleanup_strv char **targets = NULL;
	int c, ret = 0;

	while ((c = cmd_getopt(argc, argv, &cmd_rmi_info)) != -1)
		if (c == 'f')
			force = true;
		else if (c == 'a')
			all = true;
		else if (c == 'i')
			ignore = true;
	if (all && optind < argc)
		return cmd_error("rmi: --all and image names conflict");
	if (!all && optind >= argc)
		return cmd_error("rmi: name at least one image (or --all)");
	if (all && every_image(ctx, &targets))
		return HOLT_EXIT_ERROR;
	for (int i = optind; i < argc; i++)
		strv_push(&targets, argv[i]);
	for (char **t = targets; t && *t; t++) {
		struct holt_err err = {0};
		cleanup_strv char **untagged = NULL;
		cleanup_free char *deleted = NULL;
		cleanup_free char *ref = pull_stored_name(ctx->store, *t);
		if (image_remove(ctx->store, ref, force, container_image_users, &untagged, &deleted,
				 &err) < 0) {
			if (ignore && err.errnum == ENOENT) {
				holt_err_release(&err);
				continue;
			}
			holt_err_wrap(&err, "rmi \"%s\"", *t);
			ret = cmd_fail(&err);
			continue;
		}
		for (char **u = untagged; u && *u; u++)
			printf("Untagged: %s\n", *u);
		if (deleted)
			printf("Deleted: sha256:%s\n", deleted);
	}
	/* What killed commands left that no image names goes too, as space is freed here. */
	struct store_gc_result gc;
	struct holt_err err = {0};
	if (store_gc(ctx->store, false, &gc, &err) < 0)
		ret = cmd_fail(&err);
	return ret ? HOLT_EXIT_ERROR : 0;
}
