/* libslirp glue in slirp4netns's style (published ports go through net/port_proxy.c,
 * ~3x faster than slirp's host forwards, and keeping the clients' addresses): each
 * SlirpCb callback a static function named after its member, one poll loop over the tap,
 * the container's pidfd and slirp's own sockets. Runs in a forked child that never
 * returns. */
#include "net/slirp_helper.h"
#include "core/base/util.h"
#include "net/bypass_doorway.h"
#include "net/port_proxy.h"
#include "net/privileges.h"
#include "net/slirp_api.h"
#include "net/tap.h"
#include "net/tcp_bypass.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

enum { TAP_FD = 3, PID_FD = 4, READY_FD = 5, LISTENER_FD = 6, FRAMES_PER_WAKE = 64 };

struct timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms; /* -1: not armed */
	struct timer *next;
};

struct helper {
	int tap;
	int exit_fd; /* readable: time to go (the container's pidfd), or -1 */
	const struct slirp_hooks *hooks;
	const struct slirp_api *api;
	Slirp *slirp;
	struct pollfd *fds;
	size_t n_fds, cap;
	struct timer *timers;
	pid_t proxy;		   /* the TCP port proxy, or 0 */
	struct tcp_bypass *bypass; /* or NULL */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SlirpCb.send_packet: a frame for the container. A full tap queue drops it; TCP resends. */
static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
	const struct helper *h = opaque;
	ssize_t n = write(h->tap, buf, len);
	if (n < 0 && errno == EAGAIN)
		return (ssize_t)len;
	return n;
}

/* SlirpCb.guest_error: the container's own misbehaviour; nobody to tell. */
static void guest_error(const char *msg, void *opaque)
{
}

/* SlirpCb.clock_get_ns */
static int64_t clock_get_ns(void *opaque)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* SlirpCb.timer_new */
static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct helper *h = opaque;
	struct timer *t = xzalloc(sizeof *t);
	*t = (struct timer){.cb = cb, .cb_opaque = cb_opaque, .expire_ms = -1, .next = h->timers};
	h->timers = t;
	return t;
}

/* SlirpCb.timer_free */
static void timer_free(void *timer, void *opaque)
{
	struct helper *h = opaque;
	for (struct timer **p = &h->timers; *p; p = &(*p)->next)
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
}

/* SlirpCb.timer_mod: expire_time is in ms of the same clock as clock_get_ns. */
static void timer_mod(void *timer, int64_t expire_time, void *opaque)
{
	((struct timer *)timer)->expire_ms = expire_time;
}

/* SlirpCb.register_poll_fd, unregister_poll_fd, notify: the loop asks slirp for its
 * fds before every poll, so there is nothing to keep. */
static void register_poll_fd(int fd, void *opaque)
{
}

static void unregister_poll_fd(int fd, void *opaque)
{
}

static void notify(void *opaque)
{
}

static const SlirpCb callbacks = {
    .send_packet = send_packet,
    .guest_error = guest_error,
    .clock_get_ns = clock_get_ns,
    .timer_new = timer_new,
    .timer_free = timer_free,
    .timer_mod = timer_mod,
    .register_poll_fd = register_poll_fd,
    .unregister_poll_fd = unregister_poll_fd,
    .notify = notify,
};

static int add_poll(int fd, int events, void *opaque)
{
	struct helper *h = opaque;
	short ev = 0;
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	if (h->n_fds == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->fds = xrealloc(h->fds, h->cap * sizeof *h->fds);
	}
	h->fds[h->n_fds] = (struct pollfd){.fd = fd, .events = ev};
	return (int)h->n_fds++;
}

static int get_revents(int idx, void *opaque)
{
	struct helper *h = opaque;
	short rev = h->fds[idx].revents;
	int events = 0;
	if (rev & POLLIN)
		events |= SLIRP_POLL_IN;
	if (rev & POLLOUT)
		events |= SLIRP_POLL_OUT;
	if (rev & POLLPRI)
		events |= SLIRP_POLL_PRI;
	if (rev & POLLERR)
		events |= SLIRP_POLL_ERR;
	if (rev & POLLHUP)
		events |= SLIRP_POLL_HUP;
	return events;
}

static void run_timers(struct helper *h)
{
	int64_t now = now_ms();
	/* A callback may re-arm or free timers: restart the walk after each. */
	for (bool fired = true; fired;) {
		fired = false;
		for (struct timer *t = h->timers; t; t = t->next)
			if (t->expire_ms >= 0 && t->expire_ms <= now) {
				t->expire_ms = -1;
				t->cb(t->cb_opaque);
				fired = true;
				break;
			}
	}
}

