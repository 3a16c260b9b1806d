/* A new image made of an existing image's layers and one more layer on top, written as a
 * pull writes an image (layer blob, OCI config with its diff_ids and history, OCI
 * manifest, record, name), so that it runs and would push like any other. */
#ifndef HOLT_STORAGE_IMAGE_COMMIT_H
#define HOLT_STORAGE_IMAGE_COMMIT_H

#include "core/base/err.h"
#include "core/base/json.h"
#include "storage/store.h"

struct image_commit_request {
	const char *base_id;	/* the image whose layers the new one keeps; NULL: none */
	const char *name;	/* as the user gave it ("myimg:2"), or NULL for none */
	json_object *config;	/* the new runtime config (the OCI config's "config") */
	const char *created_by; /* for the history entry of the new layer */
	const char *comment;	/* NULL: none */
	const char *author;	/* NULL: none */
	/* history entries added before the new layer's (a build's steps that made no layer,
	 * with "empty_layer"), or NULL */
	json_object *history;
	/* NULL: no new layer, and no history entry of its own (created_by, comment and author
	 * unused). Else writes the new layer as a tar stream (gzip or other compression
	 * layer_unpack reads) to fd. It runs on a thread of its own while the stream is unpacked,
	 * so it must not depend on the working directory. */
	int (*write_layer)(void *ctx, int fd, struct holt_err *err);
	void *ctx;
};

/* Adds the image req describes and returns its id. On failure the store is as it was. */
char *image_commit(struct store *s, const struct image_commit_request *req, struct holt_err *err);

/* A copy of image id's runtime config (an empty object when it has none). */
json_object *image_runtime_config(struct store *s, const char *id, struct holt_err *err);

#endif
