/* Runs in the cloned child, already in the container's namespaces. Errors cannot be
 * printed here (the terminal may be a pty by then): they go back to the parent on
 * report_fd with the exit code docker would use. */
#include "core/init.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/caps.h"
#include "core/idmap_range.h"
#include "core/keep_id_seed.h"
#include "core/masks.h"
#include "core/mounts.h"
#include "core/mounts_user.h"
#include "core/netns.h"
#include "core/pty.h"
#include "core/seccomp.h"
#include "core/session.h"
#include "core/user.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

static __attribute__((noreturn)) void fail(const struct init_args *a, int code,
					   struct holt_err *err)
{
	dprintf(a->report_fd, "%d %s", code, err->msg ? err->msg : "container setup failed");
	_exit(code);
}

static int loopback_up(struct holt_err *err)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return holt_err_set(err, errno, "bring up \"lo\": socket");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return holt_err_set(err, errno, "bring up \"lo\"");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return holt_err_set(err, errno, "bring up \"lo\"");
	return 0;
}

/* A set*id that failed: EINVAL is an id outside the namespace's map, so say the map. */
static int unmapped_id(const char *which, unsigned id, struct holt_err *err)
{
	if (errno != EINVAL)
		return holt_err_set(err, errno, "user: switch to %s %u", which, id);
	cleanup_free char *range = idmap_range_text(which);
	return holt_err_set(err, 0,
			    "user: %s %u is outside the %ss mapped into the container (%s; more "
			    "need a larger range in /etc/sub%s)",
			    which, id, which, range ? range : "unknown", which);
}

static int switch_user(const struct user_ids *ids, const struct container_security *sec,
		       struct holt_err *err)
{
	/* setgroups is denied in a single-uid map; there are no other groups to drop,
	 * but --group-add cannot be honoured. keep-groups keeps the caller's, which the
	 * host still checks access against. */
	if (!security_keep_groups(sec) && setgroups(ids->n_groups, ids->groups) < 0 &&
	    (errno != EPERM || strv_len(sec->group_add) > 0))
		return holt_err_set(err, errno,
				    errno == EPERM
					? "--group-add: supplementary groups cannot be set "
					  "without subordinate gids"
					: "set supplementary groups");
	if (setresgid(ids->gid, ids->gid, ids->gid) < 0)
		return unmapped_id("gid", ids->gid, err);
	if (setresuid(ids->uid, ids->uid, ids->uid) < 0)
		return unmapped_id("uid", ids->uid, err);
	return 0;
}

/* execvpe over the container's own PATH, with docker's exit codes for failures. */
static __attribute__((noreturn)) void exec_command(const struct init_args *a, char **env)
{
	struct holt_err err = {0};
	const char *cmd = a->spec->argv[0];
	const char *path = spec_env_get(env, "PATH");
	int saved = ENOENT;

	if (strchr(cmd, '/')) {
		execve(cmd, a->spec->argv, env);
		saved = errno;
	} else {
		cleanup_free char *dirs = xstrdup(path ? path : "/usr/bin:/bin");
		for (char *dir = strtok(dirs, ":"); dir; dir = strtok(NULL, ":")) {
			cleanup_free char *full = xasprintf("%s/%s", *dir ? dir : ".", cmd);
			execve(full, a->spec->argv, env);
			if (errno != ENOENT && errno != ENOTDIR)
				saved = errno;
		}
	}
	if (saved == ENOENT) {
		holt_err_set(&err, 0, "exec \"%s\": %s", cmd,
			     strchr(cmd, '/') ? "no such file or directory"
					      : "executable file not found in $PATH");
		fail(a, HOLT_EXIT_NOT_FOUND, &err);
	}
	holt_err_set(&err, saved, "exec \"%s\"", cmd);
	fail(a, HOLT_EXIT_CANNOT_EXEC, &err);
}

/* --init: stays as pid 1, which the kernel protects from every signal it has no handler
 * for, so it takes them all, hands them to the command and reaps what gets orphaned. */
