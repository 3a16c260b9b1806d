/* The JSON files of a container's record, shared by the files that write and read them. */
#ifndef HOLT_CORE_CONTAINER_RECORD_H
#define HOLT_CORE_CONTAINER_RECORD_H

#include "core/container.h"

#include <json.h>

/* Writes obj to <c->dir>/file by rename, so a reader sees the old or the new file; an
 * --rm container's record dies with it, so it skips the fsync. */
int container_write_json(const struct container *c, const char *file, json_object *obj,
			 struct holt_err *err);

/* Reads <dir>/file; NULL with errnum ENOENT when it does not exist. */
json_object *container_read_json(const char *dir, const char *file, struct holt_err *err);

#endif
