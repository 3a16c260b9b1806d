/* One process, one poll loop: host listeners (bound before the proxy joins the
 * container's network namespace, so they stay the host's), and per connection two
 * directions, each a pipe that splice() moves bytes through without copying them. */
#include "net/port_proxy.h"
#include "core/base/util.h"
#include "net/port_proxy_source.h"
#include "net/port_proxy_udp.h"
#include "net/privileges.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CHUNK = 1 << 20 };

/* A connection holds six fds: its two sockets and a pipe each way. */
enum { FDS_PER_CONN = 6, FDS_SPARE = 32, LISTENER_REST_MS = 100 };

struct direction {
	int src, dst;
	int pipe[2];
	size_t pending; /* bytes in the pipe */
	bool eof, done;
};

struct conn {
	struct direction dir[2];
	/* connecting over IPv6 from the client's own address: a refusal (a container
	 * listening on IPv4 alone) makes it connect again over IPv4, as the client's family
	 * is the proxy's business, not the container's */
	bool over_ipv6;
	uint16_t ctr_port;
	struct sockaddr_storage peer;
	struct conn *next;
};

struct listener {
	int fd;
	uint16_t ctr_port;
	bool udp;
};

static void conn_close(struct conn *c)
{
	close(c->dir[0].src);
	close(c->dir[0].dst);
	for (int i = 0; i < 2; i++)
		close(c->dir[i].pipe[0]), close(c->dir[i].pipe[1]);
	free(c);
}

/* Moves what it can from src to the pipe and from the pipe to dst; returns false when
 * the container refused a connection over IPv6, which is then left as it was. */
static bool pump(struct conn *c, int i)
{
	struct direction *d = &c->dir[i], *other = &c->dir[1 - i];
	if (!d->eof && d->pending < CHUNK) {
		ssize_t n = splice(d->src, NULL, d->pipe[1], NULL, CHUNK - d->pending,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n < 0 && errno == ECONNREFUSED && c->over_ipv6)
			return false;
		if (n > 0) {
			d->pending += (size_t)n;
		} else if (n == 0 || errno != EAGAIN) {
			d->eof = true;
			/* a reset, or the container refused the connection: nothing more can go
			 * the other way */
			if (n < 0)
				other->done = true;
		}
	}
	if (d->pending) {
		ssize_t n = splice(d->pipe[0], NULL, d->dst, NULL, d->pending,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n < 0 && errno == ECONNREFUSED && c->over_ipv6)
			return false;
		if (n > 0) {
			d->pending -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN) {
			/* the peer is gone: so is the connection, both ways */
			d->done = other->done = true;
			return true;
		}
	}
	if (d->eof && !d->pending && !d->done) {
		shutdown(d->dst, SHUT_WR);
		d->done = true;
	}
	return true;
}

/* A socket connecting (not waited for) to the container's port: over IPv6 from the
 * client's own address where that can be, else over IPv4. */
static int connect_container(struct conn *c, struct in_addr ctr, const struct proxy_source *ps)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int server = c->over_ipv6 ? proxy_source_socket6(ps, &c->peer) : -1;
	if (server >= 0) {
		struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&ss;
		*sa6 = (struct sockaddr_in6){.sin6_family = AF_INET6,
					     .sin6_port = htons(c->ctr_port),
					     .sin6_addr = ps->ctr6};
		len = sizeof *sa6;
	} else {
		struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
		*sa = (struct sockaddr_in){
		    .sin_family = AF_INET, .sin_port = htons(c->ctr_port), .sin_addr = ctr};
		len = sizeof *sa;
		c->over_ipv6 = false;
		server = proxy_source_socket(ps, &c->peer, SOCK_STREAM);
	}
	if (server < 0 || fcntl(server, F_SETFL, O_NONBLOCK) < 0 ||
	    (connect(server, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)) {
		if (server >= 0)
			close(server);
		return -1;
	}
	return server;
}

/* After a refusal over IPv6: the same connection over IPv4, the client's bytes read so
 * far still in the pipe. */
static void reconnect_ipv4(struct conn *c, struct in_addr ctr, const struct proxy_source *ps)
{
	close(c->dir[0].dst);
	c->over_ipv6 = false;
	c->dir[0].dst = c->dir[1].src = connect_container(c, ctr, ps);
	if (c->dir[0].dst < 0)
		c->dir[0].done = c->dir[1].done = true;
}

