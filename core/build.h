/* `build`: an image from a Dockerfile and a context directory, each step a layer (RUN,
 * COPY, ADD) or a change of the config, each step's result cached under the store. */
#ifndef HOLT_CORE_BUILD_H
#define HOLT_CORE_BUILD_H

#include "core/base/err.h"
#include "core/container.h"
#include "storage/image.h"
#include "storage/store.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct build_opts {
	const char *context;	/* the context dir, or NULL: none (build -) */
	const char *dockerfile; /* its text and the name for messages */
	size_t dockerfile_len;
	const char *dockerfile_name; /* "Dockerfile", "ci/Dockerfile", "-" */
	const char *ignore_file;     /* the .dockerignore to apply, or NULL */
	char **tags;		     /* names given to the result, or NULL */
	char **build_args;	     /* KEY=VALUE */
	char **labels;		     /* KEY=VALUE, set on the result */
	char **build_contexts;	     /* NAME=DIR: a stage name or image COPY --from may use */
	char **secrets;		     /* ID=FILE: what RUN --mount=type=secret,id=ID reads */
	const char *target;	     /* the stage to build, NULL: the last */
	bool no_cache;
	bool pull;
	bool squash; /* the target stage's own layers as one */
	enum container_network network;
	const char *storage_driver;
	/* The image FROM ref names; pull: fetch it again even when stored. */
	struct image *(*image)(void *ctx, const char *ref, bool pull, struct holt_err *err);
	/* A progress line ("STEP 2/5: RUN make"); output of RUN goes to fd 1 and 2. */
	void (*say)(void *ctx, const char *line);
	/* Something the user should know that does not stop the build (may be NULL). */
	void (*warn)(void *ctx, const char *line);
	void *ctx;
	/* Set by a signal handler: the build stops between steps and cleans up. */
	const volatile sig_atomic_t *cancel;
};

/* Builds the image and names it o->tags, only when all went well. Returns its id. On
 * failure err says which step failed and why; errnum is BUILD_RUN_FAILED when a RUN
 * exited non-zero. No container, mount or staged file is left behind. */
char *build_image(struct store *s, const struct build_opts *o, struct holt_err *err);

/* errnum of a build whose RUN exited non-zero (docker then exits 1, not 125) */
#define BUILD_RUN_FAILED ECHILD

/* Whether image id was made by a step of a build and was no build's result: an
 * intermediate image, which `images` shows only with -a, as docker's does. */
bool build_cache_is_step(struct store *s, const char *id);
/* Marks id as a build's result, shown by `images` even when it has no name. */
void build_cache_result(struct store *s, const char *id);

/* Empties the build cache: its records, the images they name that nothing else keeps (no
 * name, no container), and RUN's cache mounts. *freed: the bytes that went. */
int build_cache_prune(struct store *s, unsigned *removed, uint64_t *freed, struct holt_err *err);

#endif
