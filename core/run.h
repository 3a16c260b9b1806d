/* `run` in the foreground: the holt process is the container's monitor. */
#ifndef HOLT_CORE_RUN_H
#define HOLT_CORE_RUN_H

#include "core/container.h"
#include "core/spec.h"
#include "storage/image.h"
#include "storage/store.h"

#include <signal.h>

struct run_request {
	struct store *store;
	struct container *container;
	const struct image *image;
	const struct process_spec *spec;
	const char *storage_driver; /* NULL: the first that works */
	/* Or NULL: set by a signal handler (build's ^C); once holt blocks the signals it
	 * forwards, a flag already set keeps the container from starting, as the signal that
	 * set it would otherwise have reached no one. */
	const volatile sig_atomic_t *cancel;
};

/* Looks up c's image and works out its process; on success the caller frees both. */
int run_prepare(struct store *s, const struct container *c, struct image **img,
		struct process_spec *spec, struct holt_err *err);

/* Starts the container, relays its terminal, forwards signals to it and waits. Returns 0
 * with *status its exit code (128+N when killed by signal N), or -1 with err when it
 * could not be started or waited for, *status then the exit code for that (125/126/127). */
int run_foreground(const struct run_request *req, int *status, struct holt_err *err);

#endif
