/* `holt system df`: how much the store holds, by kind, and how much of it could go, as
 * docker prints it. Images' sizes are their unpacked layers (a layer two images share is
 * counted once); a container's is what it wrote (its upper dir). */
#include "cmd/cmd.h"
#include "cmd/tabwriter.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/humanize.h"
#include "storage/image.h"
#include "storage/layer.h"

#include <ftw.h>
#include <stdio.h>
#include <string.h>

static const struct cmd_option df_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_system_df_info = {
    .name = "system df",
    .args = "",
    .summary = "Show the disk the store's images and containers use",
    .options = df_options,
};

static unsigned long long tree_bytes;

static int add_bytes(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F)
		tree_bytes += (unsigned long long)st->st_blocks * 512;
	return 0;
}

static unsigned long long du(const char *path)
{
	tree_bytes = 0;
	nftw(path, add_bytes, 16, FTW_PHYS);
	return tree_bytes;
}

struct kind {
	int total, active;
	unsigned long long size, reclaimable;
};

static bool image_used(struct container **list, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i]->image_id, id))
			return true;
	return false;
}

/* Sums the layers of imgs once each: all into k->size, those of unused images only into
 * reclaimable unless a used image shares them. */
static void images_kind(struct image **imgs, size_t ni, struct container **list, size_t nc,
			struct kind *k)
{
	char **seen = NULL, **used_dirs = NULL;
	for (size_t i = 0; i < ni; i++)
		if (image_used(list, nc, imgs[i]->id))
			for (size_t l = 0; l < imgs[i]->n_layers; l++)
				strv_push(&used_dirs, imgs[i]->layer_dirs[l]);
	for (size_t i = 0; i < ni; i++) {
		bool used = image_used(list, nc, imgs[i]->id);
		k->total++;
		k->active += used;
		for (size_t l = 0; l < imgs[i]->n_layers; l++) {
			const char *dir = imgs[i]->layer_dirs[l];
			if (strv_contains(seen, dir))
				continue;
			strv_push(&seen, dir);
			unsigned long long b = du(dir);
			k->size += b;
			if (!strv_contains(used_dirs, dir))
				k->reclaimable += b;
		}
	}
	strv_free(seen);
	strv_free(used_dirs);
}

static void containers_kind(struct container **list, size_t n, struct kind *k)
{
	for (size_t i = 0; i < n; i++) {
		bool running = container_is_running(list[i]);
		cleanup_free char *upper = xasprintf("%s/upper", list[i]->dir);
		unsigned long long b = du(upper);
		k->total++;
		k->active += running;
		k->size += b;
		if (!running)
			k->reclaimable += b;
	}
}

static void row(FILE *out, const char *type, const struct kind *k)
{
	cleanup_free char *size = humanize_size(k->size);
	cleanup_free char *rec = humanize_size(k->reclaimable);
	int pct = k->size ? (int)(k->reclaimable * 100 / k->size) : 0;
	fprintf(out, "%s\t%d\t%d\t%s\t%s (%d%%)\n", type, k->total, k->active, size, rec, pct);
}

int cmd_system_df(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct container **list = NULL;
	struct image **imgs = NULL;
	size_t nc = 0, ni = 0;
	struct kind images = {0}, containers = {0};

	while (cmd_getopt(argc, argv, &cmd_system_df_info) != -1)
		;
	if (optind < argc)
		return cmd_error("system df: unexpected argument \"%s\"", argv[optind]);
	if (container_list(ctx->store, &list, &nc, &err) < 0)
		return cmd_fail(&err);
	if (image_list(ctx->store, &imgs, &ni, &err) < 0) {
		container_list_free(list, nc);
		return cmd_fail(&err);
	}
	images_kind(imgs, ni, list, nc, &images);
	containers_kind(list, nc, &containers);
	for (size_t i = 0; i < ni; i++)
		image_free(imgs[i]);
	free(imgs);
	container_list_free(list, nc);

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		oom();
	fputs("TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE\n", out);
	row(out, "Images", &images);
	row(out, "Containers", &containers);
	fclose(out);
	cleanup_free char *aligned = tabwriter_align(text, 10, 3);
	free(text);
	fputs(aligned, stdout);
	return 0;
}
