/* fuse-overlayfs, for kernels or filesystems where native overlay cannot be mounted in
 * a user namespace. Its daemon lives in the container's pid namespace and ends with it. */
#include "core/base/util.h"
#include "storage/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void rootfs_fuse_said(int out, char *said, size_t cap)
{
	ssize_t n = out >= 0 ? pread(out, said, cap - 1, 0) : -1;
	for (said[n > 0 ? n : 0] = '\0'; n > 0 && said[n - 1] == '\n';)
		said[--n] = '\0';
	for (char *nl = said; (nl = strchr(nl, '\n'));)
		*nl = ';';
}

static int daemon_failed(const struct rootfs_layout *layout, int status, int out,
			 struct holt_err *err)
{
	char said[512];
	rootfs_fuse_said(out, said, sizeof said);
	return holt_err_set(err, 0, "fuse-overlayfs on \"%s\": failed with status %d%s%s",
			    layout->target, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			    said[0] ? ": " : "", said);
}

/* The daemon runs in the foreground: daemonizing would fork it once more and hold holt
 * until that child's handshake. Its mount is ready once the mount table changes and the
 * target is another mount; the daemon's exit before that is its failure. mountinfo,
 * opened before the spawn, reports every change after it. */
static int wait_mounted(const struct rootfs_layout *layout, int mountinfo, uint64_t before,
			pid_t pid, int out, struct holt_err *err)
{
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct statx now;
	int st;

	if (pidfd < 0)
		return holt_err_set(err, errno, "fuse-overlayfs on \"%s\": watch the daemon",
				    layout->target);
	for (;;) {
		struct pollfd p[2] = {{.fd = mountinfo, .events = POLLPRI},
				      {.fd = pidfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return holt_err_set(err, errno, "fuse-overlayfs on \"%s\": wait",
					    layout->target);
		}
		if (p[0].revents) {
			if (statx(AT_FDCWD, layout->target, AT_STATX_DONT_SYNC, STATX_MNT_ID,
				  &now) < 0)
				return holt_err_set(err, errno, "fuse-overlayfs: \"%s\"",
						    layout->target);
			if (now.stx_mnt_id != before)
				return 0;
		}
		if (p[1].revents) {
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return daemon_failed(layout, st, out, err);
		}
	}
}

static int fuse_mount(const struct rootfs_layout *layout, struct holt_err *err)
{
	cleanup_free char *lower = rootfs_lowerdir_option(layout);
	cleanup_free char *opts =
	    xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, layout->upper, layout->work);
	if (layout->uidmapping) {
		char *mapped = xasprintf("%s,uidmapping=%s,gidmapping=%s", opts, layout->uidmapping,
					 layout->gidmapping);
		free(opts);
		opts = mapped;
	}
	char *argv[] = {"fuse-overlayfs", "-f", "-o", opts, (char *)layout->target, NULL};
	pid_t pid;

	if (access("/dev/fuse", R_OK | W_OK) < 0)
		return holt_err_set(err, errno, "fuse-overlayfs on \"%s\": /dev/fuse",
				    layout->target);
	if (rootfs_enter_lower_base(layout, err) < 0)
		return -1;
	cleanup_close int mountinfo = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (mountinfo < 0)
		return holt_err_set(err, errno, "open \"/proc/self/mountinfo\"");
	struct statx before;
	if (statx(AT_FDCWD, layout->target, AT_STATX_DONT_SYNC, STATX_MNT_ID, &before) < 0)
		return holt_err_set(err, errno, "fuse-overlayfs: \"%s\"", layout->target);
	/* Its chatter ("unknown argument ignored: lazytime") is not for the user's terminal:
	 * kept in memory, not a pipe, as the daemon outlives the read, and shown on failure.
	 * It gets none of the container's stdio, which would never see EOF while it lives. */
	cleanup_close int out = memfd_create("fuse-overlayfs-stderr", MFD_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (out >= 0)
		posix_spawn_file_actions_adddup2(&fa, out, STDERR_FILENO);
	/* The container's pid 1 mounts it with every signal blocked; the daemon gets none.
	 * It gets a session of its own, as daemonizing gave it: no signal sent to holt's
	 * process group or to the container's is meant for it. */
	posix_spawnattr_t at;
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
	int r = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return holt_err_set(err, r,
				    "run fuse-overlayfs (install the fuse-overlayfs "
				    "package)");
	if (wait_mounted(layout, mountinfo, before.stx_mnt_id, pid, out, err) < 0)
		return -1;
	/* The daemon shares this mount namespace: the container's pivot_root would move its
	 * root onto its own mount, and it would deadlock serving itself. Move on to a copy
	 * of the namespace and leave the daemon in the original. */
	if (unshare(CLONE_NEWNS) < 0)
		return holt_err_set(err, errno,
				    "fuse-overlayfs: leave the daemon's mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return holt_err_set(err, errno, "fuse-overlayfs: make the mount namespace private");
	return 0;
}

const struct rootfs_driver rootfs_fuse_overlayfs = {
    .name = "fuse-overlayfs",
    .mount = fuse_mount,
};
