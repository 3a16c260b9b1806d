/* A new volume gets what the image has at the place it is mounted, once: docker's
 * copy-up of image content into volumes. */
#ifndef HOLT_CORE_VOLUME_COPYUP_H
#define HOLT_CORE_VOLUME_COPYUP_H

#include "core/base/err.h"

/* When volume name (under volumes_dir) has not yet been copied up: copies the directory
 * dest of the root at rootfd into the volume, if the volume is still empty, keeping
 * owners, modes and times; then marks it done. Two containers starting at once on the
 * same new volume take turns: one copies, the other finds it done. */
int volume_copyup(int rootfd, const char *dest, const char *volumes_dir, const char *name,
		  struct holt_err *err);

#endif
