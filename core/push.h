/* Pushing a stored image to a registry: the blobs the repository lacks (linked from
 * another repository of the same registry when the image came from one), then the
 * manifest, byte for byte as stored, so its digest is the one holt shows. */
#ifndef HOLT_CORE_PUSH_H
#define HOLT_CORE_PUSH_H

#include "storage/store.h"

#include <stdbool.h>
#include <stdint.h>

enum push_blob { PUSH_BLOB_EXISTS, PUSH_BLOB_MOUNTED, PUSH_BLOB_UPLOADED };

struct push_progress {
	void (*blob)(void *ctx, const char *digest, int64_t size, enum push_blob what);
	void *ctx;
};

struct push_opts {
	bool tls_verify;
	const char *authfile;		      /* NULL: the default auth files */
	const struct push_progress *progress; /* may be NULL */
};

struct pushed {
	char *reference; /* the full reference pushed to */
	char *tag;
	char *digest; /* of the manifest */
	size_t size;  /* of the manifest */
};
void pushed_clear(struct pushed *p);

/* Pushes image src to dest, a reference with a tag (NULL: src, which must then be a
 * name). */
int push_image(struct store *s, const char *src, const char *dest, const struct push_opts *o,
	       struct pushed *out, struct holt_err *err);

#endif
