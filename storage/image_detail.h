/* What `history`, `image inspect` and `images --digests` show of an image beyond struct
 * image: its manifest digest, its OCI config as stored, and the size of each layer. */
#ifndef HOLT_STORAGE_IMAGE_DETAIL_H
#define HOLT_STORAGE_IMAGE_DETAIL_H

#include "core/err.h"
#include "core/json.h"
#include "storage/store.h"

#include <stddef.h>
#include <stdint.h>

struct image_detail {
	char *manifest;	       /* "sha256:<hex>" of the manifest blob */
	json_object *config;   /* the whole OCI image config */
	uint64_t *layer_sizes; /* unpacked bytes of each layer, lowest first */
	size_t n_layers;
};

/* Reads the record, the config blob and the layers' recorded sizes of image id (a full
 * id, as struct image has it). */
int image_detail_load(struct store *s, const char *id, struct image_detail *d,
		      struct holt_err *err);
void image_detail_clear(struct image_detail *d);

/* The digest of image id's manifest ("sha256:<hex>"), from its record alone; caller
 * frees. */
char *image_manifest_digest(struct store *s, const char *id, struct holt_err *err);

#endif
