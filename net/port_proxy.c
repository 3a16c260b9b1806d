/* One process, one poll loop: host listeners (bound before the proxy joins the
 * container's network namespace, so they stay the host's), and per connection two
 * directions, each a pipe that splice() moves bytes through without copying them. */
#include "net/port_proxy.h"
#include "core/base/util.h"
#include "net/privileges.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CHUNK = 1 << 20 };

struct direction {
	int src, dst;
	int pipe[2];
	size_t pending; /* bytes in the pipe */
	bool eof, done;
};

struct conn {
	struct direction dir[2];
	struct conn *next;
};

struct listener {
	int fd;
	uint16_t ctr_port;
};

static void conn_close(struct conn *c)
{
	close(c->dir[0].src);
	close(c->dir[0].dst);
	for (int i = 0; i < 2; i++)
		close(c->dir[i].pipe[0]), close(c->dir[i].pipe[1]);
	free(c);
}

/* Moves what it can from src to the pipe and from the pipe to dst. */
static void pump(struct direction *d, struct direction *other)
{
	if (!d->eof && d->pending < CHUNK) {
		ssize_t n = splice(d->src, NULL, d->pipe[1], NULL, CHUNK - d->pending,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n > 0)
			d->pending += (size_t)n;
		else if (n == 0 || errno != EAGAIN)
			d->eof = true;
	}
	if (d->pending) {
		ssize_t n = splice(d->pipe[0], NULL, d->dst, NULL, d->pending,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n > 0) {
			d->pending -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN) {
			/* the peer is gone: so is the connection, both ways */
			d->done = other->done = true;
			return;
		}
	}
	if (d->eof && !d->pending && !d->done) {
		shutdown(d->dst, SHUT_WR);
		d->done = true;
	}
}

