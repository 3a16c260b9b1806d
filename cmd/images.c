/* `holt images`: the images in the store, as docker lists them. */
#include "cmd/cmd.h"
#include "core/util.h"
#include "storage/image.h"
#include "storage/reference.h"

#include <stdio.h>
#include <time.h>

static const struct cmd_option images_options[] = {
    {"all", 'a', NULL, "show all images (holt keeps no intermediate ones)"},
    {"quiet", 'q', NULL, "show only image ids"},
    {"no-trunc", OPT_LONG_BASE, NULL, "show full image ids"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_images_info = {
    .name = "images",
    .args = "[OPTIONS]",
    .summary = "List images",
    .options = images_options,
};

/* docker's "3 minutes ago" */
static void format_age(char *buf, size_t len, time_t created)
{
	static const struct {
		long secs;
		const char *unit;
	} units[] = {{365L * 86400, "year"}, {30L * 86400, "month"}, {7L * 86400, "week"},
		     {86400, "day"},	     {3600, "hour"},	     {60, "minute"},
		     {1, "second"}};
	long age = (long)(time(NULL) - created);
	if (age < 1) {
		snprintf(buf, len, "Less than a second ago");
		return;
	}
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		long n = age / units[i].secs;
		if (n >= 1) {
			snprintf(buf, len, "%ld %s%s ago", n, units[i].unit, n == 1 ? "" : "s");
			return;
		}
	}
}

/* docker's sizes: decimal units, three significant digits. */
static void format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1000 && u < 4)
		v /= 1000, u++;
	snprintf(buf, len, "%.3g%s", v, units[u]);
}

static void print_row(const struct image *img, const char *name, bool no_trunc)
{
	char age[64], size[32];
	cleanup_free char *repo = NULL;
	const char *tag = "<none>";
	struct reference ref = {0};
	struct holt_err err = {0};

	if (name && reference_parse(name, &ref, &err) == 0) {
		repo = reference_familiar_repository(&ref);
		if (ref.tag)
			tag = ref.tag;
	}
	holt_err_release(&err);
	format_age(age, sizeof age, img->created);
	format_size(size, sizeof size, img->size);
	printf("%-40s %-16s %s%-*.*s %-20s %s\n", repo ? repo : "<none>", tag,
	       no_trunc ? "sha256:" : "", no_trunc ? 64 : 12, no_trunc ? 64 : 12, img->id, age,
	       size);
	reference_clear(&ref);
}

int cmd_images(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct image **imgs = NULL;
	size_t n = 0;
	bool quiet = false, no_trunc = false;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_images_info)) != -1)
		if (c == 'q')
			quiet = true;
		else if (c == OPT_LONG_BASE)
			no_trunc = true;
	if (optind < argc)
		return cmd_error("images: unexpected argument \"%s\"", argv[optind]);
	if (image_list(ctx->store, &imgs, &n, &err) < 0)
		return cmd_fail(&err);
	if (!quiet)
		printf("%-40s %-16s %-*s %-20s %s\n", "REPOSITORY", "TAG", no_trunc ? 71 : 12,
		       "IMAGE ID", "CREATED", "SIZE");
	for (size_t i = 0; i < n; i++) {
		if (quiet)
			printf("%.*s\n", no_trunc ? 64 : 12, imgs[i]->id);
		else if (!imgs[i]->names || !imgs[i]->names[0])
			print_row(imgs[i], NULL, no_trunc);
		else
			for (char **name = imgs[i]->names; *name; name++)
				print_row(imgs[i], *name, no_trunc);
		image_free(imgs[i]);
	}
	free(imgs);
	return 0;
}
