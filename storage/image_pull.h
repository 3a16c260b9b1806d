/* Storing an image that came from elsewhere as it was (a registry's manifest and config,
 * byte for byte, so that its digests stay those the registry and the user know). */
#ifndef HOLT_STORAGE_IMAGE_PULL_H
#define HOLT_STORAGE_IMAGE_PULL_H

#include "storage/layer.h"

struct pulled_image {
	const char *manifest; /* the manifest's bytes */
	size_t manifest_len;
	const char *config; /* the config's bytes; its digest is the image id */
	size_t config_len;
	char *const *chain_ids;	     /* lowest first */
	struct layer_stage **stages; /* stages[i] is layer i when it was fetched, else NULL:
				      * it was in the store already */
	size_t n_layers;
	const char *name;	   /* a full reference ("…:tag" or "…@sha256:…"), or NULL */
	char *const *repo_digests; /* "domain/path@sha256:…" the registry knows it by */
};

/* Stores p all or nothing: staged layers, blobs and record renamed into place under the
 * store lock, the name last. An image already here keeps its manifest and gains p's
 * repo_digests. Fails, leaving the store as it was, when a layer that was
 * stored before has been removed meanwhile. *id (caller frees) gets the image id. */
int image_store_pulled(struct store *s, const struct pulled_image *p, char **id,
		       struct holt_err *err);

#endif
