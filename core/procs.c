#include "core/procs.h"
#include "core/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool same_pidns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/ns/pid", pid);
	return stat(path, &st) == 0 && st.st_ino == ns->st_ino && st.st_dev == ns->st_dev;
}

/* /proc files are small; 64 KiB holds any command line worth showing. */
static char *read_file(pid_t pid, const char *name, size_t *len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *text = xmalloc(65536);
	ssize_t n = read(fd, text, 65535);
	if (n < 0) {
		free(text);
		return NULL;
	}
	text[n] = '\0';
	*len = (size_t)n;
	return text;
}

/* The innermost pid of NSpid: what the container sees. */
static pid_t ns_pid(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	if (!p)
		return 0;
	p += strlen(key);
	const char *eol = strchrnul(p, '\n');
	const char *last = p;
	for (const char *q = p; q < eol; q++)
		if (isspace((unsigned char)q[0]) && q + 1 < eol && isdigit((unsigned char)q[1]))
			last = q + 1;
	return (pid_t)atoi(last);
}

static bool fill(pid_t pid, struct proc_info *pi)
{
	size_t len, ignored;
	cleanup_free char *status = read_file(pid, "status", &ignored);
	cleanup_free char *stat = read_file(pid, "stat", &ignored);
	cleanup_free char *cmdline = read_file(pid, "cmdline", &len);
	if (!status || !stat || !cmdline)
		return false;
	pi->pid = ns_pid(status, "NSpid:");
	const char *uid = strstr(status, "Uid:");
	pi->uid = uid ? (uid_t)strtoul(uid + 4, NULL, 10) : 0;

	/* stat: pid (comm) state ppid pgrp session tty_nr ... utime stime ... starttime */
	char *close_paren = strrchr(stat, ')');
	char *open_paren = strchr(stat, '(');
	if (!close_paren || !open_paren)
		return false;
	char *f[52] = {0};
	int nf = 0;
	for (char *tok = strtok(close_paren + 2, " "); tok && nf < 52; tok = strtok(NULL, " "))
		f[nf++] = tok;
	if (nf < 20)
		return false;
	int tty = atoi(f[4]);
	pi->cpu_ticks = strtoull(f[11], NULL, 10) + strtoull(f[12], NULL, 10);
	pi->start_ticks = strtoull(f[19], NULL, 10);
	if (tty)
		snprintf(pi->tty, sizeof pi->tty, "pts/%d", (tty & 0xff) | ((tty >> 12) & 0xfff00));
	else
		strcpy(pi->tty, "?");
	for (size_t i = 0; i + 1 < len; i++)
		if (cmdline[i] == '\0')
			cmdline[i] = ' ';
	*close_paren = '\0';
	pi->cmd = len ? xstrdup(cmdline) : xasprintf("[%s]", open_paren + 1);
	pi->ppid = (pid_t)atoi(f[1]); /* holt's view: mapped below */
	return true;
}

int procs_list(pid_t pid, struct proc_info **out, size_t *n, struct holt_err *err)
{
	char path[64];
	struct stat ns;
	snprintf(path, sizeof path, "/proc/%d/ns/pid", pid);
	if (stat(path, &ns) < 0)
		return holt_err_set(err, errno, "read the pid namespace of process %d", pid);
	cleanup_dir DIR *d = opendir("/proc");
	if (!d)
		return holt_err_set(err, errno, "read \"/proc\"");
	struct proc_info *list = NULL;
	pid_t *host = NULL;
	size_t count = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t p = (pid_t)atoi(de->d_name);
		struct proc_info pi = {0};
		if (p <= 0 || !same_pidns(p, &ns) || !fill(p, &pi))
			continue;
		list = xrealloc(list, (count + 1) * sizeof *list);
		host = xrealloc(host, (count + 1) * sizeof *host);
		host[count] = p;
		list[count++] = pi;
	}
	/* Parents by the container's numbering; pid 1's parent is outside: 0. */
	for (size_t i = 0; i < count; i++) {
		pid_t parent = 0;
		for (size_t k = 0; k < count; k++)
			if (host[k] == list[i].ppid)
				parent = list[k].pid;
		list[i].ppid = parent;
	}
	free(host);
	*out = list;
	*n = count;
	return 0;
}

void procs_free(struct proc_info *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].cmd);
	free(p);
}
