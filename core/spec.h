/* What the container's first process is: the image's defaults merged with what the
 * user asked for, by docker's rules. */
#ifndef HOLT_CORE_SPEC_H
#define HOLT_CORE_SPEC_H

#include "core/base/err.h"
#include "core/container.h"
#include "storage/image.h"

struct process_spec {
	char **argv;
	char **env;
	char *cwd;
	char *user; /* "name", "uid", "uid:gid", "name:group"...; resolved in the container */
	char *hostname;
	bool tty;
	bool interactive;
	unsigned preserve_fds; /* fds 3 .. 3+N-1 of the caller are passed on */
};

/* Fills spec from config over img. Fails when no command results. */
int spec_build(const struct container_config *config, const struct image *img,
	       struct process_spec *spec, struct holt_err *err);
void spec_release(struct process_spec *spec);

/* Sets KEY=VALUE in env, replacing an earlier KEY. */
void spec_env_set(char ***env, const char *kv);
/* Sets each KEY=VALUE of add in env, as spec_env_set would one by one, in linear time. */
void spec_env_merge(char ***env, char *const *add);
/* The value of key in env, or NULL. */
const char *spec_env_get(char *const *env, const char *key);

#endif
