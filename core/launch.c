/* clone (run) or fork (exec), then one read of the report pipe: empty means the
 * command was executed, else the child wrote "<exit code> <message>". */
#include "core/launch.h"
#include "core/base/exitcode.h"
#include "core/base/fd_pass.h"
#include "core/base/util.h"
#include "core/cgroup.h"
#include "core/init.h"
#include "core/keep_id_view.h"
#include "core/netns.h"
#include "core/netns_user.h"
#include "core/pty.h"
#include "core/seccomp.h"
#include "core/userns_auto.h"
#include "net/slirp_helper.h"
#include "net/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int read_report(int fd, int *code, struct holt_err *err)
{
	char buf[4096];
	if (read_report_pipe(fd, buf, sizeof buf) == 0)
		return 0;
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
			      (a->own_netns && a->net_join_fd < 0 ? CLONE_NEWNET : 0) |
			      (a->keep_id && !a->userns_late ? CLONE_NEWUSER : 0);
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

/* keep-id on a view: what the child's layout points into, kept until it is cloned. */
struct view_use {
	struct layer_view view;
	char *lower[1];
	char *mark;
};

static void view_use_release(struct view_use *vu)
{
	layer_view_release(&vu->view);
	free(vu->mark);
}

/* The image's owners, shown as they are stored in the container's nested namespace:
 * by native overlay over a shared view (a new container, or one that has run on it),
 * else by a fuse-overlayfs daemon of the container's own. */
static int shown_shifted(const struct launch_request *req, const struct keep_id_maps *keep,
			 struct init_args *a, struct view_use *vu, struct holt_err *err)
{
	bool view = false;

	if (!req->exec && keep_id_view_choose(req->container, a->storage_driver,
					      !a->userns_late && req->image, &view, err) < 0)
		return -1;
	a->storage_driver = "fuse-overlayfs";
	a->layout.uidmapping = keep->fuse_uidmapping;
	a->layout.gidmapping = keep->fuse_gidmapping;
	if (!view)
		return 0;
	if (keep_id_view_join(req->store, req->image, keep, &vu->view, err) < 0)
		return -1;
	a->fuse_layout = a->layout;
	vu->lower[0] = vu->view.merged;
	vu->mark = keep_id_view_mark_path(req->container);
	a->layout.lower = vu->lower;
	a->layout.n_lower = 1;
	a->layout.lower_base = NULL;
	a->layout.uidmapping = a->layout.gidmapping = NULL;
	a->storage_driver = "overlay";
	a->view_mark = vu->mark;
	return 0;
}

/* The container's own user namespace, keep-id's, auto's or nomap's: makes its maps into
 * keep and points a at them, with the fuse-overlayfs mapping and the pipes the child
 * waits on and (auto, nomap) writes to (run and start: *sync_w and *up_r are the
 * parent's ends). Nothing to do when the container runs in holt's namespace. */
static int userns_setup(const struct launch_request *req, struct keep_id_maps *keep,
			struct view_use *vu, struct init_args *a, int *sync_r, int *sync_w,
			int *up_r, int *up_w, struct holt_err *err)
{
	const struct container *c = req->container;
	const char *userns = c->config.userns;
	struct keep_id k = {0};

	if (!userns)
		return 0;
	if (keep_id_parse(userns, &k, err) < 0)
		return -1;
	if (!k.on && !k.auto_size && !k.nomap)
		return 0;
	if (k.auto_size && !c->config.userns_size)
		return holt_err_set(err, 0,
				    "container \"%s\": --userns auto, but no slice of ids "
				    "recorded",
				    c->name);
	if (k.auto_size)
		userns_auto_maps(c->config.userns_base, c->config.userns_size, keep);
	else if (k.nomap ? userns_nomap_maps(keep, err) < 0 : keep_id_maps_make(&k, keep, err) < 0)
		return -1;
	a->keep_id = keep;
	a->userns_late = k.auto_size || k.nomap;
	/* nomap's ids start at holt's first subordinate one */
	a->late_root_uid = a->late_root_gid = k.auto_size ? (uid_t)c->config.userns_base : 1;
	if (keep->fuse_uidmapping && shown_shifted(req, keep, a, vu, err) < 0)
		return -1;
	if (req->exec)
		return 0;
	int sync[2], up[2];
	if (pipe2(sync, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "--userns: create the start-up pipe");
	a->userns_sync = *sync_r = sync[0];
	*sync_w = sync[1];
	if (!a->userns_late)
		return 0;
	if (pipe2(up, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "--userns: create the start-up pipe");
	a->userns_up = *up_w = up[1];
	*up_r = up[0];
	return 0;
}

/* auto and nomap: once the child has made its user namespace (or failed: its report says why),
 * maps it. */
static int map_late(pid_t pid, const struct keep_id_maps *keep, int up_r, int sync_w,
		    struct holt_err *err)
{
	char c;
	ssize_t n;
	while ((n = read(up_r, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		return 0;
	if (keep_id_write_maps(pid, keep, err) < 0)
		return -1;
	if (write(sync_w, "g", 1) != 1)
		return holt_err_set(err, errno, "--userns: start the container");
	return 0;
}

/* slirp: the socket the child's tap comes over; container:NAME: the pidfd to join. */
static int open_network(const struct launch_request *req, int *net, int *net_child, int *net_join,
			struct holt_err *err)
{
	const struct container *c = req->container;
	if (c->config.network == NETWORK_CONTAINER) {
		*net_join = netns_open_shared(req->store, c, err);
		return *net_join;
	}
	if (c->config.network != NETWORK_SLIRP && c->config.network != NETWORK_USER)
		return 0;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return holt_err_set(err, errno, "network: create the tap socket");
	*net = sv[0];
	*net_child = sv[1];
	return 0;
}

/* -1 only when the helper failed: a child that failed first reports why itself. */
static int start_network(const struct launch_request *req, int net, bool ipv6, bool connect_filter,
			 pid_t pid, struct launched *out, struct holt_err *err)
{
	struct holt_err terr = {0};
	char *const *exposed = req->image ? req->image->exposed_ports : NULL;
	if (req->container->config.network == NETWORK_USER) {
		if (netns_user_start(req->store, req->container, exposed, pid, &out->net_helper,
				     err) < 0)
			return -1;
		ssize_t sent = send(net, "g", 1, MSG_NOSIGNAL);
		(void)sent; /* a child that failed meanwhile says why in its report */
		return 0;
	}
	/* while the container makes its tap: libslirp's loading is off the critical path */
	slirp_helper_preload();
	cleanup_close int tap = fd_receive(net, &terr);
	if (tap < 0) {
		holt_err_release(&terr);
		return 0;
	}
	/* none comes from a kernel without listeners: slirp carries every connection */
	cleanup_close int listener = connect_filter ? fd_receive(net, &terr) : -1;
	holt_err_release(&terr);
	return netns_start(req->container, exposed, tap, listener, net, ipv6, pid, &out->net_helper,
			   err);
}

void launch_reap_net(struct launched *l, bool wait)
{
	if (l->net_helper <= 0)
		return;
	pid_t r;
	while ((r = waitpid(l->net_helper, NULL, wait ? 0 : WNOHANG)) < 0 && errno == EINTR)
		;
	if (r != 0)
		l->net_helper = -1;
}

/* A child started but not to run: its start-up pipe and terminal socket close, and it
 * is killed and reaped. */
static void abandon(pid_t pid, int report, int tty_sock)
{
	close(report);
	if (tty_sock >= 0)
		close(tty_sock);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int launch(const struct launch_request *req, struct launched *out, struct holt_err *err)
{
	const struct container *c = req->container;
	cleanup_free char *upper = xasprintf("%s/upper", c->dir);
	cleanup_free char *work = xasprintf("%s/work", c->dir);
	cleanup_free char *copy = xasprintf("%s/rootfs", c->dir);
	cleanup_free char *merged = xasprintf("%s/merged", c->dir);
	cleanup_free char *volumes = c->config.n_mounts && req->store
					 ? xasprintf("%s/volumes", store_root(req->store))
					 : NULL;
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
	    .own_netns = c->config.network != NETWORK_HOST,
	    .net_join_fd = -1,
	    .net_sock = -1,
	    .mounts = c->config.mounts,
	    .n_mounts = c->config.n_mounts,
	    .volumes_dir = volumes,
	    .read_only = c->config.read_only,
	    .init = c->config.init && !req->exec,
	    .stdio = {req->stdio[0], req->stdio[1], req->stdio[2]},
	    .join_fd = -1,
	    .userns_sync = -1,
	    .userns_up = -1,
	    .detached = req->detached,
	    .tty_sock = -1,
	    .sigmask = *req->child_mask,
	};
	int report[2], sock[2] = {-1, -1};
	cleanup_close int net = -1, net_child = -1, net_join = -1;
	cleanup_security_plan struct security_plan plan = {0};
	cleanup_seccomp_filter struct sock_fprog connect_filter = {0};
	cleanup_exec_bypass struct netns_exec_bypass exec_bypass = {
	    .doorway = -1, .sock = -1, .child = -1};
	cleanup_keep_id_maps struct keep_id_maps keep = {0};
	__attribute__((cleanup(view_use_release))) struct view_use vu = {.view.mntns = -1};
	cleanup_close int sync_r = -1, sync_w = -1, up_r = -1, up_w = -1;

	out->pid = -1;
	out->master = -1;
	out->status = HOLT_EXIT_ERROR;
	if (security_plan_make(&c->config.security, req->privileged, store_runroot(req->store),
			       &plan, err) < 0)
		return -1;
	a.security = &plan;
	if (userns_setup(req, &keep, &vu, &a, &sync_r, &sync_w, &up_r, &up_w, err) < 0)
		return -1;
	/* exec joins the namespaces of the container's first process, held by a pidfd so
	 * that a recycled pid cannot be joined instead */
	cleanup_close int pidfd = req->exec ? (int)syscall(SYS_pidfd_open, c->state.pid, 0) : -1;
	if (req->exec && pidfd < 0)
		return holt_err_set(err, errno == ESRCH ? 0 : errno,
				    "container \"%s\" is not running", c->name);
	a.join_fd = pidfd;
	out->net_helper = -1;
	if (!req->exec && open_network(req, &net, &net_child, &net_join, err) < 0)
		return -1;
	a.net_sock = net_child;
	a.net_user = c->config.network == NETWORK_USER;
	a.net_ipv6 = net >= 0 && c->config.network == NETWORK_SLIRP && netns_host_ipv6();
	a.net_join_fd = net_join;
	if (net >= 0 &&
	    netns_connect_filter(c, store_runroot(req->store), &connect_filter, err) < 0)
		return -1;
	a.connect_filter = connect_filter;
	/* holt exec's process is looked into as the container's are (net/bypass_doorway.h) */
	if (req->exec) {
		if (netns_exec_bypass_open(c, store_runroot(req->store), &exec_bypass, err) < 0)
			return -1;
		a.net_sock = exec_bypass.child;
		a.connect_filter = exec_bypass.filter;
	}
	if (pipe2(report, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "create the start-up pipe"), -1;
	if (req->spec->tty) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0) {
			int e = errno;
			close(report[0]), close(report[1]);
			return holt_err_set(err, e, "create the terminal socket"), -1;
		}
		a.tty_sock = sock[1];
		if (req->winsize)
			a.winsize = *req->winsize;
		a.has_winsize =
		    req->winsize || (isatty(0) && ioctl(0, TIOCGWINSZ, &a.winsize) == 0);
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
	/* The child is born with every signal blocked, and init_container keeps them so until
	 * --init's pid 1 has handlers or the command's mask is restored: a signal sent in
	 * between (`holt stop` right after `run -d`) stays pending. Unblocked, pid 1 with no
	 * handler would have it dropped by the kernel. */
	sigset_t all, mine;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &mine);
	pid_t pid = spawn(&a);
	int e = errno;
	sigprocmask(SIG_SETMASK, &mine, NULL);
	cgroup_leave(&cg);
	close(report[1]);
	if (net_child >= 0)
		close(steal_fd(&net_child));
	if (sock[1] >= 0)
		close(sock[1]);
	if (pid >= 0 && netns_exec_bypass_relay(&exec_bypass, err) < 0) {
		abandon(pid, report[0], sock[0]);
		return -1;
	}
	if (pid < 0) {
		close(report[0]);
		if (sock[0] >= 0)
			close(sock[0]);
		return holt_err_set(err, e, "create the container's process"), -1;
	}
	if (up_w >= 0)
		close(steal_fd(&up_w));
	if (sync_w >= 0 && !a.userns_late) {
		close(steal_fd(&sync_r));
		if (keep_id_write_maps(pid, &keep, err) < 0 || write(sync_w, "g", 1) != 1) {
			if (!err->msg)
				holt_err_set(err, errno, "keep-id: start the container");
			abandon(pid, report[0], sock[0]);
			return -1;
		}
		close(steal_fd(&sync_w));
	}
	if (net >= 0 &&
	    start_network(req, net, a.net_ipv6, a.connect_filter.len > 0, pid, out, err) < 0) {
		abandon(pid, report[0], sock[0]);
		return -1;
	}
	if (up_r >= 0) {
		close(steal_fd(&sync_r));
		if (map_late(pid, &keep, up_r, sync_w, err) < 0) {
			abandon(pid, report[0], sock[0]);
			launch_reap_net(out, false);
			return -1;
		}
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
		launch_reap_net(out, false);
		if (out->master >= 0)
			close(out->master);
		out->master = -1;
		return -1;
	}
	out->pid = pid;
	return 0;
}
