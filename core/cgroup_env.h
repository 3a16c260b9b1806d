/* What core/cgroup*.c share: the cgroup v2 tree as this process finds it, and small
 * file helpers for cgroupfs. */
#ifndef HOLT_CORE_CGROUP_ENV_H
#define HOLT_CORE_CGROUP_ENV_H

#include "core/base/err.h"
#include "core/container.h"

#include <stdbool.h>

struct cgroup_env {
	char *mount;	  /* where cgroup v2 is mounted; NULL: nowhere */
	char *mount_root; /* the cgroup the mount shows at its top, as /proc names cgroups */
	char *v1;	  /* ",rw,cpu,,rw,memory,": the options of the cgroup v1 mounts */
	char *own;	  /* this process's cgroup, as /proc/self/cgroup names it */
	char *base;	  /* the delegated cgroup containers' cgroups go under; NULL: none */
	char *why;	  /* with no base: what is missing, and what would fix it */
};

/* Looks at the mounts and at this process's cgroup; with no delegated tree, base is
 * NULL and why says so. */
void cgroup_env_probe(struct cgroup_env *env);
void cgroup_env_release(struct cgroup_env *env);

/* The directory of cgroup path (as /proc names it), or NULL when the mount hides it. */
char *cgroup_env_dir(const struct cgroup_env *env, const char *path);

/* Makes controller usable in base's children for option opt ("--memory"): enables it
 * in base's cgroup.subtree_control, first moving base's processes into a leaf when the
 * no-internal-processes rule requires. */
int cgroup_env_enable(const struct cgroup_env *env, const char *controller, const char *opt,
		      struct holt_err *err);

/* The directory of c's own cgroup, from its first process (c must be running); NULL
 * when it has none (started without a delegated tree). */
char *cgroup_container_dir(const struct container *c, const struct cgroup_env *env);

/* dir/file's contents without the final newline, or NULL with errno set. */
char *cgroup_read(const char *dir, const char *file);
/* Writes text to dir/file in one write, as cgroupfs wants; -1 with errno set. */
int cgroup_write(const char *dir, const char *file, const char *text);
/* The value of key in a flat-keyed file's text ("usage_usec 123\n..."), or 0. */
unsigned long long cgroup_key(const char *text, const char *key);
/* True when word is one of the space-separated words of list. */
bool cgroup_has_word(const char *list, const char *word);

#endif