static struct conn *conn_open(int client, const struct sockaddr_storage *peer, uint16_t ctr_port,
			      struct in_addr ctr, const struct proxy_source *ps)
{
	struct conn *c = xzalloc(sizeof *c);
	*c = (struct conn){.over_ipv6 = true, .ctr_port = ctr_port, .peer = *peer};
	/* In the container's namespace now: the connection is local to it. Not waited for:
	 * a container slow to accept would hold every other connection up. Until it
	 * completes, the splices find no room or no data; a refusal ends it as a reset does. */
	int server = connect_container(c, ctr, ps);
	if (server < 0) {
		close(client);
		free(c);
		return NULL;
	}
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

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What a pollfd of the loop serves. */
struct slot {
	enum { SLOT_EXIT, SLOT_LISTENER, SLOT_DIRECTION, SLOT_FLOW } kind;
	struct listener *listener;
	struct conn *conn;
	int dir;
	struct udp_flow *flow;
};

struct loop {
	struct pollfd *fds;
	struct slot *slots;
	size_t n, cap;
};

static void watch(struct loop *l, int fd, short events, struct slot slot)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->fds = xrealloc(l->fds, l->cap * sizeof *l->fds);
		l->slots = xrealloc(l->slots, l->cap * sizeof *l->slots);
	}
	l->fds[l->n] = (struct pollfd){.fd = fd, .events = events};
	l->slots[l->n++] = slot;
}

/* Returns false when no connection could be taken for want of fds: the listener then
 * stays readable, and watching it would spin the loop. */
static bool accept_conn(struct listener *ls, struct conn **conns, struct in_addr ctr,
			const struct proxy_source *ps)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;
	int client = accept4(ls->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (client < 0)
		return errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM;
	struct conn *c = conn_open(client, &peer, ls->ctr_port, ctr, ps);
	if (c) {
		c->next = *conns;
		*conns = c;
	}
	return true;
}

static void close_done(struct conn **conns)
{
	for (struct conn **p = conns; *p;) {
		struct conn *c = *p;
		if (c->dir[0].done && c->dir[1].done) {
			*p = c->next;
			conn_close(c);
		} else {
			p = &c->next;
		}
	}
}

/* The most connections the proxy serves at once, after raising its fd limit as far as
 * it may (the soft limit is often 1024, the hard one far more), with fds kept for the
 * UDP flows: those beyond wait in the listeners' backlogs until one ends. */
static size_t conn_limit(const struct listener *ls, size_t n_ls)
{
	rlim_t reserved = FDS_SPARE;
	for (size_t i = 0; i < n_ls; i++)
		if (ls[i].udp)
			reserved = FDS_SPARE + UDP_MAX_FLOWS;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	rlim_t usable = rl.rlim_cur > reserved ? rl.rlim_cur - reserved : 0;
	return usable / FDS_PER_CONN ? usable / FDS_PER_CONN : 1;
}

static __attribute__((noreturn)) void serve(struct listener *ls, size_t n_ls, int pidfd,
					    struct in_addr ctr, const struct proxy_source *ps)
{
	struct conn *conns = NULL;
	size_t max_conns = conn_limit(ls, n_ls);
	/* when an accept failed for want of fds: the listeners rest a while */
	int64_t rest_until = 0;
	struct udp_flow *flows = NULL;
	struct loop l = {0};

	for (;;) {
		size_t n_conns = 0;
		for (struct conn *c = conns; c; c = c->next)
			n_conns++;
		l.n = 0;
		watch(&l, pidfd, POLLIN, (struct slot){.kind = SLOT_EXIT});
		for (size_t i = 0; i < n_ls; i++)
			if (ls[i].udp || (n_conns < max_conns && !rest_until))
				watch(&l, ls[i].fd, POLLIN,
				      (struct slot){.kind = SLOT_LISTENER, .listener = &ls[i]});
		for (struct conn *c = conns; c; c = c->next)
			for (int i = 0; i < 2; i++) {
				struct direction *d = &c->dir[i];
				struct slot slot = {.kind = SLOT_DIRECTION, .conn = c, .dir = i};
				if (!d->done)
					watch(&l, d->pending ? d->dst : d->src,
					      d->pending ? POLLOUT : POLLIN, slot);
			}
		for (struct udp_flow *f = flows; f; f = f->next)
			watch(&l, f->inner, POLLIN, (struct slot){.kind = SLOT_FLOW, .flow = f});
		/* with flows, wake now and then to end the idle ones; resting, to try again */
		int timeout = rest_until ? LISTENER_REST_MS : flows ? UDP_FLOW_IDLE_MS / 4 : -1;
		if (poll(l.fds, l.n, timeout) < 0 && errno != EINTR)
			_exit(1);
		int64_t now = now_ms();
		for (size_t i = 0; i < l.n; i++) {
			struct slot *s = &l.slots[i];
			if (!l.fds[i].revents)
				continue;
			if (s->kind == SLOT_EXIT)
				_exit(0); /* the container has exited */
			else if (s->kind == SLOT_LISTENER && s->listener->udp)
				udp_flows_receive(&flows, s->listener->fd, ps, ctr,
						  s->listener->ctr_port, now);
			else if (s->kind == SLOT_LISTENER &&
				 !accept_conn(s->listener, &conns, ctr, ps))
				rest_until = now + LISTENER_REST_MS;
			else if (s->kind == SLOT_DIRECTION && !s->conn->dir[s->dir].done &&
				 !pump(s->conn, s->dir))
				reconnect_ipv4(s->conn, ctr, ps);
			else if (s->kind == SLOT_FLOW)
				udp_flow_reply(s->flow, now);
		}
		close_done(&conns);
		if (now >= rest_until)
			rest_until = 0;
		udp_flows_expire(&flows, now);
	}
}

