/* Views live under runroot/views/<top layer>-<mapping>/: merged (the mount point),
 * upper and work (fuse-overlayfs wants them; the view is mounted read-only, so they stay
 * empty) and holder.pid. A lock file beside each dir orders the commands that make,
 * join or stop it. */
#include "storage/layer_view.h"
#include "core/base/digest.h"
#include "core/base/file.h"
#include "core/base/util.h"
#include "storage/rootfs.h"
#include "storage/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char holder_comm[] = "holt-view";

/* Room for the layer's 16 hex digits, a dash and the mapping's 16. */
#define KEY_LEN 33

/* FNV-1a: the mapping's part of a name, not a secret; SHA-256 would load libcrypto, a
 * millisecond of every keep-id start. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The top layer's chain id, from its dir ".../layers/<hex>/diff". */
static int view_key(const struct layer_view_request *req, char key[KEY_LEN + 1],
		    struct holt_err *err)
{
	if (!req->n_lower)
		return holt_err_set(err, 0, "keep-id view: the image has no layers");
	const char *top = req->lower[req->n_lower - 1];
	const char *end = strrchr(top, '/');
	const char *start = end;
	while (start && start > top && start[-1] != '/')
		start--;
	if (!end || end - start < 16)
		return holt_err_set(err, 0, "keep-id view: layer dir \"%s\" is not a store's", top);
	/* the store's path too: two stores under one runroot have views of their own */
	cleanup_free char *maps = xasprintf("%s %s %s", top, req->uidmapping, req->gidmapping);
	snprintf(key, KEY_LEN + 1, "%.16s-%016" PRIx64, start, fnv1a(maps));
	return 0;
}

static pid_t read_holder(const char *dir)
{
	cleanup_free char *path = xasprintf("%s/holder.pid", dir);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	char text[32], *end;
	ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
	text[n > 0 ? n : 0] = '\0';
	long pid = strtol(text, &end, 10);
	return n > 0 && *end == '\n' && pid > 0 && pid <= INT_MAX ? (pid_t)pid : 0;
}

static bool same_ns(pid_t pid, const char *ns)
{
	char path[64], self[64];
	struct stat a, b;
	snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, ns);
	snprintf(self, sizeof self, "/proc/self/ns/%s", ns);
	return stat(path, &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

/* The holder of dir, when it is alive and in our user namespace (a holder from before
 * the pause process was restarted maps ids for another). A live holder has its view
 * mounted: it says it is ready only then, and ends with its daemon. */
static int attach(const char *dir, struct layer_view *out)
{
	pid_t pid = read_holder(dir);
	char path[64];

	if (!pid || !process_named(pid, holder_comm) || !same_ns(pid, "user"))
		return -1;
	snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)pid);
	out->mntns = open(path, O_RDONLY | O_CLOEXEC);
	if (out->mntns < 0)
		return -1;
	out->merged = xasprintf("%s/merged", dir);
	return 0;
}

/* Ends dir's holder: its daemon ends once no running container has the view. */
static void stop_holder(const char *dir)
{
	pid_t pid = read_holder(dir);
	if (!pid || !process_named(pid, holder_comm))
		return;
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return;
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) == 0 &&
	    poll(&p, 1, 2000) == 0 && syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0)
		poll(&p, 1, 2000);
}

/* Its only child is the daemon: when that ends, the view is gone, and so is the
 * holder. */
static __attribute__((noreturn)) void hold(int watch)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[2] = {{.fd = sfd, .events = POLLIN},
				      {.fd = watch, .events = POLLIN}};
		if (poll(p, watch >= 0 ? 2 : 1, -1) < 0 && errno == EINTR)
			continue;
		if (sfd < 0 || p[1].revents)
			_exit(0);
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
			_exit(0);
		if (waitpid(-1, NULL, WNOHANG) > 0)
			_exit(0);
	}
}

/* fuse-overlayfs serving the view's /dev/fuse descriptor, in a copy of the holder's
 * mount namespace without the view: the view's superblock then lives as long as a
 * namespace has it (the holder's, or a running container's), and the daemon exits when
 * the last one goes, not with the holder. */
