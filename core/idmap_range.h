/* The ids a process's user namespace maps, in words for error messages. */
#ifndef HOLT_CORE_IDMAP_RANGE_H
#define HOLT_CORE_IDMAP_RANGE_H

/* "0-65535" (ranges joined by ", ") from /proc/self/uid_map or gid_map (which: "uid" or
 * "gid"); NULL when it cannot be read. Caller frees. */
char *idmap_range_text(const char *which);

#endif
