/* Staged and stored layers: layers/<chain-hex>/{diff/,layer.json}. */
#include "storage/layer.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/layer_unpack.h"
#include "storage/layer_view.h"
#include "storage/record.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

struct layer_stage {
	struct layer_info info;
	char *dir; /* staging dir: diff/ and layer.json, renamed whole into layers/ */
	struct blob_writer *blob;
};

static char *layer_path(struct store *s, const char *chain_id)
{
	return xasprintf("%s/layers/%s", store_root(s), digest_hex(chain_id));
}

char *layer_diff_dir(struct store *s, const char *chain_id)
{
	return xasprintf("%s/layers/%s/diff", store_root(s), digest_hex(chain_id));
}

static int write_metadata(struct store *s, struct layer_stage *st, const char *parent,
			  struct holt_err *err)
{
	cleanup_json json_object *o = json_object_new_object();
	json_object_object_add(o, "diff_id", json_object_new_string(st->info.diff_id));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)st->info.size));
	if (parent)
		json_object_object_add(o, "parent", json_object_new_string(parent));
	cleanup_free char *path = xasprintf("%s/layer.json", st->dir);
	return record_write(s, path, o, err);
}

static int stage_layer(struct store *s, struct layer_stage *st, int fd, const char *parent,
		       const char *expected, struct holt_err *err)
{
	st->dir = store_mktemp(s, err);
	if (!st->dir)
		return -1;
	cleanup_free char *diff = xasprintf("%s/diff", st->dir);
	if (mkdir(diff, 0755) < 0)
		return holt_err_set(err, errno, "create \"%s\"", diff);
	if (layer_unpack_stream(s, fd, diff, expected, &st->info, &st->blob, err) < 0)
		return -1;
	digest_chain_id(parent, st->info.diff_id, st->info.chain_id);
	return write_metadata(s, st, parent, err);
}

struct layer_stage *layer_unpack(struct store *s, int fd, const char *parent_chain_id,
				 const char *expected_digest, struct holt_err *err)
{
	struct layer_stage *st = xzalloc(sizeof *st);
	if (stage_layer(s, st, fd, parent_chain_id, expected_digest, err) < 0) {
		layer_stage_free(st);
		return NULL;
	}
	return st;
}

const struct layer_info *layer_stage_info(const struct layer_stage *st)
{
	return &st->info;
}

int layer_commit(struct store *s, struct layer_stage *st, struct holt_err *err)
{
	if (blob_writer_commit(st->blob, err) < 0)
		return -1;
	cleanup_free char *dst = layer_path(s, st->info.chain_id);
	/* The same chain id means the same content: keep the layer already there. */
	if (rename(st->dir, dst) == 0) {
		free(st->dir);
		st->dir = NULL;
	} else if (errno != EEXIST && errno != ENOTEMPTY) {
		return holt_err_set(err, errno, "store layer \"%s\"", st->info.chain_id);
	}
	return 0;
}

void layer_stage_free(struct layer_stage *st)
{
	if (st->dir) {
		struct holt_err ignored = {0};
		if (store_remove_tree(st->dir, &ignored) < 0)
			holt_err_release(&ignored);
	}
	if (st->blob)
		blob_writer_free(st->blob);
	free(st->dir);
	free(st);
}

bool layer_exists(struct store *s, const char *chain_id)
{
	cleanup_free char *path =
	    xasprintf("%s/layers/%s/layer.json", store_root(s), digest_hex(chain_id));
	return access(path, F_OK) == 0;
}

int layer_size(struct store *s, const char *chain_id, uint64_t *size, struct holt_err *err)
{
	cleanup_free char *path =
	    xasprintf("%s/layers/%s/layer.json", store_root(s), digest_hex(chain_id));
	cleanup_json json_object *o = json_file_load(path, err);
	json_object *v;
	if (!o)
		return -1;
	if (!json_object_object_get_ex(o, "size", &v))
		return holt_err_set(err, 0, "read \"%s\": no size", path);
	*size = (uint64_t)json_object_get_int64(v);
	return 0;
}

int layer_remove(struct store *s, const char *chain_id, struct holt_err *err)
{
	cleanup_free char *path = layer_path(s, chain_id);
	if (layer_views_stop(store_runroot(s), chain_id, err) < 0 ||
	    store_discard(s, path, err) < 0)
		return holt_err_wrap(err, "remove layer \"%s\"", chain_id);
	return 0;
}
