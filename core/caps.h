/* Capabilities of the container's processes: docker's default set, changed by
 * --cap-add, --cap-drop and --privileged. A set is a mask of 1 << CAP_*. */
#ifndef HOLT_CORE_CAPS_H
#define HOLT_CORE_CAPS_H

#include "core/base/err.h"

#include <stdint.h>

#define CAPS_ALL UINT64_MAX

/* docker's default set: what root in a container keeps. */
uint64_t caps_default(void);

/* The number of a capability named with or without CAP_, in any case ("net_admin",
 * "CAP_NET_ADMIN"); -1 when there is none of that name. */
int caps_parse(const char *name);

/* "CAP_NET_ADMIN" for CAP_NET_ADMIN; NULL past the last capability holt knows. */
const char *caps_name(int cap);

/* Limits the calling process's bounding set to keep and empties its inheritable and
 * ambient sets, so that what it execs gets no capability outside keep. */
int caps_apply(uint64_t keep, struct holt_err *err);

#endif
