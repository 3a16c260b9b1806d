/* An image's record, config blob and layer sizes, read for the commands that show more
 * than struct image holds. */
#include "storage/image_detail.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image_record.h"
#include "storage/layer.h"
#include "storage/record.h"
#include "storage/reference.h"

#include <stdbool.h>
#include <string.h>

/* The recorded ones first, in the order pulls recorded them (an index's before its
 * manifest's); then, for a repository among the names without one, the stored
 * manifest's. */
static char **repo_digests_of(const struct image *img, const struct image_record *rec)
{
	char **out = strv_dup(rec->repo_digests);
	for (size_t i = 0; img->names && img->names[i]; i++) {
		struct holt_err ignored = {0};
		cleanup_reference struct reference r = {0};
		if (reference_parse(img->names[i], &r, &ignored) < 0) {
			holt_err_release(&ignored);
			continue;
		}
		cleanup_free char *repo = reference_repository(&r);
		bool known = false;
		for (size_t k = 0; out && out[k] && !known; k++)
			known = reference_after_repository(out[k], repo) != NULL;
		if (!known) {
			cleanup_free char *d = xasprintf("%s@%s", repo, rec->manifest);
			strv_push(&out, d);
		}
	}
	return out;
}

static int load(struct store *s, const struct image *img, const struct image_record *rec,
		struct image_detail *d, struct holt_err *err)
{
	cleanup_free char *text = blob_read(s, rec->config, NULL, err);
	if (!text)
		return -1;
	cleanup_free char *what = xasprintf("config %s", rec->config);
	d->config = json_parse(text, what, err);
	if (!d->config)
		return -1;
	d->manifest = xstrdup(rec->manifest);
	d->repo_digests = repo_digests_of(img, rec);
	d->n_layers = strv_len(rec->layers);
	d->layer_sizes = xzalloc((d->n_layers + 1) * sizeof *d->layer_sizes);
	for (size_t i = 0; i < d->n_layers; i++)
		if (layer_size(s, rec->layers[i], &d->layer_sizes[i], err) < 0)
			return -1;
	return 0;
}

int image_detail_load(struct store *s, const struct image *img, struct image_detail *d,
		      struct holt_err *err)
{
	struct image_record rec;
	const char *id = img->id;

	memset(d, 0, sizeof *d);
	if (image_record_load(s, id, &rec, err) < 0)
		return holt_err_wrap(err, "image \"%.12s\"", id);
	int ret = load(s, img, &rec, d, err);
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
	strv_free(d->repo_digests);
	if (d->config)
		json_object_put(d->config);
	free(d->layer_sizes);
	memset(d, 0, sizeof *d);
}

int image_digests(struct store *s, const struct image *img, char **manifest, char ***repo_digests,
		  struct holt_err *err)
{
	struct image_record rec;

	if (image_record_load(s, img->id, &rec, err) < 0)
		return holt_err_wrap(err, "image \"%.12s\"", img->id);
	*repo_digests = repo_digests_of(img, &rec);
	*manifest = steal_pointer(&rec.manifest);
	image_record_clear(&rec);
	return 0;
}
