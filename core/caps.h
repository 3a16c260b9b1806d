/* Capabilities of the container's process: docker's default set. */
#ifndef HOLT_CORE_CAPS_H
#define HOLT_CORE_CAPS_H

#include "core/base/err.h"

/* Drops every capability outside docker's default set from the bounding set, so root
 * in the container gets only those at exec. */
int caps_drop_to_default(struct holt_err *err);

#endif
