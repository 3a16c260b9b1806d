/* Read-only unless asked to repair, and then only under the store lock. */
#include "storage/store_check.h"
#include "core/base/digest.h"
#include "core/base/json_file.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image_record.h"
#include "storage/layer.h"
#include "storage/store_gc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static __attribute__((format(printf, 3, 4))) void note(struct store_check_report *r, bool repaired,
						       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	r->problems = xrealloc(r->problems, (r->n + 1) * sizeof *r->problems);
	r->problems[r->n++] = (struct store_problem){.what = what, .repaired = repaired};
}

/* 1 when blob digest is there and hashes to its name, 0 when missing, -1 when not. */
static int blob_intact(struct store *s, const char *digest)
{
	cleanup_free char *path = blob_path(s, digest);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	cleanup_digest struct digest *d = digest_new();
	char buf[1 << 16], got[DIGEST_STR_SIZE];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		digest_update(d, buf, (size_t)n);
	if (n < 0)
		return -1;
	digest_final(d, got);
	return strcmp(got, digest) == 0 ? 1 : -1;
}

/* The layer blobs a manifest lists; NULL when it cannot be read. */
static char **manifest_layer_blobs(struct store *s, const char *digest)
{
	struct holt_err ignored = {0};
	cleanup_free char *text = blob_read(s, digest, NULL, &ignored);
	cleanup_json json_object *m = text ? json_parse(text, "manifest", &ignored) : NULL;
	holt_err_release(&ignored);
	json_object *layers;
	char **v = NULL;
	if (!m || !json_object_object_get_ex(m, "layers", &layers))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		json_object *dg;
		if (json_object_object_get_ex(json_object_array_get_idx(layers, i), "digest", &dg))
			strv_push(&v, json_object_get_string(dg));
	}
	return v;
}

static void check_image(struct store *s, const char *id, bool repair, struct store_check_report *r)
{
	struct image_record rec;
	struct holt_err e = {0};
	if (image_record_load(s, id, &rec, &e) < 0) {
		note(r, false, "image %.12s: its record cannot be read: %s", id, e.msg);
		holt_err_release(&e);
		return;
	}
	const char *needed[] = {rec.manifest, rec.config};
	for (size_t i = 0; i < 2; i++) {
		int ok = blob_intact(s, needed[i]);
		if (ok <= 0)
			note(r, false, "image %.12s: its %s %s is %s (pull or load it again)", id,
			     i ? "config" : "manifest", needed[i], ok ? "corrupt" : "missing");
	}
	for (size_t i = 0; rec.layers && rec.layers[i]; i++) {
		cleanup_free char *diff = layer_diff_dir(s, rec.layers[i]);
		if (access(diff, F_OK) < 0)
			note(r, false, "image %.12s: layer %s is missing (pull or load it again)",
			     id, rec.layers[i]);
	}
	/* Layer blobs serve push and save only: the image runs from its unpacked layers. */
	cleanup_strv char **blobs = manifest_layer_blobs(s, rec.manifest);
	for (size_t i = 0; blobs && blobs[i]; i++) {
		int ok = blob_intact(s, blobs[i]);
		if (ok < 0 && repair && blob_remove(s, blobs[i], &e) == 0)
			note(r, true,
			     "image %.12s: layer blob %s is corrupt: removed (the image runs; "
			     "pull it again to push or save it)",
			     id, blobs[i]);
		else if (ok < 0)
			note(r, false, "image %.12s: layer blob %s is corrupt", id, blobs[i]);
		holt_err_release(&e);
	}
	image_record_clear(&rec);
}

