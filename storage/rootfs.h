/* Root filesystem assembly for a container from its image's layers and its own
 * writable layer, behind one small driver table: native overlay in the user namespace,
 * fuse-overlayfs, or a plain copy (vfs) as the last resort. */
#ifndef HOLT_STORAGE_ROOTFS_H
#define HOLT_STORAGE_ROOTFS_H

#include "core/base/err.h"

#include <stddef.h>

struct rootfs_layout {
	char *const *lower; /* unpacked layer dirs, lowest first */
	size_t n_lower;
	/* the dir the lower dirs live in, or NULL: overlay's mount data is one page, so
	 * lower dirs are named relative to it (about 57 layers fit instead of 37) */
	const char *lower_base;
	const char *upper;  /* the container's writable layer */
	const char *work;   /* overlay's work dir, on the same filesystem as upper */
	const char *copy;   /* vfs: the container's private copy of the layers */
	const char *target; /* where the root filesystem is mounted */
	/* fuse-overlayfs's uidmapping= and gidmapping= ("id:shown-as:count:..."), or NULL:
	 * the owners a nested user namespace would show wrong, shown as stored */
	const char *uidmapping;
	const char *gidmapping;
};

struct rootfs_driver {
	const char *name;
	/* Mounts the root filesystem at layout->target; runs in the container's mount
	 * namespace, before pivot_root. */
	int (*mount)(const struct rootfs_layout *layout, struct holt_err *err);
};

extern const struct rootfs_driver rootfs_overlay;
extern const struct rootfs_driver rootfs_fuse_overlayfs;
extern const struct rootfs_driver rootfs_vfs;

/* The driver called name, or NULL. */
const struct rootfs_driver *rootfs_driver_find(const char *name);

/* Mounts with the named driver; when name is NULL, with vfs if layout->copy exists (the
 * container was made with it), else with the first of overlay, fuse-overlayfs, vfs that
 * works. */
int rootfs_mount(const char *name, const struct rootfs_layout *layout, struct holt_err *err);

/* The overlay lowerdir option for layout ("top:...:bottom"), with the dirs under
 * lower_base named relative to it; caller frees. */
char *rootfs_lowerdir_option(const struct rootfs_layout *layout);

/* Copies src (a layer dir, or any file or dir) onto dest, as overlay would show it above
 * what dest has: owners, modes, times, xattrs and hard links kept, whiteouts applied. */
int rootfs_copy_layer(const char *src, const char *dest, struct holt_err *err);

/* What a fuse-overlayfs daemon wrote to out (a memfd as its stderr), on one line, to
 * say why it failed. */
void rootfs_fuse_said(int out, char *said, size_t cap);

/* Enters layout->lower_base, so that rootfs_lowerdir_option's relative names resolve. */
int rootfs_enter_lower_base(const struct rootfs_layout *layout, struct holt_err *err);

#endif
