/* Container events: the journal lives in the store, which a container's record names
 * (<root>/containers/<id>), so that a monitor with no store open records too. */
#include "core/container_events.h"
#include "core/base/util.h"
#include "storage/events.h"

#include <string.h>

void container_event(const struct container *c, const char *action, const char *const *extra)
{
	size_t n_labels = strv_len(c->config.labels), n_extra = 0;
	while (extra && extra[n_extra])
		n_extra += 2;
	const char **attrs = xmalloc((4 + 2 * n_labels + n_extra + 1) * sizeof *attrs);
	size_t n = 0;
	cleanup_strv char **keys = NULL;

	attrs[n++] = "image";
	attrs[n++] = c->image_name;
	attrs[n++] = "name";
	attrs[n++] = c->name;
	for (size_t i = 0; i < n_labels; i++) {
		const char *eq = strchr(c->config.labels[i], '=');
		size_t klen = eq ? (size_t)(eq - c->config.labels[i]) : strlen(c->config.labels[i]);
		cleanup_free char *key = xstrndup(c->config.labels[i], klen);
		strv_push(&keys, key);
		attrs[n++] = keys[i];
		attrs[n++] = eq ? eq + 1 : "";
	}
	for (size_t i = 0; i < n_extra; i++)
		attrs[n++] = extra[i];
	attrs[n] = NULL;

	/* the store's root: two levels above the record */
	cleanup_free char *root = xstrdup(c->dir);
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(root, '/');
		if (slash)
			*slash = '\0';
	}
	events_record(root, "container", action, c->id, attrs);
	free(attrs);
}
