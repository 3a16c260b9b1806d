/* A container's events in the store's journal, with docker's actions and attributes. */
#ifndef HOLT_CORE_CONTAINER_EVENTS_H
#define HOLT_CORE_CONTAINER_EVENTS_H

#include "core/container.h"

/* Records action ("create", "start", "die", ...) on c with docker's attributes (its
 * image, name and labels) and extra ones (key, value, ..., NULL; may be NULL). */
void container_event(const struct container *c, const char *action, const char *const *extra);

#endif
