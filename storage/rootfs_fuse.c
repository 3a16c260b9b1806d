/* fuse-overlayfs, for kernels or filesystems where native overlay cannot be mounted in
 * a user namespace. Its daemon lives in the container's pid namespace and ends with it. */
#include "core/base/util.h"
#include "storage/rootfs.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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
	char *argv[] = {"fuse-overlayfs", "-o", opts, (char *)layout->target, NULL};
	pid_t pid;
	int st;

	if (access("/dev/fuse", R_OK | W_OK) < 0)
		return holt_err_set(err, errno, "fuse-overlayfs on \"%s\": /dev/fuse",
				    layout->target);
	if (rootfs_enter_lower_base(layout, err) < 0)
		return -1;
	/* Its chatter ("unknown argument ignored: lazytime") is not for the user's terminal:
	 * kept in memory, not a pipe, as the daemon outlives the read, and shown on failure. */
	cleanup_close int out = memfd_create("fuse-overlayfs-stderr", MFD_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (out >= 0)
		posix_spawn_file_actions_adddup2(&fa, out, STDERR_FILENO);
	/* The container's pid 1 mounts it with every signal blocked; the daemon gets none. */
	posix_spawnattr_t at;
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	int r = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return holt_err_set(err, r,
				    "run fuse-overlayfs (install the fuse-overlayfs "
				    "package)");
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		char said[512] = "";
		ssize_t n = out >= 0 ? pread(out, said, sizeof said - 1, 0) : -1;
		for (said[n > 0 ? n : 0] = '\0'; n > 0 && said[n - 1] == '\n';)
			said[--n] = '\0';
		for (char *nl = said; (nl = strchr(nl, '\n'));)
			*nl = ';';
		return holt_err_set(err, 0, "fuse-overlayfs on \"%s\": failed with status %d%s%s",
				    layout->target, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
				    said[0] ? ": " : "", said);
	}
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
