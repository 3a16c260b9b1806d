/* Staging a new image (blobs, record) and renaming it into place. */
#include "storage/image_stage.h"
#include "core/base/util.h"
#include "storage/image_record.h"
#include "storage/record.h"
#include "storage/reference.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

int image_stage_name(const char *name, char **full, struct holt_err *err)
{
	cleanup_reference struct reference r = {0};

	*full = NULL;
	if (!name)
		return 0;
	if (reference_parse(name, &r, err) < 0)
		return -1;
	if (r.digest)
		return holt_err_set(err, 0, "name \"%s\": a digest cannot name a new image", name);
	*full = reference_string(&r);
	return 0;
}

static json_object *descriptor(const char *media_type, const char *digest, uint64_t size)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "mediaType", json_object_new_string(media_type));
	json_object_object_add(o, "digest", json_object_new_string(digest));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
	return o;
}

static json_object *manifest_json(const struct blob_writer *config, json_object *base_layers,
				  const struct layer_info *li)
{
	json_object *o = json_object_new_object();
	json_object *layers = json_object_new_array();

	json_object_object_add(o, "schemaVersion", json_object_new_int(2));
	json_object_object_add(o, "mediaType", json_object_new_string(IMAGE_MEDIA_MANIFEST));
	json_object_object_add(
	    o, "config",
	    descriptor(IMAGE_MEDIA_CONFIG, blob_writer_digest(config), blob_writer_size(config)));
	for (size_t i = 0; base_layers && i < json_object_array_length(base_layers); i++)
		json_object_array_add(layers,
				      json_object_get(json_object_array_get_idx(base_layers, i)));
	if (li)
		json_object_array_add(layers,
				      descriptor(li->media_type, li->digest, li->blob_size));
	json_object_object_add(o, "layers", layers);
	return o;
}

int image_stage_write(struct store *s, struct image_stage *st, json_object *config,
		      json_object *base_layers, char *const *base_chain_ids, struct holt_err *err)
{
	const struct layer_info *li = st->layer ? layer_stage_info(st->layer) : NULL;
	const char *text = json_text(config);

	st->config = blob_stage(s, text, strlen(text), err);
	if (!st->config)
		return -1;
	cleanup_json json_object *manifest = manifest_json(st->config, base_layers, li);
	text = json_text(manifest);
	st->manifest = blob_stage(s, text, strlen(text), err);
	if (!st->manifest)
		return -1;
	st->id = xstrdup(digest_hex(blob_writer_digest(st->config)));

	cleanup_strv char **layers = strv_dup(base_chain_ids);
	if (li)
		strv_push(&layers, li->chain_id);
	struct image_record rec = {
	    .manifest = (char *)blob_writer_digest(st->manifest),
	    .config = (char *)blob_writer_digest(st->config),
	    .layers = layers,
	};
	cleanup_json json_object *record = image_record_json(&rec);
	st->record_dir = store_mktemp(s, err);
	if (!st->record_dir)
		return -1;
	cleanup_free char *path = xasprintf("%s/image.json", st->record_dir);
	return record_write(s, path, record, err);
}

static int commit_locked(struct store *s, struct image_stage *st, const char *name,
			 struct holt_err *err)
{
	if ((st->layer && layer_commit(s, st->layer, err) < 0) ||
	    blob_writer_commit(st->config, err) < 0 || blob_writer_commit(st->manifest, err) < 0)
		return -1;
	cleanup_free char *dir = image_dir(s, st->id);
	bool created = rename(st->record_dir, dir) == 0;
	/* The same id is the same config, hence the same image. */
	if (!created && errno != EEXIST && errno != ENOTEMPTY)
		return holt_err_set(err, errno, "store image \"%s\"", st->id);
	if (!name)
		return 0;
	cleanup_json json_object *names = image_names_load(s, err);
	if (names) {
		/* As docker: the name moves; an image it leaves keeps no name (<none>). */
		json_object_object_add(names, name, json_object_new_string(st->id));
		if (image_names_save(s, names, err) == 0)
			return 0;
	}
	struct holt_err ignored = {0};
	if (created && store_remove_tree(dir, &ignored) < 0)
		holt_err_release(&ignored);
	return -1;
}

int image_stage_commit(struct store *s, struct image_stage *st, const char *name,
		       struct holt_err *err)
{
	if (store_lock(s, err) < 0)
		return -1;
	int ret = commit_locked(s, st, name, err);
	store_unlock(s);
	return ret;
}

void image_stage_clear(struct image_stage *st)
{
	if (st->layer)
		layer_stage_free(st->layer);
	if (st->config)
		blob_writer_free(st->config);
	if (st->manifest)
		blob_writer_free(st->manifest);
	free(st->record_dir);
	free(st->id);
	memset(st, 0, sizeof *st);
}
