/* The maps are written by holt itself, not by newuidmap/newgidmap: holt is root in its
 * own namespace, which already holds every id the nested one needs, so no setuid helper
 * runs and a keep-id start costs no more than a plain one in that step. */
#include "core/keep_id.h"
#include "core/base/util.h"
#include "core/mounts_user.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* "uid=N" or "gid=N" from keep-id's options, "size=N" from auto's. */
static int parse_id(const char *opt, const char *key, long *id)
{
	size_t n = strlen(key);
	if (strncmp(opt, key, n) != 0 || opt[n] != '=')
		return 0;
	char *end;
	errno = 0;
	long v = strtol(opt + n + 1, &end, 10);
	if (!opt[n + 1] || *end || errno || v < 0 || v >= 0xffffffffL)
		return -1;
	*id = v;
	return 1;
}

/* "auto[:size=N]" */
static int parse_auto(const char *arg, struct keep_id *out, struct holt_err *err)
{
	long size = USERNS_AUTO_SIZE;

	if (arg[4] && (parse_id(arg + 5, "size", &size) <= 0 || size == 0))
		return holt_err_set(err, 0, "--userns \"%s\": \"%s\" is not size=N (N > 0)", arg,
				    arg + 5);
	out->auto_size = (unsigned long)size;
	out->auto_sized = arg[4] != '\0';
	return 0;
}

int keep_id_parse(const char *arg, struct keep_id *out, struct holt_err *err)
{
	*out = (struct keep_id){
	    .on = false, .uid = -1, .gid = -1, .auto_size = 0, .auto_sized = false, .nomap = false};
	/* private: a namespace of the container's own, which holt's is (podman's rootless
	 * meaning) */
	if (!*arg || strcmp(arg, "host") == 0 || strcmp(arg, "private") == 0)
		return 0;
	if (strcmp(arg, "auto") == 0 || strncmp(arg, "auto:", 5) == 0)
		return parse_auto(arg, out, err);
	if (strcmp(arg, "nomap") == 0) {
		out->nomap = true;
		return 0;
	}
	if (strncmp(arg, "keep-id", 7) != 0 || (arg[7] && arg[7] != ':'))
		return holt_err_set(
		    err, 0,
		    "--userns \"%s\": not one of host, keep-id[:uid=N,gid=N], auto[:size=N], nomap",
		    arg);
	out->on = true;
	if (!arg[7])
		return 0;
	cleanup_free char *opts = xstrdup(arg + 8);
	char *save = NULL;
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		int r = parse_id(o, "uid", &out->uid);
		if (r == 0)
			r = parse_id(o, "gid", &out->gid);
		if (r <= 0)
			return holt_err_set(err, 0, "--userns \"%s\": \"%s\" is not uid=N or gid=N",
					    arg, o);
	}
	return 0;
}

int keep_id_lines(unsigned long target, unsigned long n_ids, struct keep_id_line out[3])
{
	int n = 0;
	unsigned long below = target < n_ids - 1 ? target : n_ids - 1;

	if (below > 0)
		out[n++] = (struct keep_id_line){0, 1, below};
	out[n++] = (struct keep_id_line){target, 0, 1};
	if (target + 1 < n_ids)
		out[n++] = (struct keep_id_line){target + 1, target + 1, n_ids - target - 1};
	return n;
}

/* From holt's own map (/proc/self/uid_map or gid_map): the host id that is 0 in it, and
 * how many ids it holds from 0 on. */
static int read_own_map(const char *which, unsigned long *host, unsigned long *n_ids,
			struct holt_err *err)
{
	cleanup_free char *path = xasprintf("/proc/self/%s_map", which);
	cleanup_file FILE *f = fopen(path, "re");
	unsigned long inside, outside, count;
	bool has_zero = false;

	*host = 0;
	*n_ids = 0;
	if (!f)
		return holt_err_set(err, errno, "--userns: read \"%s\"", path);
	while (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3) {
		if (inside == 0 && count >= 0xffffffffUL)
			return holt_err_set(
			    err, 0,
			    "--userns keep-id and auto: for users without root only "
			    "(root's containers have no user namespace of holt's)");
		if (inside == 0) {
			*host = outside;
			has_zero = true;
		}
		if (inside + count > *n_ids)
			*n_ids = inside + count;
	}
	if (!has_zero)
		return holt_err_set(err, 0, "--userns: \"%s\" maps no id 0", path);
	return 0;
}

struct own_maps {
	unsigned long host_uid, host_gid, n_uids, n_gids;
};

