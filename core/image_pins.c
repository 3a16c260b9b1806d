/* Which containers pin an image, for rmi and image prune (called under the store lock). */
#include "core/image_pins.h"
#include "core/base/util.h"
#include "core/container.h"

#include <string.h>

int container_image_users(struct store *s, const char *image_id, char **who, bool *running,
			  struct holt_err *err)
{
	struct container **list = NULL;
	size_t n = 0;
	int users = 0;

	if (container_list(s, &list, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct container *c = list[i];
		if (strcmp(c->image_id, image_id) != 0)
			continue;
		users++;
		if (!*who || (!*running && container_is_running(c))) {
			free(*who);
			*who = xstrdup(c->name);
			*running = container_is_running(c);
		}
	}
	container_list_free(list, n);
	return users;
}
