/* clone (run) or fork (exec), then one read of the report pipe: empty means the
 * command was executed, else the child wrote "<exit code> <message>". */
#include "core/launch.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/cgroup.h"
#include "core/init.h"
#include "core/pty.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int read_report(int fd, int *code, struct holt_err *err)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (len == 0)
		return 0;
	buf[len] = '\0';
	char *msg = strchr(buf, ' ');
	*code = atoi(buf);
	holt_err_set(err, 0, "%s", msg ? msg + 1 : buf);
	return -1;
}

/* Defined only in sanitizer builds. */
extern void __lsan_do_leak_check(void) __attribute__((weak));

/* In the child: never returns. */
static pid_t spawn_child(const struct init_args *a, pid_t pid)
{
	bool exec = a->join_fd >= 0;
	if (pid == 0) {
		if (exec)
			init_exec(a);
		init_container(a);
	}
	return pid;
}

static pid_t spawn(const struct init_args *a)
{
	bool exec = a->join_fd >= 0;
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
			      (a->own_netns ? CLONE_NEWNET : 0);
	if (!exec)
		return spawn_child(
		    a, (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL));
	/* setns of a pid namespace applies to children only, and cannot be undone (our own
	 * is owned by the host's user namespace): exec forks nothing after this one. */
	if (__lsan_do_leak_check)
		__lsan_do_leak_check(); /* its exit-time tracer would be born in the container */
	if (setns(a->join_fd, CLONE_NEWPID) < 0)
		return -1;
	pid_t pid = fork();
	return spawn_child(a, pid);
}

int launch(const struct launch_request *req, struct launched *out, struct holt_err *err)
{
	const struct container *c = req->container;
	cleanup_free char *upper = xasprintf("%s/upper", c->dir);
	cleanup_free char *work = xasprintf("%s/work", c->dir);
	cleanup_free char *copy = xasprintf("%s/rootfs", c->dir);
	cleanup_free char *merged = xasprintf("%s/merged", c->dir);
	struct init_args a = {
	    .layout = {.lower = req->image ? req->image->layer_dirs : NULL,
		       .n_lower = req->image ? req->image->n_layers : 0,
		       .upper = upper,
		       .work = work,
		       .copy = copy,
		       .target = merged},
	    .storage_driver = req->storage_driver,
	    .container_dir = c->dir,
	    .spec = req->spec,
	    .own_netns = c->config.network == NETWORK_NONE,
	    .init = c->config.init && !req->exec,
	    .stdio = {req->stdio[0], req->stdio[1], req->stdio[2]},
	    .join_fd = -1,
	    .detached = req->detached,
	    .tty_sock = -1,
	    .sigmask = *req->child_mask,
	};
	int report[2], sock[2] = {-1, -1};
	cleanup_security_plan struct security_plan plan = {0};

	out->pid = -1;
	out->master = -1;
	out->status = HOLT_EXIT_ERROR;
	if (security_plan_make(&c->config.security, req->privileged, store_runroot(req->store),
			       &plan, err) < 0)
		return -1;
	a.security = &plan;
	/* exec joins the namespaces of the container's first process, held by a pidfd so
	 * that a recycled pid cannot be joined instead */
	cleanup_close int pidfd = req->exec ? (int)syscall(SYS_pidfd_open, c->state.pid, 0) : -1;
	if (req->exec && pidfd < 0)
		return holt_err_set(err, errno == ESRCH ? 0 : errno,
				    "container \"%s\" is not running", c->name);
	a.join_fd = pidfd;
	if (pipe2(report, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "create the start-up pipe"), -1;
	if (req->spec->tty) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0) {
			int e = errno;
			close(report[0]), close(report[1]);
			return holt_err_set(err, e, "create the terminal socket"), -1;
		}
		a.tty_sock = sock[1];
		a.has_winsize = isatty(0) && ioctl(0, TIOCGWINSZ, &a.winsize) == 0;
	}
	a.report_fd = report[1];

	/* The child is to be born in the container's cgroup: holt steps in for the clone. */
	struct cgroup_entered cg;
	if (cgroup_enter(c, req->exec, &cg, err) < 0) {
		close(report[0]), close(report[1]);
		if (sock[0] >= 0)
			close(sock[0]), close(sock[1]);
		return -1;
	}
	pid_t pid = spawn(&a);
	int e = errno;
	cgroup_leave(&cg);
	close(report[1]);
	if (sock[1] >= 0)
		close(sock[1]);
	if (pid < 0) {
		close(report[0]);
		if (sock[0] >= 0)
			close(sock[0]);
		return holt_err_set(err, e, "create the container's process"), -1;
	}
	if (sock[0] >= 0) {
		struct holt_err terr = {0};
		out->master = pty_receive_master(sock[0], &terr);
		holt_err_release(&terr); /* when it failed, the report says why */
		close(sock[0]);
	}
	int failed = read_report(report[0], &out->status, err);
	close(report[0]);
	if (failed) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (out->master >= 0)
			close(out->master);
		out->master = -1;
		return -1;
	}
	out->pid = pid;
	return 0;
}
