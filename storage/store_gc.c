/* Garbage collection: the layers and blobs no image uses, which a pull, rmi or import
 * killed at the wrong moment can leave behind. Every command puts layers, blobs and the
 * image record that names them in place in one section under the store lock, so under
 * that lock whatever no record names is garbage. */
#include "storage/store_gc.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image_record.h"
#include "storage/image_uses.h"
#include "storage/layer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

static bool is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int collect_uses(struct store *s, struct in_use *u, struct holt_err *err)
{
	cleanup_strv char **ids = NULL;
	if (image_ids(s, &ids, err) < 0)
		return -1;
	for (size_t i = 0; ids && ids[i]; i++)
		if (add_uses(s, ids[i], u, err) < 0)
			return holt_err_wrap(err, "image %s", ids[i]);
	return 0;
}

/* Removes the entries of dir (layers/ or blobs/sha256/) that used does not name. */
static int sweep(struct store *s, const char *dir, char **used, bool layers, bool dry_run,
		 struct store_gc_result *r, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", store_root(s), dir);
	cleanup_dir DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : holt_err_set(err, errno, "read \"%s\"", path);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!is_hex64(de->d_name))
			continue;
		cleanup_free char *digest = xasprintf("sha256:%s", de->d_name);
		if (strv_contains(used, digest))
			continue;
		uint64_t size = 0;
		struct stat st;
		struct holt_err ignored = {0};
		if (layers) {
			if (layer_size(s, digest, &size, &ignored) < 0)
				holt_err_release(&ignored);
		} else if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			size = (uint64_t)st.st_size;
		}
		if (!dry_run &&
		    (layers ? layer_remove(s, digest, err) : blob_remove(s, digest, err)) < 0)
			return -1;
		r->bytes += size;
		if (layers)
			r->layers++;
		else
			r->blobs++;
	}
	return 0;
}

int store_gc(struct store *s, bool dry_run, struct store_gc_result *r, struct holt_err *err)
{
	struct in_use u = {0};
	memset(r, 0, sizeof *r);
	if (store_lock(s, err) < 0)
		return -1;
	int ret = collect_uses(s, &u, err);
	if (ret == 0)
		ret = sweep(s, "layers", u.layers, true, dry_run, r, err);
	if (ret == 0)
		ret = sweep(s, "blobs/sha256", u.blobs, false, dry_run, r, err);
	store_unlock(s);
	in_use_clear(&u);
	return ret;
}
