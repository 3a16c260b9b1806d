/* Image records on disk, internal to storage/image*.c: images/<id>/image.json names the
 * manifest, the config and the layers' chain ids; images/names.json maps every full
 * reference ("docker.io/library/busybox:latest") to an image id. */
#ifndef HOLT_STORAGE_IMAGE_RECORD_H
#define HOLT_STORAGE_IMAGE_RECORD_H

#include "core/base/json.h"
#include "storage/image.h"

struct image_record {
	char *manifest; /* digest of the manifest blob */
	char *config;	/* digest of the config blob */
	char **layers;	/* chain ids, lowest first */
	/* "domain/path@sha256:…": the digests registries know the image by, recorded when
	 * it was pulled (an index's, a manifest other than the one stored); may be NULL */
	char **repo_digests;
};

/* images/<id>; caller frees. */
char *image_dir(struct store *s, const char *id);
/* The record's JSON, as image_record_load reads it. */
json_object *image_record_json(const struct image_record *r);
int image_record_load(struct store *s, const char *id, struct image_record *r,
		      struct holt_err *err);
void image_record_clear(struct image_record *r);

/* The names index; an empty object when there is none yet. */
json_object *image_names_load(struct store *s, struct holt_err *err);
/* Writes the names index atomically; call with the store lock held. */
int image_names_save(struct store *s, json_object *names, struct holt_err *err);
/* The names of image id, sorted; NULL when it has none. */
char **image_names_of(json_object *names, const char *id);

/* The ids of all stored images, unsorted; *ids is NULL when there are none. */
int image_ids(struct store *s, char ***ids, struct holt_err *err);

/* The id of the image ref names: a name, a full id, "sha256:<id>" or a unique id prefix.
 * *name (may be NULL) gets the full reference when ref matched a name. err->errnum is
 * ENOENT when nothing matches. */
char *image_resolve(struct store *s, json_object *names, const char *ref, char **name,
		    struct holt_err *err);

/* The image with this id, its names taken from the index; *created_ns (may be NULL) gets
 * the creation time in nanoseconds, for sorting. */
struct image *image_load(struct store *s, const char *id, json_object *names, int64_t *created_ns,
			 struct holt_err *err);

#endif
