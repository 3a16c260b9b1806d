/* Each call is answered from the calling thread's own descriptor (pidfd_getfd) and the
 * address read once into the helper: a listen is done here on that socket, and a
 * connect on a host socket is answered here too, so that no other thread can swap a
 * host socket or another address in between the check and the call. A connect let
 * through (a container socket's to its own network, or a unix socket's, whose path only
 * the caller can resolve) can still be raced: other threads may put a host socket on
 * the descriptor and another address in memory before the kernel reads them, and so
 * disconnect a host socket, then connect it anywhere the host's namespace reaches, its
 * loopback beyond 127.0.0.1 included. Tried here: a program doing so wins in a few
 * attempts. It cannot listen: no listen is let through. */
#include "net/tcp_bypass.h"
#include "core/base/util.h"
#include "net/bypass_doorway.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/net.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* Blocking connects waiting for their answer; past this, slirp carries new ones. */
enum { MAX_PENDING = 256, MAX_EVENTS = 16 };

enum op { OP_CONNECT, OP_LISTEN };

/* What became of a call, beside an error (<= 0) to answer it with. */
enum { ANSWERED = 1, LET_THROUGH = 2 };

struct call {
	enum op op;
	int fd;
	uint64_t addr, addrlen; /* connect */
	int backlog;		/* listen */
};

/* The numbers of the calls the filter sends, for one architecture it lets in. */
struct arch_calls {
	uint32_t arch;			 /* AUDIT_ARCH_* as in seccomp_data */
	uint32_t token;			 /* SCMP_ARCH_* */
	int connect, listen, socketcall; /* -1: none there, or libseccomp names the call
					  * only as socketcall's (x86's, before 2.6) */
};

/* What an epoll event of the helper's names, beside the timer and the doorway. */
enum item { ITEM_SOURCE, ITEM_PENDING, ITEM_VISITOR };

/* A seccomp listener: the container's, or one of a process holt exec started, handed
 * over through the doorway (net/bypass_doorway.h). */
struct source {
	enum item kind;
	int fd;
	struct source *next;
};

/* holt exec at the doorway, its listener still to come. */
struct visitor {
	enum item kind;
	int conn;
};

/* A blocking connect made here, answered once it completes. */
struct pending {
	enum item kind;
	struct source *source; /* whose call it answers */
	uint64_t id;
	pid_t tid;
	int fd; /* the container's */
	bool cloexec;
	int sock; /* ours */
	struct sockaddr_storage dst;
	socklen_t dst_len;
	struct timespec deadline; /* SO_SNDTIMEO's, as the kernel applies it to connect;
				   * 0: none */
	struct pending *next;
};

struct tcp_bypass {
	int epoll;
	int doorway; /* where holt exec hands over its processes' listeners, or -1 */
	struct source *sources;
	int timer; /* a timerfd at the earliest deadline of a pending connect */
	ino_t ctr_ns, host_ns;
	struct in_addr network, mask, gateway;
	struct in6_addr network6, gateway6;
	unsigned prefix6;
	bool ipv6;
	struct arch_calls arches[3];
	size_t n_arches;
	struct pending *pending;
	size_t n_pending;
};

enum sock_ns { NS_CONTAINER, NS_HOST, NS_OTHER };

static ino_t ns_inode(int ns)
{
	struct stat st;
	int r = ns < 0 ? -1 : fstat(ns, &st);
	if (ns >= 0)
		close(ns);
	return r < 0 ? 0 : st.st_ino;
}

static int resolve(uint32_t token, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(token, name);
	return nr < 0 ? -1 : nr;
}

/* x32's calls come with x86_64's audit architecture and numbers of their own. */
static void add_arch(struct tcp_bypass *b, uint32_t token, uint32_t audit)
{
	b->arches[b->n_arches++] = (struct arch_calls){.arch = audit,
						       .token = token,
						       .connect = resolve(token, "connect"),
						       .listen = resolve(token, "listen"),
						       .socketcall = resolve(token, "socketcall")};
}

