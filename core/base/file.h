/* Files written whole or not at all. */
#ifndef HOLT_CORE_BASE_FILE_H
#define HOLT_CORE_BASE_FILE_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>

/* Writes data to path atomically: to a new file in tmp_dir (NULL: path's directory, which
 * must be on path's filesystem), fsynced when sync, then renamed over path. On failure
 * nothing is left behind and err names path with the errno of the step that failed. */
int write_file_atomic(const char *path, const char *tmp_dir, const void *data, size_t len,
		      bool sync, struct holt_err *err);

#endif
