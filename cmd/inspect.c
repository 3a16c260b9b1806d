/* `holt inspect`: containers (and images) as docker's JSON documents, or a --format
 * template rendered for each. */
#include "core/inspect.h"
#include "cmd/cmd.h"
#include "cmd/output.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/pull.h"
#include "storage/image.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { OPT_TYPE = OPT_LONG_BASE };

static const struct cmd_option inspect_options[] = {
    {"format", 'f', "FORMAT", "a Go template for each object (\"json\": one line each)"},
    {"type", OPT_TYPE, "TYPE", "container or image (default: whichever the name is)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_inspect_info = {
    .name = "inspect",
    .args = "[OPTIONS] NAME|ID...",
    .summary = "Show containers or images as JSON",
    .options = inspect_options,
};

static json_object *find_object(struct cmd_ctx *ctx, const char *name, const void *arg,
				struct holt_err *err)
{
	const char *type = arg;
	if (!type || strcmp(type, "container") == 0) {
		struct holt_err e = {0};
		cleanup_container struct container *c = container_lookup(ctx->store, name, &e);
		if (c) {
			cleanup_image struct image *img = image_lookup(ctx->store, c->image_id, &e);
			holt_err_release(&e);
			return inspect_container(c, img, ctx->storage_driver);
		}
		if (type || e.errnum != ENOENT) {
			*err = e;
			return NULL;
		}
		holt_err_release(&e);
	}
	cleanup_free char *ref = pull_stored_name(ctx->store, name);
	cleanup_image struct image *img = image_lookup(ctx->store, ref, err);
	if (!img) {
		if (!type && err->errnum == ENOENT) {
			holt_err_release(err);
			holt_err_set_code(err, ENOENT, "no such object: %s", name);
		}
		return NULL;
	}
	struct image_detail d;
	if (image_detail_load(ctx->store, img, &d, err) < 0)
		return NULL;
	json_object *o = inspect_image(img, &d);
	image_detail_clear(&d);
	return o;
}

int cmd_inspect(int argc, char **argv, struct cmd_ctx *ctx)
{
	const char *format = NULL, *type = NULL;
	int opt;

	while ((opt = cmd_getopt(argc, argv, &cmd_inspect_info)) != -1)
		if (opt == 'f')
			format = optarg;
		else if (opt == OPT_TYPE)
			type = optarg;
	if (type && strcmp(type, "container") && strcmp(type, "image"))
		return cmd_error("--type \"%s\": not container or image", type);
	if (optind >= argc)
		return cmd_error("inspect: name at least one container or image");
	return cmd_inspect_each(ctx, format, argv + optind, find_object, type);
}

int cmd_inspect_each(struct cmd_ctx *ctx, const char *format, char **names, cmd_inspect_find *find,
		     const void *arg)
{
	struct holt_err err = {0};
	int ret = 0;
	cleanup_output struct output *out = output_new_inspect(format, &err);
	if (!out)
		return cmd_fail(&err);
	for (char **name = names; *name; name++) {
		cleanup_json json_object *obj = find(ctx, *name, arg, &err);
		if (!obj || output_row(out, obj, &err) < 0) {
			cmd_fail(&err);
			ret = HOLT_EXIT_ERROR;
		}
	}
	if (output_flush(out, &err) < 0)
		ret = cmd_fail(&err);
	return ret;
}
