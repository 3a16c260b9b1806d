/* Garbage collection of the store's layers and blobs. */
#ifndef HOLT_STORAGE_STORE_GC_H
#define HOLT_STORAGE_STORE_GC_H

#include "core/base/err.h"
#include "storage/store.h"

#include <stdbool.h>
#include <stdint.h>

struct store_gc_result {
	unsigned layers, blobs; /* removed */
	uint64_t bytes;		/* unpacked layers' sizes and blobs' sizes, removed */
};

/* Removes every layer and blob that no image record names, under the store lock; with
 * dry_run, only counts them. */
int store_gc(struct store *s, bool dry_run, struct store_gc_result *r, struct holt_err *err);

#endif
