/* The monitor's life: detach (double fork + setsid), start the container, then one poll
 * loop over the container's output, attach clients and a signalfd, until it has exited
 * and no restart is due. */
#include "core/monitor.h"
#include "core/base/exitcode.h"
#include "core/base/unix_addr.h"
#include "core/base/util.h"
#include "core/cgroup.h"
#include "core/container_volumes.h"
#include "core/launch.h"
#include "core/logfile.h"
#include "core/relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

enum { MAX_CLIENTS = 16 };

struct monitor {
	const struct run_request *req;
	struct container *c;
	struct logfile *log;
	int sfd;
	int listen_fd;
	int clients[MAX_CLIENTS];
	/* the client's stdin has ended: it only receives output from then on */
	bool client_in_done[MAX_CLIENTS];
	int out, err; /* the container's stdout and stderr (or its pty master), or -1 */
	int in;	      /* the container's stdin (pipe or pty master) when it is open, or -1 */
	bool stopped; /* by the user: no restart */
	pid_t pid;
	struct launched launched; /* the net helper's pid, to reap after each run */
	int status;
	bool exited;
	int exit_code;		       /* of the last run */
	const struct winsize *winsize; /* of the terminal that started it, or NULL */
};

int monitor_attach_addr(const struct container *c, struct sockaddr_un *sa, struct holt_err *err)
{
	int dir = unix_addr_in_dir(c->run_dir, "attach.sock", sa);
	if (dir < 0)
		return holt_err_set(err, errno, "open the run directory of container \"%s\"",
				    c->name);
	return dir;
}

static void drop_client(struct monitor *m, int i)
{
	close(m->clients[i]);
	m->clients[i] = -1;
}

/* Hands client i the container's pty master, so that it sets the size of its terminal
 * there, as it is now and whenever it changes. */
static void send_pty(struct monitor *m, int i)
{
	if (!m->req->spec->tty || m->out < 0)
		return;
	unsigned char hdr[ATTACH_HEADER] = {ATTACH_PTY, 0, 0, 0, 0};
	struct iovec iov = {hdr, sizeof hdr};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &m->out, sizeof(int));
	if (sendmsg(m->clients[i], &msg, MSG_NOSIGNAL) != (ssize_t)sizeof hdr)
		drop_client(m, i);
}

static void add_client(struct monitor *m, int fd)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m->clients[i] < 0) {
			m->clients[i] = fd;
			m->client_in_done[i] = false;
			send_pty(m, i);
			return;
		}
	close(fd);
}

static void send_clients(struct monitor *m, int stream, const char *buf, size_t n)
{
	unsigned char hdr[ATTACH_HEADER] = {(unsigned char)stream, (unsigned char)n,
					    (unsigned char)(n >> 8), (unsigned char)(n >> 16),
					    (unsigned char)(n >> 24)};
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (m->clients[i] < 0)
			continue;
		struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)buf, n}};
		struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
		if (sendmsg(m->clients[i], &msg, MSG_NOSIGNAL) != (ssize_t)(sizeof hdr + n))
			drop_client(m, i);
	}
}

/* false at EOF */
static bool pump_output(struct monitor *m, int fd, int stream)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	logfile_write(m->log, stream == ATTACH_STDERR ? "stderr" : "stdout", buf, (size_t)n);
	send_clients(m, stream, buf, (size_t)n);
	return true;
}

/* revents: what poll said of the client's socket. */
static void pump_input(struct monitor *m, int i, short revents)
{
	char buf[8192];
	ssize_t n = read(m->clients[i], buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0 || (n == 0 && revents & POLLHUP)) {
		/* gone altogether (it detached, or was killed): stdin stays open for the
		 * next client, as docker keeps it */
		drop_client(m, i);
		return;
	}
	if (n == 0) {
		/* docker closes a pipe stdin when the attached client's stdin ends; the
		 * client still gets the output until the container exits */
		if (m->in >= 0 && m->in != m->out) {
			close(m->in);
			m->in = -1;
		}
		m->client_in_done[i] = true;
		return;
	}
	if (m->in >= 0 && write(m->in, buf, (size_t)n) < 0 && errno == EPIPE && m->in != m->out) {
		close(m->in);
		m->in = -1;
	}
}

