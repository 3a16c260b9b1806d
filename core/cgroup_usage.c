/* A running container's usage, for holt stats: read from its cgroup where it has one
 * and the controller behind a figure is enabled there (cpu.stat is always there), else
 * summed over its processes in /proc, which are the members of its cgroup or, without
 * one, the processes of its pid namespace. Sums over processes miss what exited ones
 * used, and count shared pages once per process: close enough to see who uses what. */
#include "core/base/util.h"
#include "core/cgroup.h"
#include "core/cgroup_env.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct pids {
	pid_t *v;
	size_t n;
};

static void pids_add(struct pids *p, pid_t pid)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	p->v[p->n++] = pid;
}

static void pids_from_cgroup(const char *dir, struct pids *p)
{
	cleanup_free char *procs = cgroup_read(dir, "cgroup.procs");
	for (char *save = NULL, *s = procs ? strtok_r(procs, "\n", &save) : NULL; s;
	     s = strtok_r(NULL, "\n", &save))
		pids_add(p, (pid_t)atoi(s));
}

static int pids_from_proc(pid_t first, struct pids *p, struct holt_err *err)
{
	char path[64];
	struct stat ns, st;
	snprintf(path, sizeof path, "/proc/%d/ns/pid", first);
	if (stat(path, &ns) < 0)
		return holt_err_set(err, errno, "read the pid namespace of process %d", first);
	cleanup_dir DIR *d = opendir("/proc");
	if (!d)
		return holt_err_set(err, errno, "read \"/proc\"");
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);
		snprintf(path, sizeof path, "/proc/%d/ns/pid", pid);
		if (pid > 0 && stat(path, &st) == 0 && st.st_ino == ns.st_ino &&
		    st.st_dev == ns.st_dev)
			pids_add(p, pid);
	}
	return 0;
}

/* Fields of /proc/<pid>/stat after "pid (comm) ", counted from 0 (the state). */
enum { STAT_UTIME = 11, STAT_STIME = 12, STAT_STARTTIME = 19, STAT_RSS = 21, STAT_N = 22 };

static bool read_stat(pid_t pid, unsigned long long f[STAT_N])
{
	char dir[32];
	snprintf(dir, sizeof dir, "/proc/%d", pid);
	cleanup_free char *text = cgroup_read(dir, "stat");
	char *p = text ? strrchr(text, ')') : NULL;
	if (!p)
		return false;
	int n = 0;
	for (char *save = NULL, *t = strtok_r(p + 2, " ", &save); t && n < STAT_N;
	     t = strtok_r(NULL, " ", &save))
		f[n++] = strtoull(t, NULL, 10); /* the state, a letter, reads as 0 */
	return n == STAT_N;
}

/* What the processes use, summed: CPU ticks, resident pages, bytes read and written. */
struct proc_sums {
	unsigned long long ticks, pages, read, written;
};

static void sum_procs(const struct pids *p, struct proc_sums *s)
{
	for (size_t i = 0; i < p->n; i++) {
		unsigned long long f[STAT_N];
		char dir[32];
		if (!read_stat(p->v[i], f))
			continue; /* gone meanwhile */
		s->ticks += f[STAT_UTIME] + f[STAT_STIME];
		s->pages += f[STAT_RSS];
		snprintf(dir, sizeof dir, "/proc/%d", p->v[i]);
		cleanup_free char *io = cgroup_read(dir, "io");
		if (io) {
			s->read += cgroup_key(io, "read_bytes:");
			s->written += cgroup_key(io, "write_bytes:");
		}
	}
}

static uint64_t machine_memory(void)
{
	cleanup_free char *info = cgroup_read("/proc", "meminfo");
	return info ? (uint64_t)cgroup_key(info, "MemTotal:") * 1024 : 0;
}

