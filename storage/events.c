/* The event journal. Each event is one write(2) of a whole line on an O_APPEND descriptor,
 * so that concurrent holt commands and monitors never interleave their lines; rotation is
 * done under a flock by whichever writer finds the file too big, after checking that no
 * other writer rotated it first. A follower waits on inotify, never polling the file. */
#include "storage/events.h"
#include "core/base/log.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *journal_dir(const char *root)
{
	return xasprintf("%s/events", root);
}

static json_object *message_new(const char *type, const char *action, const char *id,
				const char *const *attrs)
{
	struct timespec now;
	json_object *msg = json_object_new_object();
	json_object *actor = json_object_new_object();
	json_object *attributes = json_object_new_object();
	const char *from = NULL;

	clock_gettime(CLOCK_REALTIME, &now);
	for (size_t i = 0; attrs && attrs[i]; i += 2) {
		if (!attrs[i + 1])
			continue;
		json_object_object_add(attributes, attrs[i], json_object_new_string(attrs[i + 1]));
		if (strcmp(attrs[i], "image") == 0)
			from = attrs[i + 1];
	}
	/* docker's older fields, which it still sends for containers and images */
	if (strcmp(type, "container") == 0 || strcmp(type, "image") == 0) {
		json_object_object_add(msg, "status", json_object_new_string(action));
		json_object_object_add(msg, "id", json_object_new_string(id));
		if (from && strcmp(type, "container") == 0)
			json_object_object_add(msg, "from", json_object_new_string(from));
	}
	json_object_object_add(msg, "Type", json_object_new_string(type));
	json_object_object_add(msg, "Action", json_object_new_string(action));
	json_object_object_add(actor, "ID", json_object_new_string(id));
	json_object_object_add(actor, "Attributes", attributes);
	json_object_object_add(msg, "Actor", actor);
	json_object_object_add(msg, "scope", json_object_new_string("local"));
	json_object_object_add(msg, "time", json_object_new_int64(now.tv_sec));
	json_object_object_add(
	    msg, "timeNano", json_object_new_int64((int64_t)now.tv_sec * 1000000000 + now.tv_nsec));
	return msg;
}

/* Moves a full journal aside, unless another writer did so since fd was opened. */
static void rotate(int fd, const char *path)
{
	struct stat mine, now;
	if (flock(fd, LOCK_EX) < 0)
		return;
	if (fstat(fd, &mine) == 0 && stat(path, &now) == 0 && mine.st_ino == now.st_ino &&
	    mine.st_dev == now.st_dev && now.st_size > EVENTS_MAX_SIZE) {
		cleanup_free char *old = xasprintf("%s.1", path);
		if (rename(path, old) < 0)
			holt_debug("events: rotate \"%s\": %s", path, strerror(errno));
	}
	flock(fd, LOCK_UN);
}

void events_record(const char *root, const char *type, const char *action, const char *id,
		   const char *const *attrs)
{
	cleanup_free char *dir = journal_dir(root);
	cleanup_free char *path = xasprintf("%s/events.log", dir);
	json_object *msg = message_new(type, action, id, attrs);
	cleanup_free char *line =
	    xasprintf("%s\n", json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN));
	json_object_put(msg);

	int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
	cleanup_close int fd = open(path, flags, 0600);
	if (fd < 0 && errno == ENOENT && mkdir(dir, 0700) == 0)
		fd = open(path, flags, 0600);
	size_t len = strlen(line);
	if (fd < 0 || write(fd, line, len) != (ssize_t)len) {
		holt_debug("events: record %s %s in \"%s\": %s", type, action, path,
			   strerror(errno));
		return;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_size > EVENTS_MAX_SIZE)
		rotate(fd, path);
}

struct events_reader {
	char *path; /* events.log */
	int fd;	    /* the file being read, or -1 */
	bool on_rotated;
	bool follow;
	int inotify;
	char *buf;
	size_t len, cap;
};

void events_close(struct events_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->inotify >= 0)
		close(r->inotify);
	free(r->path);
	free(r->buf);
	free(r);
}

struct events_reader *events_open(const char *root, bool replay, bool follow, struct holt_err *err)
{
	cleanup_free char *dir = journal_dir(root);
	struct events_reader *r = xzalloc(sizeof *r);
	r->path = xasprintf("%s/events.log", dir);
	r->fd = -1;
	r->inotify = -1;
	r->follow = follow;
	if (follow) {
		/* watched before anything is read, so that no line slips between */
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			holt_err_set(err, errno, "events: create \"%s\"", dir);
			events_close(r);
			return NULL;
		}
		r->inotify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (r->inotify < 0 ||
		    inotify_add_watch(r->inotify, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
			holt_err_set(err, errno, "events: watch \"%s\"", dir);
			events_close(r);
			return NULL;
		}
	}
	if (replay) {
		cleanup_free char *old = xasprintf("%s.1", r->path);
		r->fd = open(old, O_RDONLY | O_CLOEXEC);
		r->on_rotated = r->fd >= 0;
	}
	if (r->fd < 0) {
		r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
		if (r->fd >= 0 && !replay)
			lseek(r->fd, 0, SEEK_END);
	}
	return r;
}

/* Takes the next whole line out of the buffer as an event; NULL when there is none. */
static json_object *take_line(struct events_reader *r, bool *had_line)
{
	char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
	*had_line = nl != NULL;
	if (!nl)
		return NULL;
	*nl = '\0';
	json_object *msg = json_tokener_parse(r->buf);
	size_t used = (size_t)(nl - r->buf) + 1;
	memmove(r->buf, nl + 1, r->len - used);
	r->len -= used;
	if (msg && !json_object_is_type(msg, json_type_object)) {
		json_object_put(msg);
		msg = NULL;
	}
	return msg;
}

/* At the end of the file being read: on to the current journal when it is another file
 * (the rotated one was read, or a writer rotated or created the journal). */
static bool next_file(struct events_reader *r)
{
	struct stat mine, now;
	if (stat(r->path, &now) < 0)
		return false;
	if (r->fd >= 0 && !r->on_rotated && fstat(r->fd, &mine) == 0 && mine.st_ino == now.st_ino &&
	    mine.st_dev == now.st_dev)
		return false;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
	r->on_rotated = false;
	r->len = 0; /* a line cut off in the old file never ends */
	return r->fd >= 0;
}

int events_next(struct events_reader *r, int timeout_ms, json_object **out, struct holt_err *err)
{
	*out = NULL;
	for (;;) {
		bool had_line;
		json_object *msg = take_line(r, &had_line);
		if (msg) {
			*out = msg;
			return 1;
		}
		if (had_line)
			continue;
		if (r->fd >= 0) {
			if (r->cap - r->len < 4096) {
				r->cap = r->cap ? r->cap * 2 : 65536;
				r->buf = xrealloc(r->buf, r->cap);
			}
			ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
			if (n < 0)
				return holt_err_set(err, errno, "events: read \"%s\"", r->path);
			if (n > 0) {
				r->len += (size_t)n;
				continue;
			}
		}
		if (next_file(r))
			continue;
		if (!r->follow)
			return 0;
		struct pollfd p = {.fd = r->inotify, .events = POLLIN};
		int ready = poll(&p, 1, timeout_ms);
		if (ready < 0 && errno != EINTR)
			return holt_err_set(err, errno, "events: wait on \"%s\"", r->path);
		if (ready <= 0)
			return 0;
		char drain[4096];
		while (read(r->inotify, drain, sizeof drain) > 0)
			;
	}
}