static void handle_signal(struct monitor *m)
{
	struct signalfd_siginfo si;
	if (read(m->sfd, &si, sizeof si) != sizeof si)
		return;
	if (si.ssi_signo == MONITOR_SIG_STOPPED) {
		m->stopped = true;
		return;
	}
	if (si.ssi_signo != SIGCHLD)
		return;
	int st;
	if (waitpid(m->pid, &st, WNOHANG) == m->pid) {
		m->status = st;
		m->exited = true;
	}
}

static void drain(struct monitor *m)
{
	int fds[2] = {m->out, m->err};
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
		while (pump_output(m, fds[i], i ? ATTACH_STDERR : ATTACH_STDOUT))
			if (errno == EAGAIN)
				break;
	}
}

/* Until the container's process has exited and its output has ended. */
static void watch(struct monitor *m)
{
	while (!m->exited || m->out >= 0 || m->err >= 0) {
		struct pollfd fds[4 + MAX_CLIENTS];
		int n = 0;
		fds[n++] = (struct pollfd){m->sfd, POLLIN, 0};
		fds[n++] = (struct pollfd){m->listen_fd, POLLIN, 0};
		fds[n++] = (struct pollfd){m->out, POLLIN, 0};
		fds[n++] = (struct pollfd){m->err, POLLIN, 0};
		for (int i = 0; i < MAX_CLIENTS; i++)
			fds[n++] =
			    (struct pollfd){m->clients[i], m->client_in_done[i] ? 0 : POLLIN, 0};
		/* After the exit, the output ends when the last holder of the pipe is gone;
		 * an escaped holder must not keep the monitor forever. */
		if (poll(fds, (nfds_t)n, m->exited ? 200 : -1) == 0) {
			drain(m);
			break;
		}
		if (fds[0].revents & POLLIN)
			handle_signal(m);
		if (fds[1].revents & POLLIN) {
			int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				add_client(m, fd);
		}
		for (int k = 0; k < 2; k++)
			if (fds[2 + k].revents & (POLLIN | POLLHUP | POLLERR) &&
			    !pump_output(m, fds[2 + k].fd, k ? ATTACH_STDERR : ATTACH_STDOUT)) {
				if (m->in == fds[2 + k].fd)
					m->in = -1;
				close(fds[2 + k].fd);
				*(k ? &m->err : &m->out) = -1;
			}
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (m->clients[i] < 0)
				continue;
			if (m->client_in_done[i] && fds[4 + i].revents & (POLLHUP | POLLERR))
				drop_client(m, i); /* gone altogether */
			else if (fds[4 + i].revents & (POLLIN | POLLHUP | POLLERR))
				pump_input(m, i, fds[4 + i].revents);
		}
	}
}

static int listen_attach(const struct container *c, struct holt_err *err)
{
	struct sockaddr_un sa;
	cleanup_close int dir = monitor_attach_addr(c, &sa, err);
	if (dir < 0)
		return -1;
	unlinkat(dir, "attach.sock", 0);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 8) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return holt_err_set(err, e, "create the attach socket of container \"%s\"",
				    c->name);
	}
	return fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(steal_fd(fd));
}

/* The container's stdio: a pty, or pipes for its output (and stdin with -i). */
static int start_once(struct monitor *m, const sigset_t *mask, struct holt_err *err)
{
	const struct process_spec *spec = m->req->spec;
	int out[2] = {-1, -1}, errp[2] = {-1, -1}, in[2] = {-1, -1};
	struct launched l;

	if (!spec->tty && (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
			   (spec->interactive && pipe2(in, O_CLOEXEC) < 0))) {
		int e = errno;
		int *all[] = {&out[0], &out[1], &errp[0], &errp[1], &in[0], &in[1]};
		for (size_t k = 0; k < 6; k++)
			close_fd(all[k]);
		return holt_err_set(err, e, "create the container's pipes"), HOLT_EXIT_ERROR;
	}
	struct launch_request lr = {
	    .store = m->req->store,
	    .container = m->c,
	    .image = m->req->image,
	    .spec = spec,
	    .storage_driver = m->req->storage_driver,
	    .stdio = {in[0], out[1], errp[1]},
	    .child_mask = mask,
	    .winsize = m->winsize,
	};
	int ret = launch(&lr, &l, err);
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&errp[1]);
	if (ret < 0) {
		close_fd(&in[1]);
		close_fd(&out[0]);
		close_fd(&errp[0]);
		return l.status;
	}
	m->pid = l.pid;
	m->launched = l;
	m->exited = false;
	m->out = spec->tty ? l.master : out[0];
	m->err = errp[0];
	m->in = spec->tty ? l.master : in[1];
	return 0;
}

