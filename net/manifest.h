/* Image manifests and indexes as registries serve them: OCI image manifest and index,
 * Docker schema 2 manifest and manifest list. Schema 1 is refused. */
#ifndef HOLT_NET_MANIFEST_H
#define HOLT_NET_MANIFEST_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What pull asks a registry for, most wanted first. */
#define MANIFEST_ACCEPT                                                                            \
	"application/vnd.oci.image.index.v1+json, "                                                \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                              \
	"application/vnd.oci.image.manifest.v1+json, "                                             \
	"application/vnd.docker.distribution.manifest.v2+json"

struct descriptor {
	char *media_type;
	char *digest; /* "sha256:<hex>" */
	int64_t size;
	char *os, *arch, *variant; /* of an index entry; NULL elsewhere */
};

struct manifest {
	bool is_index;
	struct descriptor config; /* an image manifest's */
	struct descriptor *layers;
	size_t n_layers;
	struct descriptor *manifests; /* an index's */
	size_t n_manifests;
};

/* Parses body; content_type (may be NULL) is the registry's Content-Type, used when the
 * document names no mediaType. what names it in messages. */
int manifest_parse(const char *body, const char *content_type, const char *what, struct manifest *m,
		   struct holt_err *err);
void manifest_clear(struct manifest *m);

/* The entry of index m for os/arch (variant may be NULL: any, preferring the host's
 * when arch is the host's). */
const struct descriptor *manifest_select(const struct manifest *m, const char *os, const char *arch,
					 const char *variant, const char *what,
					 struct holt_err *err);

#endif
