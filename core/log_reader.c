#include "core/log_reader.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lines kept for --tail: a ring of the last N. */
struct ring {
	char **lines;
	size_t cap, next, count;
};

struct reader {
	const struct log_filter *f;
	log_emit emit;
	void *ctx;
	bool tailing; /* lines go to the ring until the files as they are now are read */
	bool json;    /* a json-file log */
	struct ring ring;
	char *buf;
	size_t len, cap;
};

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void emit_line(struct reader *r, char *line, size_t len)
{
	struct log_entry e;
	if (!(r->json ? logfile_parse_json(line, len, &e) : logfile_parse(line, len, &e)))
		return;
	if ((r->f->since.tv_sec && before(&e.time, &r->f->since)) ||
	    (r->f->until.tv_sec && !before(&e.time, &r->f->until)))
		return;
	r->emit(&e, r->ctx);
}

static void take_line(struct reader *r, char *line, size_t len)
{
	if (!r->tailing) {
		emit_line(r, line, len);
		return;
	}
	if (r->ring.cap == 0)
		return;
	free(r->ring.lines[r->ring.next]);
	r->ring.lines[r->ring.next] = xstrndup(line, len);
	r->ring.next = (r->ring.next + 1) % r->ring.cap;
	if (r->ring.count < r->ring.cap)
		r->ring.count++;
}

/* Reads what fd has now, handing on complete lines; keeps a partial one for later. */
static void read_lines(struct reader *r, int fd)
{
	for (;;) {
		if (r->cap - r->len < 65536)
			r->buf = xrealloc(r->buf, r->cap = r->cap * 2 + 65536);
		ssize_t n = read(fd, r->buf + r->len, r->cap - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		r->len += (size_t)n;
		char *start = r->buf, *nl;
		while ((nl = memchr(start, '\n', r->len - (size_t)(start - r->buf)))) {
			take_line(r, start, (size_t)(nl - start));
			start = nl + 1;
		}
		r->len -= (size_t)(start - r->buf);
		memmove(r->buf, start, r->len);
	}
}

static void flush_ring(struct reader *r)
{
	size_t cap = r->ring.cap;
	for (size_t i = 0; cap && i < r->ring.count; i++) {
		char *line = r->ring.lines[(r->ring.next + cap - r->ring.count + i) % cap];
		emit_line(r, line, strlen(line));
	}
	for (size_t i = 0; i < r->ring.cap; i++)
		free(r->ring.lines[i]);
	free(r->ring.lines);
	r->ring = (struct ring){0};
	r->tailing = false;
}

static bool still_running(struct container *c)
{
	struct holt_err err = {0};
	if (container_reload_state(c, &err) < 0) {
		holt_err_release(&err);
		return false;
	}
	return container_is_running(c);
}

/* Reads the log as it grows, across rotations, until the container is not running. */
static void follow(struct reader *r, struct container *c, const char *path, int fd)
{
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	/* the log's directory, which --log-opt path= may put anywhere */
	cleanup_free char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	if (in >= 0)
		inotify_add_watch(in, *dir ? dir : "/", IN_MODIFY | IN_CREATE | IN_MOVED_TO);
	for (;;) {
		read_lines(r, fd);
		r->emit(NULL, r->ctx);
		struct stat a, b;
		if (stat(path, &a) == 0 && fstat(fd, &b) == 0 && a.st_ino != b.st_ino) {
			int next = open(path, O_RDONLY | O_CLOEXEC);
			if (next >= 0) {
				read_lines(r, fd);
				close(fd);
				fd = next;
				continue;
			}
		}
		if (!still_running(c)) {
			read_lines(r, fd);
			break;
		}
		struct pollfd p = {in, POLLIN, 0};
		if (poll(&p, 1, 250) > 0) {
			char ev[4096];
			while (read(in, ev, sizeof ev) > 0)
				;
		}
	}
	if (in >= 0)
		close(in);
	close(fd);
}

int log_read(struct container *c, const struct log_filter *filter, log_emit emit, void *ctx)
{
	struct reader r = {.f = filter,
			   .emit = emit,
			   .ctx = ctx,
			   .tailing = filter->tail >= 0,
			   .json = c->config.log_driver == LOG_DRIVER_JSON_FILE};
	if (filter->tail > 0) {
		r.ring.cap = (size_t)filter->tail;
		r.ring.lines = xzalloc(r.ring.cap * sizeof *r.ring.lines);
	}
	cleanup_free char *path = container_log_path(c);
	cleanup_free char *rotated = xasprintf("%s.1", path);
	int old = open(rotated, O_RDONLY | O_CLOEXEC);
	if (old >= 0) {
		read_lines(&r, old);
		r.len = 0;
		close(old);
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		read_lines(&r, fd);
	flush_ring(&r);
	if (filter->follow && fd >= 0)
		follow(&r, c, path, fd);
	else if (fd >= 0)
		close(fd);
	free(r.buf);
	return fd >= 0 || old >= 0;
}
