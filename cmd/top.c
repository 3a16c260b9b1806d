/* `holt top`: the processes of a running container, numbered as it sees them. */
#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/container.h"
#include "core/procs.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const struct cmd_option top_options[] = {
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_top_info = {
    .name = "top",
    .args = "CONTAINER",
    .summary = "Show the processes of a running container",
    .options = top_options,
};

static void clock_text(char *buf, size_t len, unsigned long long secs)
{
	snprintf(buf, len, "%02llu:%02llu:%02llu", secs / 3600, secs / 60 % 60, secs % 60);
}

int cmd_top(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct proc_info *p = NULL;
	size_t n = 0;

	while (cmd_getopt(argc, argv, &cmd_top_info) != -1)
		;
	if (argc - optind != 1)
		return cmd_error("top: name one container");
	cleanup_container struct container *c = container_lookup(ctx->store, argv[optind], &err);
	if (!c)
		return cmd_fail(&err);
	if (c->state.status != STATUS_RUNNING && c->state.status != STATUS_PAUSED)
		return cmd_error("top \"%s\": the container is not running", argv[optind]);
	if (procs_list(c->state.pid, &p, &n, &err) < 0)
		return cmd_fail(&err);

	long hz = sysconf(_SC_CLK_TCK);
	struct timespec up;
	clock_gettime(CLOCK_BOOTTIME, &up);
	time_t boot = time(NULL) - up.tv_sec;
	printf("%-8s %-8s %-8s %-8s %-8s %-10s %s\n", "UID", "PID", "PPID", "STIME", "TTY", "TIME",
	       "CMD");
	for (size_t i = 0; i < n; i++) {
		char stime[16], cpu[64];
		struct tm tm;
		time_t started = boot + (time_t)(p[i].start_ticks / (unsigned long long)hz);
		localtime_r(&started, &tm);
		strftime(stime, sizeof stime, "%H:%M", &tm);
		clock_text(cpu, sizeof cpu, p[i].cpu_ticks / (unsigned long long)hz);
		printf("%-8u %-8d %-8d %-8s %-8s %-10s %s\n", p[i].uid, p[i].pid, p[i].ppid, stime,
		       p[i].tty, cpu, p[i].cmd);
	}
	procs_free(p, n);
	return 0;
}
