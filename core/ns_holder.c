/* The record is runroot/pause.pid: "<pid>\n<single-map reason or empty>\n". A pid is
 * trusted only when its comm is holt-pause and its user namespace is owned by us, so a
 * stale file after a reboot or pid reuse is recognised and replaced. */
#include "core/ns_holder.h"
#include "core/base/file.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char pause_comm[] = "holt-pause";

static int runroot_check(const char *runroot, struct holt_err *err)
{
	struct stat st;
	if (mkdir_p(runroot, 0700) < 0)
		return holt_err_set(err, errno, "create runroot \"%s\"", runroot);
	if (stat(runroot, &st) < 0)
		return holt_err_set(err, errno, "open runroot \"%s\"", runroot);
	if (st.st_uid != getuid())
		return holt_err_set(err, 0, "open runroot \"%s\": owned by uid %u, not by you",
				    runroot, (unsigned)st.st_uid);
	return 0;
}

/* Reads the record; returns the pid, or 0 when there is none. */
static pid_t read_record(const char *runroot, char **reason)
{
	cleanup_free char *path = xasprintf("%s/pause.pid", runroot);
	cleanup_file FILE *f = fopen(path, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	long pid = 0;

	*reason = NULL;
	if (!f || fscanf(f, "%ld\n", &pid) != 1 || pid <= 0)
		return 0;
	if (getline(&line, &cap, f) > 1) {
		line[strcspn(line, "\n")] = '\0';
		*reason = xstrdup(line);
	}
	return (pid_t)pid;
}

/* Opens pid's user namespace when pid is our pause process. */
static int open_pause_userns(pid_t pid)
{
	char path[64];
	if (!process_named(pid, pause_comm))
		return -1;
	snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uid_t owner;
	if (fd >= 0 && (ioctl(fd, NS_GET_OWNER_UID, &owner) < 0 || owner != getuid())) {
		close(fd);
		return -1;
	}
	return fd;
}

int ns_holder_join(const char *runroot, char **single_reason, struct holt_err *err)
{
	if (runroot_check(runroot, err) < 0)
		return -1;
	pid_t pid = read_record(runroot, single_reason);
	cleanup_close int fd = pid ? open_pause_userns(pid) : -1;
	if (fd < 0) {
		free(*single_reason);
		*single_reason = NULL;
		return 0;
	}
	if (setns(fd, CLONE_NEWUSER) < 0) {
		free(*single_reason);
		*single_reason = NULL;
		return holt_err_set(err, errno, "join holt's user namespace (pause process %d)",
				    pid);
	}
	return 1;
}

int ns_holder_pidfd(const char *runroot)
{
	char *reason = NULL;
	pid_t pid = read_record(runroot, &reason);
	free(reason);
	int ns = pid ? open_pause_userns(pid) : -1;
	if (ns < 0)
		return -1;
	close(ns);
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int ns_holder_lock(const char *runroot, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/pause.lock", runroot);
	return file_lock(path, LOCK_EX, err);
}

/* Whether runroot/pause.pid, after an event on it, still names this process. */
static bool still_recorded(const char *runroot, const struct inotify_event *ev)
{
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED))
		return false;
	if (!ev->len || strcmp(ev->name, "pause.pid") != 0)
		return true;
	if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
		return false;
	cleanup_free char *reason = NULL;
	return read_record(runroot, &reason) == getpid();
}

/* This process is found only through runroot/pause.pid. Once the record names another
 * process or is gone, or the runroot itself is (a logout's cleanup, a test's temporary
 * directory), nothing can reach it any more, and it would hold its namespace for ever:
 * it ends. Without inotify it waits for SIGTERM alone. */
static void wait_while_recorded(const char *runroot)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	int fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0 || inotify_add_watch(fd, runroot,
					IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF |
					    IN_MOVE_SELF | IN_ONLYDIR) < 0)
		return;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if (!still_recorded(runroot, ev))
				_exit(0);
			p += sizeof *ev + ev->len;
		}
	}
}

static __attribute__((noreturn)) void pause_forever(const char *runroot)
{
	sigset_t all;
	char *where = realpath(runroot, NULL); /* it will run from / */
	int null = open("/dev/null", O_RDWR);

	setsid();
	prctl(PR_SET_NAME, pause_comm);
	process_retitle(pause_comm);
	if (null >= 0)
		for (int fd = 0; fd < 3; fd++)
			dup2(null, fd);
	/* Holding a test runner's or a pipe's fds open would keep them waiting forever. */
	syscall(SYS_close_range, 3, ~0U, 0);
	if (chdir("/") < 0)
		_exit(1);
	sigfillset(&all);
	sigdelset(&all, SIGTERM);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGTERM, SIG_DFL);
	if (where)
		wait_while_recorded(where);
	for (;;)
		pause();
}

int ns_holder_start(const char *runroot, const char *single_reason, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/pause.pid", runroot);
	cleanup_free char *tmp = xasprintf("%s/pause.pid.tmp", runroot);

	/* Double fork: the pause process must not be our child, or `run` would reap it. */
	pid_t mid = fork();
	if (mid < 0)
		return holt_err_set(err, errno, "fork the pause process");
	if (mid == 0) {
		pid_t pid = fork();
		if (pid == 0)
			pause_forever(runroot);
		cleanup_file FILE *f = pid > 0 ? fopen(tmp, "we") : NULL;
		if (!f)
			_exit(1);
		fprintf(f, "%d\n%s\n", pid, single_reason ? single_reason : "");
		if (fclose(f) != 0 || rename(tmp, path) < 0)
			_exit(1);
		f = NULL;
		_exit(0);
	}
	int st;
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return holt_err_set(err, 0, "record the pause process in \"%s\"", path);
	return 0;
}

int ns_holder_stop(const char *runroot, struct holt_err *err)
{
	cleanup_free char *reason = NULL;
	cleanup_free char *path = xasprintf("%s/pause.pid", runroot);
	pid_t pid = read_record(runroot, &reason);
	cleanup_close int fd = pid ? open_pause_userns(pid) : -1;

	unlink(path);
	if (fd < 0)
		return 0;
	if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
		return holt_err_set(err, errno, "stop the pause process %d", pid);
	return 1;
}
