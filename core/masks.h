/* The container's side of its confinement that takes mounts: masked and read-only
 * paths, and the host's devices it may use. */
#ifndef HOLT_CORE_MASKS_H
#define HOLT_CORE_MASKS_H

#include "core/base/err.h"
#include "core/security.h"

/* Under root (the container's rootfs, before pivot_root): hides the masked paths (a
 * file under /dev/null, a directory under an empty read-only tmpfs) and makes the
 * read-only ones so. Paths the kernel does not have are skipped. */
int masks_apply(const char *root, const struct container_security *s, struct holt_err *err);

/* Binds the --device devices (with --privileged: every device of the host's /dev the
 * user can open) into root; mknod is not possible without real root. */
int devices_apply(const char *root, const struct container_security *s, struct holt_err *err);

#endif
