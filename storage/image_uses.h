/* What images use of the store, internal to storage/: blobs (manifests, configs, layer
 * blobs) and unpacked layers (chain ids). */
#ifndef HOLT_STORAGE_IMAGE_USES_H
#define HOLT_STORAGE_IMAGE_USES_H

#include "core/base/err.h"
#include "storage/store.h"

struct in_use {
	char **blobs;
	char **layers;
};

void in_use_clear(struct in_use *u);
/* Adds what image id uses to u. */
int add_uses(struct store *s, const char *id, struct in_use *u, struct holt_err *err);

#endif
