/* The build cache: <root>/build-cache/<key> names the image a step made, so that the same
 * step on the same parent is not done again; images are ordinary images, and one that was
 * removed (rmi, prune) is a miss. stat-index.json remembers the digest of each context
 * file with the stat it had, so an unchanged context is not read again. */
#include "core/base/file.h"
#include "core/base/json_file.h"
#include "core/base/util.h"
#include "core/build_stage.h"
#include "core/image_pins.h"
#include "storage/image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void build_key(char out[DIGEST_STR_SIZE], const char *parent, const char *what)
{
	cleanup_digest struct digest *d = digest_new();
	digest_update(d, parent, strlen(parent));
	digest_update(d, "\n", 1);
	digest_update(d, what, strlen(what));
	digest_final(d, out);
}

static char *cache_dir(struct store *s)
{
	return xasprintf("%s/build-cache", store_root(s));
}

static char *entry_path(struct store *s, const char *key)
{
	return xasprintf("%s/build-cache/%s", store_root(s), digest_hex(key));
}

char *build_cache_get(struct store *s, const char *key)
{
	cleanup_free char *path = entry_path(s, key);
	char id[DIGEST_HEX_LEN + 2] = "";
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, id, DIGEST_HEX_LEN) != DIGEST_HEX_LEN || !digest_hex_valid(id))
		return NULL;
	return image_exists(s, id) ? xstrdup(id) : NULL;
}

static char *step_path(struct store *s, const char *id)
{
	return xasprintf("%s/build-steps/%s", store_root(s), id);
}

int build_cache_put(struct store *s, const char *key, const char *id, struct holt_err *err)
{
	cleanup_free char *dir = cache_dir(s);
	cleanup_free char *path = entry_path(s, key);
	cleanup_free char *steps = xasprintf("%s/build-steps", store_root(s));
	cleanup_free char *step = step_path(s, id);

	if (mkdir_p(dir, 0700) < 0 || mkdir_p(steps, 0700) < 0)
		return holt_err_set(err, errno, "create \"%s\"", dir);
	if (store_write_file(s, step, "", 0, err) < 0)
		return -1;
	return store_write_file(s, path, id, strlen(id), err);
}

void build_cache_result(struct store *s, const char *id)
{
	cleanup_free char *step = step_path(s, id);
	/* a marker left behind only hides an unnamed image from a plain `images` */
	unlink(step);
}

bool build_cache_is_step(struct store *s, const char *id)
{
	cleanup_free char *step = step_path(s, id);
	return access(step, F_OK) == 0;
}

/* The image an entry names, when no name or container keeps it (an intermediate step). */
static int prune_image(struct store *s, int dir, const char *entry, uint64_t *freed,
		       struct holt_err *err)
{
	char id[DIGEST_HEX_LEN + 1] = "";
	cleanup_close int fd = openat(dir, entry, O_RDONLY | O_CLOEXEC);
	cleanup_strv char **untagged = NULL;
	cleanup_free char *deleted = NULL;

	if (fd < 0 || read(fd, id, DIGEST_HEX_LEN) != DIGEST_HEX_LEN || !digest_hex_valid(id) ||
	    !image_exists(s, id))
		return 0;
	return image_remove_unused(s, id, true, container_image_users, &untagged, &deleted, freed,
				   err);
}

int build_cache_prune(struct store *s, unsigned *removed, uint64_t *freed, struct holt_err *err)
{
	cleanup_free char *dir = cache_dir(s);
	cleanup_free char *mounts = xasprintf("%s/build-mounts", store_root(s));
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *e;

	*removed = 0;
	*freed = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (digest_hex_valid(e->d_name) &&
		    prune_image(s, dirfd(d), e->d_name, freed, err) < 0)
			return -1;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0)
			return holt_err_set(err, errno, "remove \"%s/%s\"", dir, e->d_name);
		if (digest_hex_valid(e->d_name))
			(*removed)++;
	}
	if (!d && errno != ENOENT)
		return holt_err_set(err, errno, "open \"%s\"", dir);
	*freed += disk_usage(mounts);
	cleanup_free char *steps = xasprintf("%s/build-steps", store_root(s));
	if (store_remove_tree(steps, err) < 0)
		return -1;
	return store_remove_tree(mounts, err);
}

static char *index_path(struct store *s)
{
	return xasprintf("%s/build-cache/stat-index.json", store_root(s));
}

void build_index_load(struct build *b)
{
	cleanup_free char *path = index_path(b->s);
	struct holt_err ignored = {0};

	b->index = json_file_load(path, &ignored);
	/* a missing or damaged index only costs reading the files again */
	holt_err_release(&ignored);
	if (!b->index || !json_object_is_type(b->index, json_type_object)) {
		if (b->index)
			json_object_put(b->index);
		b->index = json_object_new_object();
	}
}

int build_index_save(struct build *b, struct holt_err *err)
{
	if (!b->index || !b->index_changed)
		return 0;
	cleanup_free char *dir = cache_dir(b->s);
	cleanup_free char *path = index_path(b->s);
	const char *text = json_text(b->index);

	if (mkdir_p(dir, 0700) < 0)
		return holt_err_set(err, errno, "create \"%s\"", dir);
	return store_write_file(b->s, path, text, strlen(text), err);
}

static int digest_file(const char *path, char out[DIGEST_STR_SIZE], struct holt_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	cleanup_digest struct digest *d = digest_new();
	char buf[1 << 16];
	ssize_t n;

	if (fd < 0)
		return holt_err_set(err, errno, "open \"%s\"", path);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		digest_update(d, buf, (size_t)n);
	if (n < 0)
		return holt_err_set(err, errno, "read \"%s\"", path);
	digest_final(d, out);
	return 0;
}

int build_file_digest(struct build *b, const char *path, const struct stat *st,
		      char out[DIGEST_STR_SIZE], struct holt_err *err)
{
	/* ctime changes with any write or metadata change, even one that restores mtime */
	cleanup_free char *stamp = xasprintf(
	    "%lu:%lu:%lld:%lld.%09ld:%lld.%09ld", (unsigned long)st->st_dev,
	    (unsigned long)st->st_ino, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
	    st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
	json_object *known;

	if (json_object_object_get_ex(b->index, path, &known)) {
		const char *v = json_object_get_string(known);
		size_t len = strlen(stamp);
		if (v && strncmp(v, stamp, len) == 0 && v[len] == ' ' &&
		    digest_valid(v + len + 1)) {
			memcpy(out, v + len + 1, DIGEST_STR_SIZE);
			return 0;
		}
	}
	if (digest_file(path, out, err) < 0)
		return -1;
	cleanup_free char *entry = xasprintf("%s %s", stamp, out);
	json_object_object_add(b->index, path, json_object_new_string(entry));
	b->index_changed = true;
	return 0;
}
