/* The helper is double-forked and setsid, like a container's monitor: it belongs to no
 * command and outlives the one that started it. It learns that containers left from
 * the kernel (a veth dies with its container's namespace, and rtnetlink says so), and
 * checks every few seconds too, so a start that failed before attaching leaves nothing. */
#include "core/network_netd.h"
#include "core/base/fd_pass.h"
#include "core/base/file.h"
#include "core/base/util.h"
#include "core/network_endpoint.h"
#include "net/dns_reply.h"
#include "net/netlink.h"
#include "net/privileges.h"
#include "net/slirp_helper.h"
#include "net/tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char helper_comm[] = "holt-netd", holder_comm[] = "holt-netns";

enum { CHECK_MS = 5000 };

struct netd {
	char *dir;
	int lock;
	int events; /* rtnetlink link events of the bridge's namespace */
	int query;  /* the same namespace, for dumps */
	int tap;
	const struct network *n;
};

char *netd_dir(const char *runroot, const char *name)
{
	return xasprintf("%s/networks/%s", runroot, name);
}

int netd_lock(const char *dir, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/lock", dir);
	if (mkdir_p(dir, 0700) < 0)
		return holt_err_set(err, errno, "create \"%s\"", dir);
	return file_lock(path, LOCK_EX, err);
}

static bool comm_is(pid_t pid, const char *want)
{
	char path[64], comm[32] = "";
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : -1;
	return n > 0 && strncmp(comm, want, strlen(want)) == 0 && comm[strlen(want)] == '\n';
}

/* The pids the netd file records: the helper's and the holder's; false when none. */
static bool read_pids(const char *dir, int *helper, int *holder)
{
	cleanup_free char *path = xasprintf("%s/netd", dir);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	char text[64] = "";
	ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
	*helper = *holder = 0;
	return n > 0 && sscanf(text, "%d %d", helper, holder) == 2 && *helper > 0 && *holder > 0;
}

pid_t netd_running(const char *dir)
{
	int helper, holder;
	if (!read_pids(dir, &helper, &holder))
		return 0;
	return comm_is(helper, helper_comm) && comm_is(holder, holder_comm) ? holder : 0;
}

int netd_stop(const char *dir, struct holt_err *err)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return errno == ENOENT ? 0 : holt_err_set(err, errno, "stat \"%s\"", dir);
	cleanup_close int lock = netd_lock(dir, err);
	if (lock < 0)
		return -1;
	cleanup_free char *path = xasprintf("%s/netd", dir);
	int helper, holder;
	if (read_pids(dir, &helper, &holder) && comm_is(helper, helper_comm))
		kill(helper, SIGKILL);
	/* gone with the helper's namespace: what is left is files */
	endpoint_prune(dir, NULL);
	cleanup_free char *endpoints = xasprintf("%s/endpoints", dir);
	cleanup_free char *lock_path = xasprintf("%s/lock", dir);
	unlink(path);
	rmdir(endpoints);
	unlink(lock_path);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return holt_err_set(err, errno, "remove \"%s\"", dir);
	return 0;
}

/* --- the helper ------------------------------------------------------------------------ */

static bool lookup(void *opaque, const char *name, struct dns_addrs *addrs)
{
	const struct netd *d = opaque;
	if (!endpoint_lookup(d->dir, name, &addrs->v4))
		return false;
	addrs->has6 = d->n->ipv6;
	if (addrs->has6)
		network_addr6(d->n, addrs->v4, &addrs->v6);
	return true;
}

/* slirp_hooks.frame: DNS for the containers' names. */
static bool on_frame(void *opaque, const uint8_t *frame, size_t len)
{
	static uint8_t reply[1024];
	struct netd *d = opaque;
	size_t n = dns_reply(frame, len, d->n->dns, d->n->internal, lookup, d, reply, sizeof reply);
	if (!n)
		return false;
	ssize_t w = write(d->tap, reply, n);
	(void)w; /* a full queue drops it; the asker retries */
	return true;
}

/* Under the lock, so no container attaches meanwhile: forgets the containers whose veth
 * is gone, and ends the network's run when none is left. */
static void check(void *opaque)
{
	struct netd *d = opaque;
	struct holt_err err = {0};
	cleanup_strv char **alive = NULL;

	if (flock(d->lock, LOCK_EX) < 0)
		return;
	if (nl_link_names(d->query, "v", &alive, &err) < 0) {
		holt_err_release(&err);
		flock(d->lock, LOCK_UN);
		return;
	}
	endpoint_prune(d->dir, alive);
	if (!alive) {
		cleanup_free char *path = xasprintf("%s/netd", d->dir);
		unlink(path);
		_exit(0); /* the lock goes with us; the holder and its namespace with SIGKILL */
	}
	flock(d->lock, LOCK_UN);
}

