/* Runs in the container's namespaces before pivot_root, as root of holt's user namespace,
 * so the copies keep the image's owners wherever they are mapped. Everything is walked by
 * fd with O_NOFOLLOW: a symlink in the image is copied as a symlink, never followed. */
#include "core/volume_copyup.h"
#include "core/base/util.h"
#include "core/mounts_user.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy_data(int in, int out)
{
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS)
			return -1;
		char buf[65536];
		ssize_t r;
		while ((r = read(in, buf, sizeof buf)) > 0)
			if (write(out, buf, (size_t)r) != r)
				return -1;
		return r < 0 ? -1 : 0;
	}
}

/* Owner, mode and times. chown goes first, as it clears setuid bits; an owner that is
 * not mapped (a single-uid map) cannot be given, and the copy stays the user's. */
static void copy_meta(int dirfd, const char *name, const struct stat *st)
{
	const struct timespec times[2] = {st->st_atim, st->st_mtim};
	if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EINVAL && errno != EPERM)
		return;
	if (!S_ISLNK(st->st_mode))
		fchmodat(dirfd, name, st->st_mode & 07777, 0);
	utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW);
}

static int copy_tree(int src, int dst, struct holt_err *err);

static int copy_entry(int src, int dst, const char *name, struct holt_err *err)
{
	struct stat st;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return holt_err_set(err, errno, "copy-up: \"%s\"", name);
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(dst, name, 0700) < 0)
			return holt_err_set(err, errno, "copy-up: create \"%s\"", name);
		cleanup_close int in =
		    openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int out =
		    openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0 || out < 0)
			return holt_err_set(err, errno, "copy-up: open \"%s\"", name);
		if (copy_tree(in, out, err) < 0)
			return -1;
	} else if (S_ISREG(st.st_mode)) {
		cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int out =
		    openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (in < 0 || out < 0 || copy_data(in, out) < 0)
			return holt_err_set(err, errno, "copy-up: copy \"%s\"", name);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(src, name, target, sizeof target - 1);
		if (n < 0)
			return holt_err_set(err, errno, "copy-up: read link \"%s\"", name);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return holt_err_set(err, errno, "copy-up: create link \"%s\"", name);
	} else if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0) {
		return 0; /* a device node cannot be made in a user namespace: left out */
	}
	copy_meta(dst, name, &st);
	return 0;
}

static int copy_tree(int src, int dst, struct holt_err *err)
{
	int fd = dup(src);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return holt_err_set(err, errno, "copy-up: read a directory");
	}
	struct dirent *de;
	int ret = 0;
	while (ret == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ret = copy_entry(src, dst, de->d_name, err);
	closedir(d);
	return ret;
}

static bool dir_empty(int fd)
{
	int copy = dup(fd);
	DIR *d = copy < 0 ? NULL : fdopendir(copy);
	if (!d) {
		if (copy >= 0)
			close(copy);
		return false;
	}
	struct dirent *de;
	bool empty = true;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

int volume_copyup(int rootfd, const char *dest, const char *volumes_dir, const char *name,
		  struct holt_err *err)
{
	cleanup_free char *marker = xasprintf("%s/%s/copy-up", volumes_dir, name);
	cleanup_free char *data = xasprintf("%s/%s/_data", volumes_dir, name);
	cleanup_close int mfd = open(marker, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (mfd < 0)
		return 0; /* done before */
	while (flock(mfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return holt_err_set(err, errno, "lock \"%s\"", marker);
	if (fstat(mfd, &st) < 0 || st.st_nlink == 0)
		return 0; /* done by the container we waited for */
	cleanup_close int src = mounts_open_in_root(rootfd, dest, O_RDONLY | O_DIRECTORY);
	cleanup_close int dst = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return holt_err_set(err, errno, "volume \"%s\"", name);
	if (src >= 0 && dir_empty(dst) && copy_tree(src, dst, err) < 0)
		return holt_err_wrap(err, "volume \"%s\"", name);
	/* The volume's root takes the owner and mode of the directory it covers. */
	if (src >= 0 && fstat(src, &st) == 0 &&
	    (fchown(dst, st.st_uid, st.st_gid) == 0 || errno == EINVAL || errno == EPERM))
		fchmod(dst, st.st_mode & 07777);
	if (unlink(marker) < 0)
		return holt_err_set(err, errno, "remove \"%s\"", marker);
	return 0;
}
