/* keep-id on a view: the user's passwd and group lines written straight into a new
 * container's upper dir, before overlay is mounted over it, as copy-up would leave them.
 * Copying /etc/passwd up through overlay costs a dozen round trips to the view's
 * fuse-overlayfs daemon, a millisecond of every start. */
#ifndef HOLT_CORE_KEEP_ID_SEED_H
#define HOLT_CORE_KEEP_ID_SEED_H

#include "core/base/err.h"
#include "core/keep_id.h"

#include <stdbool.h>

/* In the container's user namespace, with view (the image as the container sees it) and
 * upper (its writable layer) not yet stacked. Writes only where overlay would show the
 * files the same way: upper has no etc yet, view's /etc is a directory and its passwd
 * and group are regular files or absent; elsewhere leaves it to keep_id_add_entries.
 * *seeded says whether it wrote anything. */
int keep_id_seed_upper(const char *view, const char *upper, const struct keep_id_maps *m,
		       bool *seeded, struct holt_err *err);

/* Takes back what keep_id_seed_upper wrote, when overlay could not be mounted after all. */
int keep_id_seed_undo(const char *upper, struct holt_err *err);

#endif
