/* A container's state.json and the monitor lock that says whether it can be believed:
 * "running" is only true while some monitor holds <run_dir>/monitor.lock. */
#include "core/base/file.h"
#include "core/base/json.h"
#include "core/base/json_file.h"
#include "core/base/util.h"
#include "core/cgroup.h"
#include "core/container.h"
#include "core/container_events.h"
#include "core/container_record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

static const char *const status_names[] = {"created", "running", "restarting", "exited", "paused"};

const char *container_status_name(enum container_status st)
{
	return status_names[st];
}

int container_write_json(const struct container *c, const char *file, json_object *obj,
			 struct holt_err *err)
{
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	cleanup_free char *path = xasprintf("%s/%s", c->dir, file);
	/* an --rm container's record dies with it: no fsync to wait for */
	return write_file_atomic(path, NULL, text, strlen(text), !c->config.remove, err);
}

json_object *container_read_json(const char *dir, const char *file, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	return json_file_load(path, err);
}

static pid_t get_int(json_object *obj, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(obj, key, &v) ? json_object_get_int(v) : 0;
}

static int parse_state(struct container *c, json_object *st)
{
	struct container_state *s = &c->state;
	cleanup_free char *status = json_get_string(st, "Status");

	free(s->started_at);
	free(s->finished_at);
	free(s->error);
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < sizeof status_names / sizeof *status_names; i++)
		if (status && strcmp(status, status_names[i]) == 0)
			s->status = (enum container_status)i;
	s->pid = get_int(st, "Pid");
	s->monitor_pid = get_int(st, "MonitorPid");
	s->exit_code = get_int(st, "ExitCode");
	s->restart_count = get_int(st, "RestartCount");
	s->started_at = json_get_string(st, "StartedAt");
	s->finished_at = json_get_string(st, "FinishedAt");
	s->error = json_get_string(st, "Error");
	return 0;
}

