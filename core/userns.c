/* The user namespace every store-touching command runs in. Ranges come from libsubid
 * and are written by the setuid helpers newuidmap/newgidmap, which must run outside the
 * namespace: a forked child waits until the parent has unshared, then runs both helpers
 * at once against the parent's pid. */
#include "core/userns.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/ns_holder.h"
#include "core/subid.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static const char *const uidmap_helpers[] = {"/usr/bin/newuidmap", "/usr/bin/newgidmap"};

static int write_proc_file(const char *path, const char *data, struct holt_err *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return holt_err_set(err, errno, "open \"%s\"", path);
	if (write(fd, data, strlen(data)) < 0)
		return holt_err_set(err, errno, "write \"%s\"", path);
	return 0;
}

/* The single-uid map an unprivileged process may write for itself. */
static int map_own_ids(uid_t uid, gid_t gid, struct holt_err *err)
{
	char map[64];

	if (write_proc_file("/proc/self/setgroups", "deny", err) < 0)
		return -1;
	snprintf(map, sizeof map, "0 %u 1\n", uid);
	if (write_proc_file("/proc/self/uid_map", map, err) < 0)
		return -1;
	snprintf(map, sizeof map, "0 %u 1\n", gid);
	return write_proc_file("/proc/self/gid_map", map, err);
}

/* argv for newuidmap/newgidmap: pid, then "0 own 1", then each range from 1 on. */
static char **helper_argv(const char *helper, pid_t pid, unsigned long own,
			  const struct subid_range *r, int n)
{
	char **argv = NULL;
	unsigned long inside = 1;

	strv_push(&argv, helper);
	char *s = xasprintf("%d", pid);
	strv_push(&argv, s);
	free(s);
	const unsigned long first[3] = {0, own, 1};
	for (int i = -1; i < n; i++) {
		const unsigned long *t = first;
		unsigned long triple[3];
		if (i >= 0) {
			triple[0] = inside;
			triple[1] = r[i].start;
			triple[2] = r[i].count;
			inside += r[i].count;
			t = triple;
		}
		for (int k = 0; k < 3; k++) {
			s = xasprintf("%lu", t[k]);
			strv_push(&argv, s);
			free(s);
		}
	}
	return argv;
}

/* In the forked child: waits for the parent to unshare, runs both helpers, exits 0 on
 * success or with the helpers' diagnostics on the error pipe. */
static __attribute__((noreturn)) void run_helpers(int go_fd, int err_fd, char **argv[2])
{
	char c;
	pid_t pids[2];
	int failed = 0;

	if (read(go_fd, &c, 1) != 1)
		_exit(1);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 1);
	for (int i = 0; i < 2; i++) {
		int r = posix_spawn(&pids[i], argv[i][0], &fa, NULL, argv[i], environ);
		if (r) {
			dprintf(err_fd, "%s: %s", argv[i][0], strerror(r));
			_exit(1);
		}
	}
	for (int i = 0; i < 2; i++) {
		int st;
		while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed = 1;
	}
	_exit(failed);
}

static int map_with_helpers(pid_t self, uid_t uid, gid_t gid, struct subid_range *ur, int nu,
			    struct subid_range *gr, int ng, struct holt_err *err)
{
	cleanup_strv char **uargv = helper_argv(uidmap_helpers[0], self, uid, ur, nu);
	cleanup_strv char **gargv = helper_argv(uidmap_helpers[1], self, gid, gr, ng);
	char **argv[2] = {uargv, gargv};
	int go[2], errp[2];

	if (pipe2(go, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "create pipe for the id mapping");
	if (pipe2(errp, O_CLOEXEC) < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		return holt_err_set(err, e, "create pipe for the id mapping");
	}
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(go[0]), close(go[1]), close(errp[0]), close(errp[1]);
		return holt_err_set(err, e, "fork the id-mapping helper");
	}
	if (child == 0) {
		close(go[1]);
		close(errp[0]);
		run_helpers(go[0], errp[1], argv);
	}
	close(go[0]);
	close(errp[1]);

