/* `holt logs`: what a container wrote, from its log files (the rotated one first), with
 * stdout and stderr kept apart; -f follows until the container stops. */
#include "cmd/cmd.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/humanize.h"
#include "core/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

enum { OPT_SINCE = OPT_LONG_BASE, OPT_UNTIL };

static const struct cmd_option logs_options[] = {
    {"follow", 'f', NULL, "keep printing new output until the container stops"},
    {"tail", 'n', "N", "only the last N lines (\"all\": every line)"},
    {"since", OPT_SINCE, "TIME", "only lines since TIME (RFC 3339, unix time, or 10m, 1h30m)"},
    {"until", OPT_UNTIL, "TIME", "only lines before TIME"},
    {"timestamps", 't', NULL, "show each line's time"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_logs_info = {
    .name = "logs",
    .args = "[OPTIONS] CONTAINER",
    .summary = "Print a container's output",
    .options = logs_options,
};

struct logs_opts {
	bool follow, timestamps;
	long tail;		      /* -1: all */
	struct timespec since, until; /* 0: unbounded */
};

/* Lines kept for --tail: a ring of the last N. */
struct ring {
	char **lines;
	size_t cap, next, count;
};

struct reader {
	const struct logs_opts *o;
	struct ring ring;
	bool at_line_start[2]; /* per stream, for -t on partial lines */
	char *buf;
	size_t len, cap;
};

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void print_line(struct reader *r, char *line, size_t len)
{
	struct log_entry e;
	if (!logfile_parse(line, len, &e))
		return;
	if ((r->o->since.tv_sec && before(&e.time, &r->o->since)) ||
	    (r->o->until.tv_sec && !before(&e.time, &r->o->until)))
		return;
	FILE *out = e.is_stderr ? stderr : stdout;
	/* stderr is unbuffered: what stdout holds goes first, to keep the order of 2>&1. */
	if (e.is_stderr)
		fflush(stdout);
	if (r->o->timestamps && r->at_line_start[e.is_stderr])
		fprintf(out, "%s ", e.timestamp);
	fwrite(e.text, 1, e.len, out);
	if (!e.partial)
		fputc('\n', out);
	r->at_line_start[e.is_stderr] = !e.partial;
}

static void take_line(struct reader *r, char *line, size_t len)
{
	if (r->o->tail < 0) {
		print_line(r, line, len);
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
	size_t first =
	    (r->ring.next + r->ring.cap - r->ring.count) % (r->ring.cap ? r->ring.cap : 1);
	for (size_t i = 0; i < r->ring.count; i++) {
		char *line = r->ring.lines[(first + i) % r->ring.cap];
		print_line(r, line, strlen(line));
	}
	for (size_t i = 0; i < r->ring.cap; i++)
		free(r->ring.lines[i]);
	free(r->ring.lines);
	r->ring = (struct ring){0};
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
	if (in >= 0)
		inotify_add_watch(in, c->dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO);
	for (;;) {
		read_lines(r, fd);
		fflush(stdout);
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

/* docker's --since: RFC 3339, unix seconds[.frac], or a Go duration before now. */
static int parse_time(const char *opt, const char *arg, struct timespec *out)
{
	char *end;
	if (humanize_parse_time(arg, out))
		return 0;
	double unix_time = strtod(arg, &end);
	if (*arg && !*end && unix_time > 0) {
		out->tv_sec = (time_t)unix_time;
		out->tv_nsec = (long)((unix_time - (double)out->tv_sec) * 1e9);
		return 0;
	}
	double secs = 0;
	const char *p = arg;
	while (*p) {
		double v = strtod(p, &end);
		if (end == p)
			break;
		if (strncmp(end, "ms", 2) == 0)
			v /= 1000, end += 2;
		else if (*end == 'h')
			v *= 3600, end++;
		else if (*end == 'm')
			v *= 60, end++;
		else if (*end == 's')
			end++;
		else
			break;
		secs += v;
		p = end;
	}
	if (!*arg || *p)
		return cmd_error("%s \"%s\": not a time (2026-01-02T15:04:05Z, a unix time, or "
				 "a duration such as 10m)",
				 opt, arg);
	clock_gettime(CLOCK_REALTIME, out);
	out->tv_sec -= (time_t)secs;
	return 0;
}

static int parse(int argc, char **argv, struct logs_opts *o)
{
	int c;
	while ((c = cmd_getopt(argc, argv, &cmd_logs_info)) != -1) {
		switch (c) {
		case 'f':
			o->follow = true;
			break;
		case 't':
			o->timestamps = true;
			break;
		case 'n': {
			char *end;
			if (strcmp(optarg, "all") == 0) {
				o->tail = -1;
				break;
			}
			o->tail = strtol(optarg, &end, 10);
			if (!*optarg || *end || o->tail < 0)
				return cmd_error("--tail \"%s\": not a number of lines", optarg);
			break;
		}
		case OPT_SINCE:
			if (parse_time("--since", optarg, &o->since))
				return HOLT_EXIT_ERROR;
			break;
		case OPT_UNTIL:
			if (parse_time("--until", optarg, &o->until))
				return HOLT_EXIT_ERROR;
			break;
		}
	}
	if (argc - optind != 1)
		return cmd_error("logs: name one container");
	return 0;
}

int cmd_logs(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct logs_opts o = {.tail = -1};
	struct holt_err err = {0};

	if (parse(argc, argv, &o))
		return HOLT_EXIT_ERROR;
	cleanup_container struct container *c = container_lookup(ctx->store, argv[optind], &err);
	if (!c)
		return cmd_fail(&err);
	struct reader r = {.o = &o, .at_line_start = {true, true}};
	if (o.tail > 0) {
		r.ring.cap = (size_t)o.tail;
		r.ring.lines = xzalloc(r.ring.cap * sizeof *r.ring.lines);
	}
	cleanup_free char *path = xasprintf("%s/ctr.log", c->dir);
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
	else if (old < 0 && c->state.started_at)
		cmd_warn("container \"%s\" has no log: it ran only in the foreground, whose output "
			 "goes to the terminal (run -d or start logs it)",
			 c->name);
	flush_ring(&r);
	o.tail = -1;
	if (o.follow && fd >= 0)
		follow(&r, c, path, fd);
	else if (fd >= 0)
		close(fd);
	free(r.buf);
	return 0;
}