static bool restart_due(const struct monitor *m, int code)
{
	const struct container_config *cfg = &m->c->config;
	if (m->stopped)
		return false;
	switch (cfg->restart) {
	case RESTART_ON_FAILURE:
		return code != 0 &&
		       (cfg->restart_max == 0 || m->c->state.restart_count < cfg->restart_max);
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED:
		return true;
	default:
		return false;
	}
}

/* Sleeps for the back-off, or until the user stops the container; false then. */
static bool back_off(struct monitor *m, int ms)
{
	struct pollfd p = {m->sfd, POLLIN, 0};
	struct timespec end, now;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left =
		    (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return true;
		if (poll(&p, 1, (int)left) > 0) {
			handle_signal(m);
			if (m->stopped)
				return false;
		}
	}
}

static void report(int fd, int code, const char *msg)
{
	if (fd >= 0)
		dprintf(fd, "%d %s", code, msg ? msg : "");
}

/* The monitor itself; ready gets "0 " once the container runs, or its failure. */
static __attribute__((noreturn)) void monitor_main(struct monitor *m, int ready)
{
	struct holt_err err = {0};
	sigset_t block, old;
	int backoff_ms = 100;

	prctl(PR_SET_NAME, "holt-monitor");
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, MONITOR_SIG_STOPPED);
	sigprocmask(SIG_BLOCK, &block, &old);
	m->sfd = signalfd(-1, &block, SFD_CLOEXEC);
	cleanup_close int lock = container_lock_monitor(m->c, &err);
	cleanup_free char *log_path = container_log_path(m->c);
	if (m->sfd < 0 || lock < 0 ||
	    (m->c->config.log_driver != LOG_DRIVER_NONE &&
	     !(m->log = logfile_open(log_path, m->c->config.log_max_size, m->c->config.log_driver,
				     &err))) ||
	    (m->listen_fd = listen_attach(m->c, &err)) < 0) {
		if (!err.msg)
			holt_err_set(&err, errno, "create the monitor's signalfd");
		report(ready, HOLT_EXIT_ERROR, err.msg);
		_exit(HOLT_EXIT_ERROR);
	}

	for (;;) {
		int code = start_once(m, &old, &err);
		if (code) {
			struct holt_err e = {0};
			container_set_exited(m->c, code, err.msg, &e);
			m->exit_code = code;
			report(ready, code, err.msg);
			break;
		}
		struct holt_err e = {0};
		if (container_set_running(m->c, m->pid, &e) < 0)
			holt_err_release(&e);
		if (ready >= 0) {
			report(ready, 0, "");
			close(steal_fd(&ready));
		}
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (m->clients[i] >= 0)
				send_pty(m, i);
		watch(m);
		if (!m->exited) {
			/* The output ended early: wait for the exit itself. */
			int st;
			while (waitpid(m->pid, &st, 0) < 0 && errno == EINTR)
				;
			m->status = st;
		}
		close_fd(&m->in);
		launch_reap_net(&m->launched, true);
		code = relay_exit_code(m->status);
		m->exit_code = code;
		if (!restart_due(m, code) || container_set_restarting(m->c, code, &e) < 0 ||
		    !back_off(m, backoff_ms)) {
			holt_err_release(&e);
			container_set_exited(m->c, code, NULL, &e);
			break;
		}
		if (backoff_ms < 60000)
			backoff_ms *= 2;
	}
	/* Between restarts it stays: the next start makes it anew. */
	cgroup_remove(m->c);
	/* the code goes to the clients first: with --rm no record keeps it */
	unsigned char code_le[4] = {(unsigned char)m->exit_code, (unsigned char)(m->exit_code >> 8),
				    (unsigned char)(m->exit_code >> 16),
				    (unsigned char)(m->exit_code >> 24)};
	send_clients(m, ATTACH_EXIT, (const char *)code_le, sizeof code_le);
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m->clients[i] >= 0)
			drop_client(m, i);
	logfile_close(m->log);
	if (m->c->config.remove) {
		/* A rename while it ran changed the name on disk, not the one here. */
		struct holt_err e = {0};
		cleanup_container struct container *now =
		    container_lookup(m->req->store, m->c->id, &e);
		holt_err_release(&e);
		if (container_remove(m->req->store, now ? now : m->c, &e) == 0)
			container_remove_volumes_reopen(m->req->store, now ? now : m->c, &e);
		holt_err_release(&e);
	} else {
		cleanup_free char *path = xasprintf("%s/attach.sock", m->c->run_dir);
		unlink(path);
	}
	_exit(0);
}

