/* Every mount here happens in the container's own mount namespace, owned by holt's user
 * namespace: device nodes cannot be made there, so /dev is a tmpfs with the host's few
 * safe devices bound in, as rootless podman and bubblewrap do. */
#include "core/mounts.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int mount_at(const char *src, const char *root, const char *dest, const char *type,
		    unsigned long flags, const char *data, struct holt_err *err)
{
	cleanup_free char *target = xasprintf("%s%s", root, dest);
	if (mkdir(target, 0755) < 0 && errno != EEXIST)
		return holt_err_set(err, errno, "create mount point \"%s\"", dest);
	if (mount(src, target, type, flags, data) < 0)
		return holt_err_set(err, errno, "mount %s on \"%s\"", type ? type : src, dest);
	return 0;
}

/* Creates an empty file at root+dest where there is none (replacing a symlink, which a
 * bind would follow out of the container) and binds src over it. Opened read-only: an
 * image's own file would be copied up into the container's layer at an open for
 * writing, at every start, for nothing. */
static int bind_file(const char *src, const char *root, const char *dest, unsigned long extra,
		     struct holt_err *err)
{
	cleanup_free char *target = xasprintf("%s%s", root, dest);
	struct stat st;

	bool regular = false;
	if (lstat(target, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			unlink(target);
		regular = S_ISREG(st.st_mode);
	}
	/* A file there is mounted over as it is: opening it would be a round trip to the
	 * fuse-overlayfs daemon where one serves the image. */
	if (!regular) {
		int fd =
		    open(target, O_RDONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return holt_err_set(err, errno, "create \"%s\"", dest);
		close(fd);
	}
	if (mount(src, target, NULL, MS_BIND, NULL) < 0)
		return holt_err_set(err, errno, "bind \"%s\" on \"%s\"", src, dest);
	if (extra && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | extra, NULL) < 0)
		return holt_err_set(err, errno, "remount \"%s\"", dest);
	return 0;
}

static int setup_dev(const char *root, struct holt_err *err)
{
	static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
	static const char *const links[][2] = {
	    {"/proc/self/fd", "/dev/fd"},	{"/proc/self/fd/0", "/dev/stdin"},
	    {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
	    {"pts/ptmx", "/dev/ptmx"},
	};

	if (mount_at("tmpfs", root, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		     "mode=755,size=65536k", err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof devices / sizeof *devices; i++) {
		cleanup_free char *src = xasprintf("/dev/%s", devices[i]);
		cleanup_free char *dest = xasprintf("/dev/%s", devices[i]);
		if (bind_file(src, root, dest, 0, err) < 0)
			return -1;
	}
	/* gid=5 (tty) exists only when the group range is mapped. */
	if (mount_at("devpts", root, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0) {
		holt_err_release(err);
		if (mount_at("devpts", root, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			     "newinstance,ptmxmode=0666,mode=0620", err) < 0)
			return -1;
	}
	if (mount_at("shm", root, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     "mode=1777,size=65536k", err) < 0 ||
	    mount_at("mqueue", root, "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
		cleanup_free char *path = xasprintf("%s%s", root, links[i][1]);
		if (symlink(links[i][0], path) < 0)
			return holt_err_set(err, errno, "create \"%s\"", links[i][1]);
	}
	return 0;
}

static int setup_sys(const char *root, bool own_netns, bool writable, struct holt_err *err)
{
	const unsigned long flags =
	    MS_NOSUID | MS_NODEV | MS_NOEXEC | (writable ? 0 : (unsigned long)MS_RDONLY);
	if (own_netns)
		return mount_at("sysfs", root, "/sys", "sysfs", flags, NULL, err);
	/* sysfs may only be mounted by the owner of the network namespace. */
	if (mount_at("/sys", root, "/sys", NULL, MS_BIND | MS_REC, NULL, err) < 0)
		return -1;
	cleanup_free char *target = xasprintf("%s/sys", root);
	if (!writable && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		return holt_err_set(err, errno, "remount \"/sys\" read-only");
	return 0;
}

int mounts_setup(const char *rootfs, const char *etc_dir, bool own_netns, bool sys_writable,
		 struct holt_err *err)
{
	static const char *const etc_files[] = {"hostname", "hosts", "resolv.conf"};

	if (mount_at("proc", rootfs, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) <
		0 ||
	    setup_dev(rootfs, err) < 0 || setup_sys(rootfs, own_netns, sys_writable, err) < 0)
		return -1;
	cleanup_free char *etc = xasprintf("%s/etc", rootfs);
	if (mkdir(etc, 0755) < 0 && errno != EEXIST)
		return holt_err_set(err, errno, "create \"/etc\"");
	for (size_t i = 0; i < sizeof etc_files / sizeof *etc_files; i++) {
		cleanup_free char *src = xasprintf("%s/%s", etc_dir, etc_files[i]);
		cleanup_free char *dest = xasprintf("/etc/%s", etc_files[i]);
		if (bind_file(src, rootfs, dest, 0, err) < 0)
			return -1;
	}
	/* there only with --tz */
	cleanup_free char *localtime = xasprintf("%s/localtime", etc_dir);
	if (access(localtime, F_OK) == 0)
		return bind_file(localtime, rootfs, "/etc/localtime", 0, err);
	return 0;
}

int mounts_pivot(const char *rootfs, struct holt_err *err)
{
	if (chdir(rootfs) < 0)
		return holt_err_set(err, errno, "enter \"%s\"", rootfs);
	/* pivot_root(".", ".") stacks the old root under the new one; detach it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return holt_err_set(err, errno, "pivot_root to \"%s\"", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return holt_err_set(err, errno, "detach the host's root");
	if (chdir("/") < 0)
		return holt_err_set(err, errno, "enter the new root");
	return 0;
}
