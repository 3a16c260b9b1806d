/* `import`: a root filesystem tarball becomes a one-layer image, written exactly as a
 * pull writes one (layer blob, OCI config, OCI manifest, record, name). */
#include "core/util.h"
#include "storage/blob.h"
#include "storage/image.h"
#include "storage/image_record.h"
#include "storage/layer.h"
#include "storage/platform.h"
#include "storage/record.h"
#include "storage/reference.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#define MEDIA_CONFIG   "application/vnd.oci.image.config.v1+json"
#define MEDIA_MANIFEST "application/vnd.oci.image.manifest.v1+json"

static json_object *descriptor(const char *media_type, const char *digest, uint64_t size)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "mediaType", json_object_new_string(media_type));
	json_object_object_add(o, "digest", json_object_new_string(digest));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
	return o;
}

/* The OCI image config: host platform, one diff_id, an empty runtime config. */
static json_object *import_config(const struct layer_info *li)
{
	cleanup_free char *now = util_now_rfc3339();
	json_object *o = json_object_new_object();
	json_object_object_add(o, "created", json_object_new_string(now));
	json_object_object_add(o, "architecture", json_object_new_string(platform_arch()));
	json_add_string(o, "variant", platform_variant());
	json_object_object_add(o, "os", json_object_new_string(platform_os()));
	json_object_object_add(o, "config", json_object_new_object());
	json_object *rootfs = json_object_new_object();
	json_object *diff_ids = json_object_new_array();
	json_object_array_add(diff_ids, json_object_new_string(li->diff_id));
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "diff_ids", diff_ids);
	json_object_object_add(o, "rootfs", rootfs);
	json_object *h = json_object_new_object();
	json_object_object_add(h, "created", json_object_new_string(now));
	json_object_object_add(h, "created_by", json_object_new_string("holt import"));
	json_object *history = json_object_new_array();
	json_object_array_add(history, h);
	json_object_object_add(o, "history", history);
	return o;
}

static json_object *import_manifest(const struct blob_writer *config, const struct layer_info *li)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "schemaVersion", json_object_new_int(2));
	json_object_object_add(o, "mediaType", json_object_new_string(MEDIA_MANIFEST));
	json_object_object_add(
	    o, "config",
	    descriptor(MEDIA_CONFIG, blob_writer_digest(config), blob_writer_size(config)));
	json_object *layers = json_object_new_array();
	json_object_array_add(layers, descriptor(li->media_type, li->digest, li->blob_size));
	json_object_object_add(o, "layers", layers);
	return o;
}

/* Everything an import writes, staged in tmp/ until commit renames it into place. */
struct staged_image {
	struct layer_stage *layer;
	struct blob_writer *config;
	struct blob_writer *manifest;
	char *record_dir; /* holds image.json */
	char *id;
};

static void staged_image_clear(struct staged_image *st)
{
	if (st->layer)
		layer_stage_free(st->layer);
	if (st->config)
		blob_writer_free(st->config);
	if (st->manifest)
		blob_writer_free(st->manifest);
	free(st->record_dir);
	free(st->id);
}

static int stage_image(struct store *s, int fd, struct staged_image *st, struct holt_err *err)
{
	st->layer = layer_unpack(s, fd, NULL, NULL, err);
	if (!st->layer)
		return -1;
	const struct layer_info *li = layer_stage_info(st->layer);
	cleanup_json json_object *config = import_config(li);
	const char *text = record_text(config);
	st->config = blob_stage(s, text, strlen(text), err);
	if (!st->config)
		return -1;
	cleanup_json json_object *manifest = import_manifest(st->config, li);
	text = record_text(manifest);
	st->manifest = blob_stage(s, text, strlen(text), err);
	if (!st->manifest)
		return -1;
	st->id = xstrdup(digest_hex(blob_writer_digest(st->config)));

	char *layers[] = {(char *)li->chain_id, NULL};
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

/* The renames that make the image visible, in an order that never shows half of it:
 * layer, blobs, record, and the name last. Runs under the store lock. */
static int commit_image(struct store *s, struct staged_image *st, const char *name,
			struct holt_err *err)
{
	if (layer_commit(s, st->layer, err) < 0 || blob_writer_commit(st->config, err) < 0 ||
	    blob_writer_commit(st->manifest, err) < 0)
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

char *image_import(struct store *s, int fd, const char *name, unsigned *skipped_devices,
		   struct holt_err *err)
{
	cleanup_free char *full = NULL;
	if (name) {
		cleanup_reference struct reference r = {0};
		if (reference_parse(name, &r, err) < 0)
			return NULL;
		if (r.digest) {
			holt_err_set(err, 0, "import as \"%s\": a digest cannot name an import",
				     name);
			return NULL;
		}
		full = reference_string(&r);
	}

	struct staged_image st = {0};
	char *id = NULL;
	if (stage_image(s, fd, &st, err) == 0 && store_lock(s, err) == 0) {
		if (commit_image(s, &st, full, err) == 0)
			id = steal_pointer(&st.id);
		store_unlock(s);
	}
	if (skipped_devices)
		*skipped_devices = st.layer ? layer_stage_info(st.layer)->skipped_devices : 0;
	staged_image_clear(&st);
	return id;
}
