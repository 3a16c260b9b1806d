/* A few threads working through a list: pull's layers, push's blobs. */
#ifndef HOLT_CORE_BASE_PARALLEL_H
#define HOLT_CORE_BASE_PARALLEL_H

#include "core/base/err.h"

#include <stddef.h>

/* Work on item i; <0 with err set on failure. */
typedef int (*parallel_fn)(size_t i, void *ctx, struct holt_err *err);

/* Runs fn on items 0..n-1 in up to width threads. After a failure no new item starts;
 * the error told is that of the first item that failed (the ones running then may fail
 * only because of it). */
int parallel_run(size_t n, size_t width, parallel_fn fn, void *ctx, struct holt_err *err);

#endif
