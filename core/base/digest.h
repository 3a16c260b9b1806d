/* SHA-256 digests in OCI form ("sha256:<64 hex>"), computed while data streams. */
#ifndef HOLT_CORE_BASE_DIGEST_H
#define HOLT_CORE_BASE_DIGEST_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>

#define DIGEST_HEX_LEN 64
#define DIGEST_PREFIX  "sha256:"
/* "sha256:" + 64 hex + NUL */
#define DIGEST_STR_SIZE (sizeof DIGEST_PREFIX - 1 + DIGEST_HEX_LEN + 1)

struct digest;

/* A new running SHA-256; never fails (aborts on OOM). */
struct digest *digest_new(void);
void digest_free(struct digest *d);
#define cleanup_digest __attribute__((cleanup(digest_freep)))
static inline void digest_freep(struct digest **d)
{
	if (*d)
		digest_free(*d);
}

/* Feeds len bytes into the running digest. */
void digest_update(struct digest *d, const void *data, size_t len);
/* Writes "sha256:<hex>" of everything fed so far into out; d cannot be fed again. */
void digest_final(struct digest *d, char out[DIGEST_STR_SIZE]);

/* "sha256:<hex>" of a buffer into out. */
void digest_buf(const void *data, size_t len, char out[DIGEST_STR_SIZE]);

/* True when s is exactly "sha256:" followed by 64 lowercase hex digits. */
bool digest_valid(const char *s);
/* True when s is exactly 64 lowercase hex digits. */
bool digest_hex_valid(const char *s);
/* The hex part of a valid digest string (points into s). */
const char *digest_hex(const char *digest);

/* OCI chain id: chain(L1) = diff_id(L1); chain(Ln) = sha256(chain(Ln-1) + " " + diff_id(Ln)).
 * parent is NULL for the lowest layer. */
void digest_chain_id(const char *parent, const char *diff_id, char out[DIGEST_STR_SIZE]);

#endif
