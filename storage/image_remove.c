/* `rmi`: untag, or delete an image with the layers and blobs no other image uses. */
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image.h"
#include "storage/image_record.h"
#include "storage/image_uses.h"
#include "storage/layer.h"
#include "storage/record.h"
#include "storage/reference.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* The id of a container whose record (containers/<id>/config.json, "Image") uses the
 * image; NULL when none does. */
static char *container_using(struct store *s, const char *image_id)
{
	cleanup_free char *dir = xasprintf("%s/containers", store_root(s));
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		struct holt_err ignored = {0};
		cleanup_free char *path = xasprintf("%s/%s/config.json", dir, de->d_name);
		cleanup_json json_object *o = json_file_load(path, &ignored);
		holt_err_release(&ignored);
		cleanup_free char *image = o ? json_get_string(o, "Image") : NULL;
		if (image && !strcmp(image, image_id))
			return xstrdup(de->d_name);
	}
	return NULL;
}

/* Takes image id out of the store: the record first (the image is gone from then on),
 * then what no other image uses; *freed (may be NULL) gets the unpacked bytes of the
 * layers removed. Runs under the store lock; names already dropped. */
static int delete_image(struct store *s, const char *id, uint64_t *freed, struct holt_err *err)
{
	cleanup_strv char **ids = NULL;
	struct in_use others = {0}, mine = {0};
	int ret = image_ids(s, &ids, err);
	for (size_t i = 0; ret == 0 && ids && ids[i]; i++)
		ret = add_uses(s, ids[i], strcmp(ids[i], id) ? &others : &mine, err);
	if (ret == 0) {
		cleanup_free char *dir = image_dir(s, id);
		cleanup_free char *trash = store_mktemp(s, err);
		cleanup_free char *dst = trash ? xasprintf("%s/image", trash) : NULL;
		if (!trash)
			ret = -1;
		else if (rename(dir, dst) < 0)
			ret = holt_err_set(err, errno, "remove image \"%s\"", id);
	}
	for (size_t i = 0; ret == 0 && mine.layers && mine.layers[i]; i++) {
		uint64_t size = 0;
		struct holt_err ignored = {0};
		if (strv_contains(others.layers, mine.layers[i]))
			continue;
		/* the size is only reported: a layer without one is still removed */
		if (freed && layer_size(s, mine.layers[i], &size, &ignored) == 0)
			*freed += size;
		holt_err_release(&ignored);
		ret = layer_remove(s, mine.layers[i], err);
	}
	for (size_t i = 0; ret == 0 && mine.blobs && mine.blobs[i]; i++)
		if (!strv_contains(others.blobs, mine.blobs[i]))
			ret = blob_remove(s, mine.blobs[i], err);
	in_use_clear(&others);
	in_use_clear(&mine);
	return ret;
}

static char *familiar(const char *full)
{
	struct holt_err ignored = {0};
	cleanup_reference struct reference r = {0};
	if (reference_parse(full, &r, &ignored) < 0) {
		holt_err_release(&ignored);
		return xstrdup(full);
	}
	return reference_familiar(&r);
}

/* Drops image id's names (all, from names; *untagged gets them) and then the image. */
static int drop_image(struct store *s, json_object *names, const char *id, char **all,
		      char ***untagged, uint64_t *freed, struct holt_err *err)
{
	size_t n = strv_len(all);
	for (size_t i = 0; all && all[i]; i++)
		json_object_object_del(names, all[i]);
	if (n > 0 && image_names_save(s, names, err) < 0)
		return -1;
	for (size_t i = 0; all && all[i]; i++) {
		cleanup_free char *f = familiar(all[i]);
		strv_push(untagged, f);
	}
	return delete_image(s, id, freed, err);
}

static int remove_locked(struct store *s, const char *ref, bool force, char ***untagged,
			 char **deleted_id, struct holt_err *err)
{
	cleanup_json json_object *names = image_names_load(s, err);
	cleanup_free char *name = NULL;
	cleanup_free char *id = names ? image_resolve(s, names, ref, &name, err) : NULL;
	if (!id)
		return -1;
	cleanup_strv char **all = image_names_of(names, id);
	size_t n = strv_len(all);

	if (name && n > 1) {
		json_object_object_del(names, name);
		if (image_names_save(s, names, err) < 0)
			return -1;
		cleanup_free char *f = familiar(name);
		strv_push(untagged, f);
		return 0;
	}
	if (!name && n > 1 && !force)
		return holt_err_set(
		    err, 0, "remove image \"%s\": it has %zu names; remove them by name, or force",
		    ref, n);
	cleanup_free char *user = force ? NULL : container_using(s, id);
	if (user)
		return holt_err_set(
		    err, 0, "remove image \"%s\": container %.12s uses it (force to remove anyway)",
		    ref, user);
	if (drop_image(s, names, id, all, untagged, NULL, err) < 0)
		return -1;
	*deleted_id = steal_pointer(&id);
	return 0;
}

int image_remove(struct store *s, const char *ref, bool force, char ***untagged, char **deleted_id,
		 struct holt_err *err)
{
	*untagged = NULL;
	*deleted_id = NULL;
	if (store_lock(s, err) < 0)
		return -1;
	int ret = remove_locked(s, ref, force, untagged, deleted_id, err);
	store_unlock(s);
	return ret;
}

/* Under the lock, so that a name or a container that came since the caller listed the
 * images keeps the image. */
static int remove_unused_locked(struct store *s, const char *id, bool dangling_only,
				char ***untagged, char **deleted_id, uint64_t *freed,
				struct holt_err *err)
{
	cleanup_json json_object *names = image_names_load(s, err);
	if (!names)
		return -1;
	cleanup_strv char **all = image_names_of(names, id);
	if (dangling_only && all)
		return 0;
	cleanup_free char *user = container_using(s, id);
	cleanup_free char *dir = image_dir(s, id);
	if (user || access(dir, F_OK) < 0)
		return 0;
	if (drop_image(s, names, id, all, untagged, freed, err) < 0)
		return -1;
	*deleted_id = xstrdup(id);
	return 0;
}

int image_remove_unused(struct store *s, const char *id, bool dangling_only, char ***untagged,
			char **deleted_id, uint64_t *freed, struct holt_err *err)
{
	*untagged = NULL;
	*deleted_id = NULL;
	if (store_lock(s, err) < 0)
		return -1;
	int ret = remove_unused_locked(s, id, dangling_only, untagged, deleted_id, freed, err);
	store_unlock(s);
	return ret;
}
