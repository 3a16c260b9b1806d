/* Parsed with fgetpwent/fgetgrent on the container's files: the host's NSS must not be
 * consulted, the container's users are its own. */
#include "core/user.h"
#include "core/base/util.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool parse_id(const char *s, unsigned long *out)
{
	char *end;
	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && !errno && *out <= UINT_MAX - 1;
}

/* Finds the passwd entry by name, or by uid when name is NULL. */
static bool find_passwd(const char *path, const char *name, uid_t uid, uid_t *uid_out,
			gid_t *gid_out, char **home, char **name_out)
{
	cleanup_file FILE *f = fopen(path, "re");
	struct passwd *pw;
	while (f && (pw = fgetpwent(f))) {
		if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid) {
			*uid_out = pw->pw_uid;
			*gid_out = pw->pw_gid;
			*home = xstrdup(pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
			*name_out = xstrdup(pw->pw_name);
			return true;
		}
	}
	return false;
}

static bool find_group(const char *path, const char *name, gid_t *gid)
{
	cleanup_file FILE *f = fopen(path, "re");
	struct group *gr;
	while (f && (gr = fgetgrent(f)))
		if (strcmp(gr->gr_name, name) == 0) {
			*gid = gr->gr_gid;
			return true;
		}
	return false;
}

static void add_group(struct user_ids *ids, gid_t gid)
{
	for (size_t i = 0; i < ids->n_groups; i++)
		if (ids->groups[i] == gid)
			return;
	ids->groups = xrealloc(ids->groups, (ids->n_groups + 1) * sizeof *ids->groups);
	ids->groups[ids->n_groups++] = gid;
}

static void member_groups(const char *path, const char *user, struct user_ids *ids)
{
	cleanup_file FILE *f = fopen(path, "re");
	struct group *gr;
	while (f && (gr = fgetgrent(f)))
		for (char **m = gr->gr_mem; m && *m; m++)
			if (strcmp(*m, user) == 0)
				add_group(ids, gr->gr_gid);
}

static int resolve(const char *spec, const char *passwd_path, const char *group_path,
		   struct user_ids *out, struct holt_err *err)
{
	cleanup_free char *copy = xstrdup(spec);
	cleanup_free char *name = NULL;
	char *group = strchr(copy, ':');
	unsigned long n;

	memset(out, 0, sizeof *out);
	if (group)
		*group++ = '\0';
	if (!*copy)
		return holt_err_set(err, 0, "user \"%s\": empty user name", spec);
	if (parse_id(copy, &n)) {
		out->uid = (uid_t)n;
		out->gid = 0;
		if (!find_passwd(passwd_path, NULL, out->uid, &out->uid, &out->gid, &out->home,
				 &name))
			out->home = xstrdup("/");
	} else if (!find_passwd(passwd_path, copy, 0, &out->uid, &out->gid, &out->home, &name)) {
		return holt_err_set(err, 0, "user \"%s\": no such user in the image's /etc/passwd",
				    copy);
	}
	if (group) {
		if (parse_id(group, &n))
			out->gid = (gid_t)n;
		else if (!find_group(group_path, group, &out->gid))
			return holt_err_set(
			    err, 0, "group \"%s\": no such group in the image's /etc/group", group);
	}
	add_group(out, out->gid);
	if (name && !group)
		member_groups(group_path, name, out);
	return 0;
}

/* Leaves nothing allocated in out on failure. */
int user_resolve(const char *spec, const char *passwd_path, const char *group_path,
		 struct user_ids *out, struct holt_err *err)
{
	int r = resolve(spec, passwd_path, group_path, out, err);
	if (r < 0)
		user_ids_release(out);
	return r;
}

void user_ids_release(struct user_ids *ids)
{
	free(ids->groups);
	free(ids->home);
	memset(ids, 0, sizeof *ids);
}

int user_add_group(struct user_ids *ids, const char *group, const char *group_path,
		   struct holt_err *err)
{
	unsigned long n;
	gid_t gid;
	if (parse_id(group, &n))
		gid = (gid_t)n;
	else if (!find_group(group_path, group, &gid))
		return holt_err_set(
		    err, 0, "--group-add \"%s\": no such group in the image's /etc/group", group);
	add_group(ids, gid);
	return 0;
}