static void check_names(struct store *s, bool repair, struct store_check_report *r)
{
	struct holt_err e = {0};
	cleanup_json json_object *names = image_names_load(s, &e);
	if (!names) {
		note(r, false, "the image names cannot be read: %s", e.msg);
		holt_err_release(&e);
		return;
	}
	cleanup_strv char **gone = NULL;
	json_object_object_foreach(names, name, val)
	{
		cleanup_free char *dir = image_dir(s, json_object_get_string(val));
		if (access(dir, F_OK) < 0)
			strv_push(&gone, name);
	}
	for (size_t i = 0; gone && gone[i]; i++)
		json_object_object_del(names, gone[i]);
	bool fixed = gone && repair && image_names_save(s, names, &e) == 0;
	holt_err_release(&e);
	for (size_t i = 0; gone && gone[i]; i++)
		note(r, fixed, "name %s: its image is missing%s", gone[i],
		     fixed ? ": removed" : "");
}

static void check_containers(struct store *s, bool repair, struct store_check_report *r)
{
	cleanup_free char *dir = xasprintf("%s/containers", store_root(s));
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!digest_hex_valid(de->d_name))
			continue;
		cleanup_free char *path = xasprintf("%s/%s", dir, de->d_name);
		cleanup_free char *record = xasprintf("%s/config.json", path);
		struct holt_err e = {0};
		cleanup_json json_object *o = json_file_load(record, &e);
		if (!o && e.errnum == ENOENT) {
			bool fixed = repair && store_remove_tree(path, &e) == 0;
			note(r, fixed,
			     "container %.12s: a directory without a record (a create that "
			     "was killed)%s",
			     de->d_name, fixed ? ": removed" : "");
		} else if (!o) {
			note(r, false, "container %.12s: %s", de->d_name, e.msg);
		} else {
			cleanup_free char *image = json_get_string(o, "Image");
			cleanup_free char *idir = image ? image_dir(s, image) : NULL;
			if (idir && access(idir, F_OK) < 0)
				note(r, false, "container %.12s: its image %.12s is missing",
				     de->d_name, image);
		}
		holt_err_release(&e);
	}
	cleanup_free char *names = xasprintf("%s/names", dir);
	cleanup_dir DIR *nd = opendir(names);
	while (nd && (de = readdir(nd))) {
		char id[128];
		ssize_t n = readlinkat(dirfd(nd), de->d_name, id, sizeof id - 1);
		if (n <= 0)
			continue;
		id[n] = '\0';
		cleanup_free char *record = xasprintf("%s/%s/config.json", dir, id);
		if (access(record, F_OK) == 0)
			continue;
		bool fixed = repair && unlinkat(dirfd(nd), de->d_name, 0) == 0;
		note(r, fixed, "container name %s: claimed by a container that is gone%s",
		     de->d_name, fixed ? ": released" : "");
	}
}

/* What no record names: counted by a collection that only looks, unless repairing. */
static void check_unnamed(struct store *s, bool repair, struct store_check_report *r)
{
	struct store_gc_result gc;
	struct holt_err e = {0};
	if (store_gc(s, !repair, &gc, &e) < 0) {
		note(r, false, "layers and blobs that no image names: not looked for, as %s",
		     e.msg);
		holt_err_release(&e);
		return;
	}
	if (gc.layers || gc.blobs)
		note(r, repair, "%u layer(s) and %u blob(s) that no image names%s", gc.layers,
		     gc.blobs, repair ? ": removed" : "");
}

int store_check(struct store *s, bool repair, struct store_check_report *r, struct holt_err *err)
{
	memset(r, 0, sizeof *r);
	if (store_lock(s, err) < 0)
		return -1;
	cleanup_strv char **ids = NULL;
	int ret = image_ids(s, &ids, err);
	for (size_t i = 0; ret == 0 && ids && ids[i]; i++)
		check_image(s, ids[i], repair, r);
	if (ret == 0) {
		check_names(s, repair, r);
		check_containers(s, repair, r);
		check_unnamed(s, repair, r);
	}
	store_unlock(s);
	return ret;
}

void store_check_report_clear(struct store_check_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->problems[i].what);
	free(r->problems);
	memset(r, 0, sizeof *r);
}
