/* The event journal, <root>/events/events.log: one docker-format event message per line
 * (JSON), appended by the commands and monitors that act, read back by `holt events`. A
 * journal past EVENTS_MAX_SIZE is rotated to events.log.1 (one old file is kept). */
#ifndef HOLT_STORAGE_EVENTS_H
#define HOLT_STORAGE_EVENTS_H

#include "core/base/err.h"

#include <json.h>
#include <stdbool.h>

#define EVENTS_MAX_SIZE ((long)1 << 20)

/* Appends one event of type ("container", "image", "volume") and action for the object
 * id, with attrs (key, value, ..., NULL; a NULL value is left out) as its Actor's
 * Attributes. Best effort: an event that cannot be written is logged at debug level and
 * never fails the command that acts. */
void events_record(const char *root, const char *type, const char *action, const char *id,
		   const char *const *attrs);

struct events_reader;

/* Opens the journal of the store at root for reading: from its start (both files, the
 * rotated one first) when replay, else from its end. With follow, events_next waits for
 * what is appended later. */
struct events_reader *events_open(const char *root, bool replay, bool follow, struct holt_err *err);
void events_close(struct events_reader *r);
static inline void events_closep(struct events_reader **r)
{
	if (*r)
		events_close(*r);
}
#define cleanup_events_reader __attribute__((cleanup(events_closep)))

/* The next event, which the caller puts: 1 with *out set; 0 at the end (without follow)
 * or when timeout_ms (-1: none) passed with nothing new; -1 on error. Lines that are not
 * events are skipped. */
int events_next(struct events_reader *r, int timeout_ms, json_object **out, struct holt_err *err);

#endif
