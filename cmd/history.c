/* `holt history IMAGE`: the steps that made an image, newest first, from its config's
 * history and its layers' sizes, in docker's columns and --format. */
#include "core/history.h"
#include "cmd/cmd.h"
#include "cmd/output.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/humanize.h"
#include "core/pull.h"
#include "storage/image.h"
#include "storage/image_detail.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum { OPT_NO_TRUNC = OPT_LONG_BASE, OPT_FORMAT };

static const struct cmd_option history_options[] = {
    {"quiet", 'q', NULL, "show only image ids"},
    {"no-trunc", OPT_NO_TRUNC, NULL, "show full ids and commands"},
    {"format", OPT_FORMAT, "FORMAT", "table, table TEMPLATE, json, or a Go TEMPLATE per step"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_history_info = {
    .name = "history",
    .args = "[OPTIONS] IMAGE",
    .summary = "Show how an image was made",
    .options = history_options,
};

static const char history_table[] =
    "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

static const char *const history_headers[][2] = {
    {"ID", "IMAGE"},
    {"CreatedSince", "CREATED"},
    {NULL, NULL},
};

/* docker leaves the age of a step made before 2000 blank (a zero or made-up time). */
enum { HISTORY_EPOCH = 946684800, CREATED_BY_WIDTH = 45 };

/* Go's time.Format(time.RFC3339) in local time, as docker's CreatedAt of a step. */
static void format_rfc3339(char *buf, size_t len, time_t t)
{
	struct tm tm;
	char zone[40] = "Z";
	if (!localtime_r(&t, &tm)) {
		snprintf(buf, len, "%lld", (long long)t);
		return;
	}
	if (tm.tm_gmtoff)
		snprintf(zone, sizeof zone, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
			 labs(tm.tm_gmtoff) / 3600, labs(tm.tm_gmtoff) / 60 % 60);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, "%s", zone);
}

/* The row of step e; id is the image's for the newest step, "<missing>" for the rest:
 * holt keeps no intermediate images for them, like docker for a pulled image. */
static json_object *history_row(const struct history_entry *e, const char *id, bool no_trunc)
{
	char created[40];
	json_object *row = json_object_new_object();
	cleanup_free char *by = history_created_by(e->created_by, no_trunc ? 0 : CREATED_BY_WIDTH);
	cleanup_free char *size = humanize_size(e->size);
	cleanup_free char *age = NULL;

	if (e->created > HISTORY_EPOCH) {
		cleanup_free char *d = humanize_duration((long)(time(NULL) - e->created));
		age = xasprintf("%s ago", d);
	}
	format_rfc3339(created, sizeof created, e->created);
	json_add_string(row, "Comment", e->comment ? e->comment : "");
	json_add_string(row, "CreatedAt", created);
	json_add_string(row, "CreatedBy", by);
	json_add_string(row, "CreatedSince", age ? age : "");
	json_add_string(row, "ID", id);
	json_add_string(row, "Size", size);
	return row;
}

static int history_print(struct cmd_ctx *ctx, const struct image *img, const char *format,
			 bool no_trunc, struct holt_err *err)
{
	struct image_detail d;
	struct history_entry *steps = NULL;
	size_t n = 0;
	int ret = 0;

	cleanup_output struct output *out = output_new(format, history_table, history_headers, err);
	if (!out || image_detail_load(ctx->store, img, &d, err) < 0)
		return -1;
	if (history_build(d.config, d.layer_sizes, d.n_layers, &steps, &n, err) < 0)
		ret = holt_err_wrap(err, "image \"%.12s\"", img->id);
	cleanup_free char *id = no_trunc ? xasprintf("sha256:%s", img->id) : xstrndup(img->id, 12);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		cleanup_json json_object *row =
		    history_row(&steps[i], i ? "<missing>" : id, no_trunc);
		ret = output_row(out, row, err);
	}
	history_free(steps, n);
	image_detail_clear(&d);
	return ret < 0 ? ret : output_flush(out, err);
}

int cmd_history(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	const char *format = NULL;
	bool quiet = false, no_trunc = false;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_history_info)) != -1)
		if (c == 'q')
			quiet = true;
		else if (c == OPT_NO_TRUNC)
			no_trunc = true;
		else if (c == OPT_FORMAT)
			format = optarg;
	if (argc - optind != 1)
		return cmd_error("history: name one image");
	/* as in docker, -q stands in for the default table only */
	if (quiet && (!format || !*format || !strcmp(format, "table")))
		format = "{{.ID}}";
	cleanup_free char *ref = pull_stored_name(ctx->store, argv[optind]);
	cleanup_image struct image *img = image_lookup(ctx->store, ref, &err);
	if (!img || history_print(ctx, img, format, no_trunc, &err) < 0)
		return cmd_fail(&err);
	return 0;
}
