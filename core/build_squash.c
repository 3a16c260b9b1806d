/* --squash: the target stage's own layers made one, above its FROM image's. The layers
 * are read as overlay would merge them, top first, and written as one OCI layer: what the
 * top-most of them has at each path, a .wh. file where one deleted a path, a
 * .wh..wh..opq in a dir one made opaque. */
#include "core/base/archive_cleanup.h"
#include "core/base/util.h"
#include "core/build_stage.h"
#include "storage/layer_pack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

struct squash {
	char **roots; /* the stage's layers, top first */
	size_t n;
	struct archive_entry_linkresolver *links; /* hard links within a layer stay links */
};

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool is_opaque(const char *path)
{
	char v[2];
	return (getxattr(path, "user.overlay.opaque", v, sizeof v) == 1 ||
		getxattr(path, "trusted.overlay.opaque", v, sizeof v) == 1) &&
	       v[0] == 'y';
}

static int fail(struct archive *a, const char *what, struct holt_err *err)
{
	return holt_err_set(err, 0, "squash: %s: %s", what, archive_error_string(a));
}

/* The entry for path, as host (NULL: an empty marker file) has it: xattrs kept, a second
 * name of a file already written (same device and inode) written as a hard link to it. */
static int put(struct archive *a, struct archive_entry_linkresolver *links, const char *path,
	       const struct stat *st, const char *host, struct holt_err *err)
{
	struct archive_entry *e = archive_entry_new(), *spare = NULL;
	char target[4096];
	int ret = -1;

	if (!e)
		oom();
	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, path);
	if (!S_ISREG(st->st_mode))
		archive_entry_set_size(e, 0);
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(host, target, sizeof target - 1);
		if (n < 0) {
			ret = holt_err_set(err, errno, "squash: read the link \"%s\"", host);
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	}
	if (host && layer_pack_xattrs(e, host, err) < 0)
		goto out;
	if (host && !S_ISDIR(st->st_mode))
		archive_entry_linkify(links, &e, &spare);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		ret = fail(a, path, err);
	else if (S_ISREG(st->st_mode) && host && archive_entry_size(e) > 0)
		ret = build_archive_file_data(a, host, err) < 0
			  ? holt_err_wrap(err, "squash: \"%s\"", path)
			  : 0;
	else
		ret = 0;
out:
	archive_entry_free(e);
	archive_entry_free(spare);
	return ret;
}

static int compare(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Dir rel ("" the root) as the layers from `from` down show it; `from` is the top-most
 * layer that has it, so a layer below an opaque one is not looked at. */
static int walk(struct archive *a, const struct squash *q, const char *rel, size_t from,
		struct holt_err *err)
{
	char **names = NULL;
	size_t until = q->n;

	for (size_t i = from; i < until; i++) {
		cleanup_free char *dir =
		    *rel ? xasprintf("%s/%s", q->roots[i], rel) : xstrdup(q->roots[i]);
		cleanup_dir DIR *d = opendir(dir);
		struct dirent *de;
		while (d && (de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    !strv_contains(names, de->d_name))
				strv_push(&names, de->d_name);
		if (d && *rel && is_opaque(dir))
			until = i + 1;
	}
	if (names)
		qsort(names, strv_len(names), sizeof *names, compare);
	int ret = 0;
	for (char **n = names; ret == 0 && n && *n; n++) {
		cleanup_free char *path = *rel ? xasprintf("%s/%s", rel, *n) : xstrdup(*n);
		for (size_t i = from; i < until; i++) {
			cleanup_free char *host = xasprintf("%s/%s", q->roots[i], path);
			struct stat st;
			if (lstat(host, &st) < 0)
				continue;
			if (is_whiteout(&st)) {
				cleanup_free char *wh = *rel ? xasprintf("%s/.wh.%s", rel, *n)
							     : xasprintf(".wh.%s", *n);
				struct stat w = {.st_mode = S_IFREG | 0644};
				ret = put(a, q->links, wh, &w, NULL, err);
			} else if ((ret = put(a, q->links, path, &st, host, err)) == 0 &&
				   S_ISDIR(st.st_mode)) {
				if (is_opaque(host)) {
					cleanup_free char *opq = xasprintf("%s/.wh..wh..opq", path);
					struct stat o = {.st_mode = S_IFREG | 0644};
					ret = put(a, q->links, opq, &o, NULL, err);
				}
				if (ret == 0)
					ret = walk(a, q, path, i, err);
			}
			break;
		}
	}
	strv_free(names);
	return ret;
}

static int write_layer(void *ctx, int fd, struct holt_err *err)
{
	struct squash *q = ctx;
	cleanup_archive_write struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	archive_entry_linkresolver_set_strategy(q->links, archive_format(a));
	archive_write_add_filter_none(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
		return fail(a, "the layer", err);
	if (walk(a, q, "", 0, err) < 0)
		return -1;
	return archive_write_close(a) == ARCHIVE_OK ? 0 : fail(a, "the layer", err);
}

int build_squash(struct build_stage *st, const char *base_id, size_t base_layers,
		 struct holt_err *err)
{
	struct squash q = {0};
	char key[DIGEST_STR_SIZE];

	if (!st->image || st->image->n_layers <= base_layers)
		return 0;
	build_key(key, st->key, "--squash");
	int cached = build_stage_cached(st, key, err);
	if (cached != 0)
		return cached < 0 ? -1 : 0;
	for (size_t i = st->image->n_layers; i-- > base_layers;)
		strv_push(&q.roots, st->image->layer_dirs[i]);
	q.n = st->image->n_layers - base_layers;
	q.links = archive_entry_linkresolver_new();
	if (!q.links)
		oom();
	/* the squashed image is the base and one layer: the steps' own history goes */
	free(st->image_id);
	st->image_id = base_id ? xstrdup(base_id) : NULL;
	json_object_put(st->history);
	st->history = json_object_new_array();
	int ret = build_stage_commit(st, key, "holt build --squash", write_layer, &q, err);
	strv_free(q.roots);
	archive_entry_linkresolver_free(q.links);
	return ret;
}
