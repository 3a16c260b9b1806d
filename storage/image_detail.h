/* What `history`, `image inspect` and `images --digests` show of an image beyond struct
 * image: its manifest digest, its OCI config as stored, and the size of each layer. */
#ifndef HOLT_STORAGE_IMAGE_DETAIL_H
#define HOLT_STORAGE_IMAGE_DETAIL_H

#include "core/base/err.h"
#include "core/base/json.h"
#include "storage/image.h"
#include "storage/store.h"

#include <stddef.h>
#include <stdint.h>

struct image_detail {
	char *manifest;	       /* "sha256:<hex>" of the manifest blob */
	char **repo_digests;   /* as image_digests gives them */
	json_object *config;   /* the whole OCI image config */
	uint64_t *layer_sizes; /* unpacked bytes of each layer, lowest first */
	size_t n_layers;
};

/* Reads the record, the config blob and the layers' recorded sizes of img. */
int image_detail_load(struct store *s, const struct image *img, struct image_detail *d,
		      struct holt_err *err);
void image_detail_clear(struct image_detail *d);

/* From img's record alone: its manifest's digest ("sha256:<hex>"), and the digests each
 * repository knows it by ("domain/path@sha256:…"): those recorded when it was pulled,
 * and for a repository of its names with none recorded, the stored manifest's.
 * Caller frees both. */
int image_digests(struct store *s, const struct image *img, char **manifest, char ***repo_digests,
		  struct holt_err *err);

#endif