static pid_t spawn_daemon(const char *opts, const char *merged, int fuse, int out)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	char dev[32];
	char *argv[] = {"fuse-overlayfs", "-f", "-o", (char *)opts, dev, NULL};
	sigset_t none;
	int null = open("/dev/null", O_RDWR);
	snprintf(dev, sizeof dev, "/dev/fd/%d", fuse);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    umount2(merged, MNT_DETACH) < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(out, 2) < 0)
		_exit(126);
	close_fds_except(fuse, -1);
	setsid();
	execvp(argv[0], argv);
	_exit(127);
}

/* What the daemon said, on one line, when it did not serve the view. */
static int daemon_failed(const char *dir, pid_t pid, int out, struct holt_err *err)
{
	char said[512];
	int st = 0;
	rootfs_fuse_said(out, said, sizeof said);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return holt_err_set(err, 0,
				    "keep-id view \"%s\": run fuse-overlayfs (install the "
				    "fuse-overlayfs package)",
				    dir);
	return holt_err_set(err, 0, "keep-id view \"%s\": fuse-overlayfs failed%s%s", dir,
			    said[0] ? ": " : "", said);
}

/* The view, mounted read-only by the holder itself on a /dev/fuse descriptor that the
 * daemon serves; the first stat waits for the daemon to answer. */
static int mount_view(const struct layer_view_request *req, const char *dir, struct holt_err *err)
{
	cleanup_free char *merged = xasprintf("%s/merged", dir);
	cleanup_free char *upper = xasprintf("%s/upper", dir);
	cleanup_free char *work = xasprintf("%s/work", dir);
	const struct rootfs_layout layout = {.lower = req->lower, .n_lower = req->n_lower};
	cleanup_free char *lower = rootfs_lowerdir_option(&layout);
	cleanup_free char *opts =
	    xasprintf("lowerdir=%s,upperdir=%s,workdir=%s,uidmapping=%s,gidmapping=%s", lower,
		      upper, work, req->uidmapping, req->gidmapping);
	cleanup_close int out = memfd_create("fuse-overlayfs-stderr", MFD_CLOEXEC);
	int fuse = open("/dev/fuse", O_RDWR);
	struct stat st;

	if (fuse < 0)
		return holt_err_set(err, errno, "keep-id view \"%s\": open \"/dev/fuse\"", dir);
	cleanup_free char *data = xasprintf("fd=%d,rootmode=40000,user_id=0,group_id=0,"
					    "default_permissions,allow_other",
					    fuse);
	if (mount("fuse-overlayfs", merged, "fuse.fuse-overlayfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
		  data) < 0) {
		int e = errno;
		close(fuse);
		return holt_err_set(err, e, "keep-id view \"%s\": mount it", dir);
	}
	pid_t pid = spawn_daemon(opts, merged, fuse, out);
	close(fuse);
	if (pid < 0)
		return holt_err_set(err, errno, "keep-id view \"%s\": start fuse-overlayfs", dir);
	if (stat(merged, &st) < 0)
		return daemon_failed(dir, pid, out, err);
	return 0;
}

/* In a mount namespace of its own, which containers' are cloned from. */
static __attribute__((noreturn)) void holder_main(const struct layer_view_request *req,
						  const char *dir, int ready, int watch)
{
	struct holt_err err = {0};
	sigset_t set;

	/* one inherited would keep its file open, or its lock held (the store's, the
	 * view's), as long as the holder lives */
	close_fds_except(ready, watch);
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	setsid();
	prctl(PR_SET_NAME, holder_comm);
	process_retitle(holder_comm);
	/* A slave of holt's: what is mounted on the host later (an automounted home, a
	 * disk) still shows in the namespace containers are cloned from, and nothing
	 * mounted here goes back. */
	if (chdir("/") < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		holt_err_set(&err, errno, "keep-id view \"%s\": make its mount namespace", dir);
	else
		mount_view(req, dir, &err);
	if (err.msg) {
		dprintf(ready, "%d %s", err.errnum, err.msg);
		_exit(1);
	}
	if (write(ready, "ok", 2) != 2)
		_exit(1);
	close(ready);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0)
		dup2(null, 0), dup2(null, 1), dup2(null, 2);
	hold(watch);
}