/* proxy_source_setup for the listeners' ports. */
static void keep_sources(struct proxy_source *ps, const struct listener *ls, size_t n_ls,
			 struct in_addr ctr, const struct in6_addr *ctr6, bool shared6)
{
	cleanup_free uint16_t *tcp = xmalloc((n_ls ? n_ls : 1) * sizeof *tcp);
	cleanup_free uint16_t *udp = xmalloc((n_ls ? n_ls : 1) * sizeof *udp);
	size_t n_tcp = 0, n_udp = 0;
	for (size_t i = 0; i < n_ls; i++)
		if (ls[i].udp)
			udp[n_udp++] = ls[i].ctr_port;
		else
			tcp[n_tcp++] = ls[i].ctr_port;
	proxy_source_setup(ps, tcp, n_tcp, udp, n_udp, ctr, ctr6, shared6);
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
	    socket(v6 ? AF_INET6 : AF_INET,
		   (m->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* SO_REUSEADDR lets a TCP port in TIME_WAIT be taken again; on UDP it would let two
	 * sockets share a port, hiding one in use */
	if (fd < 0 || (!m->udp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, v6 ? sizeof *sa6 : sizeof *sa) < 0 ||
	    (!m->udp && listen(fd, 128) < 0))
		return holt_err_set(err, errno,
				    v6 ? "publish [%s]:%u to %u/%s" : "publish %s:%u to %u/%s", ip,
				    m->host_port, m->ctr_port, m->udp ? "udp" : "tcp");
	return steal_fd(&fd);
}

pid_t port_proxy_start(const struct port_proxy_config *cfg, struct holt_err *err)
{
	const struct port_map *maps = cfg->maps;
	size_t n = cfg->n;
	int pidfd = cfg->pidfd;
	struct in_addr ctr = cfg->ctr;
	struct listener *ls = xmalloc((n ? 2 * n : 1) * sizeof *ls);
	size_t n_ls = 0;
	pid_t pid = 0;

	for (size_t i = 0; i < n; i++) {
		bool v6 = ports_ipv6(&maps[i]);
		/* every address: docker's two listeners, 0.0.0.0 and [::] */
		bool both = !*maps[i].host_ip && cfg->ipv6;
		for (int k = 0; k < (both ? 2 : 1); k++) {
			int fd = listen_on(&maps[i], v6 || k == 1, err);
			if (fd < 0) {
				pid = -1;
				goto out;
			}
			ls[n_ls++] = (struct listener){
			    .fd = fd, .ctr_port = maps[i].ctr_port, .udp = maps[i].udp};
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
		struct proxy_source ps = {0};
		proxy_source_hosts(&ps); /* the host's, before leaving its namespace */
		if (setns(pidfd, CLONE_NEWNET) < 0)
			_exit(1);
		keep_sources(&ps, ls, n_ls, ctr, cfg->ctr6, cfg->subnet6_shared);
		if (privileges_drop_all_but(ps.transparent ? 1ULL << CAP_NET_RAW : 0,
					    &(struct holt_err){0}) < 0)
			_exit(1);
		serve(ls, n_ls, pidfd, ctr, &ps);
	}
out:
	for (size_t i = 0; i < n_ls; i++)
		close(ls[i].fd);
	free(ls);
	return pid;
}
