/* Reading a container's log back: both files (the rotated one first), filtered by time
 * and --tail, and, when following, the log as it grows until the container stops. */
#ifndef HOLT_CORE_LOG_READER_H
#define HOLT_CORE_LOG_READER_H

#include "core/container.h"
#include "core/logfile.h"

#include <stdbool.h>
#include <time.h>

struct log_filter {
	long tail;		      /* the last N entries only; -1: all */
	struct timespec since, until; /* tv_sec 0: unbounded */
	bool follow;		      /* then read on until the container is not running */
};

/* Called with each entry; with NULL after each batch read while following, for the caller
 * to flush what it buffered. */
typedef void (*log_emit)(const struct log_entry *e, void *ctx);

/* Hands each entry of c's log that passes filter to emit, in order. Returns 1 when c has
 * a log, 0 when it has none (it ran only in the foreground). */
int log_read(struct container *c, const struct log_filter *filter, log_emit emit, void *ctx);

#endif
