/* Entering holt's user namespace: the calling process becomes root in a new user
 * namespace that maps the user's own id to 0 and their subordinate ranges above it. */
#ifndef HOLT_CORE_USERNS_H
#define HOLT_CORE_USERNS_H

#include "core/base/err.h"

#include <stdbool.h>

enum userns_mode {
	USERNS_RANGES,	 /* own id as 0, subordinate ranges from 1 on */
	USERNS_SINGLE,	 /* only the own id, as 0: the user has no subordinate ranges */
	USERNS_IDENTITY, /* real root: no user namespace, every id is its own */
};

struct userns_info {
	enum userns_mode mode;
	/* why USERNS_SINGLE was chosen, for the warning cmd/ prints; NULL otherwise */
	char *single_reason;
};

/* Puts the process in holt's user namespace for runroot, where it is root: joins the
 * one the pause process holds, or unshares and maps a new one (and starts the pause
 * process). Falls back to a single-uid map (and says why in info) when the user has no
 * ranges or newuidmap/newgidmap are missing. */
int userns_enter(const char *runroot, struct userns_info *info, struct holt_err *err);

void userns_info_release(struct userns_info *info);

#endif
