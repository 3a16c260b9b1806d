/* One poll loop on a signalfd and the terminal. */
#include "core/relay.h"
#include "core/base/exitcode.h"
#include "core/base/file.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
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
	const struct attach_keys *keys; /* or NULL */
	size_t matched;			/* of keys, typed so far */
	bool detached;
};

int relay_exit_code(int st)
{
	if (WIFSIGNALED(st))
		return HOLT_EXIT_SIGNAL_BASE + WTERMSIG(st);
	return WEXITSTATUS(st);
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
	write_all(to, buf, (size_t)n);
	return true;
}

static void drain_master(struct relay *r)
{
	int flags = fcntl(r->master, F_GETFL);
	fcntl(r->master, F_SETFL, flags | O_NONBLOCK);
	char buf[8192];
	ssize_t n;
	while ((n = read(r->master, buf, sizeof buf)) > 0)
		write_all(1, buf, (size_t)n);
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

/* Copies stdin to the master; false when the user typed the detach keys. */
static bool pump_stdin(struct relay *r)
{
	char buf[8192];
	ssize_t n = read(0, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		r->stdin_open = false;
		return true;
	}
	if (r->keys && attach_keys_typed(r->keys, buf, (size_t)n, &r->matched)) {
		r->detached = true;
		return false;
	}
	write_all(r->master, buf, (size_t)n);
	return true;
}

/* Keeps master open after a detach, in a process of its own that outlives holt: the
 * detached process's terminal stays, and what it writes is read and dropped so that it
 * never blocks on a full terminal. */
static void hold_master(int master)
{
	pid_t pid = fork();
	if (pid != 0) {
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (dup2(master, 3) < 0)
		_exit(1);
	close_range(4, ~0U, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char buf[8192];
	for (ssize_t n; (n = read(3, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR);)
		;
	_exit(0);
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
		if (fds[2].revents & (POLLIN | POLLHUP | POLLERR) && !pump_stdin(r))
			break;
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

int relay_block_signals(sigset_t *old, struct holt_err *err)
{
	sigset_t block;
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
		sigaddset(&block, forwarded[i]);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &block, old) < 0)
		return holt_err_set(err, errno, "block signals");
	return 0;
}

int relay_wait(pid_t pid, int master, bool interactive, const struct attach_keys *keys,
	       const sigset_t *old, struct holt_err *err)
{
	struct relay r = {.pid = pid, .master = master, .keys = master >= 0 ? keys : NULL};
	sigset_t block;

	sigprocmask(SIG_BLOCK, NULL, &block);
	r.sfd = signalfd(-1, &block, SFD_CLOEXEC);
	if (r.sfd < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		sigprocmask(SIG_SETMASK, old, NULL);
		return holt_err_set(err, e, "create a signalfd");
	}
	if (master >= 0 && interactive) {
		r.stdin_open = true;
		terminal_raw(&r);
	}
	r.master_open = master >= 0;
	int status = wait_loop(&r);
	if (r.detached) {
		hold_master(master);
		close(master);
		if (r.tty_raw)
			tcsetattr(0, TCSADRAIN, &r.saved);
		close(r.sfd);
		sigprocmask(SIG_SETMASK, old, NULL);
		return RELAY_DETACHED;
	}
	if (master >= 0) {
		drain_master(&r);
		close(master);
	}
	if (r.tty_raw)
		tcsetattr(0, TCSADRAIN, &r.saved);
	close(r.sfd);
	sigprocmask(SIG_SETMASK, old, NULL);
	return relay_exit_code(status);
}
