/* An image's record, config blob and layer sizes, read for the commands that show more
 * than struct image holds. */
#include "storage/image_detail.h"
#include "core/util.h"
#include "storage/blob.h"
#include "storage/image_record.h"
#include "storage/layer.h"
#include "storage/record.h"

#include <string.h>

static int load(struct store *s, const struct image_record *rec, struct image_detail *d,
		struct holt_err *err)
{
	cleanup_free char *text = blob_read(s, rec->config, NULL, err);
	if (!text)
		return -1;
	cleanup_free char *what = xasprintf("config %s", rec->config);
	d->config = record_parse(text, what, err);
	if (!d->config)
		return -1;
	d->manifest = xstrdup(rec->manifest);
	d->n_layers = strv_len(rec->layers);
	d->layer_sizes = xzalloc((d->n_layers + 1) * sizeof *d->layer_sizes);
	for (size_t i = 0; i < d->n_layers; i++)
		if (layer_size(s, rec->layers[i], &d->layer_sizes[i], err) < 0)
			return -1;
	return 0;
}

int image_detail_load(struct store *s, const char *id, struct image_detail *d, struct holt_err *err)
{
	struct image_record rec;

	memset(d, 0, sizeof *d);
	if (image_record_load(s, id, &rec, err) < 0)
		return holt_err_wrap(err, "image \"%.12s\"", id);
	int ret = load(s, &rec, d, err);
	image_record_clear(&rec);
	if (ret < 0) {
		image_detail_clear(d);
		return holt_err_wrap(err, "image \"%.12s\"", id);
	}
	return 0;
}

void image_detail_clear(struct image_detail *d)
{
	free(d->manifest);
	if (d->config)
		json_object_put(d->config);
	free(d->layer_sizes);
	memset(d, 0, sizeof *d);
}

char *image_manifest_digest(struct store *s, const char *id, struct holt_err *err)
{
	struct image_record rec;

	if (image_record_load(s, id, &rec, err) < 0) {
		holt_err_wrap(err, "image \"%.12s\"", id);
		return NULL;
	}
	char *digest = steal_pointer(&rec.manifest);
	image_record_clear(&rec);
	return digest;
}
