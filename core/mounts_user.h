/* The mounts the user asked for (-v, --mount, --tmpfs, --read-only), made in the
 * container's mount namespace between the root's assembly and pivot_root. */
#ifndef HOLT_CORE_MOUNTS_USER_H
#define HOLT_CORE_MOUNTS_USER_H

#include "core/base/err.h"
#include "core/mount_spec.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Mounts each of mounts under rootfs, parents before children; every destination is
 * resolved inside rootfs (a symlink in the image never leads outside it) and made when
 * missing. Volumes are found under volumes_dir and get the image's content at their
 * destination once. read_only: rootfs becomes read-only, with tmpfs on /tmp, /var/tmp and
 * /run unless mounts cover them. */
int mounts_user(const char *rootfs, const struct mount_spec *mounts, size_t n,
		const char *volumes_dir, bool read_only, struct holt_err *err);

/* After pivot_root: the tree of every mount with the U option is given to user (docker's
 * --user spec, resolved with the container's /etc/passwd and /etc/group), as podman's U
 * does; symlinks are changed themselves, never followed, and other mounts not entered. */
int mounts_chown_owner(const struct mount_spec *mounts, size_t n, const char *user,
		       struct holt_err *err);

/* auto and nomap, before the user namespace is made: the volumes and tmpfs mounts whose
 * root is holt's root (the user) are given to the container's root, uid:gid in holt's
 * namespace, as they are root's in a container of holt's namespace. Binds are left as
 * they are: they are the user's own files. */
int mounts_give_root(const char *rootfs, const struct mount_spec *mounts, size_t n, uid_t uid,
		     gid_t gid, struct holt_err *err);

/* openat2 of path under rootfd with RESOLVE_IN_ROOT: ".." and symlinks stop at rootfd.
 * A file it creates (O_CREAT) has mode 0644. */
int mounts_open_in_root(int rootfd, const char *path, int flags);

#endif
