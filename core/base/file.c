#include "core/base/file.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t left)
{
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