static int read_own_maps(struct own_maps *m, struct holt_err *err)
{
	if (read_own_map("uid", &m->host_uid, &m->n_uids, err) < 0 ||
	    read_own_map("gid", &m->host_gid, &m->n_gids, err) < 0)
		return -1;
	return 0;
}

int keep_id_own_counts(unsigned long *n_uids, unsigned long *n_gids, struct holt_err *err)
{
	struct own_maps m;
	if (read_own_maps(&m, err) < 0)
		return -1;
	*n_uids = m.n_uids;
	*n_gids = m.n_gids;
	return 0;
}

static void ids_of(const struct keep_id *k, const struct own_maps *m, uid_t *uid, gid_t *gid)
{
	*uid = k->uid >= 0 ? (uid_t)k->uid : (uid_t)m->host_uid;
	*gid = k->gid >= 0 ? (gid_t)k->gid : (gid_t)m->host_gid;
}

int keep_id_ids(const struct keep_id *k, uid_t *uid, gid_t *gid, struct holt_err *err)
{
	struct own_maps m;
	if (read_own_maps(&m, err) < 0)
		return -1;
	ids_of(k, &m, uid, gid);
	return 0;
}

char *keep_id_user(const char *userns)
{
	struct keep_id k;
	struct holt_err e = {0};
	uid_t uid;
	gid_t gid;

	if (!userns || keep_id_parse(userns, &k, &e) < 0 || !k.on ||
	    keep_id_ids(&k, &uid, &gid, &e) < 0) {
		holt_err_release(&e);
		return NULL;
	}
	return xasprintf("%u:%u", uid, gid);
}

bool keep_id_uses_fuse(const char *userns)
{
	struct keep_id k;
	struct holt_err e = {0};
	struct own_maps m;
	bool fuse = userns && keep_id_parse(userns, &k, &e) == 0 &&
		    (k.on || k.auto_size || k.nomap) && read_own_maps(&m, &e) == 0 && m.n_uids > 1;
	holt_err_release(&e);
	return fuse;
}

/* proc: lines "inside outside count" for /proc; else fuse-overlayfs's
 * "inside:outside:count:..." */
static char *map_text(const struct keep_id_line *l, int n, bool proc)
{
	char *text = xstrdup("");
	for (int i = 0; i < n; i++) {
		char *t =
		    proc ? xasprintf("%s%lu %lu %lu\n", text, l[i].inside, l[i].outside, l[i].count)
			 : xasprintf("%s%s%lu:%lu:%lu", text, i ? ":" : "", l[i].inside,
				     l[i].outside, l[i].count);
		free(text);
		text = t;
	}
	return text;
}

static void make_map(unsigned long target, unsigned long n_ids, char **proc, char **fuse)
{
	struct keep_id_line lines[3];
	int n = keep_id_lines(target, n_ids, lines);

	*proc = map_text(lines, n, true);
	/* Seen from the nested namespace, the image's files owned by holt's id k carry the
	 * id that maps to k; fuse-overlayfs shows them as k again. With the user's own id
	 * only, there is no other id to show them as. */
	*fuse = n_ids > 1 ? map_text(lines, n, false) : NULL;
}

int keep_id_maps_make(const struct keep_id *k, struct keep_id_maps *out, struct holt_err *err)
{
	struct own_maps m;

	memset(out, 0, sizeof *out);
	if (read_own_maps(&m, err) < 0)
		return -1;
	ids_of(k, &m, &out->uid, &out->gid);
	make_map(out->uid, m.n_uids, &out->uid_map, &out->fuse_uidmapping);
	make_map(out->gid, m.n_gids, &out->gid_map, &out->fuse_gidmapping);
	/* Both or neither: fuse-overlayfs maps uids and gids together. */
	if (!out->fuse_uidmapping != !out->fuse_gidmapping) {
		keep_id_maps_release(out);
		return holt_err_set(err, 0,
				    "--userns keep-id: holt's namespace maps subordinate uids "
				    "but no gids, or gids but no uids");
	}
	const struct passwd *pw = getpwuid((uid_t)m.host_uid);
	if (pw)
		out->passwd_line = xasprintf("%s:x:%u:%u:%s:%s:/bin/sh", pw->pw_name, out->uid,
					     out->gid, pw->pw_name, pw->pw_dir);
	const struct group *gr = getgrgid((gid_t)m.host_gid);
	if (gr)
		out->group_line = xasprintf("%s:x:%u:", gr->gr_name, out->gid);
	return 0;
}