	int ret = 0;
	if (unshare(CLONE_NEWUSER) < 0)
		ret = holt_err_set(err, errno, "create a user namespace");
	else if (write(go[1], "g", 1) != 1)
		ret = holt_err_set(err, errno, "start the id-mapping helper");
	close(go[1]);

	int st = 0;
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	char msg[512];
	ssize_t n = read(errp[0], msg, sizeof msg - 1);
	close(errp[0]);
	if (ret == 0 && (!WIFEXITED(st) || WEXITSTATUS(st))) {
		msg[n > 0 ? n : 0] = '\0';
		char *nl;
		while ((nl = strrchr(msg, '\n')) && nl[1] == '\0')
			*nl = '\0';
		ret = holt_err_set(err, 0, "map subordinate ids with newuidmap/newgidmap: %s",
				   n > 0 ? msg : "the helper failed");
	}
	return ret;
}

static int enter_new(struct userns_info *info, struct holt_err *err)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct subid_range *ur = NULL, *gr = NULL;
	int nu = 0, ng = 0;

	struct passwd *pw = getpwuid(uid);
	struct holt_err serr = {0};
	if (!pw) {
		info->single_reason = xasprintf("uid %u has no name in the passwd database", uid);
	} else if (subid_ranges(pw->pw_name, &ur, &nu, &gr, &ng, &serr) < 0) {
		info->single_reason = steal_pointer(&serr.msg);
	} else {
		if (nu <= 0 || ng <= 0)
			info->single_reason =
			    xasprintf("no subordinate id ranges for user \"%s\" in /etc/subuid and "
				      "/etc/subgid",
				      pw->pw_name);
		else if (access(uidmap_helpers[0], X_OK) < 0 || access(uidmap_helpers[1], X_OK) < 0)
			info->single_reason = xasprintf("newuidmap/newgidmap not found (install "
							"the uidmap package)");
	}

	int ret;
	/* !ur never holds with no reason set; said for clang's analyzer, which cannot tell */
	if (info->single_reason || !ur) {
		holt_info("user namespace: single-uid map: %s",
			  info->single_reason ? info->single_reason : "no subordinate uid range");
		info->mode = USERNS_SINGLE;
		if (unshare(CLONE_NEWUSER) < 0)
			ret = holt_err_set(err, errno, "create a user namespace");
		else
			ret = map_own_ids(uid, gid, err);
	} else {
		holt_info("user namespace: mapped with newuidmap/newgidmap: 0 -> uid %u, 1.. -> "
			  "%d subordinate uid range(s) from %u",
			  uid, nu, ur ? (unsigned)ur[0].start : 0U);
		info->mode = USERNS_RANGES;
		ret = map_with_helpers(getpid(), uid, gid, ur, nu, gr, ng, err);
	}
	free(ur);
	free(gr);
	return ret;
}

/* Joins the pause process's namespace; creates namespace and pause process the first
 * time, under a lock so that concurrent first commands make only one. */
int userns_enter(const char *runroot, struct userns_info *info, struct holt_err *err)
{
	memset(info, 0, sizeof *info);
	/* Real root owns every id already; a nested identity map would only cost time. */
	if (getuid() == 0) {
		holt_debug("user namespace: none (real root owns every id)");
		info->mode = USERNS_IDENTITY;
		return 0;
	}
	int r = ns_holder_join(runroot, &info->single_reason, err);
	if (r == 0) {
		cleanup_close int lock = ns_holder_lock(runroot, err);
		if (lock < 0)
			return -1;
		r = ns_holder_join(runroot, &info->single_reason, err);
		if (r == 0) {
			if (enter_new(info, err) < 0)
				return -1;
			/* Without a pause process every command maps anew: slower, not wrong. */
			struct holt_err perr = {0};
			if (ns_holder_start(runroot, info->single_reason, &perr) < 0)
				holt_err_release(&perr);
			return 0;
		}
	}
	if (r < 0)
		return -1;
	holt_debug("user namespace: joined holt-pause's (%s map)",
		   info->single_reason ? "single-uid" : "subordinate-range");
	info->mode = info->single_reason ? USERNS_SINGLE : USERNS_RANGES;
	return 0;
}

void userns_info_release(struct userns_info *info)
{
	free(info->single_reason);
	info->single_reason = NULL;
}
