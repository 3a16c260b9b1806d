/* Destinations are opened with openat2(RESOLVE_IN_ROOT), so that ".." and absolute
 * symlinks in the image resolve against the container's root, never the host's; the
 * mounts are made with the fd-based mount API (open_tree, fsmount, move_mount) onto what
 * was opened, so no path is looked up a second time. */
#include "core/mounts_user.h"
#include "core/base/util.h"
#include "core/user.h"
#include "core/volume_copyup.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int mounts_open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .mode = flags & O_CREAT ? 0644 : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* Makes the last component of prefix (its parent exists): a directory, or (file) an
 * empty file. A dangling symlink there is followed inside the root: its target is made
 * instead, and *next says the path to go on with. */
static int make_component(int rootfd, const char *prefix, const char *rest, bool file, char **next)
{
	const char *slash = strrchr(prefix, '/');
	cleanup_free char *parent = xstrndup(prefix, (size_t)(slash - prefix));
	cleanup_close int pfd =
	    mounts_open_in_root(rootfd, *parent ? parent : "/", O_PATH | O_DIRECTORY);
	int fd;
	if (pfd < 0)
		return -1;
	if (!file
		? mkdirat(pfd, slash + 1, 0755) == 0
		: (fd = openat(pfd, slash + 1, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0644)) >= 0 &&
		      close(fd) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	char target[4096];
	ssize_t n = readlinkat(pfd, slash + 1, target, sizeof target - 1);
	if (n <= 0) {
		errno = EEXIST;
		return -1;
	}
	target[n] = '\0';
	*next = target[0] == '/' ? xasprintf("%s%s", target, rest)
				 : xasprintf("%s/%s%s", parent, target, rest);
	return 0;
}

/* Opens dest (O_PATH) under rootfd, making the directories on the way and, last, a
 * directory or (dir false) an empty file. */
static int make_mountpoint(int rootfd, const char *dest, bool dir, struct holt_err *err)
{
	int fd = mounts_open_in_root(rootfd, dest, O_PATH);
	if (fd >= 0 || errno != ENOENT) {
		if (fd < 0)
			return holt_err_set(err, errno, "mount destination \"%s\"", dest);
		return fd;
	}
	cleanup_free char *path = xstrdup(dest);
	int hops = 0;
	for (const char *p = path + 1;; p++) {
		if ((*p != '/' && *p) || p[-1] == '/') {
			if (!*p)
				break;
			continue;
		}
		cleanup_free char *prefix = xstrndup(path, (size_t)(p - path));
		cleanup_close int part = mounts_open_in_root(rootfd, prefix, O_PATH);
		if (part < 0 && errno != ENOENT)
			return holt_err_set(err, errno, "mount destination \"%s\"", prefix);
		char *next = NULL;
		if (part < 0 && make_component(rootfd, prefix, p, !*p && !dir, &next) < 0)
			return holt_err_set(err, errno, "create mount point \"%s\"", prefix);
		if (next) {
			if (++hops > 40)
				return holt_err_set(err, ELOOP, "mount destination \"%s\"", dest);
			free(path);
			path = next;
			p = path; /* again from the top of the link's target */
			continue;
		}
		if (!*p)
			break;
	}
	fd = mounts_open_in_root(rootfd, dest, O_PATH);
	if (fd < 0)
		return holt_err_set(err, errno, "mount destination \"%s\"", dest);
	return fd;
}

static unsigned attrs_of(const struct mount_spec *m)
{
	return (m->readonly ? MOUNT_ATTR_RDONLY : 0) |
	       (m->flags & MOUNT_SPEC_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
	       (m->flags & MOUNT_SPEC_NODEV ? MOUNT_ATTR_NODEV : 0) |
	       (m->flags & MOUNT_SPEC_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
}

static int attach(int mfd, int rootfd, const char *dest, bool dir, struct holt_err *err)
{
	cleanup_close int tfd = make_mountpoint(rootfd, dest, dir, err);
	if (tfd < 0)
		return -1;
	if (move_mount(mfd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return holt_err_set(err, errno, "mount on \"%s\"", dest);
	return 0;
}

/* Propagation other than rprivate, the default that cloned trees already have. */
static int set_propagation(int mfd, const char *propagation, const char *dest, struct holt_err *err)
{
	if (!propagation || strcmp(propagation, "rprivate") == 0)
		return 0;
	bool rec = propagation[0] == 'r';
	const char *kind = propagation + rec;
	struct mount_attr attr = {
	    .propagation = strcmp(kind, "shared") == 0	? MS_SHARED
			   : strcmp(kind, "slave") == 0 ? MS_SLAVE
							: MS_PRIVATE,
	};
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &attr, sizeof attr) <
	    0)
		return holt_err_set(err, errno, "set propagation %s on \"%s\"", propagation, dest);
	return 0;
}

static int mount_bind(int rootfd, const struct mount_spec *m, const char *volumes_dir,
		      struct holt_err *err)
{
	cleanup_free char *src = m->type == MOUNT_VOLUME
				     ? xasprintf("%s/%s/_data", volumes_dir, m->source)
				     : xstrdup(m->source);
	struct stat st;

	if (stat(src, &st) < 0) {
		if (m->type == MOUNT_VOLUME)
			return holt_err_set(err, errno, "volume \"%s\"", m->source);
		return holt_err_set(err, errno, "bind source path \"%s\"", src);
	}
	if (m->type == MOUNT_VOLUME && !m->nocopy &&
	    volume_copyup(rootfd, m->destination, volumes_dir, m->source, err) < 0)
		return -1;
	cleanup_close int mfd =
	    open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (mfd < 0)
		return holt_err_set(err, errno, "bind \"%s\"", src);
	struct mount_attr attr = {.attr_set = attrs_of(m)};
	if (attr.attr_set &&
	    mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
		return holt_err_set(err, errno, "set the options of \"%s\"", m->destination);
	if (attach(mfd, rootfd, m->destination, S_ISDIR(st.st_mode), err) < 0)
		return -1;
	return set_propagation(mfd, m->propagation, m->destination, err);
}

static int mount_tmpfs(int rootfd, const char *dest, const char *data, unsigned attrs,
		       struct holt_err *err)
{
	cleanup_close int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return holt_err_set(err, errno, "tmpfs on \"%s\"", dest);
	cleanup_free char *opts = data ? xstrdup(data) : NULL;
	char *save = NULL;
	for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');
		if (eq)
			*eq++ = '\0';
		if (fsconfig(fs, eq ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, o, eq, 0) < 0)
			return holt_err_set(err, errno, "tmpfs on \"%s\": option \"%s\"", dest, o);
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return holt_err_set(err, errno, "tmpfs on \"%s\"", dest);
	cleanup_close int mfd = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	if (mfd < 0)
		return holt_err_set(err, errno, "tmpfs on \"%s\"", dest);
	return attach(mfd, rootfd, dest, true, err);
}

static int depth(const char *path)
{
	int n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

static const struct mount_spec *sort_base;

/* Parents first (fewer components), else in the order given. */
static int by_depth(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int dx = depth(sort_base[x].destination), dy = depth(sort_base[y].destination);
	return dx != dy ? dx - dy : (x > y) - (x < y);
}

static bool covered(const struct mount_spec *mounts, size_t n, const char *dest)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(mounts[i].destination, dest) == 0)
			return true;
	return false;
}

/* --read-only: the writable places podman's --read-only-tmpfs gives, then the root. */
static int make_read_only(const char *rootfs, int rootfd, const struct mount_spec *mounts, size_t n,
			  struct holt_err *err)
{
	static const char *const writable[][2] = {
	    {"/tmp", "mode=1777"}, {"/var/tmp", "mode=1777"}, {"/run", "mode=755"}};
	for (size_t i = 0; i < sizeof writable / sizeof *writable; i++)
		if (!covered(mounts, n, writable[i][0]) &&
		    mount_tmpfs(rootfd, writable[i][0], writable[i][1],
				MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err) < 0)
			return -1;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(AT_FDCWD, rootfs, 0, &attr, sizeof attr) < 0)
		return holt_err_set(err, errno, "make the root read-only");
	return 0;
}

static uid_t owner_uid;
static gid_t owner_gid;

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return lchown(path, owner_uid, owner_gid) < 0 ? errno : 0;
}

int mounts_chown_owner(const struct mount_spec *mounts, size_t n, const char *user,
		       struct holt_err *err)
{
	struct user_ids ids = {0};
	bool resolved = false;
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (!mounts[i].chown_owner)
			continue;
		if (!resolved &&
		    user_resolve(user ? user : "0", "/etc/passwd", "/etc/group", &ids, err) < 0)
			return -1;
		resolved = true;
		owner_uid = ids.uid;
		owner_gid = ids.gid;
		int e = nftw(mounts[i].destination, chown_one, 32, FTW_PHYS | FTW_MOUNT);
		if (e)
			ret = holt_err_set(
			    err, e > 0 ? e : errno, "U: give \"%s\" to uid %u gid %u%s",
			    mounts[i].destination, (unsigned)ids.uid, (unsigned)ids.gid,
			    e == EINVAL ? " (not mapped: no subordinate ids for you?)" : "");
	}
	user_ids_release(&ids);
	return ret;
}

