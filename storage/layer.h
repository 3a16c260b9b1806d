/* Layers: a tarball unpacked in one streaming pass into layers/<chain-id>/diff (overlay
 * whiteout format), with its blob and its digests computed on the way. */
#ifndef HOLT_STORAGE_LAYER_H
#define HOLT_STORAGE_LAYER_H

#include "core/base/digest.h"
#include "core/base/err.h"
#include "storage/store.h"

#include <stdint.h>

#define LAYER_MEDIA_TAR	     "application/vnd.oci.image.layer.v1.tar"
#define LAYER_MEDIA_TAR_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define LAYER_MEDIA_TAR_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

struct layer_info {
	char digest[DIGEST_STR_SIZE];	/* the blob as stored */
	char diff_id[DIGEST_STR_SIZE];	/* the uncompressed tar */
	char chain_id[DIGEST_STR_SIZE]; /* diff_id chained onto the parent's chain id */
	uint64_t blob_size;
	uint64_t size;		  /* bytes of regular files, unpacked */
	const char *media_type;	  /* one of LAYER_MEDIA_* */
	unsigned skipped_devices; /* device nodes that could not be created */
};

struct layer_stage;

/* Reads a layer tarball (uncompressed, gzip, zstd, xz, bzip2...) from fd to its end and
 * unpacks it into the staging dir, refusing entries that would land outside the layer.
 * The blob kept is the stream as read when it is uncompressed, gzip or zstd, else the
 * uncompressed tar (OCI has no other media types). Fails when expected_digest (may be
 * NULL) differs from the blob's digest. parent_chain_id is NULL for a base layer.
 * Nothing outside the staging dir is touched. */
struct layer_stage *layer_unpack(struct store *s, int fd, const char *parent_chain_id,
				 const char *expected_digest, struct holt_err *err);
const struct layer_info *layer_stage_info(const struct layer_stage *st);
/* Moves the blob and the unpacked layer into place (the layer may already be there, from
 * another image). Call with the store lock held. */
int layer_commit(struct store *s, struct layer_stage *st, struct holt_err *err);
/* Removes what is still staged. */
void layer_stage_free(struct layer_stage *st);
#define cleanup_layer_stage __attribute__((cleanup(layer_stage_freep)))
static inline void layer_stage_freep(struct layer_stage **st)
{
	if (*st)
		layer_stage_free(*st);
}

/* Absolute path of the unpacked layer with this chain id; caller frees. */
char *layer_diff_dir(struct store *s, const char *chain_id);
/* True when the layer with this chain id is stored (its record is written last). */
bool layer_exists(struct store *s, const char *chain_id);
/* Unpacked size recorded for a stored layer. */
int layer_size(struct store *s, const char *chain_id, uint64_t *size, struct holt_err *err);
/* Takes a stored layer out of layers/ (a rename into the staging dir, so that the tree
 * itself is deleted later by store_free, outside the store lock). Missing is no error. */
int layer_remove(struct store *s, const char *chain_id, struct holt_err *err);

#endif
