/* What an image archive says it holds, read from its JSON members (manifest.json, or
 * index.json and the OCI manifests it names) with every digest checked: internal to
 * storage/image_archive*.c. Pure: members come from a lookup the caller provides. */
#ifndef HOLT_STORAGE_IMAGE_ARCHIVE_META_H
#define HOLT_STORAGE_IMAGE_ARCHIVE_META_H

#include "core/base/digest.h"
#include "core/base/err.h"
#include "core/base/json.h"
#include "storage/image_archive.h"

#include <stddef.h>

/* The JSON members of an archive, by cleaned path (image_archive_path_clean). get returns
 * the member's bytes (NUL-terminated) or NULL with err saying why, errnum ENOENT when the
 * archive has no such member. */
struct image_archive_members {
	const char *(*get)(void *ctx, const char *path, size_t *len, struct holt_err *err);
	void *ctx;
};

/* One image of an archive. */
struct archived_image {
	char config_digest[DIGEST_STR_SIZE]; /* of the config's bytes, checked */
	const char *config_text;	     /* the config, as in the archive (owned by members) */
	size_t config_len;
	const char *manifest_text; /* OCI: the manifest as in the archive; NULL for docker */
	size_t manifest_len;
	char **layers;		  /* members holding the layers, lowest first */
	char **layer_digests;	  /* the digest each layer's member must have; "" when unsaid */
	json_object *layer_descs; /* OCI: the manifest's layer descriptors; NULL for docker */
	char **diff_ids;	  /* from the config, one per layer */
	char **names;		  /* full references; NULL when untagged */
};

/* Reads the images an archive holds: docker-archive when it has manifest.json, else an
 * OCI layout (index.json, oci-layout). Entries naming the same config are merged into
 * one image with all their names. */
int image_archive_meta_read(const struct image_archive_members *m,
			    enum image_archive_format *format, struct archived_image **images,
			    size_t *n, struct holt_err *err);
void archived_images_free(struct archived_image *images, size_t n);

/* path without "./", "//" and "dir/.." (a link's target joined to its dir, say); NULL when
 * it climbs out of the archive's top. Caller frees. */
char *image_archive_path_clean(const char *path);

#endif
