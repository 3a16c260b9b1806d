/* Images in the store: records that are real OCI manifests and configs, looked up by
 * name, id or id prefix. */
#ifndef HOLT_STORAGE_IMAGE_H
#define HOLT_STORAGE_IMAGE_H

#include "core/base/err.h"
#include "storage/store.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct image {
	char *id;	   /* hex sha256 of the config blob, no "sha256:" prefix */
	char **names;	   /* full references, "docker.io/library/busybox:latest" */
	char **layer_dirs; /* absolute paths of the unpacked diff dirs, lowest first */
	size_t n_layers;
	uint64_t size; /* bytes of all layers, unpacked */
	time_t created;
	/* from the image config's "config" object; NULL when absent */
	char **entrypoint;
	char **cmd;
	char **env;
	char *workdir;
	char *user;
	char *stop_signal;
};

void image_free(struct image *img);
#define cleanup_image __attribute__((cleanup(image_freep)))
static inline void image_freep(struct image **p)
{
	if (*p)
		image_free(*p);
}

/* Finds an image by reference ("busybox", "myimg:1", "host:5000/a/b:t"), full id,
 * "sha256:<id>" or unique id prefix. NULL with a message naming ref when none or several
 * match; err->errnum is ENOENT when none does. */
struct image *image_lookup(struct store *s, const char *ref, struct holt_err *err);

/* All images, newest first. */
int image_list(struct store *s, struct image ***out, size_t *n, struct holt_err *err);

/* Reads a root filesystem tarball (plain, gzip, zstd, xz, ...) from fd, stores it as a
 * one-layer image and names it name (may be NULL; a name another image had moves to the
 * new one). Returns the new image's id. *skipped_devices counts device nodes that could
 * not be created rootless. On failure the store is as it was. */
char *image_import(struct store *s, int fd, const char *name, unsigned *skipped_devices,
		   struct holt_err *err);

/* Gives the image ref finds the name new_name too (moved from any image that had it). */
int image_tag(struct store *s, const char *ref, const char *new_name, struct holt_err *err);

/* Who pins image id: the containers made from it. image_remove and image_remove_unused
 * ask it under the store lock, in the section that removes the image, and container
 * records are written under that lock too, so a container is either seen here or made
 * after the image is gone (and then refused). Returns how many containers use the image
 * (0: none) and, when some do, the name of one in *who (caller frees), a running one when
 * any runs (*running is then true); <0 on error, and the image stays. */
typedef int image_users_fn(struct store *s, const char *image_id, char **who, bool *running,
			   struct holt_err *err);

/* Removes the name ref from its image, and the image with its unreferenced layers and
 * blobs when no name is left or ref is an id (an id of an image with several names needs
 * force). An image containers use (users, may be NULL when none can) stays: without force
 * this fails; with force it still fails when one of them runs, and otherwise only the
 * image's names go (it stays, dangling, until its last container is removed). *untagged
 * gets the names removed, in familiar form ("myimg:1"; NULL-terminated, caller frees with
 * strv_free); *deleted_id (caller frees) the id when the image itself went. */
int image_remove(struct store *s, const char *ref, bool force, image_users_fn *users,
		 char ***untagged, char **deleted_id, struct holt_err *err);

/* Removes image id (a full id) with its names, as image_remove does, unless a container
 * uses it (users, may be NULL), it is gone already, or dangling_only and it has a name:
 * then *deleted_id is NULL and nothing changes. *freed is increased by the unpacked bytes
 * of the layers that went with it. */
int image_remove_unused(struct store *s, const char *id, bool dangling_only, image_users_fn *users,
			char ***untagged, char **deleted_id, uint64_t *freed, struct holt_err *err);

/* Whether image id (a full id) is stored; the answer holds only while the caller holds
 * the store lock. */
bool image_exists(struct store *s, const char *id);

#endif
