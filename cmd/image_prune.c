/* `holt image prune`: remove the images without a name or, with -a, every image no
 * container uses, and say how much space their layers took. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/humanize.h"
#include "core/image_pins.h"
#include "storage/image.h"
#include "storage/store_gc.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_option image_prune_options[] = {
    {"all", 'a', NULL, "remove every image no container uses, not only unnamed ones"},
    {"force", 'f', NULL, "do not ask for confirmation"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_image_prune_info = {
    .name = "image prune",
    .args = "[OPTIONS]",
    .summary = "Remove unused images",
    .options = image_prune_options,
};

/* docker's prompt: a line is read even when stdin is no terminal, and only y or Y (end
 * of input is no) goes on. */
static bool confirmed(bool all)
{
	char answer[16] = "";
	fputs(all ? "WARNING! This will remove all images without at least one container "
		    "associated to them.\n"
		  : "WARNING! This will remove all dangling images.\n",
	      stdout);
	fputs("Are you sure you want to continue? [y/N] ", stdout);
	fflush(stdout);
	return fgets(answer, sizeof answer, stdin) && (answer[0] == 'y' || answer[0] == 'Y') &&
	       strchr("\n\r", answer[1]);
}

/* Removes image id when the mode lets it, and prints what went as docker does. */
static int prune_one(struct cmd_ctx *ctx, const char *id, bool all, bool *header, uint64_t *freed)
{
	struct holt_err err = {0};
	cleanup_strv char **untagged = NULL;
	cleanup_free char *deleted = NULL;

	if (image_remove_unused(ctx->store, id, !all, container_image_users, &untagged, &deleted,
				freed, &err) < 0) {
		holt_err_wrap(&err, "image prune: image \"%.12s\"", id);
		return cmd_fail(&err);
	}
	if (!deleted)
		return 0;
	if (!*header)
		puts("Deleted Images:");
	*header = true;
	for (char **u = untagged; u && *u; u++)
		printf("untagged: %s\n", *u);
	printf("deleted: sha256:%s\n", deleted);
	return 0;
}

int cmd_image_prune(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct image **imgs = NULL;
	size_t n = 0;
	uint64_t freed = 0;
	bool all = false, force = false, header = false;
	int c, ret = 0;

	while ((c = cmd_getopt(argc, argv, &cmd_image_prune_info)) != -1)
		if (c == 'a')
			all = true;
		else if (c == 'f')
			force = true;
	if (optind < argc)
		return cmd_error("image prune: unexpected argument \"%s\"", argv[optind]);
	if (!force && !confirmed(all))
		return 0;
	if (image_list(ctx->store, &imgs, &n, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = 0; i < n; i++) {
		if (prune_one(ctx, imgs[i]->id, all, &header, &freed))
			ret = HOLT_EXIT_ERROR;
		image_free(imgs[i]);
	}
	free(imgs);
	if (header)
		putchar('\n');
	/* and what killed commands left that no image names */
	struct store_gc_result gc;
	if (store_gc(ctx->store, false, &gc, &err) < 0)
		ret = cmd_fail(&err);
	freed += gc.bytes;
	cleanup_free char *size = humanize_size(freed);
	printf("Total reclaimed space: %s\n", size);
	return ret;
}
