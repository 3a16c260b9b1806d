/* A shifted view of an image's layers, for --userns keep-id: fuse-overlayfs shows them
 * with each owner moved to the id that the container's nested user namespace maps back
 * to it, so that native overlay, mounted in that namespace, shows the image's owners as
 * they were built. One view serves every container of that image and mapping: it is
 * made by the first that needs it and kept by a holder process ("holt-view"), whose
 * mount namespace the container's is cloned from. The holder ends with the pause
 * process, when its top layer is removed, or with `holt system migrate`; the daemon
 * serves the containers still running on the view until the last one ends.
 *
 * A container on a view writes its upper dir with the nested namespace's ids, not
 * holt's: what reads that dir from outside it maps them back (layer_pack). */
#ifndef HOLT_STORAGE_LAYER_VIEW_H
#define HOLT_STORAGE_LAYER_VIEW_H

#include "core/base/err.h"

#include <stddef.h>

struct layer_view_request {
	const char *runroot;
	char *const *lower; /* the image's unpacked layer dirs, lowest first */
	size_t n_lower;
	const char *uidmapping; /* fuse-overlayfs's "id:shown-as:count:..." */
	const char *gidmapping;
	/* A pidfd of the process the holder ends with (the pause process), or -1; called
	 * only when a view is made, not at every start that joins one. */
	int (*open_watch)(const char *runroot);
};

struct layer_view {
	char *merged; /* where the view is mounted, in the holder's mount namespace */
	int mntns;    /* that namespace, to join before the container's is cloned */
};

/* The view of req's layers and mapping, made when there is none. */
int layer_view_get(const struct layer_view_request *req, struct layer_view *out,
		   struct holt_err *err);

void layer_view_release(struct layer_view *v);

/* Stops the holders of the views whose top layer is chain_id ("sha256:..." or hex; NULL:
 * every view under runroot) and removes what they kept. */
int layer_views_stop(const char *runroot, const char *chain_id, struct holt_err *err);

#endif
