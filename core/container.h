/* Container records on disk: containers/<id>/ holds config.json (what was asked),
 * state.json (what happened), the writable layer and the files bind-mounted into /etc. */
#ifndef HOLT_CORE_CONTAINER_H
#define HOLT_CORE_CONTAINER_H

#include "core/err.h"
#include "storage/image.h"
#include "storage/store.h"

#include <stdbool.h>
#include <sys/types.h>

enum container_network {
	NETWORK_NONE, /* a network namespace of its own with only lo */
	NETWORK_HOST, /* the host's network namespace */
};

/* What the user asked for, before the image's defaults are applied. */
struct container_config {
	char *name;	   /* NULL: a generated one */
	char **cmd;	   /* NULL: the image's Cmd */
	char **entrypoint; /* with entrypoint_set: replaces the image's ("" clears it) */
	bool entrypoint_set;
	char **env;	/* KEY=VALUE, in order; later ones win */
	char *workdir;	/* NULL: the image's WorkingDir, else / */
	char *user;	/* NULL: the image's User, else root */
	char *hostname; /* NULL: the id's first 12 hex digits */
	enum container_network network;
	bool tty, interactive, remove;
};

struct container {
	char *id; /* 64 hex digits */
	char *name;
	char *dir; /* <root>/containers/<id> */
	char *image_id;
	char *started_at; /* RFC 3339, set when it starts */
	struct container_config config;
};

void container_config_release(struct container_config *c);
void container_free(struct container *c);
static inline void container_freep(struct container **c)
{
	if (*c)
		container_free(*c);
}
#define cleanup_container __attribute__((cleanup(container_freep)))

/* Creates the container's record and directories for image, with a new id and a unique
 * name. Takes ownership of nothing: config is copied. */
struct container *container_create(struct store *s, const struct container_config *config,
				   const struct image *img, struct holt_err *err);

/* Records that the container's process started (pid) or exited (status as from
 * waitpid, already mapped to an exit code). */
int container_set_running(struct store *s, struct container *c, pid_t pid, struct holt_err *err);
int container_set_exited(struct store *s, struct container *c, int exit_code, struct holt_err *err);

/* Removes the container's record and writable layer. */
int container_remove(struct store *s, struct container *c, struct holt_err *err);

#endif
