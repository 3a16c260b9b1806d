/* --userns auto[:size=N] and nomap (podman's, rootless). auto: each container gets a slice of
 * holt's subordinate ids of its own, overlapping no other container's, chosen under the store lock
 * when the container is made and kept in its record until it is removed. The container's user
 * namespace, nested in holt's, maps 0..N-1 to the slice; fuse-overlayfs runs in holt's namespace
 * and shows the image's owners shifted into the slice, so they look unchanged inside. Nothing is
 * chowned. */
#ifndef HOLT_CORE_USERNS_AUTO_H
#define HOLT_CORE_USERNS_AUTO_H

#include "core/base/err.h"
#include "core/keep_id.h"
#include "storage/image.h"
#include "storage/store.h"

#include <stdbool.h>
#include <stddef.h>

/* A slice of holt's ids: base..base+size-1. */
struct userns_slice {
	unsigned long base, size;
};

/* The lowest base >= 1 where size ids fit below limit (the number of ids holt's
 * namespace holds) without overlapping any of taken (sorted by base); -1 when none. */
int userns_auto_fit(const struct userns_slice *taken, size_t n, unsigned long size,
		    unsigned long limit, unsigned long *base);

/* The first id of a slice of size ids, the lowest from 1 on that overlaps no slice in
 * the store's container records and fits holt's namespace. Called under the store lock,
 * which must be held until the record naming the slice is in place. */
int userns_auto_pick(struct store *s, unsigned long size, unsigned long *base,
		     struct holt_err *err);

/* The size of an auto slice for img when none is given (podman's rule): one past the
 * largest id in its /etc/passwd and /etc/group, nobody's and nogroup's left out (most
 * images have them, and they would take 65535 ids), and USERNS_AUTO_SIZE at least. The
 * owners of the image's files are not read: ids past the slice show as nobody's. */
unsigned long userns_auto_image_size(const struct image *img);

/* The maps of a container with the slice base..base+size-1: for its nested namespace,
 * and fuse-overlayfs's (run in holt's) from the stored owners to the slice's. */
void userns_auto_maps(unsigned long base, unsigned long size, struct keep_id_maps *out);

/* --userns nomap: the maps of a container whose ids are holt's subordinate ids, 0 at
 * the first; the image's owners shown shifted into them, as auto's. */
int userns_nomap_maps(struct keep_id_maps *out, struct holt_err *err);

/* Refuses mode (auto or nomap) when holt's namespace has no subordinate ids. */
int userns_needs_subids(const char *mode, struct holt_err *err);

/* Whether userns (the config's --userns) makes the user namespace last, once the root
 * is assembled in holt's: auto[:size=N] and nomap. */
bool userns_is_late(const char *userns);

#endif
