/* The store's layout, its metadata lock and atomic file writes. */
#include "storage/store.h"
#include "core/base/file.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct store {
	char *root;
	char *runroot;
	char *tmp;
	int lock_fd;
	/* The flock is the process's: nested sections of one thread share it, and other
	 * threads (pull's workers) wait for the mutex. */
	pthread_mutex_t lock_mutex; /* recursive */
	int lock_depth;
	/* This handle's own staging dir under tmp/, kept flocked while it lives so that
	 * other commands' store_open leaves it alone. Made once, by whichever thread asks
	 * first. */
	pthread_mutex_t stage_mutex;
	char *stage;
	int stage_fd;
};

#define STAGE_LOCK ".lock"

/* The directories store_open creates under the root, parents first. */
static const char *const store_dirs[] = {
    "blobs", "blobs/sha256", "layers", "images", "containers", "volumes", "tmp",
};

char *store_default_root(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/holt", xdg);
	const char *home = getenv("HOME");
	return xasprintf("%s/.local/share/holt", home && *home ? home : "/");
}

char *store_default_runroot(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg == '/')
		return xasprintf("%s/holt", xdg);
	return xasprintf("/tmp/holt-%u", (unsigned)getuid());
}

/* True when the entry tmp/<name> belongs to a live command: its lock is held. */
static bool stage_in_use(int tmpfd, const char *name)
{
	cleanup_free char *lock = xasprintf("%s/" STAGE_LOCK, name);
	cleanup_close int fd = openat(tmpfd, lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

/* Removes from tmp/ what commands that died before their final rename left there.
 * Runs under the store lock, which also covers the creation of staging dirs. */
static int store_clean_tmp(struct store *s, struct holt_err *err)
{
	cleanup_dir DIR *d = opendir(s->tmp);
	if (!d)
		return holt_err_set(err, errno, "open \"%s\"", s->tmp);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    stage_in_use(dirfd(d), de->d_name))
			continue;
		cleanup_free char *p = xasprintf("%s/%s", s->tmp, de->d_name);
		if (store_remove_tree(p, err) < 0)
			return -1;
	}
	return 0;
}

/* Creates the layout, opens the lock and cleans tmp/. */
static int store_setup(struct store *s, struct holt_err *err)
{
	if (mkdir_p(s->root, 0700) < 0)
		return holt_err_set(err, errno, "create the store \"%s\"", s->root);
	if (mkdir_p(s->runroot, 0700) < 0)
		return holt_err_set(err, errno, "create runroot \"%s\"", s->runroot);
	/* A runroot under /tmp may have been made by someone else first: never trust it. */
	struct stat st;
	if (stat(s->runroot, &st) < 0)
		return holt_err_set(err, errno, "open runroot \"%s\"", s->runroot);
	if (st.st_uid != geteuid())
		return holt_err_set(err, 0, "open runroot \"%s\": owned by uid %u, not by you",
				    s->runroot, (unsigned)st.st_uid);
	for (size_t i = 0; i < sizeof store_dirs / sizeof *store_dirs; i++) {
		cleanup_free char *p = xasprintf("%s/%s", s->root, store_dirs[i]);
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return holt_err_set(err, errno, "create directory \"%s\"", p);
	}
	cleanup_free char *lock = xasprintf("%s/lock", s->root);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0)
		return holt_err_set(err, errno, "open lock \"%s\"", lock);
	if (store_lock(s, err) < 0)
		return -1;
	int ret = store_clean_tmp(s, err);
	store_unlock(s);
	return ret;
}

