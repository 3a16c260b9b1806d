#include "storage/image_pull.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image_record.h"
#include "storage/record.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

struct staged {
	struct blob_writer *manifest, *config;
	char *record_dir;
	char *id;
};

static void staged_clear(struct staged *st)
{
	if (st->manifest)
		blob_writer_free(st->manifest);
	if (st->config)
		blob_writer_free(st->config);
	if (st->record_dir) {
		struct holt_err ignored = {0};
		if (store_remove_tree(st->record_dir, &ignored) < 0)
			holt_err_release(&ignored);
		free(st->record_dir);
	}
	free(st->id);
}

static int stage(struct store *s, const struct pulled_image *p, struct staged *st,
		 struct holt_err *err)
{
	st->manifest = blob_stage(s, p->manifest, p->manifest_len, err);
	if (!st->manifest)
		return -1;
	st->config = blob_stage(s, p->config, p->config_len, err);
	if (!st->config)
		return -1;
	st->id = xstrdup(digest_hex(blob_writer_digest(st->config)));
	struct image_record rec = {
	    .manifest = (char *)blob_writer_digest(st->manifest),
	    .config = (char *)blob_writer_digest(st->config),
	    .layers = (char **)p->chain_ids,
	    .repo_digests = (char **)p->repo_digests,
	};
	cleanup_json json_object *record = image_record_json(&rec);
	st->record_dir = store_mktemp(s, err);
	if (!st->record_dir)
		return -1;
	cleanup_free char *path = xasprintf("%s/image.json", st->record_dir);
	return record_write(s, path, record, err);
}

/* The record of image id, with the repo digests it lacks of those given. */
static int add_repo_digests(struct store *s, const char *id, char *const *digests,
			    struct holt_err *err)
{
	struct image_record rec;
	if (image_record_load(s, id, &rec, err) < 0)
		return -1;
	size_t had = strv_len(rec.repo_digests);
	for (size_t i = 0; digests && digests[i]; i++)
		if (!strv_contains(rec.repo_digests, digests[i]))
			strv_push(&rec.repo_digests, digests[i]);
	int ret = 0;
	if (strv_len(rec.repo_digests) > had) {
		cleanup_json json_object *o = image_record_json(&rec);
		cleanup_free char *dir = image_dir(s, id);
		cleanup_free char *path = xasprintf("%s/image.json", dir);
		ret = record_write(s, path, o, err);
	}
	image_record_clear(&rec);
	return ret;
}

static int commit_locked(struct store *s, const struct pulled_image *p, struct staged *st,
			 struct holt_err *err)
{
	for (size_t i = 0; i < p->n_layers; i++)
		if (!p->stages[i] && !layer_exists(s, p->chain_ids[i]))
			return holt_err_set(err, 0,
					    "layer %s was removed while the image was pulled; pull "
					    "again",
					    p->chain_ids[i]);
	for (size_t i = 0; i < p->n_layers; i++)
		if (p->stages[i] && layer_commit(s, p->stages[i], err) < 0)
			return -1;
	if (blob_writer_commit(st->config, err) < 0 || blob_writer_commit(st->manifest, err) < 0)
		return -1;
	cleanup_free char *dir = image_dir(s, st->id);
	if (rename(st->record_dir, dir) == 0) {
		free(st->record_dir);
		st->record_dir = NULL;
	} else if (errno != EEXIST && errno != ENOTEMPTY) {
		return holt_err_set(err, errno, "store image \"%s\"", st->id);
	} else {
		/* The same id is the same config: the record there stays, with its manifest,
		 * and learns what this repository knows the image by. */
		if (add_repo_digests(s, st->id, p->repo_digests, err) < 0)
			return -1;
	}
	if (!p->name)
		return 0;
	cleanup_json json_object *names = image_names_load(s, err);
	if (!names)
		return -1;
	json_object_object_add(names, p->name, json_object_new_string(st->id));
	return image_names_save(s, names, err);
}

int image_store_pulled(struct store *s, const struct pulled_image *p, char **id,
		       struct holt_err *err)
{
	struct staged st = {0};
	int ret = stage(s, p, &st, err);
	if (ret == 0 && (ret = store_lock(s, err)) == 0) {
		ret = commit_locked(s, p, &st, err);
		store_unlock(s);
	}
	if (ret == 0)
		*id = steal_pointer(&st.id);
	staged_clear(&st);
	return ret;
}
