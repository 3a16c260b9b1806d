/* Container logs, in the k8s-file format as podman (conmon) writes it: one line per line
 * of output, "<RFC 3339 local time, 9 fraction digits, +hh:mm> <stdout|stderr> <F|P>
 * <text>", P marking a piece of a line whose rest follows; or in docker's json-file
 * format: {"log":"<text>\n","stream":"stdout","time":"<RFC 3339 UTC>"}, a piece of a
 * line without its newline. A log bigger than its limit is rotated to <path>.1. */
#ifndef HOLT_CORE_LOGFILE_H
#define HOLT_CORE_LOGFILE_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* --log-driver: where a detached container's output goes. */
enum log_driver { LOG_DRIVER_K8S_FILE, LOG_DRIVER_JSON_FILE, LOG_DRIVER_NONE };

/* "k8s-file", "json-file", "none". */
const char *logfile_driver_name(enum log_driver d);
/* The driver named name; -1 when there is none of that name. */
int logfile_driver_parse(const char *name);

struct logfile;

/* Opens path for appending in driver's format (not none); max_size 0 never rotates. */
struct logfile *logfile_open(const char *path, uint64_t max_size, enum log_driver driver,
			     struct holt_err *err);
/* Logs what the container wrote on stream ("stdout" or "stderr"); l may be NULL (the
 * none driver). */
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

/* Parses one line of a k8s-file log (without its newline); false when it is not one. */
bool logfile_parse(char *line, size_t len, struct log_entry *e);
/* The same for a json-file log; the entry's text and timestamp are decoded in place, in
 * line. */
bool logfile_parse_json(char *line, size_t len, struct log_entry *e);

#endif
