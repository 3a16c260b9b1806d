/* The tar side of cp and export, with libarchive: a path made into a tar stream, and a
 * tar stream extracted under a destination with docker's cp rules. Either runs on the
 * host or in a child chrooted into a container; both work on paths as given, relative
 * to the working directory. */
#ifndef HOLT_CORE_COPY_ARCHIVE_H
#define HOLT_CORE_COPY_ARCHIVE_H

#include "core/base/err.h"

#include <stdbool.h>

struct copy_source {
	const char *path;
	bool follow; /* -L: follow a symlink at path (a trailing / follows it too) */
	/* export: members named relative to path ("bin/sh"), path itself left out; else
	 * after its last component ("dir/a"), or "." for the contents of "dir/." and "/" */
	bool contents_only;
	const char *where; /* "in container web", after path in messages; NULL on the host */
};

/* Writes a tar of src to fd. ENOENT in err->errnum when path does not exist; EPIPE when
 * the reader went away. */
int copy_send(const struct copy_source *src, int fd, struct holt_err *err);

struct copy_dest {
	const char *path;  /* a trailing / says it must be an existing directory */
	bool keep_owner;   /* -a: owners as in the archive, else the extracting user's */
	bool as_is;	   /* a tar from the user: members extracted as named under path, a
			    * directory; else named as copy_send names them, placed by cp's
			    * rules */
	const char *where; /* as in copy_source */
};

/* Reads a tar from fd and extracts it at dest. */
int copy_receive(const struct copy_dest *dest, int fd, struct holt_err *err);

struct archive;
/* Sets err to "<what>: <a's error>", with a's errno in err->errnum. Returns -1. */
int copy_archive_fail(struct holt_err *err, struct archive *a, const char *what);

#endif
