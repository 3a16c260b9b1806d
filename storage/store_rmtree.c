/* rm -rf that copes with what containers leave: overlay work dirs of mode 000, read-only
 * trees, and names of any kind. Walks with openat/unlinkat so no path grows unbounded. */
#include "core/base/util.h"
#include "storage/store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

static int remove_at(int dirfd, const char *name, const char *path, struct holt_err *err);

/* Empties the directory open as fd; path is only for messages. */
static int remove_children(int fd, const char *path, struct holt_err *err)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		int errsv = errno;
		close(fd);
		return holt_err_set(err, errsv, "remove \"%s\"", path);
	}
	cleanup_dir DIR *dir = d;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		cleanup_free char *child = xasprintf("%s/%s", path, de->d_name);
		if (remove_at(dirfd(dir), de->d_name, child, err) < 0)
			return -1;
		errno = 0;
	}
	if (errno)
		return holt_err_set(err, errno, "remove \"%s\"", path);
	return 0;
}

static int remove_at(int dirfd, const char *name, const char *path, struct holt_err *err)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return holt_err_set(err, errno, "remove \"%s\"", path);

	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return holt_err_set(err, errno, "remove \"%s\"", path);
	if (!S_ISDIR(st.st_mode))
		return holt_err_set(err, EPERM, "remove \"%s\"", path);
	/* Overlay work dirs are mode 000: give ourselves rwx before descending. */
	if ((st.st_mode & S_IRWXU) != S_IRWXU &&
	    fchmodat(dirfd, name, (st.st_mode & 07777) | S_IRWXU, 0) < 0)
		return holt_err_set(err, errno, "remove \"%s\"", path);
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return holt_err_set(err, errno, "remove \"%s\"", path);
	if (remove_children(fd, path, err) < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return holt_err_set(err, errno, "remove \"%s\"", path);
	return 0;
}

int store_remove_tree(const char *path, struct holt_err *err)
{
	return remove_at(AT_FDCWD, path, path, err);
}
