/* Named volumes: volumes/<name>/_data holds the data, volumes/<name>/volume.json the
 * record, and volumes/<name>/copy-up, while present, says that the image's content has
 * not been copied in yet (the first container to mount the volume does it). */
#ifndef HOLT_STORAGE_VOLUME_H
#define HOLT_STORAGE_VOLUME_H

#include "core/base/err.h"
#include "storage/store.h"

#include <stdbool.h>
#include <stddef.h>

struct volume {
	char *name;
	char *dir;	  /* <root>/volumes/<name> */
	char *mountpoint; /* <dir>/_data */
	char *created;	  /* RFC 3339 */
	char **labels;	  /* KEY=VALUE */
	bool anonymous;	  /* made for one container by -v /dst: rm -v and --rm remove it */
};

void volume_free(struct volume *v);
static inline void volume_freep(struct volume **v)
{
	if (*v)
		volume_free(*v);
}
#define cleanup_volume __attribute__((cleanup(volume_freep)))

/* True when name follows docker's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+. */
bool volume_name_valid(const char *name);

/* Creates volume name, or a new anonymous one with a random 64-hex name when name is
 * NULL. An existing volume of that name is returned as it is, with *created false. The
 * new volume appears whole or not at all (staged in tmp/, renamed under the lock). */
struct volume *volume_create(struct store *s, const char *name, char *const *labels, bool *created,
			     struct holt_err *err);

/* The volume called name; NULL with errnum ENOENT when there is none. */
struct volume *volume_lookup(struct store *s, const char *name, struct holt_err *err);

/* Every volume, by name. */
int volume_list(struct store *s, struct volume ***out, size_t *n, struct holt_err *err);
void volume_list_free(struct volume **list, size_t n);

/* Removes the volume: it vanishes from volumes/ at once (renamed into tmp/), then its
 * data is deleted. The caller has checked, under the store lock, that nothing uses it. */
int volume_remove(struct store *s, const char *name, struct holt_err *err);

/* <root>/volumes/<name>/_data, whether or not it exists. */
char *volume_mountpoint(const struct store *s, const char *name);

#endif
