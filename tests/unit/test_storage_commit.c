/* image_commit: a new layer streamed from a writer on a thread onto an image's layers,
 * and a store left as it was when the writer or the unpack fails. */
#include "storage/image.h"
#include "storage/image_commit.h"
#include "tap.h"
#include "test_storage_tar.h"

#include <errno.h>

static const struct tar_entry base[] = {
    {AE_IFDIR, "etc", NULL, NULL, 0, 0},
    {AE_IFREG, "etc/hostname", "box\n", NULL, 0, 0},
    {0},
};

static const struct tar_entry top[] = {
    {AE_IFDIR, "etc", NULL, NULL, 0, 0},
    {AE_IFREG, "etc/new", "new\n", NULL, 0, 0},
    {AE_IFREG, "etc/.wh.hostname", "", NULL, 0, 0},
    {0},
};

/* Copies the file ctx names to fd; with half, only its first half, then fails. */
struct source {
	const char *path;
	bool half;
};

static int write_file(void *ctx, int fd, struct holt_err *err)
{
	const struct source *src = ctx;
	char buf[65536];
	int in = open(src->path, O_RDONLY);
	ssize_t n = in >= 0 ? read(in, buf, sizeof buf) : -1;
	if (in >= 0)
		close(in);
	if (n < 0)
		return holt_err_set(err, errno, "read \"%s\"", src->path);
	if (src->half)
		n /= 2;
	if (write(fd, buf, (size_t)n) != n)
		return holt_err_set(err, errno, "write");
	return src->half ? holt_err_set(err, 0, "the writer gave up") : 0;
}

/* Writes what is no layer until the unpack stops reading. */
static int write_garbage(void *ctx, int fd, struct holt_err *err)
{
	char buf[65536];
	memset(buf, 'x', sizeof buf);
	for (;;)
		if (write(fd, buf, sizeof buf) < 0)
			return holt_err_set(err, errno, "write garbage");
}

static int store_entries(const char *root)
{
	static const char *const dirs[] = {"images", "layers", "blobs/sha256"};
	int n = 0;
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		cleanup_free char *d = xasprintf("%s/%s", root, dirs[i]);
		n += count_entries(d);
	}
	return n;
}

static char *commit(struct store *s, const char *base_id, const char *name,
		    int (*writer)(void *, int, struct holt_err *), void *ctx, struct holt_err *err)
{
	cleanup_json json_object *config = json_object_new_object();
	json_object *cmd = json_object_new_array();
	json_object_array_add(cmd, json_object_new_string("cat"));
	json_object_object_add(config, "Cmd", cmd);
	struct image_commit_request req = {
	    .base_id = base_id,
	    .name = name,
	    .config = config,
	    .created_by = "test",
	    .write_layer = writer,
	    .ctx = ctx,
	};
	return image_commit(s, &req, err);
}

int main(void)
{
	struct holt_err err = {0};
	cleanup_free char *dir = scratch_dir();
	cleanup_free char *root = xasprintf("%s/root", dir);
	cleanup_free char *run = xasprintf("%s/run", dir);
	cleanup_free char *base_tar = xasprintf("%s/base.tar", dir);
	cleanup_free char *top_tar = xasprintf("%s/top.tar.gz", dir);

	plan(9);
	struct store *s = store_open(root, run, &err);
	if (!ok(s && tar_write(base_tar, ARCHIVE_FILTER_NONE, base) == 0 &&
		    tar_write(top_tar, ARCHIVE_FILTER_GZIP, top) == 0,
		"open a store, make the layers: %s", err.msg ? err.msg : "ok"))
		return done();
	int fd = open(base_tar, O_RDONLY);
	cleanup_free char *base_id = image_import(s, fd, "base:1", NULL, &err);
	close(fd);
	ok(base_id != NULL, "import the base image: %s", err.msg ? err.msg : "ok");
	holt_err_release(&err);

	struct source good = {top_tar, false};
	cleanup_free char *id = commit(s, base_id, "new:1", write_file, &good, &err);
	ok(id != NULL, "commit a layer on top: %s", err.msg ? err.msg : "ok");
	holt_err_release(&err);
	struct image *img = image_lookup(s, "new:1", &err);
	ok(img && img->n_layers == 2 && img->cmd && !strcmp(img->cmd[0], "cat"),
	   "the new image: the base's layer, the new one, the given config");
	if (img) {
		cleanup_free char *wh = xasprintf("%s/etc/hostname", img->layer_dirs[1]);
		struct stat st;
		ok(lstat(wh, &st) == 0 && S_ISCHR(st.st_mode),
		   "the new layer is unpacked, its whiteout in overlay's form");
		image_free(img);
	} else {
		skip(1, "no image");
	}
	holt_err_release(&err);

	int before = store_entries(root);
	struct source half = {top_tar, true};
	cleanup_free char *none = commit(s, base_id, "half:1", write_file, &half, &err);
	ok(!none && err.msg && strstr(err.msg, "the writer gave up"),
	   "a writer that fails: its error, no image: %s", err.msg ? err.msg : "none");
	holt_err_release(&err);
	none = commit(s, base_id, "garbage:1", write_garbage, NULL, &err);
	ok(!none && err.msg && !strstr(err.msg, "Broken pipe"),
	   "a stream that is no layer: the unpack's error, not the writer's EPIPE: %s",
	   err.msg ? err.msg : "none");
	holt_err_release(&err);
	none = commit(s, base_id, "Bad/Name", write_file, &good, &err);
	ok(!none && err.msg && strstr(err.msg, "Bad/Name"), "a bad name: %s",
	   err.msg ? err.msg : "none");
	holt_err_release(&err);
	ok(store_entries(root) == before, "failed commits leave images, layers and blobs alone");

	store_free(s);
	if (store_remove_tree(dir, &err) < 0)
		holt_err_release(&err);
	return done();
}