static int poll_timeout(const struct helper *h, uint32_t slirp_ms)
{
	int64_t timeout = slirp_ms == UINT32_MAX ? -1 : (int64_t)slirp_ms;
	int64_t now = now_ms();
	for (const struct timer *t = h->timers; t; t = t->next)
		if (t->expire_ms >= 0) {
			int64_t left = t->expire_ms > now ? t->expire_ms - now : 0;
			if (timeout < 0 || left < timeout)
				timeout = left;
		}
	return (int)timeout;
}

static void read_tap(struct helper *h)
{
	static uint8_t frame[SLIRP_MTU + 14];
	for (int i = 0; i < FRAMES_PER_WAKE; i++) {
		ssize_t n = read(h->tap, frame, sizeof frame);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			_exit(0); /* the tap went with the container's network namespace */
		if (h->hooks && h->hooks->frame &&
		    h->hooks->frame(h->hooks->opaque, frame, (size_t)n))
			continue;
		h->api->input(h->slirp, frame, (int)n);
	}
}

static int tick_timeout(const struct helper *h, int timeout, int64_t next_tick)
{
	if (next_tick < 0)
		return timeout;
	int64_t left = next_tick > now_ms() ? next_tick - now_ms() : 0;
	return timeout < 0 || left < timeout ? (int)left : timeout;
}

static __attribute__((noreturn)) void loop(struct helper *h)
{
	const struct slirp_hooks *k = h->hooks;
	int64_t next_tick = k && k->tick ? now_ms() + k->tick_ms : -1;
	for (;;) {
		uint32_t slirp_ms = UINT32_MAX;
		h->n_fds = 0;
		add_poll(h->tap, SLIRP_POLL_IN, h);
		add_poll(h->exit_fd, SLIRP_POLL_IN, h);
		add_poll(k ? k->watch_fd : -1, SLIRP_POLL_IN, h);
		add_poll(h->bypass ? tcp_bypass_fd(h->bypass) : -1, SLIRP_POLL_IN, h);
		h->api->pollfds_fill(h->slirp, &slirp_ms, add_poll, h);
		int ret =
		    poll(h->fds, h->n_fds, tick_timeout(h, poll_timeout(h, slirp_ms), next_tick));
		if (ret < 0 && errno != EINTR)
			_exit(1);
		if (ret > 0 && h->fds[1].revents) {
			/* the container has exited; the proxy exits with it, reaped here so that
			 * no zombie is handed to init */
			if (h->proxy > 0)
				kill(h->proxy, SIGKILL), waitpid(h->proxy, NULL, 0);
			_exit(0);
		}
		if (ret > 0 && h->fds[0].revents & POLLIN)
			read_tap(h);
		if (ret > 0 && k && h->fds[2].revents) /* fd -1 (no hooks) never has any */
			k->watch(k->opaque);
		if (ret > 0 && h->fds[3].revents)
			tcp_bypass_serve(h->bypass);
		h->api->pollfds_poll(h->slirp, ret < 0, get_revents, h);
		run_timers(h);
		if (k && next_tick >= 0 && now_ms() >= next_tick) {
			k->tick(k->opaque);
			next_tick = now_ms() + k->tick_ms;
		}
	}
}

/* libslirp reads the host's resolvers from /etc/resolv.conf alone; another source is
 * bound over it in a mount namespace of the helper's own. */
static int use_resolv_conf(const char *path, struct holt_err *err)
{
	if (!path)
		return 0;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
		return holt_err_set(err, errno, "use \"%s\" as the host's resolv.conf", path);
	return 0;
}

static int start_slirp(struct helper *h, const struct slirp_net *net, const char *resolv_conf,
		       struct holt_err *err)
{
	SlirpConfig sc = {
	    .version = 4,
	    .restricted = net->restricted,
	    .in_enabled = true,
	    .if_mtu = SLIRP_MTU,
	    .if_mru = SLIRP_MTU,
	    .vnetwork = net->network,
	    .vnetmask = {.s_addr = htonl(~0U << (32 - net->prefix))},
	    .vhost = net->gateway,
	    .vnameserver = net->dns,
	    .in6_enabled = net->ipv6,
	    .vprefix_addr6 = net->network6,
	    .vprefix_len = (uint8_t)net->prefix6,
	    .vhost6 = net->gateway6,
	    .vnameserver6 = net->dns6,
	};
	/* no DHCP is served to anyone: addresses are set statically; this one is unused */
	sc.vdhcp_start.s_addr = htonl(ntohl(net->network.s_addr) + 15);
	if (use_resolv_conf(resolv_conf, err) < 0 || !(h->api = slirp_api(err)))
		return -1;
	h->slirp = h->api->new (&sc, &callbacks, h);
	if (!h->slirp)
		return holt_err_set(err, 0, "start libslirp");
	return 0;
}

