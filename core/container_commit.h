/* `commit`: an image made of a container's image and what the container changed. */
#ifndef HOLT_CORE_CONTAINER_COMMIT_H
#define HOLT_CORE_CONTAINER_COMMIT_H

#include "core/base/err.h"
#include "core/container.h"
#include "storage/store.h"

struct container_commit_opts {
	const char *name;	   /* REPOSITORY[:TAG], or NULL for an untagged image */
	const char *message;	   /* the history entry's comment, or NULL */
	const char *author;	   /* or NULL */
	char *const *instructions; /* Dockerfile instructions applied last, or NULL */
};

/* Makes an image of c: its image's layers and one more holding what c changed, and c's
 * command, entrypoint, env, workdir, user, labels and stop signal over its image's
 * config, as docker commit keeps them; o->instructions go over that. Returns the new
 * image's id. On failure the store is as it was. */
char *container_commit(struct store *s, const struct container *c,
		       const struct container_commit_opts *o, struct holt_err *err);

#endif
