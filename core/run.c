/* The parent's side of a foreground `run`: clone into the container's namespaces, learn
 * whether the command could be executed, then wait while relaying the terminal and
 * forwarding signals. One poll loop on a signalfd and the tty. */
#include "core/run.h"
#include "core/exitcode.h"
#include "core/init.h"
#include "core/pty.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

/* Signals a user sends to holt that belong to the container (docker's sig-proxy). */
static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM};

struct relay {
	pid_t pid;
	int sfd;	  /* signalfd */
	int master;	  /* pty master, or -1 */
	bool master_open; /* relaying the master to stdout; false once every slave closed */
	bool stdin_open;  /* relaying stdin to the master */
	bool tty_raw;
	struct termios saved;
};

static int status_to_code(int st)
{
	if (WIFSIGNALED(st))
		return HOLT_EXIT_SIGNAL_BASE + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Writes all of buf; the master may be non-blocking-slow but it is a blocking fd. */
static void write_all(int fd, const char *buf, ssize_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= w;
	}
}

/* Copies what is readable from one fd to another; false at EOF or error. */
static bool pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	write_all(to, buf, n);
	return true;
}

static void drain_master(struct relay *r)
{
	int flags = fcntl(r->master, F_GETFL);
	fcntl(r->master, F_SETFL, flags | O_NONBLOCK);
	char buf[8192];
	ssize_t n;
	while ((n = read(r->master, buf, sizeof buf)) > 0)
		write_all(1, buf, n);
}

static int handle_signal(struct relay *r, int *status)
{
	struct signalfd_siginfo si;
	if (read(r->sfd, &si, sizeof si) != sizeof si)
		return 0;
	if (si.ssi_signo == SIGCHLD) {
		int st;
		pid_t p = waitpid(r->pid, &st, WNOHANG);
		if (p == r->pid) {
			*status = st;
			return 1;
		}
		return 0;
	}
	if (si.ssi_signo == SIGWINCH) {
		struct winsize ws;
		if (r->master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(r->master, TIOCSWINSZ, &ws);
		return 0;
	}
	kill(r->pid, (int)si.ssi_signo);
	return 0;
}

static int wait_loop(struct relay *r)
{
	int status = 0;
	for (;;) {
		struct pollfd fds[3] = {{r->sfd, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
		if (r->master_open) {
			fds[1].fd = r->master;
			if (r->stdin_open)
				fds[2].fd = 0;
		}
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((fds[0].revents & POLLIN) && handle_signal(r, &status))
			break;
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!pump(r->master, 1))
				r->master_open = false; /* wait for the exit */
		}
		if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!pump(0, fds[1].fd))
				r->stdin_open = false;
		}
	}
	return status;
}

static void terminal_raw(struct relay *r)
{
	struct termios raw;
	if (!isatty(0) || tcgetattr(0, &r->saved) < 0)
		return;
	raw = r->saved;
	/* The container's own pty does the line discipline; ours must pass bytes through. */
	cfmakeraw(&raw);
	if (tcsetattr(0, TCSADRAIN, &raw) == 0)
		r->tty_raw = true;
}

/* Reads the child's report: empty when the command was executed. */
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

int run_foreground(const struct run_request *req, struct holt_err *err)
{
	const struct process_spec *spec = req->spec;
	const struct container *c = req->container;
	bool own_netns = c->config.network == NETWORK_NONE;
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
			      (own_netns ? CLONE_NEWNET : 0);
	cleanup_free char *upper = xasprintf("%s/upper", c->dir);
	cleanup_free char *work = xasprintf("%s/work", c->dir);
	cleanup_free char *copy = xasprintf("%s/rootfs", c->dir);
	cleanup_free char *merged = xasprintf("%s/merged", c->dir);
	cleanup_free char *layers = xasprintf("%s/layers", store_root(req->store));
	struct init_args a = {
	    .layout = {.lower = req->image->layer_dirs,
		       .n_lower = req->image->n_layers,
		       .upper = upper,
		       .work = work,
		       .copy = copy,
		       .target = merged},
	    .storage_driver = req->storage_driver,
	    .container_dir = c->dir,
	    .spec = spec,
	    .own_netns = own_netns,
	    .tty_sock = -1,
	};
	struct relay r = {.master = -1, .sfd = -1};
	int report[2], sock[2] = {-1, -1};
	sigset_t block;

	sigemptyset(&block);
	for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
		sigaddset(&block, forwarded[i]);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &block, &a.sigmask) < 0)
		return holt_err_set(err, errno, "block signals");
	r.sfd = signalfd(-1, &block, SFD_CLOEXEC);
	if (r.sfd < 0)
		return holt_err_set(err, errno, "create a signalfd");
	if (pipe2(report, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "create the start-up pipe");
	if (spec->tty) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0)
			return holt_err_set(err, errno, "create the terminal socket");
		a.tty_sock = sock[1];
		a.has_winsize = isatty(0) && ioctl(0, TIOCGWINSZ, &a.winsize) == 0;
	}
	a.report_fd = report[1];

	pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		int e = errno;
		close(report[0]), close(report[1]), close(r.sfd);
		return holt_err_set(err, e, "create the container's namespaces");
	}
	if (pid == 0) {
		close(report[0]);
		if (sock[0] >= 0)
			close(sock[0]);
		init_container(&a);
	}
	r.pid = pid;
	close(report[1]);
	if (sock[1] >= 0)
		close(sock[1]);

	int code = HOLT_EXIT_ERROR, failed = 0;
	if (spec->tty) {
		struct holt_err terr = {0};
		r.master = pty_receive_master(sock[0], &terr);
		if (r.master < 0)
			holt_err_release(&terr); /* the report says why */
		close(sock[0]);
	}
	failed = read_report(report[0], &code, err);
	close(report[0]);
	if (failed) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (r.master >= 0)
			close(r.master);
		close(r.sfd);
		sigprocmask(SIG_SETMASK, &a.sigmask, NULL);
		return code;
	}

	struct holt_err serr = {0};
	if (container_set_running(req->store, req->container, pid, &serr) < 0)
		holt_err_release(&serr); /* the container runs all the same */
	if (r.master >= 0 && spec->interactive) {
		r.stdin_open = true;
		terminal_raw(&r);
	}
	r.master_open = r.master >= 0;
	int status = wait_loop(&r);
	if (r.master >= 0) {
		drain_master(&r);
		close(r.master);
	}
	if (r.tty_raw)
		tcsetattr(0, TCSADRAIN, &r.saved);
	close(r.sfd);
	sigprocmask(SIG_SETMASK, &a.sigmask, NULL);
	code = status_to_code(status);
	if (container_set_exited(req->store, req->container, code, &serr) < 0)
		holt_err_release(&serr);
	return code;
}
