/* Images: import, lookup by name, id and prefix, list, tag, remove, and a store left
 * unchanged by failures. */
#include "storage/blob.h"
#include "storage/image.h"
#include "storage/layer.h"
#include "tap.h"
#include "test_storage_tar.h"

#include <errno.h>
#include <json.h>
#include <sys/wait.h>

static const struct tar_entry rootfs[] = {
    {AE_IFDIR, "bin", NULL, NULL, 0, 0},
    {AE_IFREG, "bin/sh", "#!/bin/true\n", NULL, 0, 0755},
    {AE_IFREG, "etc/passwd", "root:x:0:0::/:/bin/sh\n", NULL, 0, 0},
    {0},
};

static const struct tar_entry escaping[] = {
    {AE_IFREG, "ok", "x", NULL, 0, 0},
    {AE_IFREG, "../x", "x", NULL, 0, 0},
    {0},
};

static char *import_file(struct store *s, const char *path, const char *name, struct holt_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY);
	unsigned skipped = 0;
	return image_import(s, fd, name, &skipped, err);
}

/* Imports through a pipe, as `holt import - name` reads stdin. */
static char *import_pipe(struct store *s, const char *path, const char *name, struct holt_err *err)
{
	int p[2];
	if (pipe(p) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		char buf[4096];
		ssize_t n;
		int fd = open(path, O_RDONLY);
		close(p[0]);
		while ((n = read(fd, buf, sizeof buf)) > 0)
			if (write(p[1], buf, (size_t)n) != n)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	char *id = image_import(s, p[0], name, NULL, err);
	close(p[0]);
	waitpid(pid, NULL, 0);
	return id;
}

static int store_entries(const char *root)
{
	const char *dirs[] = {"images", "layers", "blobs/sha256"};
	int n = 0;
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *p = xasprintf("%s/%s", root, dirs[i]);
		n += count_entries(p) * (i == 0 ? 1 : 1000 * (int)i);
	}
	return n;
}

static json_object *blob_json(struct store *s, const char *digest)
{
	struct holt_err err = {0};
	cleanup_free char *text = blob_read(s, digest, NULL, &err);
	holt_err_release(&err);
	return text ? json_tokener_parse(text) : NULL;
}

static const char *jstr(json_object *o, const char *path)
{
	/* path: dot-separated keys, numbers index arrays */
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL;
	for (char *k = strtok_r(copy, ".", &save); o && k; k = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(k));
		else if (!json_object_object_get_ex(o, k, &o))
			o = NULL;
	}
	return o ? json_object_get_string(o) : "";
}

static void test_oci_records(struct store *s, const char *root, const char *id, const char *diff_id)
{
	cleanup_free char *rec_path = xasprintf("%s/images/%s/image.json", root, id);
	json_object *rec = json_object_from_file(rec_path);
	json_object *manifest = rec ? blob_json(s, jstr(rec, "manifest")) : NULL;
	cleanup_free char *config_digest = xasprintf("sha256:%s", id);
	json_object *config = blob_json(s, config_digest);
	ok(manifest && !strcmp(jstr(manifest, "schemaVersion"), "2") &&
	       !strcmp(jstr(manifest, "mediaType"), "application/vnd.oci.image.manifest.v1+json") &&
	       !strcmp(jstr(manifest, "config.digest"), config_digest) &&
	       !strcmp(jstr(manifest, "config.mediaType"),
		       "application/vnd.oci.image.config.v1+json") &&
	       !strcmp(jstr(manifest, "layers.0.mediaType"), LAYER_MEDIA_TAR_GZIP),
	   "manifest is OCI, names the config and a gzip layer");
	ok(config && !strcmp(jstr(config, "os"), "linux") && *jstr(config, "architecture") &&
	       !strcmp(jstr(config, "rootfs.type"), "layers") &&
	       !strcmp(jstr(config, "rootfs.diff_ids.0"), diff_id) &&
	       !strcmp(jstr(config, "history.0.created_by"), "holt import") &&
	       *jstr(config, "created"),
	   "config has platform, diff_ids, history and created");
	json_object_put(rec);
	json_object_put(manifest);
	json_object_put(config);
}

/* An image_users_fn with one container, c0ffee, that uses pinned_id. */
static const char *pinned_id;
static bool running_user;
static int one_user(struct store *s, const char *image_id, char **who, bool *running,
		    struct holt_err *err)
{
	(void)s;
	(void)err;
	if (!pinned_id || strcmp(image_id, pinned_id) != 0)
		return 0;
	*who = xstrdup("c0ffee");
	*running = running_user;
	return 1;
}

