/* What a container mounts besides its root: binds of host paths, volumes and tmpfs,
 * from docker's three spellings (-v, --mount, --tmpfs), and their record in config.json. */
#ifndef HOLT_CORE_MOUNT_SPEC_H
#define HOLT_CORE_MOUNT_SPEC_H

#include "core/base/err.h"

#include <json.h>
#include <stdbool.h>
#include <stddef.h>

enum mount_type { MOUNT_BIND, MOUNT_VOLUME, MOUNT_TMPFS };

/* Mount attributes beside read-only, as MOUNT_ATTR_* of mount_setattr(2). */
enum { MOUNT_SPEC_NOSUID = 1 << 0, MOUNT_SPEC_NODEV = 1 << 1, MOUNT_SPEC_NOEXEC = 1 << 2 };

struct mount_spec {
	enum mount_type type;
	char *source;	   /* bind: host path; volume: name (NULL: a new anonymous one) */
	char *destination; /* absolute, without "..", in the container */
	char *mode;	   /* -v's options as given, docker's "Mode" ("" for --mount) */
	char *propagation; /* rprivate (default), private, rshared, shared, rslave, slave */
	char *tmpfs_data;  /* tmpfs: "size=…,mode=…" (NULL: the kernel's defaults) */
	unsigned flags;	   /* MOUNT_SPEC_* */
	bool readonly;
	bool nocopy;	    /* volume: the image's content is not copied in */
	bool anonymous;	    /* volume: made for this container; rm -v and --rm remove it */
	bool create_source; /* bind: a missing source dir is made (-v), else refused (--mount) */
	bool chown_owner;   /* -v's U (podman's): the tree is given to the container's user */
	bool in_binds;	    /* a named volume or bind given with -v: docker's HostConfig.Binds */
};

/* -v [SOURCE:]DESTINATION[:OPTIONS]; appends to *mounts. */
int mount_spec_parse_volume(const char *arg, struct mount_spec **mounts, size_t *n,
			    struct holt_err *err);
/* --mount type=bind|volume|tmpfs,source=…,destination=…,readonly,…; appends. */
int mount_spec_parse_mount(const char *arg, struct mount_spec **mounts, size_t *n,
			   struct holt_err *err);
/* --tmpfs DESTINATION[:size=…,mode=…,noexec,…]; appends. */
int mount_spec_parse_tmpfs(const char *arg, struct mount_spec **mounts, size_t *n,
			   struct holt_err *err);

/* Checks that no two mounts share a destination. */
int mount_spec_check(const struct mount_spec *mounts, size_t n, struct holt_err *err);

/* Copies one spec (deeply) into dst. */
void mount_spec_copy(struct mount_spec *dst, const struct mount_spec *src);
void mount_spec_release(struct mount_spec *m);
struct mount_spec *mount_specs_dup(const struct mount_spec *mounts, size_t n);
void mount_specs_free(struct mount_spec *mounts, size_t n);

/* The record in config.json, and back. */
json_object *mount_specs_to_json(const struct mount_spec *mounts, size_t n);
int mount_specs_from_json(json_object *arr, struct mount_spec **mounts, size_t *n);

const char *mount_type_name(enum mount_type t);

#endif