static __attribute__((noreturn)) void be_init(pid_t child)
{
	sigset_t all;
	siginfo_t si;
	int status = 0;

	prctl(PR_SET_NAME, "init");
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (;;) {
		if (sigwaitinfo(&all, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(child, si.si_signo);
			continue;
		}
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == child)
				_exit(WIFSIGNALED(status) ? HOLT_EXIT_SIGNAL_BASE + WTERMSIG(status)
							  : WEXITSTATUS(status));
	}
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* Forks the command off pid 1; returns in the child. */
static void start_init(const struct init_args *a)
{
	struct sigaction sa = {.sa_handler = noop_handler};
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	pid_t child = fork();
	if (child < 0) {
		struct holt_err err = {0};
		holt_err_set(&err, errno, "start the command under --init");
		fail(a, HOLT_EXIT_ERROR, &err);
	}
	if (child > 0) {
		/* init never execs, so what was close-on-exec stays open in it: holt's report
		 * pipe, which holt waits on, and the monitor's log, socket and lock. */
		close_range(3, ~0U, 0);
		be_init(child);
	}
	/* Its own process group, in the terminal's foreground, so ^C reaches it once. */
	setpgid(0, 0);
	if (a->spec->tty)
		tcsetpgrp(0, getpid());
}

/* What run and exec share once inside the container: user, cwd, terminal, privileges. */
static __attribute__((noreturn)) void start_command(const struct init_args *a, bool make_cwd)
{
	struct holt_err err = {0};
	const struct process_spec *spec = a->spec;
	struct user_ids ids;

	if (user_resolve(spec->user, "/etc/passwd", "/etc/group", &ids, &err) < 0)
		fail(a, HOLT_EXIT_ERROR, &err);
	if ((make_cwd && mkdir_p(spec->cwd, 0755) < 0) || chdir(spec->cwd) < 0) {
		holt_err_set(&err, errno, "working directory \"%s\"", spec->cwd);
		fail(a, HOLT_EXIT_ERROR, &err);
	}
	if (session_leave(a->tty_sock < 0, spec->preserve_fds, &err) < 0)
		fail(a, HOLT_EXIT_ERROR, &err);
	if (a->tty_sock >= 0 &&
	    pty_open_in_container(a->tty_sock, a->has_winsize ? &a->winsize : NULL, ids.uid,
				  ids.gid, &err) < 0)
		fail(a, HOLT_EXIT_ERROR, &err);
	const struct security_plan *sec = a->security;
	for (char **g = sec->sec->group_add; g && *g && !security_keep_groups(sec->sec); g++)
		if (user_add_group(&ids, *g, "/etc/group", &err) < 0)
			fail(a, HOLT_EXIT_ERROR, &err);
	if (caps_apply(sec->caps, &err) < 0)
		fail(a, HOLT_EXIT_ERROR, &err);
	if (sec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		holt_err_set(&err, errno, "set no_new_privs");
		fail(a, HOLT_EXIT_ERROR, &err);
	}
	/* The filter goes in before the user changes: it needs CAP_SYS_ADMIN. */
	if ((sec->filter.len && seccomp_filter_load(&sec->filter, &err) < 0) ||
	    switch_user(&ids, sec->sec, &err) < 0)
		fail(a, HOLT_EXIT_ERROR, &err);
	/* After the user changes, which must really happen; without CAP_SYS_ADMIN now, the
	 * load needs no_new_privs, which costs nothing where only one id is mapped. */
	if (sec->fake_root.len && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		holt_err_set(&err, errno, "set no_new_privs for fake-root-ids");
		fail(a, HOLT_EXIT_ERROR, &err);
	}
	if (sec->fake_root.len && seccomp_filter_load(&sec->fake_root, &err) < 0)
		fail(a, HOLT_EXIT_ERROR, &err);

	cleanup_strv char **env = strv_dup(spec->env);
	if (!spec_env_get(env, "HOME")) {
		cleanup_free char *home = xasprintf("HOME=%s", ids.home);
		strv_push(&env, home);
	}
	if (a->init)
		start_init(a);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &a->sigmask, NULL);
	exec_command(a, env);
}

