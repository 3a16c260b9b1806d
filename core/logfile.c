#include "core/logfile.h"
#include "core/base/util.h"
#include "core/humanize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include <json.h>

struct logfile {
	char *path;
	int fd;
	uint64_t size, max_size;
	enum log_driver driver;
};

static const char *const driver_names[] = {"k8s-file", "json-file", "none"};

const char *logfile_driver_name(enum log_driver d)
{
	return driver_names[d];
}

int logfile_driver_parse(const char *name)
{
	for (size_t i = 0; i < sizeof driver_names / sizeof *driver_names; i++)
		if (strcmp(name, driver_names[i]) == 0)
			return (int)i;
	return -1;
}

struct logfile *logfile_open(const char *path, uint64_t max_size, enum log_driver driver,
			     struct holt_err *err)
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
	l->driver = driver;
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

/* conmon's time: local, nine fraction digits, the offset as +hh:mm */
static void podman_time(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char zone[8];
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm);
	snprintf(buf + n, size - n, ".%09ld%.3s:%.2s", ts.tv_nsec, zone, zone + 3);
}

static void write_json(struct logfile *l, const char *stream, const char *text, size_t n,
		       bool partial)
{
	json_object *o = json_object_new_object();
	cleanup_free char *log = xasprintf("%.*s%s", (int)n, text, partial ? "" : "\n");
	cleanup_free char *now = util_now_rfc3339();
	json_object_object_add(o, "log", json_object_new_string_len(log, (int)n + !partial));
	json_object_object_add(o, "stream", json_object_new_string(stream));
	json_object_object_add(o, "time", json_object_new_string(now));
	size_t len;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	struct iovec iov[2] = {{(void *)s, len}, {"\n", 1}};
	if (l->max_size && l->size + len + 1 > l->max_size && l->size > 0)
		rotate(l);
	if (writev(l->fd, iov, 2) > 0)
		l->size += len + 1;
	json_object_put(o);
}

static void write_line(struct logfile *l, const char *stream, const char *text, size_t n,
		       bool partial)
{
	if (l->driver == LOG_DRIVER_JSON_FILE) {
		write_json(l, stream, text, n, partial);
		return;
	}
	char prefix[96], now[64];
	podman_time(now, sizeof now);
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
	while (l && n > 0) {
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
	/* podman's +hh:mm, or the Z of logs written by older holts */
	if (!humanize_parse_time(line, &e->time))
		return false;
	e->timestamp = line;
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

bool logfile_parse_json(char *line, size_t len, struct log_entry *e)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	json_object *log, *stream, *when;
	bool ok = o && json_object_object_get_ex(o, "log", &log) &&
		  json_object_object_get_ex(o, "stream", &stream) &&
		  json_object_object_get_ex(o, "time", &when) &&
		  humanize_parse_time(json_object_get_string(when), &e->time);
	if (ok) {
		/* decoded, the text and the time are shorter than the line that held them */
		const char *text = json_object_get_string(log);
		size_t n = (size_t)json_object_get_string_len(log);
		const char *ts = json_object_get_string(when);
		e->is_stderr = strcmp(json_object_get_string(stream), "stderr") == 0;
		e->partial = n == 0 || text[n - 1] != '\n';
		e->len = e->partial ? n : n - 1;
		memmove(line, text, e->len);
		line[e->len] = '\0';
		e->text = line;
		memmove(line + e->len + 1, ts, strlen(ts) + 1);
		e->timestamp = line + e->len + 1;
	}
	json_object_put(o);
	return ok;
}