/* Forks once more, so that the holder is not this command's child to reap. */
static int spawn_holder(const struct layer_view_request *req, const char *dir, struct holt_err *err)
{
	cleanup_close int watch = req->open_watch ? req->open_watch(req->runroot) : -1;
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return holt_err_set(err, errno, "keep-id view: create a pipe");
	pid_t mid = fork();
	if (mid == 0) {
		close(ready[0]);
		pid_t pid =
		    (pid_t)syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, NULL);
		if (pid == 0)
			holder_main(req, dir, ready[1], watch);
		cleanup_free char *path = xasprintf("%s/holder.pid", dir);
		cleanup_free char *text = xasprintf("%d\n", (int)pid);
		struct holt_err e = {0};
		if (pid < 0)
			dprintf(ready[1], "%d keep-id view \"%s\": create its holder", errno, dir);
		else if (write_file_atomic(path, NULL, text, strlen(text), false, &e) < 0)
			dprintf(ready[1], "%d %s", e.errnum, e.msg);
		_exit(0);
	}
	close(ready[1]);
	if (mid < 0) {
		close(ready[0]);
		return holt_err_set(err, errno, "keep-id view: create a process");
	}
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	char said[1024];
	size_t n = read_report_pipe(ready[0], said, sizeof said);
	close(ready[0]);
	if (n == 2 && memcmp(said, "ok", 2) == 0)
		return 0;
	int errnum = 0, off = 0;
	if (n && sscanf(said, "%d %n", &errnum, &off) >= 1 && off)
		return holt_err_set(err, errnum, "%s", said + off);
	return holt_err_set(err, 0, "keep-id view \"%s\": its holder ended at start", dir);
}

int layer_view_get(const struct layer_view_request *req, struct layer_view *out,
		   struct holt_err *err)
{
	char key[KEY_LEN + 1];
	memset(out, 0, sizeof *out);
	out->mntns = -1;
	if (view_key(req, key, err) < 0)
		return -1;
	cleanup_free char *views = xasprintf("%s/views", req->runroot);
	cleanup_free char *dir = xasprintf("%s/%s", views, key);
	cleanup_free char *lock_path = xasprintf("%s.lock", dir);
	if (mkdir_p(views, 0700) < 0)
		return holt_err_set(err, errno, "create \"%s\"", views);
	cleanup_close int lock = file_lock(lock_path, LOCK_EX, err);
	if (lock < 0)
		return -1;
	if (attach(dir, out) == 0)
		return 0;
	stop_holder(dir);
	if (store_remove_tree(dir, err) < 0)
		return -1;
	const char *const parts[] = {"merged", "upper", "work"};
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *p = xasprintf("%s/%s", dir, parts[i]);
		if (mkdir_p(p, 0700) < 0)
			return holt_err_set(err, errno, "create \"%s\"", p);
	}
	if (spawn_holder(req, dir, err) < 0)
		return -1;
	if (attach(dir, out) < 0)
		return holt_err_set(err, 0, "keep-id view \"%s\": not mounted after its start",
				    dir);
	return 0;
}

void layer_view_release(struct layer_view *v)
{
	free(v->merged);
	v->merged = NULL;
	if (v->mntns >= 0)
		close(v->mntns);
	v->mntns = -1;
}

int layer_views_stop(const char *runroot, const char *chain_id, struct holt_err *err)
{
	cleanup_free char *views = xasprintf("%s/views", runroot);
	const char *hex = chain_id ? digest_hex(chain_id) : NULL;
	cleanup_dir DIR *d = opendir(views);
	struct dirent *e;

	if (!d)
		return errno == ENOENT ? 0 : holt_err_set(err, errno, "open \"%s\"", views);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len != KEY_LEN || (hex && strncmp(e->d_name, hex, 16) != 0))
			continue;
		cleanup_free char *dir = xasprintf("%s/%s", views, e->d_name);
		cleanup_free char *lock_path = xasprintf("%s.lock", dir);
		cleanup_close int lock = file_lock(lock_path, LOCK_EX, err);
		if (lock < 0)
			return -1;
		stop_holder(dir);
		/* Without the user namespace (migrate), what the daemon made may not go: the
		 * next view made here removes it. */
		struct holt_err ignored = {0};
		store_remove_tree(dir, &ignored);
		holt_err_release(&ignored);
	}
	return 0;
}