void slirp_net_default(struct slirp_net *net, bool ipv6)
{
	*net = (struct slirp_net){.prefix = SLIRP_PREFIX, .ipv6 = ipv6, .prefix6 = SLIRP_PREFIX6};
	inet_pton(AF_INET, SLIRP_NETWORK, &net->network);
	inet_pton(AF_INET, SLIRP_GATEWAY, &net->gateway);
	inet_pton(AF_INET, SLIRP_DNS, &net->dns);
	inet_pton(AF_INET6, SLIRP_NETWORK6, &net->network6);
	inet_pton(AF_INET6, SLIRP_GATEWAY6, &net->gateway6);
	inet_pton(AF_INET6, SLIRP_DNS6, &net->dns6);
}

void slirp_helper_serve(int tap, int ready, const struct slirp_net *net, const char *resolv_conf,
			const struct slirp_hooks *hooks)
{
	struct holt_err err = {0};
	struct helper h = {.tap = tap, .exit_fd = -1, .hooks = hooks};
	if (start_slirp(&h, net, resolv_conf, &err) < 0 || privileges_drop_all(&err) < 0) {
		dprintf(ready, "%s", err.msg ? err.msg : "start libslirp");
		_exit(1);
	}
	if (write(ready, "ok", 2) != 2)
		_exit(1);
	close(ready);
	loop(&h);
}

/* Puts the fds the helper keeps at TAP_FD, PID_FD, READY_FD and LISTENER_FD (where
 * there is one) and closes the rest. */
static int keep_fds(int tap, int pidfd, int ready, int listener)
{
	int fds[4] = {tap, pidfd, ready, listener};
	int n = listener >= 0 ? 4 : 3;
	for (int i = 0; i < n; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10)) < 0)
			return -1;
	for (int i = 0; i < n; i++)
		if (dup3(fds[i], TAP_FD + i, O_CLOEXEC) < 0)
			return -1;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	close_range(TAP_FD + n, ~0U, 0);
	return 0;
}

static __attribute__((noreturn)) void helper_main(const struct slirp_helper_config *cfg, int ready,
						  pid_t parent)
{
	struct holt_err err = {0};
	struct helper h = {.tap = TAP_FD, .exit_fd = PID_FD};
	struct slirp_net net;
	struct in_addr ctr;
	struct in6_addr ctr6;

	slirp_net_default(&net, cfg->ipv6);
	inet_pton(AF_INET, SLIRP_ADDRESS, &ctr);
	inet_pton(AF_INET6, SLIRP_ADDRESS6, &ctr6);
	struct port_proxy_config proxy = {.maps = cfg->ports,
					  .n = cfg->n_ports,
					  .pidfd = PID_FD,
					  .ctr = ctr,
					  .ctr6 = cfg->ipv6 ? &ctr6 : NULL,
					  .ipv6 = cfg->ipv6};
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, "holt-net");
	signal(SIGPIPE, SIG_IGN);
	if (keep_fds(cfg->tap_fd, cfg->pidfd, ready, cfg->listener) < 0) {
		dprintf(ready, "set up the net helper's descriptors: %s", strerror(errno));
		_exit(1);
	}
	int doorway = -1;
	if ((cfg->listener >= 0 &&
	     ((doorway = bypass_doorway_open(cfg->run_dir, &err)) < 0 ||
	      !(h.bypass = tcp_bypass_new(LISTENER_FD, doorway, TAP_FD, &net, &err)))) ||
	    (h.proxy = port_proxy_start(&proxy, &err)) < 0 ||
	    start_slirp(&h, &net, cfg->resolv_conf, &err) < 0 ||
	    privileges_drop_all_but(h.bypass ? 1ULL << CAP_SYS_PTRACE | 1ULL << CAP_NET_ADMIN : 0,
				    &err) < 0) {
		dprintf(READY_FD, "%s", err.msg ? err.msg : "start libslirp");
		_exit(1);
	}
	if (write(READY_FD, "ok", 2) != 2)
		_exit(1);
	close(READY_FD);
	loop(&h);
}

void slirp_helper_preload(void)
{
	struct holt_err err = {0};
	slirp_api(&err);
	holt_err_release(&err);
}

pid_t slirp_helper_start(const struct slirp_helper_config *cfg, struct holt_err *err)
{
	int ready[2];
	char buf[1024];

	if (pipe2(ready, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "network: create the net helper's pipe");
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(ready[0]), close(ready[1]);
		return holt_err_set(err, e, "network: start the net helper");
	}
	if (pid == 0) {
		close(ready[0]);
		helper_main(cfg, ready[1], parent);
	}
	close(ready[1]);
	size_t len = read_report_pipe(ready[0], buf, sizeof buf);
	close(ready[0]);
	if (strcmp(buf, "ok") == 0)
		return pid;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return holt_err_set(err, 0, "network: %s", len ? buf : "the net helper died");
}
