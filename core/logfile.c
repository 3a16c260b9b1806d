#include "core/logfile.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

struct logfile {
	char *path;
	int fd;
	uint64_t size, max_size;
};

struct logfile *logfile_open(const char *path, uint64_t max_size, struct holt_err *err)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fstat(fd, &st) < 0) {
		holt_err_set(err, errno, "open the log \"%s\"", path);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct logfile *l = xzalloc(sizeof *l);
	l->path = xstrdup(path);
	l->fd = fd;
	l->size = (uint64_t)st.st_size;
	l->max_size = max_size;
	return l;
}

static void rotate(struct logfile *l)
{
	cleanup_free char *old = xasprintf("%s.1", l->path);
	int fd;
	if (rename(l->path, old) < 0)
		return;
	fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	close(l->fd);
	l->fd = fd;
	l->size = 0;
}

static void write_line(struct logfile *l, const char *stream, const char *text, size_t n,
		       bool partial)
{
	char prefix[96];
	cleanup_free char *now = util_now_rfc3339();
	int plen = snprintf(prefix, sizeof prefix, "%s %s %c ", now, stream, partial ? 'P' : 'F');
	struct iovec iov[3] = {{prefix, (size_t)plen}, {(void *)text, n}, {"\n", 1}};
	size_t total = (size_t)plen + n + 1;

	if (l->max_size && l->size + total > l->max_size && l->size > 0)
		rotate(l);
	/* A full disk loses log lines; the container must not block on it. */
	if (writev(l->fd, iov, 3) > 0)
		l->size += total;
}

void logfile_write(struct logfile *l, const char *stream, const char *buf, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t len = nl ? (size_t)(nl - buf) : n;
		write_line(l, stream, buf, len, !nl);
		if (!nl)
			return;
		buf += len + 1;
		n -= len + 1;
	}
}

void logfile_close(struct logfile *l)
{
	if (!l)
		return;
	close(l->fd);
	free(l->path);
	free(l);
}

bool logfile_parse(char *line, size_t len, struct log_entry *e)
{
	char *end = line + len;
	char *sp1 = memchr(line, ' ', len);
	if (!sp1 || end - sp1 < 10)
		return false;
	*sp1 = '\0';
	struct tm tm = {0};
	char *rest = strptime(line, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return false;
	e->timestamp = line;
	e->time.tv_sec = timegm(&tm);
	/* ".5" is half a second: Go's RFC3339Nano drops trailing zeros. */
	e->time.tv_nsec = 0;
	if (*rest == '.')
		for (int i = 0; i < 9; i++) {
			bool digit = rest[1] >= '0' && rest[1] <= '9';
			e->time.tv_nsec = e->time.tv_nsec * 10 + (digit ? rest[1] - '0' : 0);
			rest += digit;
		}
	char *stream = sp1 + 1;
	if (strncmp(stream, "stdout ", 7) == 0)
		e->is_stderr = false;
	else if (strncmp(stream, "stderr ", 7) == 0)
		e->is_stderr = true;
	else
		return false;
	char *flag = stream + 7;
	if ((*flag != 'F' && *flag != 'P') || flag[1] != ' ')
		return false;
	e->partial = *flag == 'P';
	e->text = flag + 2;
	e->len = (size_t)(end - (flag + 2));
	return true;
}