/* The connect filter's archMap (core/seccomp-connect.json), which is the default
 * profile's: a call of an architecture the filter names and this does not would go
 * unread. */
static void add_arches(struct tcp_bypass *b)
{
	static const struct {
		uint32_t native, sub[2];
	} subs[] = {
	    {SCMP_ARCH_X86_64, {SCMP_ARCH_X86, SCMP_ARCH_X32}},
	    {SCMP_ARCH_AARCH64, {SCMP_ARCH_ARM, 0}},
	    {SCMP_ARCH_PPC64LE, {SCMP_ARCH_PPC64, SCMP_ARCH_PPC}},
	    {SCMP_ARCH_S390X, {SCMP_ARCH_S390, 0}},
	};
	uint32_t native = seccomp_arch_native();
	add_arch(b, native, native);
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		for (size_t k = 0; k < 2 && subs[i].native == native && subs[i].sub[k]; k++) {
			uint32_t sub = subs[i].sub[k];
			add_arch(b, sub, sub == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : sub);
		}
}

/* Serves the listener fd (taking it) from now on. */
static int source_add(struct tcp_bypass *b, int fd)
{
	struct source *src = xzalloc(sizeof *src);
	*src = (struct source){.kind = ITEM_SOURCE, .fd = fd, .next = b->sources};
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = src};
	if (epoll_ctl(b->epoll, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;
		close(fd);
		free(src);
		return errno = e, -1;
	}
	b->sources = src;
	return 0;
}

struct tcp_bypass *tcp_bypass_new(int listener, int doorway, int tap, const struct slirp_net *net,
				  struct holt_err *err)
{
	struct tcp_bypass *b = xzalloc(sizeof *b);
	struct epoll_event dev = {.events = EPOLLIN, .data.ptr = &b->doorway};

	/* the tap's namespace is there as long as the tap, whether or not the container's
	 * process still is */
	*b = (struct tcp_bypass){.doorway = doorway,
				 .ctr_ns = ns_inode(ioctl(tap, TUNGETDEVNETNS)),
				 .host_ns =
				     ns_inode(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)),
				 .network = net->network,
				 .mask = {.s_addr = htonl(~0U << (32 - net->prefix))},
				 .gateway = net->gateway,
				 .network6 = net->network6,
				 .gateway6 = net->gateway6,
				 .prefix6 = net->prefix6,
				 .ipv6 = net->ipv6};
	add_arches(b);
	struct epoll_event tev = {.events = EPOLLIN, .data.ptr = &b->timer};
	b->epoll = epoll_create1(EPOLL_CLOEXEC);
	b->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (!b->ctr_ns || !b->host_ns || b->epoll < 0 || b->timer < 0 ||
	    source_add(b, listener) < 0 || epoll_ctl(b->epoll, EPOLL_CTL_ADD, b->timer, &tev) < 0 ||
	    (doorway >= 0 && epoll_ctl(b->epoll, EPOLL_CTL_ADD, doorway, &dev) < 0)) {
		holt_err_set(err, errno, "network: set up the connect bypass on tap0");
		if (b->epoll >= 0)
			close(b->epoll);
		if (b->timer >= 0)
			close(b->timer);
		free(b);
		return NULL;
	}
	return b;
}

int tcp_bypass_fd(const struct tcp_bypass *b)
{
	return b->epoll;
}

