/* Finding a cgroup v2 tree delegated to the user: where cgroup2 is mounted (the whole
 * of /sys/fs/cgroup, or /sys/fs/cgroup/unified beside cgroup v1 on a hybrid machine),
 * this process's cgroup in it, and whether the user may create cgroups there and move
 * processes, as systemd's Delegate=yes allows. Access is tested on the files themselves:
 * inside holt's user namespace the user is root, but cgroupfs answers to the real uid. */
#include "core/base/util.h"
#include "core/cgroup_env.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

/* A leaf for the processes of a delegated cgroup whose children need controllers (the
 * no-internal-processes rule); podman's name for the same thing. */
#define LEAF "init"

char *cgroup_read(const char *dir, const char *file)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t len = 0, cap = 4096;
	cleanup_free char *text = xmalloc(cap);
	ssize_t n;
	while ((n = read(fd, text + len, cap - len - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		len += (size_t)n;
		if (cap - len < 2)
			text = xrealloc(text, cap *= 2);
	}
	while (len && text[len - 1] == '\n')
		len--;
	text[len] = '\0';
	return steal_pointer(&text);
}

int cgroup_write(const char *dir, const char *file, const char *text)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return write(fd, text, strlen(text)) < 0 ? -1 : 0;
}

unsigned long long cgroup_key(const char *text, const char *key)
{
	size_t len = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, len) == 0 && p[len] == ' ')
			return strtoull(p + len + 1, NULL, 10);
	return 0;
}

bool cgroup_has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = list; p && (p = strstr(p, word)); p += len)
		if ((p == list || isspace((unsigned char)p[-1])) &&
		    (p[len] == '\0' || isspace((unsigned char)p[len])))
			return true;
	return false;
}

/* mountinfo escapes blanks and backslashes in paths as \ooo. */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static void read_mounts(struct cgroup_env *env)
{
	cleanup_file FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	env->v1 = xstrdup(",");
	while (f && getline(&line, &cap, f) > 0) {
		char *fields[6], *save = NULL, *tok = strtok_r(line, " \n", &save);
		int n = 0;
		for (; tok && n < 6; tok = strtok_r(NULL, " \n", &save))
			fields[n++] = tok;
		/* After the optional fields, " - " then the type, the source, the options. */
		while (tok && strcmp(tok, "-") != 0)
			tok = strtok_r(NULL, " \n", &save);
		const char *type = strtok_r(NULL, " \n", &save);
		strtok_r(NULL, " \n", &save);
		const char *opts = strtok_r(NULL, " \n", &save);
		if (n < 6 || !type)
			continue;
		if (strcmp(type, "cgroup2") == 0 && !env->mount) {
			env->mount = unescape(fields[4]);
			env->mount_root = unescape(fields[3]);
		} else if (strcmp(type, "cgroup") == 0 && opts) {
			char *v1 = xasprintf("%s%s,", env->v1, opts);
			free(env->v1);
			env->v1 = v1;
		}
	}
}

static char *own_cgroup(void)
{
	cleanup_file FILE *f = fopen("/proc/self/cgroup", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while (f && (n = getline(&line, &cap, f)) > 0) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		return xstrdup(line + 3);
	}
	return NULL;
}

char *cgroup_env_dir(const struct cgroup_env *env, const char *path)
{
	size_t len = strlen(env->mount_root);
	if (strcmp(env->mount_root, "/") == 0)
		return xasprintf("%s%s", env->mount, strcmp(path, "/") ? path : "");
	if (strncmp(path, env->mount_root, len) != 0 || (path[len] && path[len] != '/'))
		return NULL;
	return xasprintf("%s%s", env->mount, path + len);
}

/* The first of what delegation needs that the user lacks in dir, with errno set: NULL
 * when none. */
static const char *undelegated_part(const char *dir)
{
	static const char *const files[] = {"cgroup.procs", "cgroup.subtree_control"};
	if (access(dir, W_OK | X_OK) < 0)
		return "";
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dir, files[i]);
		if (access(path, W_OK) < 0)
			return files[i];
	}
	return NULL;
}

static bool in_initial_userns(void)
{
	cleanup_free char *map = cgroup_read("/proc/self", "uid_map");
	unsigned long inside, outside, count;
	return !map || (sscanf(map, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
			outside == 0 && count == 4294967295UL);
}

/* Who owns path, in words. In holt's user namespace, uids outside its map (root's
 * among them) all read as the overflow uid; for cgroupfs that is root. */
static char *owner_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return xstrdup("someone else");
	if (in_initial_userns())
		return st.st_uid == 0 ? xstrdup("root") : xasprintf("uid %u", (unsigned)st.st_uid);
	cleanup_free char *overflow = cgroup_read("/proc/sys/kernel", "overflowuid");
	if (overflow && st.st_uid == (uid_t)strtoul(overflow, NULL, 10))
		return xstrdup("root");
	return xasprintf("uid %u of holt's user namespace", (unsigned)st.st_uid);
}