int mounts_give_root(const char *rootfs, const struct mount_spec *mounts, size_t n, uid_t uid,
		     gid_t gid, struct holt_err *err)
{
	cleanup_close int rootfd = n ? open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (n && rootfd < 0)
		return holt_err_set(err, errno, "open the root \"%s\"", rootfs);
	for (size_t i = 0; i < n; i++) {
		const struct mount_spec *m = &mounts[i];
		struct stat st;
		if (m->type != MOUNT_VOLUME && m->type != MOUNT_TMPFS)
			continue;
		cleanup_close int fd = mounts_open_in_root(rootfd, m->destination, O_PATH);
		if (fd < 0 || fstatat(fd, "", &st, AT_EMPTY_PATH) < 0)
			return holt_err_set(err, errno, "mount destination \"%s\"", m->destination);
		if (st.st_uid == 0 && st.st_gid == 0 &&
		    fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0 && errno != EROFS)
			return holt_err_set(err, errno, "give \"%s\" to the container's root",
					    m->destination);
	}
	return 0;
}

int mounts_user(const char *rootfs, const struct mount_spec *mounts, size_t n,
		const char *volumes_dir, bool read_only, struct holt_err *err)
{
	if (!n && !read_only)
		return 0;
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return holt_err_set(err, errno, "open the root \"%s\"", rootfs);
	cleanup_free size_t *order = xmalloc((n ? n : 1) * sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_base = mounts;
	qsort(order, n, sizeof *order, by_depth);
	for (size_t i = 0; i < n; i++) {
		const struct mount_spec *m = &mounts[order[i]];
		int r = m->type == MOUNT_TMPFS
			    ? mount_tmpfs(rootfd, m->destination, m->tmpfs_data, attrs_of(m), err)
			    : mount_bind(rootfd, m, volumes_dir, err);
		if (r < 0)
			return -1;
	}
	return read_only ? make_read_only(rootfs, rootfd, mounts, n, err) : 0;
}
