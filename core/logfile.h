/* Container logs, in the k8s-file format podman also writes: one line per line of
 * output, "<RFC 3339 time> <stdout|stderr> <F|P> <text>", P marking a piece of a line
 * whose rest follows. A log bigger than its limit is rotated to <path>.1. */
#ifndef HOLT_CORE_LOGFILE_H
#define HOLT_CORE_LOGFILE_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct logfile;

/* Opens path for appending; max_size 0 never rotates. */
struct logfile *logfile_open(const char *path, uint64_t max_size, struct holt_err *err);
/* Logs what the container wrote on stream ("stdout" or "stderr"). */
void logfile_write(struct logfile *l, const char *stream, const char *buf, size_t n);
void logfile_close(struct logfile *l);

/* One line as read back. */
struct log_entry {
	struct timespec time;
	const char *timestamp; /* as written */
	bool is_stderr;
	bool partial; /* the line goes on in the next entry */
	const char *text;
	size_t len; /* of text, without the newline */
};

/* Parses one line of a log file (without its newline); false when it is not one. */
bool logfile_parse(char *line, size_t len, struct log_entry *e);

#endif
