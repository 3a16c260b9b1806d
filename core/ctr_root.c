/* The child that works chrooted in a container's root filesystem. It runs with every
 * capability of holt's user namespace, so nothing of the container's may be loaded into
 * it as code: it keeps no descriptor outside the root, looks up no user names (glibc
 * would load the container's NSS modules) and sets up charset conversion before the
 * chroot. Failures come back on a pipe as "<errno> <message>". */
#include "core/ctr_root.h"
#include "core/base/util.h"
#include "core/keep_id.h"
#include "core/keep_id_view.h"
#include "core/mounts_user.h"
#include "core/userns_auto.h"
#include "storage/image.h"
#include "storage/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <langinfo.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* What the child needs, worked out before the fork. */
struct setup {
	const struct ctr_root_request *req;
	bool running;
	/* stopped, on a keep-id view: the child is born in a user namespace of its own,
	 * mapped as the container's, and waits for a byte here before it mounts */
	int nested_sync;
	struct rootfs_layout layout; /* stopped */
	const char *driver;	     /* stopped */
	const char *volumes_dir;     /* stopped, live view: where its volumes are */
};

/* Closes every descriptor from 3 on but fd and report, and makes 0 and 1 /dev/null
 * unless one is fd; stderr stays, for sanitizer reports. An inherited directory
 * descriptor would be a way out of the chroot; a closed 0 or 1 would be taken by the
 * next open, by fuse-overlayfs say, which then loses it to /dev/null as it daemonizes. */
static int keep_only(int fd, int report, struct holt_err *err)
{
	close_fds_except(fd, report);
	int null = open("/dev/null", O_RDWR);
	if (null < 0)
		return holt_err_set(err, errno, "open \"/dev/null\"");
	for (int i = 0; i < 2; i++)
		if (i != fd && i != null && dup2(null, i) < 0)
			return holt_err_set(err, errno, "redirect descriptor %d", i);
	if (null > 2)
		close(null);
	return 0;
}

/* libarchive converts pax headers between UTF-8 and the locale's charset with iconv,
 * whose first use reads gconv's configuration and may load modules: from the host, here,
 * not from the container after the chroot. The handles stay open so that what was
 * loaded stays loaded. */
static void load_charset_conversions(void)
{
	const char *codeset = nl_langinfo(CODESET);
	(void)iconv_open(codeset, "UTF-8");
	(void)iconv_open("UTF-8", codeset);
}

/* A container's first process is pid 1 of a pid namespace of its own; a pid in holt's
 * own namespace is not a container's (reused after the container exited), and its root
 * may be the host's. */
static int check_in_container(pid_t pid, const char *name, struct holt_err *err)
{
	char path[64];
	struct stat own, other;

	snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
	if (stat(path, &other) < 0)
		return holt_err_set(err, errno == ENOENT ? 0 : errno,
				    "container \"%s\" is not running (its process %d is gone)",
				    name, (int)pid);
	if (stat("/proc/self/ns/pid", &own) < 0)
		return holt_err_set(err, errno, "read \"/proc/self/ns/pid\"");
	if (own.st_ino == other.st_ino && own.st_dev == other.st_dev)
		return holt_err_set(err, 0, "container \"%s\" is not running (pid %d is not its)",
				    name, (int)pid);
	return 0;
}

/* The root mount of the container's mount namespace, cloned without what is mounted
 * on it, so the mounts of the running container are left out. */
static int enter_rootfs_of(pid_t pid, const char *name, struct holt_err *err)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)pid);
	cleanup_close int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWNS) < 0)
		return holt_err_set(err, errno, "join the mount namespace of container \"%s\"",
				    name);
	cleanup_close int tree = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 || fchdir(tree) < 0 || chroot(".") < 0)
		return holt_err_set(err, errno, "enter the root filesystem of container \"%s\"",
				    name);
	return 0;
}

/* keep-id and auto: the container has a user namespace of its own, and its
 * fuse-overlayfs root serves only processes in it (keep-id) or in holt's and below
 * (auto, nomap). Joined as its root, so what is written is root's in the container, as docker's
 * cp makes it. */
static int open_userns_of(pid_t pid, const char *name, struct holt_err *err)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return holt_err_set(err, errno, "open the user namespace of container \"%s\"",
				    name);
	return ns;
}

static int join_userns(int ns, const char *name, struct holt_err *err)
{
	if (setns(ns, CLONE_NEWUSER) < 0)
		return holt_err_set(err, errno, "join the user namespace of container \"%s\"",
				    name);
	if ((setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) && errno != EINVAL)
		return holt_err_set(err, errno, "become root in container \"%s\"", name);
	return 0;
}

