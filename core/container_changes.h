/* What a container changed in its root filesystem, against its image. */
#ifndef HOLT_CORE_CONTAINER_CHANGES_H
#define HOLT_CORE_CONTAINER_CHANGES_H

#include "core/container.h"
#include "storage/changes.h"
#include "storage/image.h"

/* The changes in c's root filesystem against img, its image, leaving out the mount points
 * holt makes in every container. *top (caller frees) gets the absolute path of the dir
 * the changed files are read from: the writable layer, or the vfs driver's copy. A
 * keep-id container on a view gets *shift filled, and out points at it. */
int container_changes(const struct container *c, const struct image *img, struct id_shift *shift,
		      struct changes *out, char **top, struct holt_err *err);

#endif
