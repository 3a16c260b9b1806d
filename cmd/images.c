/* `holt images`: the images in the store, as docker lists them, in its --format. */
#include "cmd/cmd.h"
#include "cmd/output.h"
#include "core/json.h"
#include "core/util.h"
#include "storage/image.h"
#include "storage/reference.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum { OPT_NO_TRUNC = OPT_LONG_BASE, OPT_FORMAT };

static const struct cmd_option images_options[] = {
    {"all", 'a', NULL, "show all images (holt keeps no intermediate ones)"},
    {"quiet", 'q', NULL, "show only image ids"},
    {"no-trunc", OPT_NO_TRUNC, NULL, "show full image ids"},
    {"format", OPT_FORMAT, "FORMAT", "table, table TEMPLATE, json, or a Go TEMPLATE per image"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_images_info = {
    .name = "images",
    .args = "[OPTIONS]",
    .summary = "List images",
    .options = images_options,
};

static const char images_table[] =
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

static const char *const images_headers[][2] = {
    {"ID", "IMAGE ID"},
    {"CreatedSince", "CREATED"},
    {"VirtualSize", "SIZE"},
    {NULL, NULL},
};

/* docker's units.HumanDuration of the image's age, and " ago". */
static void format_age(char *buf, size_t len, time_t created)
{
	long secs = (long)(time(NULL) - created), mins = secs / 60, hours = (secs + 1800) / 3600;

	if (secs < 1)
		snprintf(buf, len, "Less than a second ago");
	else if (secs == 1)
		snprintf(buf, len, "1 second ago");
	else if (secs < 60)
		snprintf(buf, len, "%ld seconds ago", secs);
	else if (mins == 1)
		snprintf(buf, len, "About a minute ago");
	else if (mins < 60)
		snprintf(buf, len, "%ld minutes ago", mins);
	else if (hours == 1)
		snprintf(buf, len, "About an hour ago");
	else if (hours < 48)
		snprintf(buf, len, "%ld hours ago", hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, len, "%ld days ago", hours / 24);
	else if (hours < 24 * 30 * 2)
		snprintf(buf, len, "%ld weeks ago", hours / 24 / 7);
	else if (hours < 24 * 365 * 2)
		snprintf(buf, len, "%ld months ago", hours / 24 / 30);
	else
		snprintf(buf, len, "%ld years ago", secs / 3600 / 24 / 365);
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

/* Go's time.Time.String() of a whole second, in local time, as docker's CreatedAt. */
static void format_time(char *buf, size_t len, time_t t)
{
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S %z %Z", &tm))
		snprintf(buf, len, "%lld", (long long)t);
}

/* The row of img under name (NULL: untagged), with the fields of docker's `images
 * --format json`, in its order. */
static json_object *image_row(const struct image *img, const char *name, bool no_trunc)
{
	char age[64], size[32], created[64];
	cleanup_free char *repo = NULL, *id = NULL;
	const char *tag = "<none>";
	struct reference ref = {0};
	struct holt_err err = {0};
	json_object *row = json_object_new_object();

	if (name && reference_parse(name, &ref, &err) == 0) {
		repo = reference_familiar_repository(&ref);
		if (ref.tag)
			tag = ref.tag;
	}
	holt_err_release(&err);
	format_age(age, sizeof age, img->created);
	format_size(size, sizeof size, img->size);
	format_time(created, sizeof created, img->created);
	id = no_trunc ? xasprintf("sha256:%s", img->id) : xstrndup(img->id, 12);
	json_add_string(row, "Containers", "N/A");
	json_add_string(row, "CreatedAt", created);
	json_add_string(row, "CreatedSince", age);
	json_add_string(row, "Digest", "<none>");
	json_add_string(row, "ID", id);
	json_add_string(row, "Repository", repo ? repo : "<none>");
	json_add_string(row, "SharedSize", "N/A");
	json_add_string(row, "Size", size);
	json_add_string(row, "Tag", tag);
	json_add_string(row, "UniqueSize", "N/A");
	json_add_string(row, "VirtualSize", size);
	reference_clear(&ref);
	return row;
}

/* A row per name of img, or one for an untagged image. */
static int image_rows(struct output *out, const struct image *img, bool no_trunc,
		      struct holt_err *err)
{
	size_t n = strv_len(img->names);

	for (size_t i = 0; i < (n ? n : 1); i++) {
		cleanup_json json_object *row = image_row(img, n ? img->names[i] : NULL, no_trunc);
		if (output_row(out, row, err) < 0)
			return -1;
	}
	return 0;
}

int cmd_images(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct image **imgs = NULL;
	const char *format = NULL;
	size_t n = 0;
	bool quiet = false, no_trunc = false;
	int c, ret = 0;

	while ((c = cmd_getopt(argc, argv, &cmd_images_info)) != -1)
		if (c == 'q')
			quiet = true;
		else if (c == OPT_NO_TRUNC)
			no_trunc = true;
		else if (c == OPT_FORMAT)
			format = optarg;
	if (optind < argc)
		return cmd_error("images: unexpected argument \"%s\"", argv[optind]);
	/* as in docker, -q stands in for the default table only */
	if (quiet && (!format || !*format || !strcmp(format, "table")))
		format = "{{.ID}}";
	cleanup_output struct output *out = output_new(format, images_table, images_headers, &err);
	if (!out || image_list(ctx->store, &imgs, &n, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = 0; i < n; i++) {
		if (ret == 0)
			ret = image_rows(out, imgs[i], no_trunc, &err);
		image_free(imgs[i]);
	}
	free(imgs);
	if (ret == 0)
		ret = output_flush(out, &err);
	return ret < 0 ? cmd_fail(&err) : 0;
}
