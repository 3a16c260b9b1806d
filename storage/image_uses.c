#include "storage/image_uses.h"
#include "core/base/json_file.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image_record.h"

void in_use_clear(struct in_use *u)
{
	strv_free(u->blobs);
	strv_free(u->layers);
}

/* Appends the layer digests a manifest lists to *out. */
static int manifest_layers(struct store *s, const char *digest, char ***out, struct holt_err *err)
{
	cleanup_free char *text = blob_read(s, digest, NULL, err);
	if (!text)
		return -1;
	cleanup_free char *what = xasprintf("manifest %s", digest);
	cleanup_json json_object *m = json_parse(text, what, err);
	json_object *layers;
	if (!m)
		return -1;
	if (!json_object_object_get_ex(m, "layers", &layers) ||
	    !json_object_is_type(layers, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		json_object *l = json_object_array_get_idx(layers, i), *dg;
		if (json_object_object_get_ex(l, "digest", &dg))
			strv_push(out, json_object_get_string(dg));
	}
	return 0;
}

/* Adds what image id uses to u: its blobs (manifest, config, layer blobs) and layers. */
int add_uses(struct store *s, const char *id, struct in_use *u, struct holt_err *err)
{
	struct image_record rec;
	if (image_record_load(s, id, &rec, err) < 0)
		return -1;
	strv_push(&u->blobs, rec.manifest);
	strv_push(&u->blobs, rec.config);
	for (size_t i = 0; rec.layers && rec.layers[i]; i++)
		strv_push(&u->layers, rec.layers[i]);
	int ret = manifest_layers(s, rec.manifest, &u->blobs, err);
	image_record_clear(&rec);
	return ret;
}
