/* Content-addressed blobs under blobs/sha256/<hex>: staged in tmp/, verified by their
 * SHA-256 while they stream, and renamed into place only when the digest matches. */
#ifndef HOLT_STORAGE_BLOB_H
#define HOLT_STORAGE_BLOB_H

#include "core/base/digest.h"
#include "core/base/err.h"
#include "storage/store.h"

#include <stdint.h>

struct blob_writer;

/* Path of the blob with this digest ("sha256:<hex>"); caller frees. */
char *blob_path(struct store *s, const char *digest);

/* Starts a blob staged in the store's staging dir. */
struct blob_writer *blob_writer_new(struct store *s, struct holt_err *err);
/* Appends len bytes, hashing them on the way. */
int blob_writer_write(struct blob_writer *w, const void *data, size_t len, struct holt_err *err);
/* Ends the stream: fsyncs, and fails when expected (may be NULL) differs from the digest.
 * The digest is then available from blob_writer_digest. */
int blob_writer_finish(struct blob_writer *w, const char *expected, struct holt_err *err);
/* Digest and byte count of a finished blob. */
const char *blob_writer_digest(const struct blob_writer *w);
uint64_t blob_writer_size(const struct blob_writer *w);
/* Renames a finished blob into blobs/sha256/<hex> (an identical blob may already be there). */
int blob_writer_commit(struct blob_writer *w, struct holt_err *err);
/* Closes the writer; a blob that was not committed is deleted. */
void blob_writer_free(struct blob_writer *w);
#define cleanup_blob_writer __attribute__((cleanup(blob_writer_freep)))
static inline void blob_writer_freep(struct blob_writer **w)
{
	if (*w)
		blob_writer_free(*w);
}

/* Stages a finished blob holding data (a manifest, a config). */
struct blob_writer *blob_stage(struct store *s, const void *data, size_t len, struct holt_err *err);

/* Reads a small blob whole (NUL-terminated for convenience) after checking its digest. */
char *blob_read(struct store *s, const char *digest, size_t *len, struct holt_err *err);
/* The same without the check, for the start-up path of run: a blob's digest is checked
 * before it is stored, and by `holt system check`; hashing costs run libcrypto's start-up
 * (it reads openssl.cnf), about 0.9 ms. */
char *blob_read_unverified(struct store *s, const char *digest, size_t *len, struct holt_err *err);

/* Deletes a blob; a missing one is not an error. */
int blob_remove(struct store *s, const char *digest, struct holt_err *err);

#endif
