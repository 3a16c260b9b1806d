/* The netlink work runs in a forked worker: it must enter the container's network
 * namespace and the bridge's, and a process of holt cannot come back to the host's. */
#include "core/network_attach.h"
#include "core/base/util.h"
#include "core/network_endpoint.h"
#include "core/network_netd.h"
#include "net/netlink.h"
#include "net/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The first ethN the container's namespace does not have. */
static void free_ifname(char *name, size_t cap)
{
	for (unsigned i = 0;; i++) {
		snprintf(name, cap, "eth%u", i);
		if (!if_nametoindex(name))
			return;
	}
}

/* In the worker: the bridge end of a veth of the container's last run, when the kernel
 * has not yet taken it with that run's namespace; the new one has its name. */
static int drop_stale_peer(int bridge_ns, const char *peer, struct holt_err *err)
{
	if (setns(bridge_ns, CLONE_NEWNET) < 0)
		return holt_err_set(err, errno, "enter the network's namespace");
	cleanup_close int nl = nl_open(0, err);
	if (nl < 0)
		return -1;
	int idx = (int)if_nametoindex(peer);
	if (idx && nl_link_delete(nl, idx, err) < 0) {
		if (err->errnum != ENODEV)
			return -1;
		holt_err_release(err); /* the kernel took it meanwhile */
	}
	return 0;
}

/* In the worker, in the container's namespace: ifname's IPv6 address (and default
 * route), fixed as tap0's on the default network: router advertisements from the
 * network's libslirp would add a second address the container's traffic could leave from,
 * so they are refused where /proc/sys allows. */
static int plumb6(int nl, int idx, const char *ifname, const struct network *n, struct in_addr addr,
		  bool route, struct holt_err *err)
{
	struct in6_addr addr6, gateway6;
	cleanup_free char *ra = xasprintf("/proc/sys/net/ipv6/conf/%s/accept_ra", ifname);
	cleanup_close int fd = open(ra, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t w = write(fd, "0", 1);
		(void)w; /* the address and route below hold either way */
	}
	network_addr6(n, addr, &addr6);
	network_addr6(n, n->gateway, &gateway6);
	if (nl_addr6_add(nl, idx, &addr6, n->prefix6, err) < 0 ||
	    (route && nl_route6_default(nl, idx, &gateway6, err) < 0))
		return -1;
	return 0;
}

/* In the worker: the veth, its container end addressed and up, its bridge end on br0. */
static int plumb(int pidfd, int bridge_ns, const char *peer, const struct network *n,
		 struct in_addr addr, bool route, bool stale, char *ifname, size_t cap,
		 struct holt_err *err)
{
	if (stale && drop_stale_peer(bridge_ns, peer, err) < 0)
		return -1;
	if (setns(pidfd, CLONE_NEWNET) < 0)
		return holt_err_set(err, errno, "enter the container's network namespace");
	cleanup_close int nl = nl_open(0, err);
	if (nl < 0)
		return -1;
	free_ifname(ifname, cap);
	if (nl_veth_create(nl, ifname, peer, bridge_ns, SLIRP_MTU, err) < 0)
		return -1;
	int idx = (int)if_nametoindex(ifname);
	if (nl_addr_add(nl, idx, addr, n->prefix, err) < 0 || nl_link_up(nl, idx, 0, 0, err) < 0 ||
	    (route && nl_route_default(nl, n->gateway, err) < 0) ||
	    (n->ipv6 && plumb6(nl, idx, ifname, n, addr, route, err) < 0))
		return -1;
	if (setns(bridge_ns, CLONE_NEWNET) < 0)
		return holt_err_set(err, errno, "enter the network's namespace");
	cleanup_close int bnl = nl_open(0, err);
	if (bnl < 0)
		return -1;
	return nl_link_up(bnl, (int)if_nametoindex(peer), (int)if_nametoindex(NETD_BRIDGE), 0, err);
}

static int unplumb(int pidfd, const char *ifname, struct holt_err *err)
{
	if (setns(pidfd, CLONE_NEWNET) < 0)
		return holt_err_set(err, errno, "enter the container's network namespace");
	cleanup_close int nl = nl_open(0, err);
	int idx = (int)if_nametoindex(ifname);
	if (nl < 0)
		return -1;
	return idx ? nl_link_delete(nl, idx, err) : 0;
}

struct job {
	int pidfd, bridge_ns;
	const char *peer, *ifname;
	const struct network *n;
	struct in_addr addr;
	bool route, stale, detach;
};

