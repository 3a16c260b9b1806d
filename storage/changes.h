/* What a container changed in its root filesystem, relative to its image's layers: the
 * list `diff` prints and `commit` packs, read from overlay's upper dir (whiteouts in any
 * of the forms native overlay and fuse-overlayfs write) or from a full private copy. */
#ifndef HOLT_STORAGE_CHANGES_H
#define HOLT_STORAGE_CHANGES_H

#include "core/base/err.h"

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>

enum change_kind {
	CHANGE_ADD = 'A',    /* not in the image */
	CHANGE_MODIFY = 'C', /* in the image, changed (or a dir with changes below) */
	CHANGE_DELETE = 'D', /* in the image, gone */
};

struct change {
	char *path; /* absolute in the container: "/etc/passwd" */
	enum change_kind kind;
	/* a dir that hides everything the image had in it (overlay's opaque dir) */
	bool opaque;
	/* a delete that the opaque parent dir already says */
	bool under_opaque;
};

/* How the owners read from a top dir written in a nested user namespace (keep-id on a
 * view) map back to the container's: each line takes ids outside..outside+count-1 to
 * inside..; an id in no line is kept. */
struct id_shift_line {
	unsigned long inside, outside, count;
};
struct id_shift {
	struct id_shift_line uid[3], gid[3];
	int n_uid, n_gid;
};

/* Maps st's owner back by shift. */
void id_shift_back(const struct id_shift *shift, struct stat *st);

struct changes {
	struct change *v; /* in path order, each dir before what is inside it */
	size_t n;
	const struct id_shift *shift; /* the request's: how the top's owners map back */
};

enum changes_format {
	CHANGES_UPPER, /* an overlay upper dir: only what changed, deletions as whiteouts */
	CHANGES_COPY,  /* a whole copy of the root filesystem (the vfs driver) */
};

struct changes_request {
	char *const *lower; /* the image's unpacked layer dirs, lowest first */
	size_t n_lower;
	const char *top; /* the container's upper dir or copy */
	enum changes_format format;
	char *const *ignore;	      /* NULL-terminated paths left out ("/etc/hosts"), or NULL */
	const struct id_shift *shift; /* top's owners, mapped back; NULL: as stored */
};

/* Compares req->top with the image its lower dirs make and lists the differences. */
int changes_walk(const struct changes_request *req, struct changes *out, struct holt_err *err);
void changes_release(struct changes *c);

#endif
