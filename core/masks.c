/* Masks go on after /proc, /sys and /dev are mounted and before pivot_root, while the
 * host's /dev/null and devices can still be named. */
#include "core/masks.h"
#include "core/base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int mask(const char *root, const char *path, struct holt_err *err)
{
	cleanup_free char *target = xasprintf("%s%s", root, path);
	struct stat st;
	if (lstat(target, &st) < 0 || S_ISLNK(st.st_mode))
		return 0; /* nothing there to hide (a symlink would lead out of root) */
	int ret = S_ISDIR(st.st_mode)
		      ? mount("tmpfs", target, "tmpfs",
			      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555")
		      : mount("/dev/null", target, NULL, MS_BIND, NULL);
	if (ret < 0)
		return holt_err_set(err, errno, "mask \"%s\"", path);
	return 0;
}

static int make_readonly(const char *root, const char *path, struct holt_err *err)
{
	cleanup_free char *target = xasprintf("%s%s", root, path);
	struct statvfs sv;
	struct stat st;
	if (lstat(target, &st) < 0 || S_ISLNK(st.st_mode))
		return 0;
	if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0 || statvfs(target, &sv) < 0)
		return holt_err_set(err, errno, "bind \"%s\" read-only", path);
	/* A remount in a user namespace must keep the flags it cannot clear. */
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
	flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
		 (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
	if (mount(NULL, target, NULL, flags, NULL) < 0)
		return holt_err_set(err, errno, "remount \"%s\" read-only", path);
	return 0;
}

int masks_apply(const char *root, const struct container_security *s, struct holt_err *err)
{
	cleanup_strv char **masked = security_masked_paths(s);
	cleanup_strv char **readonly = security_readonly_paths(s);
	for (char **p = masked; p && *p; p++)
		if (mask(root, *p, err) < 0)
			return -1;
	for (char **p = readonly; p && *p; p++)
		if (make_readonly(root, *p, err) < 0)
			return -1;
	return 0;
}

/* Binds host over root+ctr, creating what it binds onto. */
static int bind_device(const char *root, const char *host, const char *ctr, struct holt_err *err)
{
	cleanup_free char *target = xasprintf("%s%s", root, ctr);
	cleanup_free char *parent = xstrdup(target);
	struct stat st;
	if (stat(host, &st) < 0)
		return holt_err_set(err, errno, "device \"%s\"", host);
	*strrchr(parent, '/') = '\0';
	if (mkdir_p(parent, 0755) < 0)
		return holt_err_set(err, errno, "device \"%s\": create \"%s\"", host, ctr);
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(target, 0755) < 0 && errno != EEXIST)
			return holt_err_set(err, errno, "device \"%s\": create \"%s\"", host, ctr);
	} else {
		if (lstat(target, &st) == 0 && S_ISLNK(st.st_mode))
			unlink(target);
		int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return holt_err_set(err, errno, "device \"%s\": create \"%s\"", host, ctr);
		close(fd);
	}
	if (mount(host, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return holt_err_set(err, errno, "bind device \"%s\" on \"%s\"", host, ctr);
	return 0;
}

/* --privileged: the devices of the host's /dev (and of its first-level directories,
 * such as /dev/net and /dev/dri) that the user can open and the container lacks. */
static int bind_host_devices(const char *root, const char *dir, int depth, struct holt_err *err)
{
	static const char *const skip[] = {"pts", "shm",  "mqueue", "hugepages",
					   "fd",  "disk", "block",  "char",
					   "bus", "core", "ptmx",   "console"};
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		bool skipped = e->d_name[0] == '.';
		for (size_t i = 0; !skipped && i < sizeof skip / sizeof *skip; i++)
			skipped = strcmp(e->d_name, skip[i]) == 0;
		if (skipped)
			continue;
		cleanup_free char *host = xasprintf("%s/%s", dir, e->d_name);
		cleanup_free char *target = xasprintf("%s%s", root, host);
		struct stat st;
		if (lstat(host, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth == 0) {
			if (bind_host_devices(root, host, 1, err) < 0)
				return -1;
			continue;
		}
		if ((!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) || access(target, F_OK) == 0 ||
		    (access(host, R_OK) < 0 && access(host, W_OK) < 0))
			continue;
		if (bind_device(root, host, host, err) < 0)
			return -1;
	}
	return 0;
}

int devices_apply(const char *root, const struct container_security *s, struct holt_err *err)
{
	for (char **d = s->devices; d && *d; d++) {
		cleanup_free char *copy = xstrdup(*d);
		char *ctr = strchr(copy, ':');
		char *perms = ctr ? strchr(ctr + 1, ':') : NULL;
		if (!perms)
			continue;
		*ctr++ = '\0', *perms = '\0';
		if (bind_device(root, copy, ctr, err) < 0)
			return -1;
	}
	if (s->privileged && bind_host_devices(root, "/dev", 0, err) < 0)
		return -1;
	return 0;
}