/* Gives the monitor nothing of the command that started it but what it needs. */
static void detach_fds(int keep1, int keep2)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++)
		if (null >= 0)
			dup2(null, fd);
	if (null > 2)
		close(null);
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	struct dirent *de;
	int self = dirfd(d);
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (fd > 2 && fd != self && fd != keep1 && fd != keep2)
			close(fd);
	}
	closedir(d);
}

int monitor_start(const struct run_request *req, int *attach_fd, int *status, struct holt_err *err)
{
	int ready[2], pair[2] = {-1, -1};
	*status = HOLT_EXIT_ERROR;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "create the monitor's pipe");
	if (attach_fd && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		int e = errno;
		close(ready[0]), close(ready[1]);
		return holt_err_set(err, e, "create the attach socket");
	}
	/* the pty gets the size of the terminal the container is started from */
	struct winsize ws;
	bool has_ws = req->spec->tty && isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(ready[0]), close(ready[1]);
		return holt_err_set(err, e, "start the monitor");
	}
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		detach_fds(ready[1], pair[1]);
		if (chdir("/") < 0)
			_exit(HOLT_EXIT_ERROR);
		struct monitor m = {.req = req,
				    .c = req->container,
				    .listen_fd = -1,
				    .out = -1,
				    .err = -1,
				    .in = -1,
				    .winsize = has_ws ? &ws : NULL};
		for (int i = 0; i < MAX_CLIENTS; i++)
			m.clients[i] = -1;
		if (pair[1] >= 0)
			m.clients[0] = pair[1];
		monitor_main(&m, ready[1]);
	}
	close(ready[1]);
	if (pair[1] >= 0)
		close(pair[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;

	char buf[4096];
	size_t len = read_report_pipe(ready[0], buf, sizeof buf);
	close(ready[0]);
	int code = len ? atoi(buf) : HOLT_EXIT_ERROR;
	if (code) {
		const char *msg = strchr(buf, ' ');
		*status = code;
		if (pair[0] >= 0)
			close(pair[0]);
		return holt_err_set(err, 0, "%s",
				    msg && msg[1] ? msg + 1 : "the monitor exited at start-up");
	}
	if (attach_fd)
		*attach_fd = pair[0];
	return 0;
}

int monitor_start_container(struct store *s, struct container *c, const char *storage_driver,
			    int *attach_fd, int *status, struct holt_err *err)
{
	cleanup_image struct image *img = NULL;
	struct process_spec spec = {0};

	*status = HOLT_EXIT_ERROR;
	if (run_prepare(s, c, &img, &spec, err) < 0)
		return -1;
	struct run_request req = {
	    .store = s,
	    .container = c,
	    .image = img,
	    .spec = &spec,
	    .storage_driver = storage_driver,
	};
	int ret = monitor_start(&req, attach_fd, status, err);
	spec_release(&spec);
	return ret;
}
