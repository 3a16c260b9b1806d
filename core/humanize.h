/* docker's words for times and durations: "5 seconds", "About a minute". */
#ifndef HOLT_CORE_HUMANIZE_H
#define HOLT_CORE_HUMANIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* docker's units.HumanDuration for a span of seconds; caller frees. */
char *humanize_duration(long seconds);

/* Parses an RFC 3339 time ("2026-11-28T13:35:54.123456789Z"); false when malformed. */
bool humanize_parse_time(const char *s, struct timespec *out);

/* docker's --since and --until: RFC 3339, unix seconds[.fraction], or a Go duration
 * ("10m", "1h30m") before now; false when arg is none of these. */
bool humanize_parse_since(const char *arg, struct timespec *out);

/* "2026-11-28 13:35:54 +0000 UTC", as docker prints CreatedAt; caller frees. */
char *humanize_created_at(const char *rfc3339);

/* docker's sizes: decimal units, three significant digits ("1.23MB"); caller frees. */
char *humanize_size(unsigned long long bytes);

#endif