static void setup_stdio(const struct init_args *a)
{
	if (!a->spec->interactive && !a->spec->tty && a->stdio[0] < 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, 0), close(null);
	}
	for (int fd = 0; fd < 3; fd++)
		if (a->stdio[fd] >= 0 && a->stdio[fd] != fd)
			dup2(a->stdio[fd], fd);
}

/* fuse-overlayfs serves the root from a process in the container's pid namespace with
 * every capability there: one with CAP_SYS_PTRACE could open its /proc/PID/root, the
 * host's root, and reach every file of the user. Without it the kernel refuses, as the
 * container's capabilities are not a superset of that process's. With auto and nomap
 * the process is holt's root, in the namespace above the container's, where the
 * container has no capability: it cannot be reached. */
static int refuse_ptrace_over_fuse(const struct init_args *a, const char *root,
				   struct holt_err *err)
{
	struct statfs st;
	if (a->userns_late || !(a->security->caps & (1ULL << CAP_SYS_PTRACE)) ||
	    statfs(root, &st) < 0 || st.f_type != FUSE_SUPER_MAGIC)
		return 0;
	return holt_err_set(err, 0,
			    "CAP_SYS_PTRACE (--privileged, --cap-add) is refused when "
			    "fuse-overlayfs serves the container's root (--userns keep-id, or that "
			    "storage driver): it would reach that process, and the host's files "
			    "through it");
}

/* keep-id on a view: the mark comes first, so that the upper dir never holds the
 * nested namespace's ids without it. Overlay fails here only where the kernel has no
 * overlay in a user namespace; a container not marked before then goes to
 * fuse-overlayfs, with what was seeded taken back. */
