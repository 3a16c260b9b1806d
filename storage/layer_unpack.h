/* The streaming unpacker behind layer_unpack; internal to storage/layer*.c. */
#ifndef HOLT_STORAGE_LAYER_UNPACK_H
#define HOLT_STORAGE_LAYER_UNPACK_H

#include "storage/blob.h"
#include "storage/layer.h"

/* Unpacks the layer read from fd into diff_dir (an empty dir) and fills info's digest,
 * diff_id, sizes, media type and skipped devices; *blob gets the finished blob. */
int layer_unpack_stream(struct store *s, int fd, const char *diff_dir, const char *expected,
			struct layer_info *info, struct blob_writer **blob, struct holt_err *err);

#endif
