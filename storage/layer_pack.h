/* A layer tarball made from a list of changes, as an OCI image layer: what was added or
 * changed, read from the container's top dir, and whiteouts for what was deleted. */
#ifndef HOLT_STORAGE_LAYER_PACK_H
#define HOLT_STORAGE_LAYER_PACK_H

#include "core/base/err.h"
#include "storage/changes.h"

#include <archive_entry.h>

/* Writes c as a gzip-compressed tar to fd: added and changed entries from top (owners
 * mapped back by c->shift, modes, times, xattrs but overlay's own, hard links kept),
 * deletions as .wh.NAME files and opaque dirs with a .wh..wh..opq file. Opens files by
 * absolute path only, so it may run on a thread while another changes the working
 * directory. */
int layer_pack(const struct changes *c, const char *top, int fd, struct holt_err *err);

/* Adds path's xattrs to e, but those overlay and fuse-overlayfs keep for themselves. */
int layer_pack_xattrs(struct archive_entry *e, const char *path, struct holt_err *err);

#endif
