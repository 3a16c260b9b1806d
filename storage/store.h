/* The on-disk store under $XDG_DATA_HOME/holt (layout in DESIGN.md) and the runtime dir
 * under $XDG_RUNTIME_DIR/holt: paths, the metadata lock, atomic writes. */
#ifndef HOLT_STORAGE_STORE_H
#define HOLT_STORAGE_STORE_H

#include "core/base/err.h"

#include <stddef.h>

struct store;

/* Default root: $XDG_DATA_HOME/holt, else $HOME/.local/share/holt. Caller frees. */
char *store_default_root(void);
/* Default runroot: $XDG_RUNTIME_DIR/holt, else /tmp/holt-<uid>. Caller frees. */
char *store_default_runroot(void);

/* Opens (creating the layout when missing) the store at root with runtime state under
 * runroot, and removes what an interrupted command left in tmp/. */
struct store *store_open(const char *root, const char *runroot, struct holt_err *err);
void store_free(struct store *s);

const char *store_root(const struct store *s);
const char *store_runroot(const struct store *s);

/* Takes the store's metadata lock (flock on <root>/lock); hold it only for short,
 * metadata-changing sections, never during a download or a container's life. Sections
 * nest within a thread; threads of one process take turns. */
int store_lock(struct store *s, struct holt_err *err);
void store_unlock(struct store *s);

/* This handle's own directory under <root>/tmp/ for staging files, on the store's
 * filesystem so that they can be renamed into place; removed by store_free. */
const char *store_staging_dir(struct store *s, struct holt_err *err);

/* A new empty directory in the staging dir; caller frees the path. */
char *store_mktemp(struct store *s, struct holt_err *err);

/* Writes data to path atomically: tmp file in <root>/tmp, fsync, rename. */
int store_write_file(struct store *s, const char *path, const void *data, size_t len,
		     struct holt_err *err);

/* Takes path (a layer, an image record) out of its place at once, then removes it: by a
 * rename into tmp/, which needs no free space, so that a full disk can be freed. What a
 * kill leaves there goes with the next command's cleaning of tmp/. */
int store_discard(struct store *s, const char *path, struct holt_err *err);

/* Removes a directory tree (inside the user namespace, so any owner goes). */
int store_remove_tree(const char *path, struct holt_err *err);

#endif