/* Sums "rbytes=N" and "wbytes=N" over the devices of io.stat. */
static bool io_stat(const char *dir, uint64_t *rd, uint64_t *wr)
{
	cleanup_free char *text = cgroup_read(dir, "io.stat");
	if (!text)
		return false;
	for (char *save = NULL, *t = strtok_r(text, " \n", &save); t;
	     t = strtok_r(NULL, " \n", &save)) {
		if (strncmp(t, "rbytes=", 7) == 0)
			*rd += strtoull(t + 7, NULL, 10);
		else if (strncmp(t, "wbytes=", 7) == 0)
			*wr += strtoull(t + 7, NULL, 10);
	}
	return true;
}

/* Bytes over the interfaces of pid's network namespace, but lo. */
static void net_dev(pid_t pid, uint64_t *rx, uint64_t *tx)
{
	char dir[32];
	snprintf(dir, sizeof dir, "/proc/%d/net", pid);
	cleanup_free char *text = cgroup_read(dir, "dev");
	for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		unsigned long long r, t;
		if (!colon)
			continue; /* the two header lines */
		*colon = '\0';
		if (strcmp(line + strspn(line, " "), "lo") == 0)
			continue;
		if (sscanf(colon + 1, "%llu %*u %*u %*u %*u %*u %*u %*u %llu", &r, &t) == 2)
			*rx += r, *tx += t;
	}
}

/* What the container's cgroup knows better than the sums over its processes. */
static void from_cgroup(const char *dir, struct cgroup_usage *u)
{
	cleanup_free char *cpu = cgroup_read(dir, "cpu.stat");
	cleanup_free char *current = cgroup_read(dir, "memory.current");
	cleanup_free char *max = cgroup_read(dir, "memory.max");
	cleanup_free char *pids = cgroup_read(dir, "pids.current");
	uint64_t rd = 0, wr = 0;

	if (cpu)
		u->cpu_usec = cgroup_key(cpu, "usage_usec");
	if (current) {
		/* docker's figure: what is charged, less the file cache the kernel would
		 * drop first. */
		cleanup_free char *stat = cgroup_read(dir, "memory.stat");
		uint64_t cur = strtoull(current, NULL, 10);
		uint64_t cache = stat ? cgroup_key(stat, "inactive_file") : 0;
		u->mem = cache < cur ? cur - cache : cur;
	}
	if (max && strcmp(max, "max") != 0 && strtoull(max, NULL, 10) < u->mem_limit)
		u->mem_limit = strtoull(max, NULL, 10);
	if (pids)
		u->pids = strtoull(pids, NULL, 10);
	if (io_stat(dir, &rd, &wr))
		u->blk_read = rd, u->blk_write = wr;
}

int cgroup_usage_read(const struct container *c, struct cgroup_usage *u, struct holt_err *err)
{
	const long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct cgroup_env env;
	struct pids p = {0};
	struct proc_sums s = {0};
	unsigned long long first[STAT_N];
	struct timespec now;

	memset(u, 0, sizeof *u);
	if (c->state.pid <= 0 || !read_stat(c->state.pid, first))
		return holt_err_set(err, 0, "container \"%s\" is not running", c->name);
	cgroup_env_probe(&env);
	cleanup_free char *dir = cgroup_container_dir(c, &env);
	cgroup_env_release(&env);
	if (dir)
		pids_from_cgroup(dir, &p);
	else if (pids_from_proc(c->state.pid, &p, err) < 0)
		return -1;
	sum_procs(&p, &s);
	free(p.v);

	clock_gettime(CLOCK_BOOTTIME, &now);
	uint64_t up = (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000;
	uint64_t started = first[STAT_STARTTIME] * 1000000 / (uint64_t)tick;
	u->age_usec = up > started ? up - started : 0;
	u->cpu_usec = s.ticks * 1000000 / (uint64_t)tick;
	u->mem = s.pages * (uint64_t)page;
	u->mem_limit = machine_memory();
	u->pids = p.n;
	u->blk_read = s.read;
	u->blk_write = s.written;
	if (dir)
		from_cgroup(dir, u);
	if (c->config.network != NETWORK_HOST)
		net_dev(c->state.pid, &u->net_rx, &u->net_tx);
	return 0;
}
