/* The volumes and bind sources of a container's mounts, on the host's side: made when the
 * container is, looked up when a volume is to be removed (a volume a container uses,
 * running or not, stays), and removed with the container when anonymous. */
#ifndef HOLT_CORE_CONTAINER_VOLUMES_H
#define HOLT_CORE_CONTAINER_VOLUMES_H

#include "core/container.h"

/* container_create, after --volumes-from is copied in, the named volumes made where
 * missing, anonymous ones made and named, and missing -v bind sources created (a missing
 * --mount bind source is refused). Volumes and record are made under the store lock, so
 * a `volume rm` sees either no container or one that uses the volume. */
struct container *container_create_with_mounts(struct store *s, struct container_config *config,
					       const struct image *img, const char *image_name,
					       struct holt_err *err);

/* The names of the containers whose mounts use volume name (NULL-terminated, maybe
 * NULL). */
int volume_users(struct store *s, const char *name, char ***users, struct holt_err *err);

/* Removes volume name under the store lock; refuses one that a container uses (errnum
 * EBUSY) unless force. */
int volume_remove_unused(struct store *s, const char *name, bool force, struct holt_err *err);

/* After c's record is gone (rm -v, --rm): removes its anonymous volumes that no other
 * container uses. Named volumes are never removed here. */
int container_remove_volumes(struct store *s, const struct container *c, struct holt_err *err);

/* The same from a process that closed the fds of its store handle (the monitor): the
 * store is opened anew when there is an anonymous volume to remove. */
int container_remove_volumes_reopen(const struct store *s, const struct container *c,
				    struct holt_err *err);

/* inspect's Mounts: [{Type, Name, Source, Destination, Driver, Mode, RW, Propagation}]
 * in docker's shape; a volume's Source is its _data directory. */
json_object *container_mounts_json(const struct container *c);

/* inspect's HostConfig.Binds: "SOURCE:DESTINATION[:OPTIONS]" for each bind and named
 * volume given with -v (not --mount, anonymous volumes or --volumes-from), as docker
 * lists them; NULL (JSON null) when there are none. */
json_object *container_binds_json(const struct container *c);

#endif
