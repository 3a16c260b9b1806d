/* A new image staged in tmp/ and renamed into place, shared by import and commit:
 * internal to storage/image*.c. */
#ifndef HOLT_STORAGE_IMAGE_STAGE_H
#define HOLT_STORAGE_IMAGE_STAGE_H

#include "core/base/json.h"
#include "storage/blob.h"
#include "storage/layer.h"

#define IMAGE_MEDIA_CONFIG   "application/vnd.oci.image.config.v1+json"
#define IMAGE_MEDIA_MANIFEST "application/vnd.oci.image.manifest.v1+json"

/* Everything a new image writes, staged until image_stage_commit. */
struct image_stage {
	struct layer_stage *layer; /* its new top layer, or NULL: the base's layers only */
	struct blob_writer *config;
	struct blob_writer *manifest;
	char *record_dir; /* holds image.json */
	char *id;
};

/* The full reference ("docker.io/library/x:latest") a new image is to be named by name,
 * in *full; NULL for a NULL name. A digest cannot name a new image. */
int image_stage_name(const char *name, char **full, struct holt_err *err);

/* Stages config (the whole OCI image config), the manifest and the record of an image
 * made of base_layers (manifest descriptors, may be NULL) with chain ids base_chain_ids
 * (may be NULL), and st->layer on top. */
int image_stage_write(struct store *s, struct image_stage *st, json_object *config,
		      json_object *base_layers, char *const *base_chain_ids, struct holt_err *err);

/* Renames the staged image into place, in an order that never shows half of it (layer,
 * blobs, record, the name last), under the store lock; name (a full reference, may be
 * NULL) moves to it. */
int image_stage_commit(struct store *s, struct image_stage *st, const char *name,
		       struct holt_err *err);

/* Removes what is still staged. */
void image_stage_clear(struct image_stage *st);

#endif
