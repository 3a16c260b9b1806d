/* Pulling an image from a registry into the store: the manifest (or the host's, or the
 * asked platform's, entry of an index), the config, and the layers the store lacks,
 * several at once, each unpacked while it downloads and verified by its digest and its
 * diff id. Nothing is stored unless everything was. */
#ifndef HOLT_CORE_PULL_H
#define HOLT_CORE_PULL_H

#include "storage/store.h"

#include <stdbool.h>
#include <stdint.h>

/* Told as a pull goes; calls never overlap. */
struct pull_progress {
	void (*resolved)(void *ctx, const char *manifest_digest, size_t n_layers);
	/* Layer i: present means it is in the store already and will not be fetched. */
	void (*layer)(void *ctx, size_t i, const char *digest, int64_t size, bool present);
	void (*bytes)(void *ctx, size_t i, uint64_t done);
	void (*layer_done)(void *ctx, size_t i);
	void *ctx;
};

struct pull_opts {
	const char *platform; /* "os/arch[/variant]", NULL: the host's */
	bool tls_verify;
	const char *authfile;		      /* NULL: the default auth files */
	const struct pull_progress *progress; /* may be NULL */
};

/* Pulls ref ("busybox", "host:5000/a/b:t", "a/b@sha256:…") and names the image by it. A
 * ref without a registry is tried in each of unqualified-search-registries, in order, and
 * named by the first that has it. Returns the image id; caller frees. */
char *pull_image(struct store *s, const char *ref, const struct pull_opts *o, struct holt_err *err);

/* The image a ref without a registry names, in the first of unqualified-search-registries
 * under which the store has it; NULL with err (ENOENT) when none. */
struct image *pull_lookup_short(struct store *s, const char *ref, struct holt_err *err);

/* The one resolver of image names the user gives, for every command that takes one:
 * ref itself when the store has an image by that name, id or digest; else, for a ref
 * without a registry, the first "REGISTRY/ref" of unqualified-search-registries the store
 * has (as podman resolves short names); else ref, so that the caller's lookup says it is
 * missing. Caller frees. */
char *pull_stored_name(struct store *s, const char *ref);

/* True when ref is a reference pull could fetch (not an image id or id prefix). */
bool pull_can_fetch(const char *ref);

#endif