static int mount_root(const struct init_args *a, struct holt_err *err)
{
	if (!a->view_mark)
		return rootfs_mount(a->storage_driver, &a->layout, err);
	bool marked = access(a->view_mark, F_OK) == 0, seeded;
	if (!marked) {
		int fd = open(a->view_mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return holt_err_set(err, errno, "create \"%s\"", a->view_mark);
		close(fd);
	}
	if (keep_id_seed_upper(a->layout.lower[0], a->layout.upper, a->keep_id, &seeded, err) < 0)
		return -1;
	struct holt_err overlay = {0};
	if (rootfs_overlay.mount(&a->layout, &overlay) == 0)
		return 0;
	if (marked) {
		*err = overlay;
		return -1;
	}
	holt_err_release(&overlay);
	if ((seeded && keep_id_seed_undo(a->layout.upper, err) < 0) || unlink(a->view_mark) < 0)
		return err->msg ? -1 : holt_err_set(err, errno, "remove \"%s\"", a->view_mark);
	return rootfs_fuse_overlayfs.mount(&a->fuse_layout, err);
}

/* keep-id: waits for the parent to map the new user namespace, then becomes its root
 * where there is one (with subordinate ids): fuse-overlayfs, run next, keeps the
 * capabilities to mount only as root. Without, the user's own id is all there is. */
static int enter_keep_id(const struct init_args *a, struct holt_err *err)
{
	char c;
	if (read(a->userns_sync, &c, 1) != 1)
		return holt_err_set(err, 0, "keep-id: the user namespace was not mapped");
	close(a->userns_sync);
	return a->keep_id->fuse_uidmapping ? keep_id_become_root(err) : 0;
}

/* auto and nomap: makes the container's user namespace, has the parent map it, and
 * becomes its root; the command's user is taken next, as in holt's. */
static int enter_late(const struct init_args *a, struct holt_err *err)
{
	char c = 'u';
	if (unshare(CLONE_NEWUSER) < 0)
		return holt_err_set(err, errno, "--userns: create the container's user namespace");
	if (write(a->userns_up, &c, 1) != 1 || read(a->userns_sync, &c, 1) != 1)
		return holt_err_set(err, 0,
				    "--userns: the container's user namespace was not mapped");
	close(a->userns_up);
	close(a->userns_sync);
	return keep_id_become_root(err);
}

void init_container(const struct init_args *a)
{
	struct holt_err err = {0};
	const struct process_spec *spec = a->spec;
	const char *root = a->layout.target;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (a->keep_id && !a->userns_late) {
		if (enter_keep_id(a, &err) < 0)
			fail(a, HOLT_EXIT_ERROR, &err);
	}
	setup_stdio(a);
	/* The network first: the net helper starts while the rootfs is assembled. */
	if (a->net_join_fd >= 0 && setns(a->net_join_fd, CLONE_NEWNET) < 0) {
		holt_err_set(&err, errno, "join the network namespace of the container named");
		fail(a, HOLT_EXIT_ERROR, &err);
	}
	if (a->net_sock >= 0 && !a->net_user &&
	    (netns_child_send_tap(a->net_sock, a->net_ipv6, &err) < 0 ||
	     (a->connect_filter.len &&
	      netns_child_send_listener(a->net_sock, &a->connect_filter, &err) < 0)))
		fail(a, HOLT_EXIT_ERROR, &err);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		holt_err_set(&err, errno, "make the mount namespace private");
		fail(a, HOLT_EXIT_ERROR, &err);
	}
	if (mount_root(a, &err) < 0 || refuse_ptrace_over_fuse(a, root, &err) < 0 ||
	    (a->keep_id && keep_id_add_entries(root, a->keep_id, &err) < 0) ||
	    mounts_setup(root, a->container_dir, a->own_netns, a->security->sec->privileged, &err) <
		0 ||
	    mounts_user(root, a->mounts, a->n_mounts, a->volumes_dir, a->read_only, &err) < 0 ||
	    (a->userns_late && mounts_give_root(root, a->mounts, a->n_mounts, a->late_root_uid,
						a->late_root_gid, &err) < 0) ||
	    devices_apply(root, a->security->sec, &err) < 0 ||
	    masks_apply(root, a->security->sec, &err) < 0 || mounts_pivot(root, &err) < 0 ||
	    mounts_chown_owner(a->mounts, a->n_mounts, spec->user, &err) < 0 ||
	    (a->own_netns && a->net_join_fd < 0 && loopback_up(&err) < 0) ||
	    (a->net_sock >= 0 && netns_child_wait(a->net_sock, &err) < 0))
		fail(a, HOLT_EXIT_ERROR, &err);
	if (sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
		holt_err_set(&err, errno, "set hostname \"%s\"", spec->hostname);
		fail(a, HOLT_EXIT_ERROR, &err);
	}
	if (a->userns_late && enter_late(a, &err) < 0)
		fail(a, HOLT_EXIT_ERROR, &err);
	start_command(a, true);
}

void init_exec(const struct init_args *a)
{
	struct holt_err err = {0};

	if (!a->detached)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	setup_stdio(a);
	/* auto and nomap: the other namespaces are holt's, joined while still holt's root */
	if (setns(a->join_fd, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
				  (a->own_netns ? CLONE_NEWNET : 0) |
				  (a->keep_id && !a->userns_late ? CLONE_NEWUSER : 0)) < 0 ||
	    (a->userns_late && setns(a->join_fd, CLONE_NEWUSER) < 0)) {
		holt_err_set(&err, errno, "join the container's namespaces");
		fail(a, HOLT_EXIT_ERROR, &err);
	}
	if (refuse_ptrace_over_fuse(a, "/", &err) < 0 ||
	    (a->net_sock >= 0 && a->connect_filter.len &&
	     netns_child_send_listener(a->net_sock, &a->connect_filter, &err) < 0))
		fail(a, HOLT_EXIT_ERROR, &err);
	start_command(a, false);
}
