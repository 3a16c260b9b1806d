/* cp and export: files between a container, running or stopped, and the host, as a tar
 * stream between holt and a child chrooted into the container (core/ctr_root.h), so
 * that the container's symlinks resolve inside it. */
#ifndef HOLT_CORE_COPY_H
#define HOLT_CORE_COPY_H

#include "core/base/err.h"
#include "core/container.h"
#include "storage/store.h"

#include <stdbool.h>

struct copy_request {
	struct store *store;
	const struct container *container;
	const char *storage_driver; /* NULL: as ctr_root picks */
	const char *container_path; /* absolute */
	const char *host_path;	    /* NULL: a tar on tar_fd */
	int tar_fd;	 /* without host_path: where the tar goes (from) or comes from (to) */
	bool follow;	 /* -L: follow a symlink at the source path */
	bool keep_owner; /* -a: keep owners, else the receiving user owns the copy */
};

/* Copies container_path out of the container to host_path with docker's cp rules, or
 * writes it as a tar to tar_fd. */
int copy_from_container(const struct copy_request *req, struct holt_err *err);

/* Copies host_path into the container at container_path with docker's cp rules, or
 * extracts a tar from tar_fd into the directory container_path. */
int copy_to_container(const struct copy_request *req, struct holt_err *err);

/* Writes the container's root filesystem as a tar to fd: the files of its image and
 * its own changes, none of what is mounted on it while it runs. */
int copy_export(struct store *s, const struct container *c, const char *storage_driver, int fd,
		struct holt_err *err);

#endif
