/* Each container's cgroup, <base>/holt-<id>: made with the container's limits when it
 * starts, with the starting process stepping in for the clone so that the container's
 * first process is born inside and nothing it runs escapes; frozen and thawed by pause
 * and unpause; removed when the container exits. */
#include "core/base/util.h"
#include "core/cgroup.h"
#include "core/cgroup_env.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The cgroup v2 line of /proc/<pid>/cgroup: "0::/path". */
static char *cgroup_of(pid_t pid)
{
	char proc[32];
	snprintf(proc, sizeof proc, "/proc/%d", pid);
	cleanup_free char *text = cgroup_read(proc, "cgroup");
	if (!text)
		return NULL;
	const char *line = strncmp(text, "0::", 3) == 0 ? text : strstr(text, "\n0::");
	if (!line)
		return NULL;
	line += *line == '\n' ? 4 : 3;
	return xstrndup(line, strcspn(line, "\n"));
}

/* The cgroup of the container's process when it is the one holt made for it: else the
 * process is in the user's own cgroup, and freezing that would freeze the user's shell. */
static char *holt_cgroup_of(const struct container *c)
{
	if (c->state.pid <= 0)
		return NULL;
	cleanup_free char *path = cgroup_of(c->state.pid);
	if (!path)
		return NULL;
	cleanup_free char *name = xasprintf("/holt-%s", c->id);
	size_t len = strlen(path), n = strlen(name);
	if (len < n || strcmp(path + len - n, name) != 0)
		return NULL;
	return steal_pointer(&path);
}

char *cgroup_container_dir(const struct container *c, const struct cgroup_env *env)
{
	if (!env->mount)
		return NULL;
	cleanup_free char *path = holt_cgroup_of(c);
	return path ? cgroup_env_dir(env, path) : NULL;
}

static bool dir_frozen(const char *dir)
{
	cleanup_free char *events = cgroup_read(dir, "cgroup.events");
	return events && cgroup_key(events, "frozen") == 1;
}

static int write_limits(const char *dir, const struct container_config *cfg, struct holt_err *err)
{
	char value[64];
	if (cfg->memory) {
		snprintf(value, sizeof value, "%" PRIu64, cfg->memory);
		if (cgroup_write(dir, "memory.max", value) < 0)
			return holt_err_set(err, errno, "--memory: write \"%s/memory.max\"", dir);
		/* docker's default: as much swap again. Without swap accounting the file is
		 * missing, and there is no swap to limit. */
		(void)cgroup_write(dir, "memory.swap.max", value);
	}
	if (cfg->nano_cpus) {
		/* CPU time per period of 100 ms, in µs: --cpus 1.5 is 150000 of 100000. */
		snprintf(value, sizeof value, "%" PRIu64 " 100000", cfg->nano_cpus / 10000);
		if (cgroup_write(dir, "cpu.max", value) < 0)
			return holt_err_set(err, errno, "--cpus: write \"%s/cpu.max\"", dir);
	}
	return 0;
}

/* Makes the container's cgroup with its limits in *dir; leaves NULL there when there is
 * none to be had, which is an error only when the container has limits. */
static int prepare(const struct container *c, const struct cgroup_env *env, char **dir,
		   struct holt_err *err)
{
	const struct container_config *cfg = &c->config;
	const char *opt = cfg->memory ? "--memory" : cfg->nano_cpus ? "--cpus" : NULL;

	*dir = NULL;
	if (!env->base)
		return opt ? holt_err_set(err, 0, "%s: needs a cgroup v2 tree delegated to you: %s",
					  opt, env->why)
			   : 0;
	if ((cfg->memory && cgroup_env_enable(env, "memory", "--memory", err) < 0) ||
	    (cfg->nano_cpus && cgroup_env_enable(env, "cpu", "--cpus", err) < 0))
		return -1;
	cleanup_free char *base = cgroup_env_dir(env, env->base);
	cleanup_free char *path = xasprintf("%s/holt-%s", base, c->id);
	/* One left behind by a monitor that was killed is replaced, limits and all; if it
	 * cannot be (something still runs in it), it must at least not be frozen. */
	if (mkdir(path, 0755) < 0 &&
	    (errno != EEXIST || rmdir(path) < 0 || mkdir(path, 0755) < 0)) {
		if (errno != EBUSY)
			return opt ? holt_err_set(err, errno, "%s: create the cgroup \"%s\"", opt,
						  path)
				   : 0;
		(void)cgroup_write(path, "cgroup.freeze", "0");
	}
	if (opt && write_limits(path, cfg, err) < 0) {
		rmdir(path);
		return -1;
	}
	*dir = steal_pointer(&path);
	return 0;
}

