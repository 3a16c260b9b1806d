/* --userns keep-id on native overlay: the container's root is overlay, mounted in its
 * nested user namespace over a shared view of its image's layers (storage/layer_view.h)
 * instead of a fuse-overlayfs daemon of its own. Its upper dir then holds the nested
 * namespace's ids, which a mark in the container's dir records: what reads that dir
 * from holt's namespace maps them back, and the container keeps the view from then on.
 * A container that ran on fuse-overlayfs first stays on it. */
#ifndef HOLT_CORE_KEEP_ID_VIEW_H
#define HOLT_CORE_KEEP_ID_VIEW_H

#include "core/container.h"
#include "core/keep_id.h"
#include "storage/image.h"
#include "storage/layer_pack.h"
#include "storage/layer_view.h"
#include "storage/store.h"

/* The mark: the container's dir holds it once overlay has been mounted on a view. */
char *keep_id_view_mark_path(const struct container *c);
bool keep_id_view_marked(const struct container *c);

/* Whether c is to start on a view (*view), with driver (NULL or the one asked for) and
 * possible (false: its namespace is made late, auto's and nomap's): when it has the mark,
 * or has written nothing yet and no driver but overlay is asked for. An error when the
 * driver asked for cannot show what it has written. */
int keep_id_view_choose(const struct container *c, const char *driver, bool possible, bool *view,
			struct holt_err *err);

/* Gets the view of img's layers for keep's mapping and joins the mount namespace that
 * holds it (the working directory is kept), so that the clone of the container's sees
 * it at v->merged. */
int keep_id_view_join(struct store *s, const struct image *img, const struct keep_id_maps *keep,
		      struct layer_view *v, struct holt_err *err);

/* For a marked container: how its upper dir's owners map back to its own. *shifted is
 * false when it has no mark (its owners are stored as they are). */
int keep_id_view_shift(const struct container *c, struct id_shift *out, bool *shifted,
		       struct holt_err *err);

#endif
