/* `rmi`: untag, or delete an image with the layers and blobs no other image uses. */
#include "core/base/json_file.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/events.h"
#include "storage/image.h"
#include "storage/image_record.h"
#include "storage/image_uses.h"
#include "storage/layer.h"
#include "storage/reference.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* How many containers users says pin image id; 0 when users is NULL. */
static int pins(struct store *s, image_users_fn *users, const char *id, char **who, bool *running,
		struct holt_err *err)
{
	*who = NULL;
	*running = false;
	return users ? users(s, id, who, running, err) : 0;
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
		if (store_discard(s, dir, err) < 0)
			ret = holt_err_wrap(err, "remove image \"%s\"", id);
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
	/* The image goes first and its names last: removal frees space before it writes
	 * the names, so that a full disk can be freed. Names left by a kill between the two
	 * name nothing (image_resolve), and system check --repair drops them. */
	if (delete_image(s, id, freed, err) < 0)
		return -1;
	for (size_t i = 0; all && all[i]; i++) {
		json_object_object_del(names, all[i]);
		cleanup_free char *f = familiar(all[i]);
		strv_push(untagged, f);
	}
	return all ? image_names_save(s, names, err) : 0;
}

/* A pinned image: refused, or with force (and none of its containers running) only
 * untagged, so that the containers keep their layers. */
static int remove_pinned(struct store *s, json_object *names, const char *ref, const char *id,
			 bool force, const char *who, bool running, char ***untagged,
			 struct holt_err *err)
{
	cleanup_strv char **all = image_names_of(names, id);
	if (running)
		return holt_err_set(err, 0,
				    "remove image \"%s\": running container \"%s\" uses it (stop "
				    "and remove the container first; force does not override this)",
				    ref, who);
	if (!force)
		return holt_err_set(err, 0,
				    "remove image \"%s\": container \"%s\" uses it (remove the "
				    "container first, or force to remove only the image's names)",
				    ref, who);
	if (!all)
		return holt_err_set(err, 0,
				    "remove image \"%s\": container \"%s\" uses it; it stays until "
				    "the container is removed",
				    ref, who);
	for (size_t i = 0; all[i]; i++) {
		json_object_object_del(names, all[i]);
		cleanup_free char *f = familiar(all[i]);
		strv_push(untagged, f);
	}
	return image_names_save(s, names, err);
}

static int remove_locked(struct store *s, const char *ref, bool force, image_users_fn *users,
			 char ***untagged, char **deleted_id, struct holt_err *err)
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
	cleanup_free char *who = NULL;
	bool running;
	int used = pins(s, users, id, &who, &running, err);
	if (used < 0)
		return holt_err_wrap(err, "remove image \"%s\"", ref);
	if (used > 0)
		return remove_pinned(s, names, ref, id, force, who, running, untagged, err);
	if (drop_image(s, names, id, all, untagged, NULL, err) < 0)
		return -1;
	*deleted_id = steal_pointer(&id);
	return 0;
}

/* docker's events for what a removal did: untag per name, then delete. */
static void record_removal(struct store *s, char **untagged, const char *deleted_id)
{
	for (size_t i = 0; untagged && untagged[i]; i++)
		events_record(store_root(s), "image", "untag", untagged[i],
			      (const char *const[]){"name", untagged[i], NULL});
	if (deleted_id) {
		cleanup_free char *id = xasprintf("sha256:%s", deleted_id);
		events_record(store_root(s), "image", "delete", id,
			      (const char *const[]){"name", id, NULL});
	}
}

int image_remove(struct store *s, const char *ref, bool force, image_users_fn *users,
		 char ***untagged, char **deleted_id, struct holt_err *err)
{
	*untagged = NULL;
	*deleted_id = NULL;
	if (store_lock(s, err) < 0)
		return -1;
	int ret = remove_locked(s, ref, force, users, untagged, deleted_id, err);
	store_unlock(s);
	if (ret == 0)
		record_removal(s, *untagged, *deleted_id);
	return ret;
}

/* Under the lock, so that a name or a container that came since the caller listed the
 * images keeps the image. */
static int remove_unused_locked(struct store *s, const char *id, bool dangling_only,
				image_users_fn *users, char ***untagged, char **deleted_id,
				uint64_t *freed, struct holt_err *err)
{
	cleanup_json json_object *names = image_names_load(s, err);
	if (!names)
		return -1;
	cleanup_strv char **all = image_names_of(names, id);
	if ((dangling_only && all) || !image_exists(s, id))
		return 0;
	cleanup_free char *who = NULL;
	bool running;
	int used = pins(s, users, id, &who, &running, err);
	if (used != 0)
		return used < 0 ? -1 : 0;
	if (drop_image(s, names, id, all, untagged, freed, err) < 0)
		return -1;
	*deleted_id = xstrdup(id);
	return 0;
}

int image_remove_unused(struct store *s, const char *id, bool dangling_only, image_users_fn *users,
			char ***untagged, char **deleted_id, uint64_t *freed, struct holt_err *err)
{
	*untagged = NULL;
	*deleted_id = NULL;
	if (store_lock(s, err) < 0)
		return -1;
	int ret =
	    remove_unused_locked(s, id, dangling_only, users, untagged, deleted_id, freed, err);
	store_unlock(s);
	if (ret == 0)
		record_removal(s, *untagged, *deleted_id);
	return ret;
}
