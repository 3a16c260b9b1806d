/* The processes of a running container, found in /proc by its pid namespace. */
#ifndef HOLT_CORE_PROCS_H
#define HOLT_CORE_PROCS_H

#include "core/base/err.h"

#include <sys/types.h>

struct proc_info {
	pid_t pid, ppid;		/* as the container sees them */
	uid_t uid;			/* as holt's user namespace sees it */
	unsigned long long cpu_ticks;	/* user + system */
	unsigned long long start_ticks; /* since boot */
	char tty[16];
	char *cmd; /* the command line, or [comm] */
};

/* The processes in the pid namespace of pid (the container's first process). */
int procs_list(pid_t pid, struct proc_info **out, size_t *n, struct holt_err *err);
void procs_free(struct proc_info *p, size_t n);

#endif
