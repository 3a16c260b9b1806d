/* The manifest an image was stored with, as push and save send it. */
#ifndef HOLT_STORAGE_IMAGE_MANIFEST_H
#define HOLT_STORAGE_IMAGE_MANIFEST_H

#include "storage/store.h"

#include <stddef.h>

/* *digest and *body (NUL-terminated, *len bytes) of image id's manifest; caller frees. */
int image_manifest(struct store *s, const char *id, char **digest, char **body, size_t *len,
		   struct holt_err *err);

#endif
