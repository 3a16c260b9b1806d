/* The user's subordinate id ranges, through libsubid. libsubid is loaded only when a
 * command has to map a new user namespace: statically linked, it and what it drags in
 * (SELinux, audit) cost every holt command ~0.5 ms of start-up. */
#ifndef HOLT_CORE_SUBID_H
#define HOLT_CORE_SUBID_H

#include "core/base/err.h"

#include <shadow/subid.h>

/* Fills *uids and *gids (caller frees) with user's ranges; returns 0, or <0 when
 * libsubid cannot be loaded or fails. *n_uids / *n_gids may be 0. */
int subid_ranges(const char *user, struct subid_range **uids, int *n_uids,
		 struct subid_range **gids, int *n_gids, struct holt_err *err);

#endif