/* A stopped container seen live, as docker's cp sees it: its volumes and binds mounted
 * where it would have them, so a copy reaches what they hold. tmpfs mounts hold nothing
 * while it is stopped: what is copied there goes to its own layer. */
static int mount_volumes(const struct setup *s, struct holt_err *err)
{
	const struct container_config *cfg = &s->req->container->config;
	cleanup_free struct mount_spec *keep = xmalloc((cfg->n_mounts + 1) * sizeof *keep);
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (cfg->mounts[i].type != MOUNT_TMPFS)
			keep[n++] = cfg->mounts[i];
	return mounts_user(s->layout.target, keep, n, s->volumes_dir, false, err);
}

static int enter(const struct setup *s, struct holt_err *err)
{
	const struct container *c = s->req->container;
	pid_t pid = c->state.pid;

	if (s->running) {
		char root[64];
		snprintf(root, sizeof root, "/proc/%d/root", (int)pid);
		/* auto and nomap: the container's mounts are holt's, and its root serves holt's
		 * namespace and those below: joined last, from outside its root */
		bool late = userns_is_late(c->config.userns);
		if (check_in_container(pid, c->name, err) < 0)
			return -1;
		cleanup_close int ns = c->config.userns ? open_userns_of(pid, c->name, err) : -1;
		if (c->config.userns && (ns < 0 || (!late && join_userns(ns, c->name, err) < 0)))
			return -1;
		if (s->req->view == CTR_ROOT_ROOTFS && enter_rootfs_of(pid, c->name, err) < 0)
			return -1;
		if (s->req->view == CTR_ROOT_LIVE && chroot(root) < 0)
			return holt_err_set(err, errno, "enter the root of container \"%s\"",
					    c->name);
		if (late && join_userns(ns, c->name, err) < 0)
			return -1;
	} else {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return holt_err_set(err, errno, "make the mount namespace private");
		if (rootfs_mount(s->driver, &s->layout, err) < 0)
			return holt_err_wrap(err, "mount the root filesystem of container \"%s\"",
					     c->name);
		if (s->req->view == CTR_ROOT_LIVE && mount_volumes(s, err) < 0)
			return holt_err_wrap(err, "mount the volumes of container \"%s\"", c->name);
		if (chroot(s->layout.target) < 0)
			return holt_err_set(err, errno, "enter \"%s\"", s->layout.target);
	}
	if (chdir("/") < 0)
		return holt_err_set(err, errno, "enter the root of container \"%s\"", c->name);
	return 0;
}

/* The parent has mapped the namespace (or failed, and closed the pipe). */
static int enter_nested(int sync, struct holt_err *err)
{
	char c;
	if (read(sync, &c, 1) != 1)
		return holt_err_set(err, 0, "keep-id: the user namespace was not mapped");
	return keep_id_become_root(err);
}

/* A stopped container on a keep-id view: its files are read where they were written,
 * in a namespace mapped as its own, through overlay over the view (which the parent
 * joins, for the child to be cloned with it). */
static int nested_setup(struct setup *s, struct keep_id_maps *keep, struct layer_view *view,
			char *lower[1], struct holt_err *err)
{
	const struct container *c = s->req->container;
	struct keep_id k;
	cleanup_image struct image *img = image_lookup(s->req->store, c->image_id, err);

	if (!img)
		return holt_err_wrap(err, "container \"%s\": its image \"%s\"", c->name,
				     c->image_name);
	if (keep_id_parse(c->config.userns, &k, err) < 0 || keep_id_maps_make(&k, keep, err) < 0 ||
	    keep_id_view_join(s->req->store, img, keep, view, err) < 0)
		return holt_err_wrap(err, "container \"%s\"", c->name);
	lower[0] = view->merged;
	s->layout.lower = lower;
	s->layout.n_lower = 1;
	s->driver = "overlay";
	return 0;
}

static __attribute__((noreturn)) void child_main(const struct setup *s, int report)
{
	struct holt_err err = {0};
	const struct ctr_root_request *req = s->req;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* A reader that went away is an error to report, not a reason to die silently. */
	signal(SIGPIPE, SIG_IGN);
	load_charset_conversions();
	int ret = s->nested_sync >= 0 ? enter_nested(s->nested_sync, &err) : 0;
	if (ret == 0)
		ret = keep_only(req->fd, report, &err);
	if (ret == 0)
		ret = enter(s, &err);
	if (ret == 0)
		ret = req->fn(req->arg, req->fd, &err);
	if (ret < 0)
		dprintf(report, "%d %s", err.errnum, err.msg ? err.msg : "failed");
	_exit(ret < 0 ? 1 : 0);
}