/* Moves this process into dir, noting in out where it came from; -1 with errno. */
static int step_in(const char *dir, const struct cgroup_env *env, struct cgroup_entered *out)
{
	/* Where to come back to: enabling a controller may have moved us into a leaf. */
	cleanup_free char *self = cgroup_of(getpid());
	cleanup_free char *back = self ? cgroup_env_dir(env, self) : NULL;
	if (!back) {
		errno = ENOENT;
		return -1;
	}
	if (cgroup_write(dir, "cgroup.procs", "0") < 0)
		return -1;
	out->back = steal_pointer(&back);
	return 0;
}

int cgroup_enter(const struct container *c, bool exec, struct cgroup_entered *out,
		 struct holt_err *err)
{
	const struct container_config *cfg = &c->config;
	struct cgroup_env env;
	cleanup_free char *dir = NULL;
	int ret = 0;

	out->back = NULL;
	cgroup_env_probe(&env);
	if (exec) {
		dir = cgroup_container_dir(c, &env);
		/* Stepping into a frozen cgroup would freeze holt. */
		if (dir && dir_frozen(dir))
			ret = holt_err_set(err, 0, "container \"%s\" is paused (unpause it first)",
					   c->name);
	} else {
		ret = prepare(c, &env, &dir, err);
	}
	if (ret == 0 && dir && step_in(dir, &env, out) < 0 && !exec) {
		int e = errno;
		rmdir(dir);
		if (cfg->memory || cfg->nano_cpus)
			ret = holt_err_set(err, e, "%s: move into the cgroup \"%s\"",
					   cfg->memory ? "--memory" : "--cpus", dir);
	}
	cgroup_env_release(&env);
	return ret;
}

void cgroup_leave(struct cgroup_entered *e)
{
	if (!e->back)
		return;
	/* Failing, holt stays in the container's cgroup until it exits: nothing breaks. */
	(void)cgroup_write(e->back, "cgroup.procs", "0");
	free(e->back);
	e->back = NULL;
}

void cgroup_remove(const struct container *c)
{
	struct cgroup_env env;
	cgroup_env_probe(&env);
	if (env.base) {
		cleanup_free char *base = cgroup_env_dir(&env, env.base);
		cleanup_free char *dir = xasprintf("%s/holt-%s", base, c->id);
		/* The last processes of its pid namespace may still be on their way out. */
		for (int i = 0; i < 50 && rmdir(dir) < 0 && errno == EBUSY; i++)
			nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
	}
	cgroup_env_release(&env);
}

static int wait_frozen(const char *dir, bool frozen, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("%s/cgroup.events", dir);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct timespec now, end;

	if (fd < 0)
		return holt_err_set(err, errno, "open \"%s\"", path);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 10;
	for (;;) {
		char buf[512];
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		if (n < 0)
			return holt_err_set(err, errno, "read \"%s\"", path);
		buf[n] = '\0';
		if (cgroup_key(buf, "frozen") == (frozen ? 1 : 0))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return holt_err_set(err, 0, "its processes were not %s within 10 seconds",
					    frozen ? "frozen" : "thawed");
		/* cgroupfs wakes pollers of cgroup.events with POLLPRI when it changes. */
		struct pollfd p = {fd, POLLPRI, 0};
		poll(&p, 1, (int)ms);
	}
}

int cgroup_freeze(const struct container *c, bool frozen, struct holt_err *err)
{
	struct cgroup_env env;
	cgroup_env_probe(&env);
	cleanup_free char *dir = cgroup_container_dir(c, &env);
	if (!dir) {
		if (!env.base)
			holt_err_set(err, 0, "needs a cgroup v2 tree delegated to you: %s",
				     env.why);
		else
			holt_err_set(err, 0,
				     "it has no cgroup of its own: it was started where no cgroup "
				     "v2 tree was delegated to you (restart it to give it one)");
		cgroup_env_release(&env);
		return -1;
	}
	cgroup_env_release(&env);
	if (cgroup_write(dir, "cgroup.freeze", frozen ? "1" : "0") < 0)
		return holt_err_set(err, errno, "write \"%s/cgroup.freeze\"", dir);
	return wait_frozen(dir, frozen, err);
}

/* ps asks this of every running container: the environment is probed only for one
 * that has a cgroup of its own. */
bool cgroup_is_frozen(const struct container *c)
{
	cleanup_free char *path = holt_cgroup_of(c);
	if (!path)
		return false;
	struct cgroup_env env;
	cgroup_env_probe(&env);
	cleanup_free char *dir = env.mount ? cgroup_env_dir(&env, path) : NULL;
	cgroup_env_release(&env);
	return dir && dir_frozen(dir);
}
