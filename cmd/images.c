/* `holt images`: the images in the store, as docker lists them, in its --format, with
 * its filters. */
#include "cmd/cmd.h"
#include "cmd/output.h"
#include "cmd/row_sort.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/build.h"
#include "core/pull.h"
#include "storage/image.h"
#include "storage/image_detail.h"
#include "storage/reference.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { OPT_NO_TRUNC = OPT_LONG_BASE, OPT_FORMAT, OPT_DIGESTS, OPT_SORT };

static const struct cmd_option images_options[] = {
    {"all", 'a', NULL, "show all images, with the unnamed ones build's steps made"},
    {"quiet", 'q', NULL, "show only image ids"},
    {"digests", OPT_DIGESTS, NULL, "show the manifest digests"},
    {"no-trunc", OPT_NO_TRUNC, NULL, "show full image ids"},
    {"noheading", 'n', NULL, "print the table without its header line (podman)"},
    {"filter", 'f', "FILTER", "dangling=true|false, reference=PATTERN, before=IMAGE, since=IMAGE"},
    {"format", OPT_FORMAT, "FORMAT", "table, table TEMPLATE, json, or a Go TEMPLATE per image"},
    {"sort", OPT_SORT, "FIELD", "created (the default), id, repository, size or tag (podman)"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_images_info = {
    .name = "images",
    .args = "[OPTIONS] [REPOSITORY[:TAG]]",
    .summary = "List images",
    .options = images_options,
};

static const char images_table[] =
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
static const char digests_table[] =
    "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

static const char *const images_headers[][2] = {
    {"ID", "IMAGE ID"},
    {"CreatedSince", "CREATED"},
    {"VirtualSize", "SIZE"},
    {NULL, NULL},
};

/* What --filter and the REPOSITORY[:TAG] operand keep: a condition of each key given. */
struct images_filter {
	char **patterns;    /* reference=: a name matching any of them */
	int dangling;	    /* dangling=: -1 either, 0 named, 1 unnamed */
	const char *before; /* before=: created before this image */
	const char *since;  /* since=: created after this image */
	time_t before_time; /* of before */
	time_t since_time;  /* of since */
	bool want_digest;   /* the output shows .Digest */
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
 * --format json`, in its order. digest: the manifest's, or NULL. */
static json_object *image_row(const struct image *img, const struct reference *name,
			      const char *digest, bool no_trunc)
{
	char age[64], size[32], created[64];
	cleanup_free char *repo = name ? reference_familiar_repository(name) : NULL;
	cleanup_free char *id = no_trunc ? xasprintf("sha256:%s", img->id) : xstrndup(img->id, 12);
	const char *tag = name && name->tag ? name->tag : "<none>";
	json_object *row = json_object_new_object();

	format_age(age, sizeof age, img->created);
	format_size(size, sizeof size, img->size);
	format_time(created, sizeof created, img->created);
	json_add_string(row, "Containers", "N/A");
	json_add_string(row, "CreatedAt", created);
	json_add_string(row, "CreatedSince", age);
	json_add_string(row, "Digest", digest ? digest : "<none>");
	json_add_string(row, "ID", id);
	json_add_string(row, "Repository", repo ? repo : "<none>");
	json_add_string(row, "SharedSize", "N/A");
	json_add_string(row, "Size", size);
	json_add_string(row, "Tag", tag);
	json_add_string(row, "UniqueSize", "N/A");
	json_add_string(row, "VirtualSize", size);
	return row;
}

/* docker's reference filter: the pattern (path.Match: '*' stops at '/') against the
 * familiar name with its tag, or the familiar repository alone. */
static bool name_matches(const struct images_filter *f, const struct reference *name)
{
	if (!f->patterns)
		return true;
	cleanup_free char *full = reference_familiar(name);
	cleanup_free char *repo = reference_familiar_repository(name);
	for (char **p = f->patterns; *p; p++)
		if (!fnmatch(*p, full, FNM_PATHNAME) || !fnmatch(*p, repo, FNM_PATHNAME))
			return true;
	return false;
}

static bool image_kept(const struct images_filter *f, const struct image *img)
{
	bool named = img->names && img->names[0];
	if ((f->dangling == 1 && named) || (f->dangling == 0 && !named))
		return false;
	if (f->before && img->created >= f->before_time)
		return false;
	if (f->since && img->created <= f->since_time)
		return false;
	/* an image without a name has nothing a reference could match */
	return named || !f->patterns;
}

/* What the row of name (NULL: untagged) shows as its digest: a digest reference's own,
 * else the first its repository knows the image by, else the manifest's. */
static const char *row_digest(const struct reference *name, char *const *repo_digests,
			      const char *manifest)
{
	if (!name)
		return manifest;
	if (name->digest)
		return name->digest;
	cleanup_free char *repo = reference_repository(name);
	for (size_t i = 0; repo_digests && repo_digests[i]; i++) {
		const char *after = reference_after_repository(repo_digests[i], repo);
		if (after && *after == '@')
			return after + 1;
	}
	return manifest;
}

/* Whether img has a tag in name's repository: then, as in docker, a digest reference
 * there has no row of its own (the tag's row shows the digest). */
static bool repo_tagged(const struct image *img, const struct reference *name)
{
	cleanup_free char *repo = reference_repository(name);
	for (size_t i = 0; img->names && img->names[i]; i++) {
		const char *after = reference_after_repository(img->names[i], repo);
		if (after && *after == ':')
			return true;
	}
	return false;
}

/* podman's --sort fields, in the order of sort_names */
enum images_sort { SORT_CREATED, SORT_ID, SORT_REPOSITORY, SORT_SIZE, SORT_TAG };
static const char *const sort_names[] = {"created", "id", "repository", "size", "tag", NULL};

/* Keeps row for --sort field: created newest first, size smallest first, the others
 * alphabetical. */
static void keep_sorted(struct row_sort *sorted, int field, json_object *row,
			const struct image *img)
{
	static const char *const fields[] = {NULL, "ID", "Repository", NULL, "Tag"};
	const char *key = fields[field]
			      ? json_object_get_string(json_object_object_get(row, fields[field]))
			      : NULL;
	long long num = field == SORT_CREATED ? -(long long)img->created : (long long)img->size;
	row_sort_add(sorted, json_object_get(row), key, num, img);
}

/* A row per name of img that the filter keeps, or one for an untagged image; printed,
 * or kept in sorted (when not NULL) under --sort field. */
static int image_rows(struct cmd_ctx *ctx, struct output *out, const struct image *img,
		      const struct images_filter *f, bool no_trunc, struct row_sort *sorted,
		      int field, struct holt_err *err)
{
	size_t n = strv_len(img->names);
	struct holt_err ignored = {0};

	if (!image_kept(f, img))
		return 0;
	/* gone since it was listed, or unreadable: "<none>", as docker shows a digest it lacks */
	cleanup_free char *manifest = NULL;
	cleanup_strv char **repo_digests = NULL;
	if (f->want_digest &&
	    image_digests(ctx->store, img, &manifest, &repo_digests, &ignored) < 0)
		holt_err_release(&ignored);
	for (size_t i = 0; i < (n ? n : 1); i++) {
		cleanup_reference struct reference ref = {0};
		if (n && reference_parse(img->names[i], &ref, &ignored) < 0) {
			holt_err_release(&ignored);
			continue;
		}
		if (n && (!name_matches(f, &ref) || (ref.digest && repo_tagged(img, &ref))))
			continue;
		cleanup_json json_object *row =
		    image_row(img, n ? &ref : NULL,
			      row_digest(n ? &ref : NULL, repo_digests, manifest), no_trunc);
		if (sorted)
			keep_sorted(sorted, field, row, img);
		else if (output_row(out, row, err) < 0)
			return -1;
	}
	return 0;
}

/* The creation time of the image that before= or since= (key) names. */
static int filter_image_time(struct cmd_ctx *ctx, const char *key, const char *ref, time_t *t,
			     struct holt_err *err)
{
	cleanup_free char *name = pull_stored_name(ctx->store, ref);
	cleanup_image struct image *img = image_lookup(ctx->store, name, err);
	if (!img)
		return holt_err_wrap(err, "images --filter \"%s=%s\"", key, ref);
	*t = img->created;
	return 0;
}

static void filter_clear(struct images_filter *f)
{
	strv_free(f->patterns);
}

static int filter_add(struct images_filter *f, const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec)
		return cmd_error("images --filter \"%s\": not KEY=VALUE", spec);
	const char *v = eq + 1;
	size_t klen = (size_t)(eq - spec);
	if (klen == 8 && !strncmp(spec, "dangling", klen)) {
		if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0"))
			return cmd_error("images --filter \"%s\": dangling is true or false", spec);
		f->dangling = !strcmp(v, "true") || !strcmp(v, "1");
	} else if (klen == 9 && !strncmp(spec, "reference", klen)) {
		strv_push(&f->patterns, v);
	} else if (klen == 6 && !strncmp(spec, "before", klen)) {
		f->before = v;
	} else if (klen == 5 && !strncmp(spec, "since", klen)) {
		f->since = v;
	} else {
		return cmd_error("images --filter \"%s\": unknown filter \"%.*s\" (holt has "
				 "dangling, reference, before, since)",
				 spec, (int)klen, spec);
	}
	return 0;
}

int cmd_images(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct image **imgs = NULL;
	__attribute__((cleanup(filter_clear))) struct images_filter f = {.dangling = -1};
	const char *format = NULL;
	size_t n = 0;
	bool quiet = false, no_trunc = false, digests = false, noheading = false, all = false;
	int c, ret = 0, field = -1;
	struct row_sort sorted = {0};

	while ((c = cmd_getopt(argc, argv, &cmd_images_info)) != -1) {
		if (c == 'q')
			quiet = true;
		else if (c == OPT_NO_TRUNC)
			no_trunc = true;
		else if (c == OPT_DIGESTS)
			digests = true;
		else if (c == 'n')
			noheading = true;
		else if (c == 'a')
			all = true;
		else if (c == OPT_FORMAT)
			format = optarg;
		else if (c == 'f' && ret == 0)
			ret = filter_add(&f, optarg);
		else if (c == OPT_SORT && (field = row_sort_field(sort_names, optarg)) < 0)
			return cmd_error(
			    "images --sort \"%s\": not one of created, id, repository, "
			    "size, tag",
			    optarg);
	}
	if (ret)
		return ret;
	if (argc - optind > 1)
		return cmd_error("images: unexpected argument \"%s\"", argv[optind + 1]);
	/* docker takes REPOSITORY[:TAG] as one more reference filter */
	if (optind < argc)
		strv_push(&f.patterns, argv[optind]);
	/* as in docker, -q and --digests change the default table only */
	if (!format || !*format || !strcmp(format, "table"))
		format = quiet ? "{{.ID}}" : digests ? digests_table : images_table;
	f.want_digest = strstr(format, "Digest") || strstr(format, "json");
	cleanup_output struct output *out = output_new(format, images_table, images_headers, &err);
	if (out && noheading)
		output_no_header(out);
	if (!out ||
	    (f.before && filter_image_time(ctx, "before", f.before, &f.before_time, &err) < 0) ||
	    (f.since && filter_image_time(ctx, "since", f.since, &f.since_time, &err) < 0) ||
	    image_list(ctx->store, &imgs, &n, &err) < 0)
		return cmd_fail(&err);
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (all || strv_len(imgs[i]->names) ||
		    !build_cache_is_step(ctx->store, imgs[i]->id))
			ret = image_rows(ctx, out, imgs[i], &f, no_trunc,
					 field >= 0 ? &sorted : NULL, field, &err);
	row_sort_run(&sorted, field == SORT_CREATED || field == SORT_SIZE, false);
	for (size_t i = 0; ret == 0 && i < sorted.n; i++)
		ret = output_row(out, sorted.v[i].row, &err);
	row_sort_release(&sorted);
	for (size_t i = 0; i < n; i++)
		image_free(imgs[i]);
	free(imgs);
	if (ret == 0)
		ret = output_flush(out, &err);
	return ret < 0 ? cmd_fail(&err) : 0;
}