struct store *store_open(const char *root, const char *runroot, struct holt_err *err)
{
	struct store *s = xzalloc(sizeof *s);
	s->root = xstrdup(root);
	s->runroot = xstrdup(runroot);
	s->tmp = xasprintf("%s/tmp", root);
	s->lock_fd = -1;
	s->stage_fd = -1;
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->lock_mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_mutex_init(&s->stage_mutex, NULL);
	if (store_setup(s, err) < 0) {
		holt_err_wrap(err, "open store \"%s\"", root);
		store_free(s);
		return NULL;
	}
	return s;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	if (s->stage) {
		struct holt_err ignored = {0};
		if (store_remove_tree(s->stage, &ignored) < 0)
			holt_err_release(&ignored);
	}
	if (s->stage_fd >= 0)
		close(s->stage_fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	pthread_mutex_destroy(&s->lock_mutex);
	pthread_mutex_destroy(&s->stage_mutex);
	free(s->stage);
	free(s->root);
	free(s->runroot);
	free(s->tmp);
	free(s);
}

const char *store_root(const struct store *s)
{
	return s->root;
}

const char *store_runroot(const struct store *s)
{
	return s->runroot;
}

int store_lock(struct store *s, struct holt_err *err)
{
	pthread_mutex_lock(&s->lock_mutex);
	if (s->lock_depth++ > 0)
		return 0;
	while (flock(s->lock_fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		s->lock_depth = 0;
		pthread_mutex_unlock(&s->lock_mutex);
		return holt_err_set(err, e, "lock store \"%s\"", s->root);
	}
	return 0;
}

void store_unlock(struct store *s)
{
	if (s->lock_depth == 0)
		return;
	if (--s->lock_depth == 0)
		flock(s->lock_fd, LOCK_UN);
	pthread_mutex_unlock(&s->lock_mutex);
}

static void make_staging_dir(struct store *s, struct holt_err *err)
{
	/* Under the store lock, so that no store_open cleans it between mkdtemp and flock. */
	if (store_lock(s, err) < 0)
		return;
	cleanup_free char *dir = xasprintf("%s/XXXXXX", s->tmp);
	cleanup_free char *lock = NULL;
	int fd = -1;
	if (!mkdtemp(dir)) {
		holt_err_set(err, errno, "create staging directory in \"%s\"", s->tmp);
		goto out;
	}
	lock = xasprintf("%s/" STAGE_LOCK, dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		holt_err_set(err, errno, "create staging directory \"%s\"", dir);
		if (fd >= 0)
			close(fd);
		rmdir(dir);
		goto out;
	}
	s->stage_fd = fd;
	s->stage = steal_pointer(&dir);
out:
	store_unlock(s);
}

const char *store_staging_dir(struct store *s, struct holt_err *err)
{
	pthread_mutex_lock(&s->stage_mutex);
	if (!s->stage)
		make_staging_dir(s, err);
	const char *stage = s->stage;
	pthread_mutex_unlock(&s->stage_mutex);
	return stage;
}

char *store_mktemp(struct store *s, struct holt_err *err)
{
	const char *stage = store_staging_dir(s, err);
	if (!stage)
		return NULL;
	char *p = xasprintf("%s/XXXXXX", stage);
	if (!mkdtemp(p)) {
		holt_err_set(err, errno, "create staging directory in \"%s\"", stage);
		free(p);
		return NULL;
	}
	return p;
}

int store_write_file(struct store *s, const char *path, const void *data, size_t len,
		     struct holt_err *err)
{
	const char *stage = store_staging_dir(s, err);
	if (!stage)
		return -1;
	return write_file_atomic(path, stage, data, len, true, err);
}

int store_discard(struct store *s, const char *path, struct holt_err *err)
{
	static unsigned long n;
	cleanup_free char *dst = xasprintf("%s/discard-%d-%lu", s->tmp, (int)getpid(), n++);
	if (rename(path, dst) < 0)
		return errno == ENOENT ? 0 : holt_err_set(err, errno, "remove \"%s\"", path);
	struct holt_err ignored = {0};
	if (store_remove_tree(dst, &ignored) < 0)
		holt_err_release(&ignored); /* the next command's cleaning of tmp/ finishes it */
	return 0;
}
