/* Resolving a docker --user spec ("name", "uid", "name:group", "uid:gid") against the
 * container's own /etc/passwd and /etc/group. */
#ifndef HOLT_CORE_USER_H
#define HOLT_CORE_USER_H

#include "core/base/err.h"

#include <sys/types.h>

struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups from the group file */
	size_t n_groups;
	char *home; /* from passwd, "/" when unknown */
};

/* Resolves spec with the given files (either may be missing, then only numbers work). */
int user_resolve(const char *spec, const char *passwd_path, const char *group_path,
		 struct user_ids *out, struct holt_err *err);
void user_ids_release(struct user_ids *ids);
/* Adds group (a name in group_path, or a gid) to ids's supplementary groups. */
int user_add_group(struct user_ids *ids, const char *group, const char *group_path,
		   struct holt_err *err);

#endif