/* Runs job in a worker; its report is "ok IFNAME" or why it failed. */
static int run_worker(const struct job *j, char *ifname, size_t cap, struct holt_err *err)
{
	int pipefd[2];
	char buf[512] = "";
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "create a pipe");
	pid_t pid = fork();
	if (pid == 0) {
		struct holt_err werr = {0};
		char name[IF_NAMESIZE] = "";
		close(pipefd[0]);
		int r = j->detach ? unplumb(j->pidfd, j->ifname, &werr)
				  : plumb(j->pidfd, j->bridge_ns, j->peer, j->n, j->addr, j->route,
					  j->stale, name, sizeof name, &werr);
		if (r < 0)
			dprintf(pipefd[1], "%s%s%s", werr.msg, werr.errnum ? ": " : "",
				werr.errnum ? strerror(werr.errnum) : "");
		else
			dprintf(pipefd[1], "ok %s", name);
		_exit(r < 0);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return holt_err_set(err, errno, "fork");
	}
	read_report_pipe(pipefd[0], buf, sizeof buf);
	close(pipefd[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (strncmp(buf, "ok ", 3) != 0)
		return holt_err_set(err, 0, "%s", *buf ? buf : "the worker died");
	if (ifname) {
		size_t l = strnlen(buf + 3, cap - 1);
		memcpy(ifname, buf + 3, l);
		ifname[l] = '\0';
	}
	return 0;
}

static int open_bridge_ns(pid_t holder, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("/proc/%d/ns/net", holder);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return holt_err_set(err, errno, "open \"%s\"", path);
	return fd;
}

static int attach_locked(const char *dir, const struct network *n, int pidfd,
			 const struct netd_attach *a, struct in_addr *addr, struct holt_err *err)
{
	struct endpoint e = {0};
	bool stale = false;
	if (endpoint_find(dir, a->ctr_id, &e)) {
		if (!a->fresh) {
			endpoint_release(&e);
			return holt_err_set(err, EEXIST, "the container is already on it");
		}
		endpoint_remove(dir, e.peer);
		endpoint_release(&e);
		stale = true;
	}
	pid_t holder = netd_ensure(dir, n, a->resolv_conf, err);
	if (holder < 0 || endpoint_choose_addr(dir, n, a->want, addr, err) < 0)
		return -1;
	cleanup_close int bridge_ns = open_bridge_ns(holder, err);
	if (bridge_ns < 0)
		return -1;
	cleanup_free char *peer = endpoint_peer_name(a->ctr_id);
	char ifname[IF_NAMESIZE];
	struct job j = {.pidfd = pidfd,
			.bridge_ns = bridge_ns,
			.peer = peer,
			.n = n,
			.addr = *addr,
			.route = a->default_route,
			.stale = stale};
	if (run_worker(&j, ifname, sizeof ifname, err) < 0)
		return -1;
	e = (struct endpoint){.addr = *addr,
			      .ifname = xstrdup(ifname),
			      .ctr_id = xstrdup(a->ctr_id),
			      .peer = steal_pointer(&peer)};
	cleanup_free char *short_id = xstrndup(a->ctr_id, 12);
	e.names = a->names ? strv_dup(a->names) : NULL;
	strv_push(&e.names, short_id);
	int ret = endpoint_write(dir, &e, err);
	endpoint_release(&e);
	return ret;
}

int netd_attach(const struct network *n, int pidfd, const struct netd_attach *a,
		struct in_addr *addr, struct holt_err *err)
{
	cleanup_free char *dir = netd_dir(a->runroot, n->name);
	cleanup_close int lock = netd_lock(dir, err);
	if (lock < 0 || attach_locked(dir, n, pidfd, a, addr, err) < 0)
		return holt_err_wrap(err, "network \"%s\"", n->name);
	return 0;
}

int netd_detach(const char *runroot, const struct network *n, int pidfd, const char *ctr_id,
		struct holt_err *err)
{
	cleanup_free char *dir = netd_dir(runroot, n->name);
	cleanup_close int lock = netd_lock(dir, err);
	struct endpoint e;
	if (lock < 0)
		return holt_err_wrap(err, "network \"%s\"", n->name);
	if (!endpoint_find(dir, ctr_id, &e) || !netd_running(dir)) {
		holt_err_set(err, 0, "network \"%s\": the container is not on it", n->name);
		err->errnum = ENOENT;
		return -1;
	}
	struct job j = {.pidfd = pidfd, .ifname = e.ifname, .detach = true};
	int ret = run_worker(&j, NULL, 0, err);
	if (ret == 0)
		endpoint_remove(dir, e.peer);
	endpoint_release(&e);
	return ret < 0 ? holt_err_wrap(err, "network \"%s\"", n->name) : 0;
}

bool netd_endpoint_addr(const char *runroot, const struct network *n, const char *ctr_id,
			struct in_addr *addr)
{
	cleanup_free char *dir = netd_dir(runroot, n->name);
	struct endpoint e;
	if (!netd_running(dir) || !endpoint_find(dir, ctr_id, &e))
		return false;
	*addr = e.addr;
	endpoint_release(&e);
	return true;
}