/* slirp_hooks.watch: a link came or went. */
static void on_event(void *opaque)
{
	struct netd *d = opaque;
	char buf[8192];
	while (recv(d->events, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
	check(d);
}

static int make_tap(struct holt_err *err)
{
	struct ifreq ifr = {.ifr_name = SLIRP_TAP_NAME, .ifr_flags = IFF_TAP | IFF_NO_PI};
	cleanup_close int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return holt_err_set(err, errno, "open \"/dev/net/tun\"");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return holt_err_set(err, errno, "create \"%s\"", SLIRP_TAP_NAME);
	return steal_fd(&fd);
}

/* In the holder, in its new namespace: lo, br0, and the tap on br0. */
static int build_bridge(int nl, int *tap, struct holt_err *err)
{
	if (nl_link_up(nl, (int)if_nametoindex("lo"), 0, 0, err) < 0 ||
	    nl_bridge_create(nl, NETD_BRIDGE, SLIRP_MTU, err) < 0 || (*tap = make_tap(err)) < 0)
		return -1;
	return nl_link_up(nl, (int)if_nametoindex(SLIRP_TAP_NAME), (int)if_nametoindex(NETD_BRIDGE),
			  SLIRP_MTU, err);
}

static __attribute__((noreturn)) void holder_main(int sock, int ready, pid_t parent)
{
	struct holt_err err = {0};
	int tap = -1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, holder_comm);
	cleanup_close int nl = -1;
	if (unshare(CLONE_NEWNET) < 0)
		holt_err_set(&err, errno, "create its network namespace");
	else if ((nl = nl_open(0, &err)) >= 0 && build_bridge(nl, &tap, &err) == 0) {
		int events = nl_open(RTMGRP_LINK, &err);
		int query = events >= 0 ? nl_open(0, &err) : -1;
		/* it only holds the namespace from here: no capability is left to misuse */
		if (query >= 0 && fd_send(sock, tap, &err) == 0 &&
		    fd_send(sock, events, &err) == 0 && fd_send(sock, query, &err) == 0 &&
		    privileges_drop_all(&err) == 0) {
			close_range(0, ~0U, 0);
			sigset_t all;
			sigfillset(&all);
			sigprocmask(SIG_SETMASK, &all, NULL);
			for (;;)
				pause();
		}
	}
	dprintf(ready, "%s", err.msg ? err.msg : "create its network namespace");
	_exit(1);
}

static __attribute__((noreturn)) void helper_main(const struct network *n, const char *dir,
						  const char *resolv_conf, int ready)
{
	struct holt_err err = {0};
	int sv[2];
	struct netd d = {.dir = xstrdup(dir), .n = n};
	cleanup_free char *lock = xasprintf("%s/lock", dir);

	/* what the starting command had open goes, above all its hold of the lock */
	if (ready > 3)
		close_range(3, (unsigned)ready - 1, 0);
	close_range((unsigned)ready + 1, ~0U, 0);
	setsid();
	prctl(PR_SET_NAME, helper_comm);
	signal(SIGPIPE, SIG_IGN);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if ((d.lock = open(lock, O_RDWR | O_CLOEXEC)) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		dprintf(ready, "start its helper: %s", strerror(errno));
		_exit(1);
	}
	pid_t self = getpid(), holder = fork();
	if (holder == 0) {
		close(sv[0]);
		holder_main(sv[1], ready, self);
	}
	close(sv[1]);
	if (holder < 0 || (d.tap = fd_receive(sv[0], &err)) < 0 ||
	    (d.events = fd_receive(sv[0], &err)) < 0 || (d.query = fd_receive(sv[0], &err)) < 0)
		_exit(1); /* the holder said why */
	close(sv[0]);
	dprintf(ready, "%d %d ", self, holder);

	struct slirp_net net = {.network = n->subnet,
				.prefix = n->prefix,
				.gateway = n->gateway,
				.dns = n->dns,
				.restricted = n->internal,
				.ipv6 = n->ipv6,
				.prefix6 = n->prefix6};
	if (n->ipv6) {
		net.network6 = n->subnet6;
		network_addr6(n, n->gateway, &net.gateway6);
		network_addr6(n, n->dns, &net.dns6);
	}
	struct slirp_hooks hooks = {.opaque = &d,
				    .frame = on_frame,
				    .watch_fd = d.events,
				    .watch = on_event,
				    .tick_ms = CHECK_MS,
				    .tick = check};
	slirp_helper_serve(d.tap, ready, &net, resolv_conf, &hooks);
}

/* Leftovers of a helper that was killed: its containers lost their bridge with it. */
static void forget_endpoints(const char *dir)
{
	endpoint_prune(dir, NULL);
}

pid_t netd_ensure(const char *dir, const struct network *n, const char *resolv_conf,
		  struct holt_err *err)
{
	pid_t holder = netd_running(dir);
	int ready[2], helper = 0;
	char buf[1024];

	if (holder > 0)
		return holder;
	forget_endpoints(dir);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "network \"%s\": create a pipe", n->name);
	pid_t mid = fork();
	if (mid == 0) {
		close(ready[0]);
		if (fork() == 0)
			helper_main(n, dir, resolv_conf, ready[1]);
		_exit(0);
	}
	close(ready[1]);
	if (mid > 0)
		while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
			;
	size_t len = read_report_pipe(ready[0], buf, sizeof buf);
	close(ready[0]);
	int used = 0;
	if (mid < 0 || sscanf(buf, "%d %d %n", &helper, &holder, &used) != 2 ||
	    strcmp(buf + used, "ok") != 0) {
		if (helper > 0)
			kill(helper, SIGKILL);
		return holt_err_set(err, 0, "network \"%s\": start its helper: %s", n->name,
				    used  ? buf + used
				    : len ? buf
					  : "it died");
	}
	cleanup_free char *path = xasprintf("%s/netd", dir);
	cleanup_free char *text = xasprintf("%d %d\n", helper, holder);
	if (write_file_atomic(path, NULL, text, strlen(text), false, err) < 0) {
		kill(helper, SIGKILL);
		return -1;
	}
	return holder;
}