static bool monitor_alive(const struct container *c)
{
	cleanup_free char *path = xasprintf("%s/monitor.lock", c->run_dir);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false; /* never started since the runtime dir (a tmpfs) was made */
	return flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

int container_reload_state(struct container *c, struct holt_err *err)
{
	struct holt_err e = {0};
	cleanup_json json_object *st = container_read_json(c->dir, "state.json", &e);
	if (!st) {
		if (e.errnum != ENOENT) {
			*err = e;
			return -1;
		}
		holt_err_release(&e);
		cleanup_json json_object *none = json_object_new_object();
		parse_state(c, none);
		return 0;
	}
	parse_state(c, st);
	if (!container_is_running(c))
		return 0;
	if (monitor_alive(c)) {
		/* Paused is no state of its own on disk: the cgroup's freezer says it. */
		if (c->state.status == STATUS_RUNNING && cgroup_is_frozen(c))
			c->state.status = STATUS_PAUSED;
		return 0;
	}
	/* The monitor may have written "exited" and gone between the two reads. */
	json_object *again = container_read_json(c->dir, "state.json", &e);
	holt_err_release(&e);
	if (again) {
		parse_state(c, again);
		json_object_put(again);
	}
	if (container_is_running(c)) {
		/* Its container died with it (PDEATHSIG); docker says 255 after a crash. */
		c->state.status = STATUS_EXITED;
		c->state.exit_code = 255;
		free(c->state.error);
		c->state.error = xstrdup("the container's monitor process died");
		c->state.monitor_died = true;
		free(c->state.finished_at);
		c->state.finished_at = NULL;
	}
	return 0;
}

/* flock of <run_dir>/monitor.lock with how (LOCK_EX, LOCK_EX | LOCK_NB): its fd, or -1
 * with errno EWOULDBLOCK when another holds it. */
static int lock_monitor(struct container *c, int how, struct holt_err *err)
{
	cleanup_free char *parent = xstrdup(c->run_dir);
	*strrchr(parent, '/') = '\0';
	cleanup_free char *path = xasprintf("%s/monitor.lock", c->run_dir);

	if ((mkdir(parent, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(c->run_dir, 0700) < 0 && errno != EEXIST))
		return holt_err_set(err, errno, "create \"%s\"", c->run_dir);
	int fd = file_lock(path, how, err);
	if (fd < 0 && errno == EWOULDBLOCK) {
		holt_err_release(err); /* held: the caller's answer, not an error */
		errno = EWOULDBLOCK;
	}
	return fd;
}

static bool has_record(const struct container *c)
{
	cleanup_free char *record = xasprintf("%s/config.json", c->dir);
	return access(record, F_OK) == 0;
}

int container_lock_monitor(struct container *c, struct holt_err *err)
{
	/* Blocks only while a reader is testing the lock, an old monitor finishes, or rm
	 * removes the container: then there is nothing left to start. */
	int fd = lock_monitor(c, LOCK_EX, err);
	if (fd >= 0 && !has_record(c)) {
		close(fd);
		return holt_err_set(err, 0, "container \"%s\" was removed", c->name);
	}
	return fd;
}

int container_remove_unmonitored(struct store *s, struct container *c, struct holt_err *err)
{
	cleanup_close int fd = lock_monitor(c, LOCK_EX | LOCK_NB, err);
	if (fd < 0)
		return err->msg
			   ? -1
			   : holt_err_set_code(err, EBUSY, "container \"%s\" is running", c->name);
	if (!has_record(c)) /* an --rm container's monitor removed it meanwhile */
		return 0;
	return container_remove(s, c, err);
}

void container_wait_monitor(const struct container *c)
{
	cleanup_free char *path = xasprintf("%s/monitor.lock", c->run_dir);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		while (flock(fd, LOCK_SH) < 0 && errno == EINTR)
			;
}

static int write_state(struct container *c, struct holt_err *err)
{
	const struct container_state *s = &c->state;
	cleanup_json json_object *st = json_object_new_object();

	json_object_object_add(st, "Status", json_object_new_string(status_names[s->status]));
	json_object_object_add(st, "Pid", json_object_new_int(s->pid));
	json_object_object_add(st, "MonitorPid", json_object_new_int(s->monitor_pid));
	json_object_object_add(st, "ExitCode", json_object_new_int(s->exit_code));
	json_object_object_add(st, "RestartCount", json_object_new_int(s->restart_count));
	json_add_string(st, "StartedAt", s->started_at);
	json_add_string(st, "FinishedAt", s->finished_at);
	json_add_string(st, "Error", s->error);
	int ret = container_write_json(c, "state.json", st, err);
	if (ret == 0 || err->errnum != ENOSPC)
		return ret;
	/* A full disk must not cost the container its exit code: the old record's block
	 * holds the new one, the same few hundred bytes. */
	holt_err_release(err);
	cleanup_free char *path = xasprintf("%s/state.json", c->dir);
	const char *text = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN);
	return write_file_in_place(path, text, strlen(text), err);
}

static void die_event(const struct container *c)
{
	char code[16];
	snprintf(code, sizeof code, "%d", c->state.exit_code);
	container_event(c, "die", (const char *const[]){"exitCode", code, NULL});
}

int container_set_running(struct container *c, pid_t pid, struct holt_err *err)
{
	struct container_state *s = &c->state;
	if (s->status == STATUS_RESTARTING)
		s->restart_count++;
	s->status = STATUS_RUNNING;
	s->pid = pid;
	s->monitor_pid = getpid();
	free(s->started_at);
	s->started_at = util_now_rfc3339();
	free(s->error);
	s->error = NULL;
	/* after the state, so that a follower that inspects on the event sees it */
	int ret = write_state(c, err);
	container_event(c, "start", NULL);
	return ret;
}

int container_set_restarting(struct container *c, int exit_code, struct holt_err *err)
{
	struct container_state *s = &c->state;
	s->status = STATUS_RESTARTING;
	s->pid = 0;
	s->exit_code = exit_code;
	free(s->finished_at);
	s->finished_at = util_now_rfc3339();
	int ret = write_state(c, err);
	die_event(c);
	return ret;
}

int container_set_exited(struct container *c, int exit_code, const char *error,
			 struct holt_err *err)
{
	struct container_state *s = &c->state;
	s->status = STATUS_EXITED;
	s->pid = 0;
	s->exit_code = exit_code;
	free(s->finished_at);
	s->finished_at = util_now_rfc3339();
	free(s->error);
	s->error = error ? xstrdup(error) : NULL;
	int ret = write_state(c, err);
	die_event(c);
	return ret;
}