int main(void)
{
	struct holt_err err = {0};
	cleanup_free char *dir = scratch_dir();
	cleanup_free char *root = xasprintf("%s/root", dir);
	cleanup_free char *run = xasprintf("%s/run", dir);
	cleanup_free char *gz = xasprintf("%s/rootfs.tar.gz", dir);
	cleanup_free char *plain = xasprintf("%s/rootfs.tar", dir);
	cleanup_free char *bad = xasprintf("%s/bad.tar", dir);
	char diff_id[DIGEST_STR_SIZE];

	plan(36);
	struct store *s = store_open(root, run, &err);
	if (!ok(s != NULL, "open store: %s", err.msg ? err.msg : "ok"))
		return done();
	tar_write(gz, ARCHIVE_FILTER_GZIP, rootfs);
	tar_write(plain, ARCHIVE_FILTER_NONE, rootfs);
	tar_write(bad, ARCHIVE_FILTER_NONE, escaping);
	file_digest(plain, diff_id);

	int before = store_entries(root);
	char *none = import_file(s, bad, "bad:1", &err);
	ok(!none && err.msg && strstr(err.msg, "entry \"../x\": path escapes the layer"),
	   "import of a tar with ../ fails: %s", err.msg ? err.msg : "(accepted)");
	holt_err_release(&err);
	ok(store_entries(root) == before, "and leaves the store as it was");
	none = import_file(s, gz, "Bad:Name", &err);
	ok(!none && err.msg && strstr(err.msg, "must be lowercase"),
	   "import refuses a bad name: %s", err.msg ? err.msg : "(accepted)");
	holt_err_release(&err);

	cleanup_free char *id1 = import_file(s, gz, "myimg:1", &err);
	ok(id1 && strlen(id1) == 64, "import rootfs.tar.gz as myimg:1: %s", id1 ? id1 : err.msg);
	if (!id1)
		return done();
	test_oci_records(s, root, id1, diff_id);

	cleanup_image struct image *img = image_lookup(s, "myimg:1", &err);
	ok(img && !strcmp(img->id, id1), "lookup myimg:1");
	ok(img && strv_len(img->names) == 1 && !strcmp(img->names[0], "docker.io/library/myimg:1"),
	   "its name is docker.io/library/myimg:1");
	cleanup_free char *sh = img ? xasprintf("%s/bin/sh", img->layer_dirs[0]) : NULL;
	ok(img && img->n_layers == 1 && sh && access(sh, X_OK) == 0, "its layer dir holds /bin/sh");
	ok(img && img->size == 12 + 22 && img->created > 0 && !img->entrypoint && !img->cmd &&
	       !img->env && !img->workdir,
	   "size, created, and an empty runtime config");

	const char *by[] = {"docker.io/library/myimg:1", id1, NULL, NULL};
	cleanup_free char *sha = xasprintf("sha256:%s", id1);
	cleanup_free char *prefix = xstrndup(id1, 6);
	by[2] = sha;
	by[3] = prefix;
	for (size_t i = 0; i < 4; i++) {
		cleanup_image struct image *x = image_lookup(s, by[i], &err);
		ok(x && !strcmp(x->id, id1), "lookup by %s", by[i]);
		holt_err_release(&err);
	}
	cleanup_image struct image *missing = image_lookup(s, "nope", &err);
	ok(!missing && err.msg && err.errnum == ENOENT &&
	       !strcmp(err.msg, "image \"nope\": no such image"),
	   "lookup nope: %s", err.msg);
	holt_err_release(&err);
	cleanup_free char *fake = xasprintf("%s/images/%.6s%058d", root, id1, 0);
	mkdir(fake, 0700);
	cleanup_image struct image *amb = image_lookup(s, prefix, &err);
	ok(!amb && err.msg && strstr(err.msg, "ambiguous id prefix"), "ambiguous prefix: %s",
	   err.msg ? err.msg : "(found)");
	holt_err_release(&err);
	rmdir(fake);

	cleanup_free char *id2 = import_pipe(s, gz, "myimg:1", &err);
	ok(id2 && strcmp(id2, id1), "import again from a pipe under the same name");
	struct image **list = NULL;
	size_t n = 0;
	ok(image_list(s, &list, &n, &err) == 0 && n == 2, "list shows 2 images");
	ok(n == 2 && !strcmp(list[0]->id, id2) && list[0]->names && !list[1]->names,
	   "newest first; the name moved, the old image has none");
	for (size_t i = 0; i < n; i++)
		image_free(list[i]);
	free(list);
	ok(image_tag(s, "myimg:1", "localhost:5000/a/b:t", &err) == 0, "tag a second name");

	pinned_id = id2;
	char **untagged = NULL, *deleted = NULL;
	int r = image_remove(s, id2, false, NULL, &untagged, &deleted, &err);
	ok(r < 0 && strstr(err.msg, "2 names"),
	   "remove by id of an image with 2 names needs force: %s", err.msg);
	holt_err_release(&err);
	ok(image_remove(s, "myimg:1", false, NULL, &untagged, &deleted, &err) == 0 && !deleted &&
	       untagged && !strcmp(untagged[0], "myimg:1") && !untagged[1],
	   "remove myimg:1 only untags it");
	strv_free(untagged);
	r = image_remove(s, "localhost:5000/a/b:t", false, one_user, &untagged, &deleted, &err);
	ok(r < 0 && err.msg && strstr(err.msg, "container \"c0ffee\" uses it"),
	   "refuse to remove an image a container uses: %s", err.msg ? err.msg : "(removed)");
	holt_err_release(&err);
	running_user = true;
	r = image_remove(s, "localhost:5000/a/b:t", true, one_user, &untagged, &deleted, &err);
	ok(r < 0 && err.msg && strstr(err.msg, "running container \"c0ffee\" uses it"),
	   "force does not remove an image a running container uses: %s",
	   err.msg ? err.msg : "(removed)");
	holt_err_release(&err);
	running_user = false;
	r = image_remove(s, "localhost:5000/a/b:t", true, one_user, &untagged, &deleted, &err);
	ok(r == 0 && !deleted && untagged && !strcmp(untagged[0], "localhost:5000/a/b:t") &&
	       image_exists(s, id2),
	   "force on an image a stopped container uses only untags it");
	strv_free(untagged);
	r = image_remove(s, id2, true, one_user, &untagged, &deleted, &err);
	ok(r < 0 && image_exists(s, id2), "and its id cannot remove it: %s",
	   err.msg ? err.msg : "(removed)");
	holt_err_release(&err);
	pinned_id = NULL;
	ok(image_tag(s, id2, "localhost:5000/a/b:t", &err) == 0, "name it again");

	cleanup_free char *layer_dir = xasprintf("%s/layers/%s", root, diff_id + 7);
	ok(image_remove(s, "localhost:5000/a/b:t", false, NULL, &untagged, &deleted, &err) == 0 &&
	       deleted && !strcmp(deleted, id2) && untagged &&
	       !strcmp(untagged[0], "localhost:5000/a/b:t"),
	   "remove its last name deletes it");
	strv_free(untagged);
	free(deleted);
	ok(access(layer_dir, F_OK) == 0, "the layer another image uses stays");
	ok(image_remove(s, prefix, false, NULL, &untagged, &deleted, &err) == 0 && deleted &&
	       !strcmp(deleted, id1) && !untagged,
	   "remove the unnamed image by id prefix");
	strv_free(untagged);
	free(deleted);
	cleanup_free char *blobs = xasprintf("%s/blobs/sha256", root);
	cleanup_free char *images = xasprintf("%s/images", root);
	ok(access(layer_dir, F_OK) < 0 && count_entries(blobs) == 0 && count_entries(images) == 1,
	   "its layer and blobs went; only names.json is left in images/");
	r = image_remove(s, "myimg:1", false, NULL, &untagged, &deleted, &err);
	ok(r < 0 && err.errnum == ENOENT, "remove of a missing image: %s", err.msg);
	holt_err_release(&err);

	cleanup_free char *id3 = import_file(s, plain, NULL, &err);
	cleanup_image struct image *unnamed = id3 ? image_lookup(s, id3, &err) : NULL;
	ok(unnamed && !unnamed->names, "import of a plain tar without a name");

	store_free(s);
	cleanup_free char *tmp = xasprintf("%s/tmp", root);
	ok(count_entries(tmp) == 0, "nothing left in tmp/ after store_free");
	ok(store_remove_tree(dir, &err) == 0, "remove the scratch dir");
	return done();
}