static struct conn *conn_open(int client, uint16_t ctr_port, struct in_addr ctr)
{
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons(ctr_port), .sin_addr = ctr};
	/* In the container's namespace now: the connection is local to it, and completes
	 * (or is refused) at once. */
	int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (server < 0 || connect(server, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (server >= 0)
			close(server);
		close(client);
		return NULL;
	}
	fcntl(server, F_SETFL, O_NONBLOCK);
	struct conn *c = xzalloc(sizeof *c);
	c->dir[0] = (struct direction){.src = client, .dst = server};
	c->dir[1] = (struct direction){.src = server, .dst = client};
	for (int i = 0; i < 2; i++)
		if (pipe2(c->dir[i].pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
			c->dir[i].pipe[0] = c->dir[i].pipe[1] = -1;
			c->dir[0].done = c->dir[1].done = true;
		} else {
			fcntl(c->dir[i].pipe[0], F_SETPIPE_SZ, CHUNK);
		}
	return c;
}

static __attribute__((noreturn)) void serve(struct listener *ls, size_t n_ls, int pidfd,
					    struct in_addr ctr)
{
	struct conn *conns = NULL;
	size_t cap = 2 * (1 + n_ls);
	struct pollfd *fds = xmalloc(cap * sizeof *fds);
	/* per pollfd, with owner_dir: the direction it serves */
	struct conn **owner = xmalloc(cap * sizeof *owner);
	int *owner_dir = xmalloc(cap * sizeof *owner_dir);

	for (;;) {
		size_t n = 0, want = 1 + n_ls;
		for (struct conn *c = conns; c; c = c->next)
			want += 2;
		if (want > cap) {
			cap = 2 * want;
			fds = xrealloc(fds, cap * sizeof *fds);
			owner = xrealloc(owner, cap * sizeof *owner);
			owner_dir = xrealloc(owner_dir, cap * sizeof *owner_dir);
		}
		fds[n] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		owner[n++] = NULL;
		for (size_t i = 0; i < n_ls; i++) {
			fds[n] = (struct pollfd){.fd = ls[i].fd, .events = POLLIN};
			owner[n++] = NULL;
		}
		for (struct conn *c = conns; c; c = c->next)
			for (int i = 0; i < 2; i++) {
				struct direction *d = &c->dir[i];
				if (d->done)
					continue;
				fds[n] = d->pending
					     ? (struct pollfd){.fd = d->dst, .events = POLLOUT}
					     : (struct pollfd){.fd = d->src, .events = POLLIN};
				owner_dir[n] = i;
				owner[n++] = c;
			}
		if (poll(fds, n, -1) < 0 && errno != EINTR)
			_exit(1);
		if (fds[0].revents)
			_exit(0); /* the container has exited */
		for (size_t i = 0; i < n_ls; i++) {
			if (!(fds[1 + i].revents & POLLIN))
				continue;
			int client = accept4(ls[i].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			struct conn *c =
			    client >= 0 ? conn_open(client, ls[i].ctr_port, ctr) : NULL;
			if (c) {
				c->next = conns;
				conns = c;
			}
		}
		for (size_t i = 1 + n_ls; i < n; i++) {
			struct conn *c = owner[i];
			int k = owner_dir[i];
			if (fds[i].revents && !c->dir[k].done)
				pump(&c->dir[k], &c->dir[1 - k]);
		}
		for (struct conn **p = &conns; *p;) {
			struct conn *c = *p;
			if (c->dir[0].done && c->dir[1].done) {
				*p = c->next;
				conn_close(c);
			} else {
				p = &c->next;
			}
		}
	}
}

/* The proxy keeps its listeners and pidfd, nothing else of the helper's. */
static void close_others(const struct listener *ls, size_t n_ls, int pidfd)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	int self = dirfd(d);
	for (struct dirent *e; (e = readdir(d));) {
		int fd = atoi(e->d_name);
		bool keep = fd < 3 || fd == self || fd == pidfd;
		for (size_t i = 0; i < n_ls && !keep; i++)
			keep = fd == ls[i].fd;
		if (!keep)
			close(fd);
	}
	closedir(d);
}

static int listen_on(const struct port_map *m, bool v6, struct holt_err *err)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&ss;
	int one = 1;
	const char *ip = *m->host_ip ? m->host_ip : v6 ? "::" : "0.0.0.0";

	if (v6) {
		*sa6 = (struct sockaddr_in6){.sin6_family = AF_INET6,
					     .sin6_port = htons(m->host_port)};
		inet_pton(AF_INET6, ip, &sa6->sin6_addr);
	} else {
		*sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(m->host_port)};
		inet_pton(AF_INET, ip, &sa->sin_addr);
	}
	/* IPv6-only: the IPv4 addresses have a listener of their own */
	cleanup_close int fd =
	    socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, v6 ? sizeof *sa6 : sizeof *sa) < 0 ||
	    listen(fd, 128) < 0)
		return holt_err_set(err, errno,
				    v6 ? "publish [%s]:%u to %u/tcp" : "publish %s:%u to %u/tcp",
				    ip, m->host_port, m->ctr_port);
	return steal_fd(&fd);
}

pid_t port_proxy_start(const struct port_map *maps, size_t n, int pidfd, struct in_addr ctr,
		       bool ipv6, struct holt_err *err)
{
	struct listener *ls = xmalloc((n ? 2 * n : 1) * sizeof *ls);
	size_t n_ls = 0;
	pid_t pid = 0;

	for (size_t i = 0; i < n; i++) {
		if (maps[i].udp)
			continue;
		bool v6 = ports_ipv6(&maps[i]);
		/* every address: docker's two listeners, 0.0.0.0 and [::] */
		bool both = !*maps[i].host_ip && ipv6;
		for (int k = 0; k < (both ? 2 : 1); k++) {
			int fd = listen_on(&maps[i], v6 || k == 1, err);
			if (fd < 0) {
				pid = -1;
				goto out;
			}
			ls[n_ls++] = (struct listener){.fd = fd, .ctr_port = maps[i].ctr_port};
		}
	}
	if (!n_ls)
		goto out;
	pid_t parent = getpid();
	pid = fork();
	if (pid < 0) {
		holt_err_set(err, errno, "network: start the port proxy");
		goto out;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		prctl(PR_SET_NAME, "holt-ports");
		signal(SIGPIPE, SIG_IGN);
		close_others(ls, n_ls, pidfd);
		if (setns(pidfd, CLONE_NEWNET) < 0 ||
		    privileges_drop_all(&(struct holt_err){0}) < 0)
			_exit(1);
		serve(ls, n_ls, pidfd, ctr);
	}
out:
	for (size_t i = 0; i < n_ls; i++)
		close(ls[i].fd);
	free(ls);
	return pid;
}