/* Answers call id with verdict: an error (<= 0), or LET_THROUGH to the kernel. */
static void answer(const struct source *src, uint64_t id, int verdict)
{
	struct seccomp_notif_resp r = {.id = id};
	if (verdict == LET_THROUGH)
		r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		r.error = verdict;
	ioctl(src->fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

static bool still_waiting(const struct source *src, uint64_t id)
{
	return ioctl(src->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

static int read_mem(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
	return process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* OP_CONNECT or OP_LISTEN for a direct call, -1 for another. Where libseccomp has no
 * number for connect or listen it still filters the direct calls (i386's since Linux 4.3)
 * and knows their names from their numbers. */
static int direct_op(const struct arch_calls *ac, int nr)
{
	if (nr == ac->connect)
		return OP_CONNECT;
	if (nr == ac->listen)
		return OP_LISTEN;
	if (ac->connect >= 0 && ac->listen >= 0)
		return -1;
	cleanup_free char *name = seccomp_syscall_resolve_num_arch(ac->token, nr);
	return !name			      ? -1
	       : strcmp(name, "connect") == 0 ? OP_CONNECT
	       : strcmp(name, "listen") == 0  ? OP_LISTEN
					      : -1;
}

/* 1 with *call, 0 for a call not to be looked into, -1 when socketcall's arguments
 * cannot be read (the kernel would fault them too). */
static int decode(const struct tcp_bypass *b, const struct seccomp_notif *req, struct call *call)
{
	const __u64 *a = req->data.args;
	for (size_t i = 0; i < b->n_arches; i++) {
		const struct arch_calls *ac = &b->arches[i];
		int nr = req->data.nr;
		if (ac->arch != req->data.arch)
			continue;
		if (nr == ac->socketcall) {
			uint32_t v[3];
			if (a[0] != SYS_CONNECT && a[0] != SYS_LISTEN)
				continue;
			if (read_mem(req->pid, a[1], v, a[0] == SYS_CONNECT ? 12 : 8) < 0)
				return -1;
			*call = a[0] == SYS_CONNECT
				    ? (struct call){OP_CONNECT, (int)v[0], v[1], v[2], 0}
				    : (struct call){OP_LISTEN, (int)v[0], 0, 0, (int)v[1]};
			return 1;
		}
		switch (direct_op(ac, nr)) {
		case OP_CONNECT:
			*call = (struct call){OP_CONNECT, (int)a[0], a[1], a[2], 0};
			return 1;
		case OP_LISTEN:
			*call = (struct call){OP_LISTEN, (int)a[0], 0, 0, (int)a[1]};
			return 1;
		}
	}
	return 0;
}

/* Where a connect to a goes: within the container's network (slirp's to carry), to the
 * gateway (a becomes the host's loopback, as slirp makes it), or outside. */
enum dest { DEST_CONTAINER, DEST_GATEWAY, DEST_OUTSIDE };

static enum dest dest4(const struct tcp_bypass *b, struct in_addr *a)
{
	uint32_t h = ntohl(a->s_addr);
	if (a->s_addr == b->gateway.s_addr) {
		a->s_addr = htonl(INADDR_LOOPBACK);
		return DEST_GATEWAY;
	}
	if ((h >> 24) == 127 || h == INADDR_ANY || h == INADDR_BROADCAST || IN_MULTICAST(h) ||
	    (a->s_addr & b->mask.s_addr) == b->network.s_addr)
		return DEST_CONTAINER;
	return DEST_OUTSIDE;
}

static bool in_prefix6(const struct in6_addr *a, const struct in6_addr *net, unsigned prefix)
{
	unsigned bytes = prefix / 8, bits = prefix % 8;
	if (memcmp(a->s6_addr, net->s6_addr, bytes))
		return false;
	return !bits || !((a->s6_addr[bytes] ^ net->s6_addr[bytes]) & (0xff00 >> bits));
}

static enum dest dest6(const struct tcp_bypass *b, struct in6_addr *a)
{
	if (IN6_IS_ADDR_V4MAPPED(a)) {
		struct in_addr v4;
		memcpy(&v4, &a->s6_addr[12], 4);
		enum dest d = dest4(b, &v4);
		memcpy(&a->s6_addr[12], &v4, 4);
		return d;
	}
	if (b->ipv6 && IN6_ARE_ADDR_EQUAL(a, &b->gateway6)) {
		*a = in6addr_loopback;
		return DEST_GATEWAY;
	}
	if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
	    IN6_IS_ADDR_MULTICAST(a) || (b->ipv6 && in_prefix6(a, &b->network6, b->prefix6)))
		return DEST_CONTAINER;
	return DEST_OUTSIDE;
}

static int sockopt_int(int sock, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof v;
	return getsockopt(sock, level, name, &v, &len) < 0 ? -1 : v;
}

static bool is_tcp(int sock, int family)
{
	return sockopt_int(sock, SOL_SOCKET, SO_DOMAIN) == family &&
	       sockopt_int(sock, SOL_SOCKET, SO_TYPE) == SOCK_STREAM &&
	       sockopt_int(sock, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP;
}

/* Whose namespace sock is in: one the helper cannot see into is not the container's. */
static enum sock_ns sock_ns(const struct tcp_bypass *b, int sock)
{
	struct stat st;
	int ns = ioctl(sock, SIOCGSKNS);
	if (ns < 0)
		return NS_HOST;
	int r = fstat(ns, &st);
	close(ns);
	if (r < 0 || st.st_ino == b->host_ns)
		return NS_HOST;
	return st.st_ino == b->ctr_ns ? NS_CONTAINER : NS_OTHER;
}

static bool has_port(int sock)
{
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof ss;
	if (getsockname(sock, (struct sockaddr *)&ss, &len) < 0)
		return false;
	if (ss.ss_family == AF_INET)
		return ((struct sockaddr_in *)&ss)->sin_port != 0;
	return ss.ss_family == AF_INET6 && ((struct sockaddr_in6 *)&ss)->sin6_port != 0;
}

static bool bound_to_device(int sock)
{
	char name[64] = "";
	socklen_t len = sizeof name;
	return getsockopt(sock, SOL_SOCKET, SO_BINDTODEVICE, name, &len) == 0 && len > 0 && name[0];
}

/* The options a program sets before connecting, copied where the container's socket
 * differs from a new one: a default is never set, so never locked (buffer sizes). */
static void copy_options(int from, int to, int family)
{
	static const struct {
		int family, level, name;
		bool doubled; /* the kernel reports twice what was set */
	} options[] = {
	    {0, SOL_SOCKET, SO_KEEPALIVE, false},
	    {0, SOL_SOCKET, SO_LINGER, false},
	    {0, SOL_SOCKET, SO_RCVTIMEO, false},
	    {0, SOL_SOCKET, SO_SNDTIMEO, false},
	    {0, SOL_SOCKET, SO_OOBINLINE, false},
	    {0, SOL_SOCKET, SO_RCVLOWAT, false},
	    {0, SOL_SOCKET, SO_PRIORITY, false},
	    {0, SOL_SOCKET, SO_RCVBUF, true},
	    {0, SOL_SOCKET, SO_SNDBUF, true},
	    {0, IPPROTO_TCP, TCP_NODELAY, false},
	    {0, IPPROTO_TCP, TCP_CORK, false},
	    {0, IPPROTO_TCP, TCP_MAXSEG, false},
	    {0, IPPROTO_TCP, TCP_KEEPIDLE, false},
	    {0, IPPROTO_TCP, TCP_KEEPINTVL, false},
	    {0, IPPROTO_TCP, TCP_KEEPCNT, false},
	    {0, IPPROTO_TCP, TCP_SYNCNT, false},
	    {0, IPPROTO_TCP, TCP_LINGER2, false},
	    {0, IPPROTO_TCP, TCP_USER_TIMEOUT, false},
	    {0, IPPROTO_TCP, TCP_NOTSENT_LOWAT, false},
	    {0, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, false},
	    {0, IPPROTO_TCP, TCP_CONGESTION, false},
	    {AF_INET, IPPROTO_IP, IP_TOS, false},
	    {AF_INET6, IPPROTO_IPV6, IPV6_V6ONLY, false},
	    {AF_INET6, IPPROTO_IPV6, IPV6_TCLASS, false},
	};
	for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
		char want[64], have[64];
		socklen_t wlen = sizeof want, hlen = sizeof have;
		if ((options[i].family && options[i].family != family) ||
		    getsockopt(from, options[i].level, options[i].name, want, &wlen) < 0 ||
		    getsockopt(to, options[i].level, options[i].name, have, &hlen) < 0 ||
		    (wlen == hlen && !memcmp(want, have, wlen)))
			continue;
		if (options[i].doubled && wlen == sizeof(int)) {
			int v;
			memcpy(&v, want, sizeof v);
			v /= 2;
			memcpy(want, &v, sizeof v);
		}
		setsockopt(to, options[i].level, options[i].name, want, wlen);
	}
}

/* Whether fd is close-on-exec in tid, from its fdinfo (the flags are the thread's). */
static bool fd_cloexec(pid_t tid, int fd)
{
	char path[64], text[256];
	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)tid, fd);
	cleanup_close int info = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = info < 0 ? -1 : read(info, text, sizeof text - 1);
	if (n <= 0)
		return false;
	text[n] = '\0';
	const char *flags = strstr(text, "flags:");
	return flags && (strtoul(flags + 6, NULL, 8) & O_CLOEXEC);
}

/* Puts sock in place of the container's fd and answers: error 0 or -EINPROGRESS. A
 * connect that failed leaves the container's socket as it was. */
static void finish(const struct source *src, uint64_t id, int fd, bool cloexec, int sock, int error)
{
	if (error && error != -EINPROGRESS) {
		close(sock);
		answer(src, id, error);
		return;
	}
	struct seccomp_notif_addfd add = {.id = id,
					  .flags = SECCOMP_ADDFD_FLAG_SETFD,
					  .srcfd = (__u32)sock,
					  .newfd = (__u32)fd,
					  .newfd_flags = cloexec ? O_CLOEXEC : 0};
	int r = ioctl(src->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	int e = errno;
	close(sock);
	if (r < 0 && e == ENOENT) /* the call was interrupted: nobody to answer */
		return;
	answer(src, id, r < 0 ? -e : error);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void set_deadline(int theirs, struct timespec *deadline)
{
	struct timeval tv = {0};
	socklen_t len = sizeof tv;
	*deadline = (struct timespec){0};
	if (getsockopt(theirs, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) < 0 ||
	    (!tv.tv_sec && !tv.tv_usec))
		return;
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += tv.tv_sec + (deadline->tv_nsec / 1000 + tv.tv_usec) / 1000000;
	deadline->tv_nsec = (deadline->tv_nsec / 1000 + tv.tv_usec) % 1000000 * 1000;
}

/* The timer at the earliest deadline, or disarmed. */
static void arm_timer(const struct tcp_bypass *b)
{
	struct itimerspec it = {0};
	for (const struct pending *p = b->pending; p; p = p->next)
		if (p->deadline.tv_sec &&
		    (!it.it_value.tv_sec || before(&p->deadline, &it.it_value)))
			it.it_value = p->deadline;
	timerfd_settime(b->timer, TFD_TIMER_ABSTIME, &it, NULL);
}

static struct pending *find_pending(const struct tcp_bypass *b, const struct source *src, pid_t tid,
				    int fd, const struct sockaddr_storage *dst, socklen_t len)
{
	for (struct pending *p = b->pending; p; p = p->next)
		if (p->source == src && p->tid == tid && p->fd == fd && p->dst_len == len &&
		    !memcmp(&p->dst, dst, len))
			return p;
	return NULL;
}

static int connect_from_host(struct tcp_bypass *b, struct source *src,
			     const struct seccomp_notif *req, int fd, int theirs,
			     const struct sockaddr_storage *dst, socklen_t len)
{
	/* A blocking connect interrupted by a signal comes again once restarted: the one
	 * under way answers the new call. */
	struct pending *p = find_pending(b, src, (pid_t)req->pid, fd, dst, len);
	if (p) {
		p->id = req->id;
		return ANSWERED;
	}
	int flags = fcntl(theirs, F_GETFL);
	bool blocking = flags >= 0 && !(flags & O_NONBLOCK);
	if (blocking && b->n_pending >= MAX_PENDING)
		return LET_THROUGH;
	int sock = socket(dst->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (sock < 0)
		return -errno;
	copy_options(theirs, sock, dst->ss_family);
	bool cloexec = fd_cloexec((pid_t)req->pid, fd);
	int error = connect(sock, (const struct sockaddr *)dst, len) < 0 ? -errno : 0;
	if (error != -EINPROGRESS || !blocking) {
		if (blocking && !error)
			fcntl(sock, F_SETFL, flags);
		finish(src, req->id, fd, cloexec, sock, error);
		return ANSWERED;
	}
	p = xzalloc(sizeof *p);
	*p = (struct pending){.kind = ITEM_PENDING,
			      .source = src,
			      .id = req->id,
			      .tid = (pid_t)req->pid,
			      .fd = fd,
			      .cloexec = cloexec,
			      .sock = sock,
			      .dst_len = len,
			      .next = b->pending};
	memcpy(&p->dst, dst, len);
	set_deadline(theirs, &p->deadline);
	struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = p};
	if (epoll_ctl(b->epoll, EPOLL_CTL_ADD, sock, &ev) < 0) {
		int e = errno;
		close(sock);
		free(p);
		return -e;
	}
	b->pending = p;
	b->n_pending++;
	arm_timer(b);
	return ANSWERED;
}

/* Answers a pending connect: connected or failed, or still in progress at its
 * deadline, when the kernel's own connect would give up waiting too. */
static void complete(struct tcp_bypass *b, struct pending *done, bool timed_out)
{
	for (struct pending **p = &b->pending; *p; p = &(*p)->next)
		if (*p == done) {
			*p = done->next;
			break;
		}
	b->n_pending--;
	epoll_ctl(b->epoll, EPOLL_CTL_DEL, done->sock, NULL);
	int soerr = timed_out ? EINPROGRESS : sockopt_int(done->sock, SOL_SOCKET, SO_ERROR);
	if (soerr < 0)
		soerr = EIO; /* no answer from the socket: not a success either */
	int flags = fcntl(done->sock, F_GETFL);
	if (flags >= 0)
		fcntl(done->sock, F_SETFL, flags & ~O_NONBLOCK);
	finish(done->source, done->id, done->fd, done->cloexec, done->sock, soerr ? -soerr : 0);
	free(done);
	arm_timer(b);
}

static void expire(struct tcp_bypass *b)
{
	struct timespec now;
	uint64_t ticks;
	ssize_t n = read(b->timer, &ticks, sizeof ticks);
	(void)n;
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (struct pending *p = b->pending, *next; p; p = next) {
		next = p->next;
		if (p->deadline.tv_sec && !before(&now, &p->deadline))
			complete(b, p, true);
	}
}

/* Where a connect goes, from the address read into dst: -1 for one the kernel refuses
 * (too short for its family), else DEST_*. */
static int destination(const struct tcp_bypass *b, struct sockaddr_storage *dst, int len)
{
	if (dst->ss_family == AF_INET && len >= (int)sizeof(struct sockaddr_in))
		return (int)dest4(b, &((struct sockaddr_in *)dst)->sin_addr);
	if (dst->ss_family == AF_INET6 && len >= (int)sizeof(struct sockaddr_in6))
		return (int)dest6(b, &((struct sockaddr_in6 *)dst)->sin6_addr);
	return -1;
}

static int tcp_state(int sock)
{
	struct tcp_info info = {0};
	socklen_t len = sizeof info;
	return getsockopt(sock, IPPROTO_TCP, TCP_INFO, &info, &len) < 0 ? -1 : info.tcpi_state;
}

/* The connect's address, read once into dst: its length as the kernel takes it (an int,
 * the register's lower half), or the kernel's error for it. */
static int read_address(const struct seccomp_notif *req, const struct call *call,
			struct sockaddr_storage *dst)
{
	int len = (int)(uint32_t)call->addrlen;
	if (len < (int)sizeof(sa_family_t) || len > (int)sizeof *dst)
		return -EINVAL;
	return read_mem((pid_t)req->pid, call->addr, dst, (size_t)len) < 0 ? -EFAULT : len;
}

/* A connect on a TCP socket of the host's namespace: one of the helper's, or one given
 * with --preserve-fds. Never let through: the kernel would connect it wherever the
 * address says by the time it reads it, the host's loopback included. So it is answered
 * here as the kernel would, from the socket's state, and a socket not connected is made
 * anew, as a container's is. Disconnecting one (AF_UNSPEC) is refused: it would leave a
 * host socket that a call let through for another could connect. len: read_address's. */
static int connect_host_socket(struct tcp_bypass *b, struct source *src,
			       const struct seccomp_notif *req, int fd, int theirs, int domain,
			       struct sockaddr_storage *dst, int len)
{
	if (len < 0)
		return len;
	if (dst->ss_family == AF_UNSPEC)
		return -EOPNOTSUPP;
	if (dst->ss_family != domain)
		return -EAFNOSUPPORT;
	int d = destination(b, dst, len);
	if (d < 0)
		return -EINVAL;
	if (d == DEST_CONTAINER)
		return -ENETUNREACH; /* the container's own network is out of its reach */
	switch (tcp_state(theirs)) {
	case TCP_CLOSE: {
		int error = sockopt_int(theirs, SOL_SOCKET, SO_ERROR);
		if (error > 0)
			return -error; /* how its connect went, taken as the kernel gives it */
		/* bound by the container to a port of the host's: not to be connected */
		if (has_port(theirs))
			return -EPERM;
		return connect_from_host(b, src, req, fd, theirs, dst, (socklen_t)len);
	}
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
		return -EALREADY;
	case TCP_LISTEN:
		return -EISCONN;
	default:
		/* connected: Linux's answer to a program asking how its connect went */
		return 0;
	}
}

/* The verdict on a connect: ANSWERED, LET_THROUGH, or an error to answer with. */
static int serve_connect(struct tcp_bypass *b, struct source *src, const struct seccomp_notif *req,
			 const struct call *call, int pidfd)
{
	struct sockaddr_storage dst = {0};

	cleanup_close int theirs = (int)syscall(SYS_pidfd_getfd, pidfd, call->fd, 0);
	if (theirs < 0)
		return errno == EBADF ? -EBADF : LET_THROUGH;
	int domain = sockopt_int(theirs, SOL_SOCKET, SO_DOMAIN);
	if (domain < 0)
		return LET_THROUGH; /* not a socket: the kernel says so */
	enum sock_ns ns = sock_ns(b, theirs);
	if (ns != NS_HOST && ns != NS_CONTAINER)
		return LET_THROUGH;
	int len = read_address(req, call, &dst);
	if (ns == NS_HOST && is_tcp(theirs, domain))
		return connect_host_socket(b, src, req, call->fd, theirs, domain, &dst, len);
	if (ns != NS_CONTAINER || len < 0)
		return LET_THROUGH;
	int d = destination(b, &dst, len);
	if (d < 0 || !is_tcp(theirs, dst.ss_family) || d == DEST_CONTAINER || has_port(theirs) ||
	    bound_to_device(theirs))
		return LET_THROUGH;
	return connect_from_host(b, src, req, call->fd, theirs, &dst, (socklen_t)len);
}

/* Done here on the caller's own socket, which cannot change under the check. */
static int serve_listen(const struct tcp_bypass *b, const struct call *call, int pidfd)
{
	cleanup_close int theirs = (int)syscall(SYS_pidfd_getfd, pidfd, call->fd, 0);
	if (theirs < 0)
		return errno == ESRCH ? -EBADF : -errno;
	if (sockopt_int(theirs, SOL_SOCKET, SO_TYPE) < 0)
		return -ENOTSOCK;
	/* one already listening (given with --preserve-fds) only changes its backlog */
	if (sock_ns(b, theirs) == NS_HOST && sockopt_int(theirs, SOL_SOCKET, SO_ACCEPTCONN) != 1)
		return -EPERM;
	return listen(theirs, call->backlog) < 0 ? -errno : 0;
}

static void receive(struct tcp_bypass *b, struct source *src)
{
	struct seccomp_notif req = {0};
	struct call call;

	if (ioctl(src->fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return;
	int r = decode(b, &req, &call);
	if (r <= 0) {
		answer(src, req.id, r < 0 ? -EFAULT : LET_THROUGH);
		return;
	}
	/* the thread's pidfd, checked to be the caller's still (its id not reused) */
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, req.pid, PIDFD_THREAD);
	if (!still_waiting(src, req.id))
		return;
	int verdict;
	if (call.op == OP_CONNECT)
		verdict = pidfd < 0 ? LET_THROUGH : serve_connect(b, src, &req, &call, pidfd);
	else /* a listen not looked into could be a host socket's */
		verdict = pidfd < 0 ? -EPERM : serve_listen(b, &call, pidfd);
	if (verdict != ANSWERED)
		answer(src, req.id, verdict);
}

/* No process of src's filter is left: its pending connects, which nobody waits for,
 * and the listener go. */
static void source_end(struct tcp_bypass *b, struct source *src)
{
	for (struct pending **p = &b->pending; *p;) {
		struct pending *done = *p;
		if (done->source != src) {
			p = &done->next;
			continue;
		}
		*p = done->next;
		b->n_pending--;
		close(done->sock);
		free(done);
	}
	arm_timer(b);
	for (struct source **p = &b->sources; *p; p = &(*p)->next)
		if (*p == src) {
			*p = src->next;
			break;
		}
	close(src->fd);
	free(src);
}

/* holt exec at the doorway: waited for in the loop, as it hands its listener over only
 * once its process has made one. */
static void admit(struct tcp_bypass *b)
{
	int conn;
	while ((conn = bypass_doorway_accept(b->doorway)) >= 0) {
		struct visitor *v = xzalloc(sizeof *v);
		*v = (struct visitor){.kind = ITEM_VISITOR, .conn = conn};
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = v};
		if (epoll_ctl(b->epoll, EPOLL_CTL_ADD, conn, &ev) < 0) {
			close(conn);
			free(v);
		}
	}
}

/* The visitor's listener, served from now on; the visitor leaves either way. */
static void take_source(struct tcp_bypass *b, struct visitor *v)
{
	int fd = bypass_doorway_receive(v->conn);
	if (fd >= 0)
		source_add(b, fd);
	close(v->conn);
	free(v);
}

bool tcp_bypass_supported(void)
{
	int fd = (int)syscall(SYS_pidfd_open, getpid(), PIDFD_THREAD);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void tcp_bypass_serve(struct tcp_bypass *b)
{
	struct epoll_event ev[MAX_EVENTS];
	int n = epoll_wait(b->epoll, ev, MAX_EVENTS, 0);
	/* Pending connects end only in complete(), called for their own event alone: a
	 * later event of this batch never names a freed one. The timer's expiry may end
	 * several, and a source's end its pending ones, so both are looked at last. */
	bool timer = false;
	struct source *ended[MAX_EVENTS];
	size_t n_ended = 0;
	for (int i = 0; i < n; i++) {
		void *item = ev[i].data.ptr;
		if (item == &b->timer)
			timer = true;
		else if (item == &b->doorway)
			admit(b);
		else if (*(enum item *)item == ITEM_VISITOR)
			take_source(b, item);
		else if (*(enum item *)item == ITEM_PENDING)
			complete(b, item, false);
		else if (ev[i].events & EPOLLHUP) /* ended after the batch: see source_end */
			ended[n_ended++] = item;
		else
			receive(b, item);
	}
	if (timer)
		expire(b);
	for (size_t i = 0; i < n_ended; i++)
		source_end(b, ended[i]);
}