/* A container that ran with vfs has its files in its own copy, not in upper/: its
 * layers mounted with overlay would show it as new. */
int ctr_root_start(const struct ctr_root_request *req, struct ctr_root_child *child,
		   struct holt_err *err)
{
	const struct container *c = req->container;
	cleanup_image struct image *img = NULL;
	cleanup_free char *upper = xasprintf("%s/upper", c->dir);
	cleanup_free char *work = xasprintf("%s/work", c->dir);
	cleanup_free char *copy = xasprintf("%s/rootfs", c->dir);
	cleanup_free char *merged = xasprintf("%s/merged", c->dir);
	cleanup_free char *volumes = xasprintf("%s/volumes", store_root(req->store));
	struct setup s = {.req = req, .running = container_is_running(c), .nested_sync = -1};
	cleanup_keep_id_maps struct keep_id_maps keep = {0};
	__attribute__((cleanup(layer_view_release))) struct layer_view view = {.mntns = -1};
	char *view_lower[1];
	int report[2], sync[2] = {-1, -1};

	if (s.running && c->state.pid <= 0)
		return holt_err_set(err, 0, "container \"%s\": no process recorded", c->name);
	if (!s.running) {
		img = image_lookup(req->store, c->image_id, err);
		if (!img)
			return holt_err_wrap(err, "container \"%s\": its image \"%s\"", c->name,
					     c->image_name);
		s.layout = (struct rootfs_layout){.lower = img->layer_dirs,
						  .n_lower = img->n_layers,
						  .upper = upper,
						  .work = work,
						  .copy = copy,
						  .target = merged};
		s.driver = req->storage_driver;
		/* read its layer as it was written, or its opaque dirs would not be */
		if (!s.driver && keep_id_uses_fuse(c->config.userns))
			s.driver = "fuse-overlayfs";
		s.volumes_dir = volumes;
	}
	bool nested = !s.running && keep_id_view_marked(c);
	if (nested &&
	    (nested_setup(&s, &keep, &view, view_lower, err) < 0 || pipe2(sync, O_CLOEXEC) < 0))
		return err->msg ? -1 : holt_err_set(err, errno, "create a pipe");
	s.nested_sync = sync[0];
	if (pipe2(report, O_CLOEXEC) < 0) {
		if (nested)
			close(sync[0]), close(sync[1]);
		return holt_err_set(err, errno, "create a pipe");
	}
	/* A stopped container's mounts are made in a mount namespace of the child's own, and
	 * a pid namespace: a fuse-overlayfs daemon started there dies with the child. */
	pid_t pid = s.running ? fork()
			      : (pid_t)syscall(SYS_clone,
					       CLONE_NEWNS | CLONE_NEWPID |
						   (nested ? CLONE_NEWUSER : 0) | SIGCHLD,
					       NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(report[0]);
		if (nested)
			close(sync[1]);
		child_main(&s, report[1]);
	}
	int errsv = errno;
	close(report[1]);
	if (nested) {
		close(sync[0]);
		int r = pid > 0 ? keep_id_write_maps(pid, &keep, err) : 0;
		if (r == 0 && pid > 0 && write(sync[1], "g", 1) != 1)
			r = holt_err_set(err, errno, "container \"%s\": start its reader", c->name);
		close(sync[1]);
		if (r < 0) {
			close(report[0]);
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
	}
	if (pid < 0) {
		close(report[0]);
		return holt_err_set(err, errsv, "create a process for container \"%s\"", c->name);
	}
	child->pid = pid;
	child->report = report[0];
	return 0;
}

int ctr_root_wait(struct ctr_root_child *child, struct holt_err *err)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int st = 0;

	while (len < sizeof buf - 1 &&
	       (n = read(child->report, buf + len, sizeof buf - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(child->report);
	child->report = -1;
	while (waitpid(child->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (len) {
		char *msg = strchr(buf, ' ');
		holt_err_set(err, 0, "%s", msg ? msg + 1 : buf);
		err->errnum = atoi(buf);
		return -1;
	}
	if (WIFSIGNALED(st))
		return holt_err_set(err, 0, "process in the container's root killed by signal %d",
				    WTERMSIG(st));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return holt_err_set(err, 0, "process in the container's root failed with status %d",
				    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
