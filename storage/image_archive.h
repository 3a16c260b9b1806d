/* Images to and from tar archives that docker, podman and skopeo read and write:
 * docker-archive (`docker save`: manifest.json with Config, RepoTags and Layers) and
 * oci-archive (a tar of an OCI image layout: oci-layout, index.json, blobs/sha256/). */
#ifndef HOLT_STORAGE_IMAGE_ARCHIVE_H
#define HOLT_STORAGE_IMAGE_ARCHIVE_H

#include "core/base/err.h"
#include "storage/store.h"

#include <stddef.h>

enum image_archive_format {
	IMAGE_ARCHIVE_DOCKER,
	IMAGE_ARCHIVE_OCI,
};

/* Writes the images refs name (names, ids or id prefixes) as one archive to fd, streaming
 * each blob; an image named twice is written once, with both names. docker-archive
 * holds every layer as an uncompressed tar (blobs/sha256/<diff_id>), as docker 25 does;
 * oci-archive holds the stored blobs and manifests as they are. Fails before writing
 * anything when a ref finds no image, and when a blob is missing or corrupt. */
int image_archive_save(struct store *s, char *const *refs, size_t n,
		       enum image_archive_format format, int fd, struct holt_err *err);

/* One image an archive held, once loaded. */
struct image_archive_loaded {
	char *id;     /* hex of the config digest */
	char **names; /* full references it was given, in the archive's order; may be NULL */
};

/* Reads a docker-archive or an oci-archive (plain or compressed, told apart by content)
 * from fd, verifies every digest and every config's diff_ids against its layers, and
 * stores its images with their names. Layers already in the store are not unpacked again.
 * An fd that cannot seek is first copied into the store's staging dir, since the
 * metadata of an archive comes after its layers. On failure the store is as it was.
 * *loaded (caller frees with image_archive_loaded_free) gets the images in archive order. */
int image_archive_load(struct store *s, int fd, struct image_archive_loaded **loaded, size_t *n,
		       struct holt_err *err);
void image_archive_loaded_free(struct image_archive_loaded *l, size_t n);

#endif
