#include "core/base/file.h"
#include "core/base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t left)
{
	const char *p = buf;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const char *tmp_dir, const void *data, size_t len,
		      bool sync, struct holt_err *err)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *tmp =
	    tmp_dir ? xasprintf("%s/.write-XXXXXX", tmp_dir)
		    : xasprintf("%.*s.%s-XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
				slash ? slash + 1 : path);
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return holt_err_set(err, errno, "write \"%s\"", path);
	if (write_all(fd, data, len) < 0 || (sync && fsync(fd) < 0) || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return holt_err_set(err, e, "write \"%s\"", path);
	}
	return 0;
}

int write_file_in_place(const char *path, const void *data, size_t len, struct holt_err *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return holt_err_set(err, errno, "write \"%s\" in place", path);
	size_t size = len > (size_t)st.st_size ? len : (size_t)st.st_size;
	cleanup_free char *buf = xmalloc(size);
	memcpy(buf, data, len);
	memset(buf + len, ' ', size - len);
	if (write_all(fd, buf, size) < 0)
		return holt_err_set(err, errno, "write \"%s\" in place", path);
	return 0;
}

/* Unlinks DIR/.NAME.holt-PID-* of processes that are gone. */
static void remove_leftovers(const char *dir, const char *name)
{
	cleanup_dir DIR *d = opendir(dir);
	cleanup_free char *prefix = xasprintf(".%s.holt-", name);
	size_t n = strlen(prefix);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, prefix, n) != 0)
			continue;
		long pid = strtol(de->d_name + n, NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			unlinkat(dirfd(d), de->d_name, 0);
	}
}

int atomic_file_open(struct atomic_file *f, const char *path, mode_t mode, struct holt_err *err)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *dir = slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup(".");
	const char *name = slash ? slash + 1 : path;

	remove_leftovers(dir, name);
	f->path = xstrdup(path);
	f->tmp = xasprintf("%s.%s.holt-%d-XXXXXX", slash ? dir : "", name, (int)getpid());
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	mode_t mask = umask(0);
	umask(mask);
	if (f->fd >= 0 && fchmod(f->fd, mode & ~mask) < 0)
		close(steal_fd(&f->fd));
	if (f->fd < 0) {
		int e = errno;
		atomic_file_release(f);
		return holt_err_set(err, e, "create \"%s\"", path);
	}
	return 0;
}

int atomic_file_commit(struct atomic_file *f, struct holt_err *err)
{
	if (fsync(f->fd) < 0 || rename(f->tmp, f->path) < 0)
		return holt_err_set(err, errno, "write \"%s\"", f->path);
	free(f->tmp);
	f->tmp = NULL;
	return 0;
}

void atomic_file_release(struct atomic_file *f)
{
	if (f->tmp && f->fd >= 0)
		unlink(f->tmp);
	if (f->fd >= 0)
		close(f->fd);
	free(f->tmp);
	free(f->path);
	*f = (struct atomic_file){.fd = -1};
}

static unsigned long long usage_sum;

static int add_usage(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path, (void)ftw;
	if (flag == FTW_F)
		usage_sum += (unsigned long long)st->st_blocks * 512;
	return 0;
}

unsigned long long disk_usage(const char *path)
{
	usage_sum = 0;
	nftw(path, add_usage, 16, FTW_PHYS);
	return usage_sum;
}

int file_lock(const char *path, int how, struct holt_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return holt_err_set(err, errno, "open \"%s\"", path);
	while (flock(fd, how) < 0)
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			holt_err_set(err, e, "lock \"%s\"", path);
			errno = e;
			return -1;
		}
	return fd;
}