void keep_id_maps_release(struct keep_id_maps *m)
{
	free(m->uid_map);
	free(m->gid_map);
	free(m->fuse_uidmapping);
	free(m->fuse_gidmapping);
	free(m->passwd_line);
	free(m->group_line);
	memset(m, 0, sizeof *m);
}

/* Whether text (a passwd or group file) has a line whose name (field 1) or id (field 3)
 * is the line's. */
static bool has_entry(const char *text, const char *line)
{
	size_t name_len = strcspn(line, ":");
	const char *id = strchr(strchr(line, ':') + 1, ':') + 1;
	size_t id_len = strcspn(id, ":");

	for (const char *l = text; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		if (strncmp(l, line, name_len) == 0 && l[name_len] == ':')
			return true;
		const char *f = l;
		for (int i = 0; i < 2 && f; i++) {
			f = memchr(f, ':', strcspn(f, "\n"));
			f = f ? f + 1 : NULL;
		}
		if (f && strncmp(f, id, id_len) == 0 && (!f[id_len] || strchr(":\n", f[id_len])))
			return true;
	}
	return false;
}

int keep_id_file_read(int fd, const char *line, struct keep_id_file *f)
{
	/* 1 MiB: a passwd file larger than that is no image's */
	enum { max_size = 1 << 20 };
	ssize_t r = 0;

	f->text = xmalloc(max_size + 1);
	f->len = 0;
	f->add = NULL;
	while (fd >= 0 && f->len < max_size &&
	       (r = read(fd, f->text + f->len, max_size - f->len)) > 0)
		f->len += (size_t)r;
	f->text[f->len] = '\0';
	if (r < 0)
		return -1;
	if (line && strlen(f->text) == f->len && !has_entry(f->text, line))
		f->add =
		    xasprintf("%s%s\n", f->len && f->text[f->len - 1] != '\n' ? "\n" : "", line);
	return 0;
}

void keep_id_file_release(struct keep_id_file *f)
{
	free(f->text);
	free(f->add);
}

/* Read first, and opened for writing only to add the line: an overlay copies a file up
 * at that open, and the container's layer would hold /etc/passwd unchanged (in its
 * diff, and in an image committed from it). */
static int add_entry(int rootfd, const char *path, const char *line, struct holt_err *err)
{
	if (!line)
		return 0;
	cleanup_close int in = mounts_open_in_root(rootfd, path, O_RDONLY);
	if (in < 0 && errno != ENOENT)
		return holt_err_set(err, errno, "keep-id: open \"%s\"", path);
	__attribute__((cleanup(keep_id_file_release))) struct keep_id_file f;
	if (keep_id_file_read(in, line, &f) < 0)
		return holt_err_set(err, errno, "keep-id: read \"%s\"", path);
	if (!f.add)
		return 0;
	cleanup_close int out = mounts_open_in_root(rootfd, path, O_WRONLY | O_APPEND | O_CREAT);
	if (out < 0)
		return errno == ENOENT ? 0 : holt_err_set(err, errno, "keep-id: open \"%s\"", path);
	if (write(out, f.add, strlen(f.add)) != (ssize_t)strlen(f.add))
		return holt_err_set(err, errno, "keep-id: add the user to \"%s\"", path);
	return 0;
}

int keep_id_add_entries(const char *rootfs, const struct keep_id_maps *m, struct holt_err *err)
{
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return holt_err_set(err, errno, "keep-id: open \"%s\"", rootfs);
	if (add_entry(rootfd, "/etc/passwd", m->passwd_line, err) < 0)
		return -1;
	return add_entry(rootfd, "/etc/group", m->group_line, err);
}

/* holt is root in its own namespace and writes the nested one's maps itself. */
int keep_id_write_maps(pid_t pid, const struct keep_id_maps *m, struct holt_err *err)
{
	const char *const which[2] = {"uid_map", "gid_map"};
	const char *const maps[2] = {m->uid_map, m->gid_map};

	for (int i = 0; i < 2; i++) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/%s", pid, which[i]);
		cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, maps[i], strlen(maps[i])) != (ssize_t)strlen(maps[i]))
			return holt_err_set(err, errno, "--userns: write the container's %s",
					    which[i]);
	}
	return 0;
}

int keep_id_become_root(struct holt_err *err)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return holt_err_set(err, errno, "become root in the container's user namespace");
	if (prctl(PR_SET_DUMPABLE, 1) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return holt_err_set(err, errno, "restore the process's attributes as root");
	return 0;
}