/* Says why dir is not delegated, from the part that failed and the errno it failed with. */
static char *not_delegated(const struct cgroup_env *env, const char *dir, const char *part)
{
	int e = errno;
	cleanup_free char *path = *part ? xasprintf("%s/%s", dir, part) : xstrdup(dir);
	cleanup_free char *owner = owner_of(path);
	cleanup_free char *where =
	    strcmp(env->v1, ",")
		? xasprintf("this machine mounts cgroup v2 at %s beside cgroup v1 "
			    "(hybrid), and your cgroup %s there",
			    env->mount, env->own)
		: xasprintf("your cgroup %s (cgroup v2, at %s)", env->own, env->mount);
	cleanup_free char *what =
	    e == EROFS ? xstrdup("is on a read-only mount")
	    : *part    ? xasprintf("has a %s you cannot write (owned by %s)", part, owner)
		       : xasprintf("is owned by %s", owner);
	return xasprintf("%s %s; run holt in a cgroup delegated to you (systemd-run --user --scope "
			 "-p Delegate=yes holt ...), or in one that root made and chowned to you, "
			 "as systemd's Delegate=yes does",
			 where, what);
}

static char *parent_of(const char *path)
{
	char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	if (slash)
		slash[slash == parent] = '\0';
	return parent;
}

/* Where containers' cgroups go: own, or own's parent when own is the leaf that holt (or
 * podman) moved the processes of a delegated cgroup into. */
static void find_base(struct cgroup_env *env)
{
	cleanup_free char *dir = cgroup_env_dir(env, env->own);
	if (!dir) {
		env->why = xasprintf("your cgroup %s is not under the cgroup v2 tree mounted at %s",
				     env->own, env->mount);
		return;
	}
	const char *name = strrchr(env->own, '/');
	if (name && strcmp(name + 1, LEAF) == 0) {
		cleanup_free char *parent = parent_of(env->own);
		cleanup_free char *parent_dir = cgroup_env_dir(env, parent);
		if (parent_dir && !undelegated_part(parent_dir)) {
			env->base = steal_pointer(&parent);
			return;
		}
	}
	const char *part = undelegated_part(dir);
	if (part)
		env->why = not_delegated(env, dir, part);
	else
		env->base = xstrdup(env->own);
}

void cgroup_env_probe(struct cgroup_env *env)
{
	memset(env, 0, sizeof *env);
	read_mounts(env);
	if (!env->mount) {
		env->why = xstrdup("this machine has no cgroup v2 mounted, only cgroup v1; booting "
				   "with systemd.unified_cgroup_hierarchy=1 gives it one");
		return;
	}
	env->own = own_cgroup();
	if (!env->own) {
		env->why = xstrdup("/proc/self/cgroup names no cgroup v2 for this process");
		return;
	}
	find_base(env);
}

void cgroup_env_release(struct cgroup_env *env)
{
	free(env->mount);
	free(env->mount_root);
	free(env->v1);
	free(env->own);
	free(env->base);
	free(env->why);
	memset(env, 0, sizeof *env);
}

/* Moves every process of dir into dir/LEAF; processes may fork meanwhile, so a few
 * rounds. */
static int move_to_leaf(const char *dir)
{
	cleanup_free char *leaf = xasprintf("%s/" LEAF, dir);
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
		return -1;
	for (int round = 0; round < 8; round++) {
		cleanup_free char *procs = cgroup_read(dir, "cgroup.procs");
		if (!procs)
			return -1;
		if (!*procs)
			return 0;
		for (char *save = NULL, *pid = strtok_r(procs, "\n", &save); pid;
		     pid = strtok_r(NULL, "\n", &save))
			if (cgroup_write(leaf, "cgroup.procs", pid) < 0 && errno != ESRCH)
				return -1;
	}
	errno = EBUSY;
	return -1;
}

static char *missing_controller_hint(const struct cgroup_env *env, const char *controller)
{
	cleanup_free char *token = xasprintf(",%s,", controller);
	if (strstr(env->v1, token))
		return xasprintf("; on this machine %s belongs to cgroup v1, and a controller "
				 "cannot be in both: booting with "
				 "systemd.unified_cgroup_hierarchy=1 moves it to cgroup v2",
				 controller);
	return xasprintf("; it must be delegated with your cgroup (systemd: Delegate=yes, or "
			 "Delegate=%s, on the unit)",
			 controller);
}

int cgroup_env_enable(const struct cgroup_env *env, const char *controller, const char *opt,
		      struct holt_err *err)
{
	cleanup_free char *dir = cgroup_env_dir(env, env->base);
	cleanup_free char *available = cgroup_read(dir, "cgroup.controllers");
	cleanup_free char *enabled = cgroup_read(dir, "cgroup.subtree_control");

	if (!available || !enabled)
		return holt_err_set(err, errno, "%s: read the controllers of \"%s\"", opt, dir);
	if (!cgroup_has_word(available, controller)) {
		cleanup_free char *hint = missing_controller_hint(env, controller);
		cleanup_free char *has =
		    *available ? xasprintf("has: %s", available) : xstrdup("is empty");
		return holt_err_set(err, 0,
				    "%s: the %s controller is not enabled in your delegated "
				    "cgroup %s (cgroup.controllers %s)%s",
				    opt, controller, env->base, has, hint);
	}
	if (cgroup_has_word(enabled, controller))
		return 0;
	cleanup_free char *add = xasprintf("+%s", controller);
	if (cgroup_write(dir, "cgroup.subtree_control", add) == 0)
		return 0;
	if (errno == EBUSY && move_to_leaf(dir) == 0 &&
	    cgroup_write(dir, "cgroup.subtree_control", add) == 0)
		return 0;
	return holt_err_set(err, errno, "%s: enable the %s controller in \"%s/%s\"", opt,
			    controller, dir, "cgroup.subtree_control");
}
