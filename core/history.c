#include "core/history.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/humanize.h"

#include <string.h>

static char *string_or_empty(json_object *o, const char *key)
{
	char *s = json_get_string(o, key);
	return s ? s : xstrdup("");
}

static bool empty_layer(json_object *h)
{
	json_object *v;
	return json_object_object_get_ex(h, "empty_layer", &v) && json_object_get_boolean(v);
}

int history_build(json_object *config, const uint64_t *layer_sizes, size_t n_layers,
		  struct history_entry **out, size_t *n, struct holt_err *err)
{
	json_object *hist;
	size_t count = 0, layer = 0;

	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(config, "history", &hist) ||
	    !json_object_is_type(hist, json_type_array))
		return 0;
	count = json_object_array_length(hist);
	struct history_entry *e = xzalloc((count + 1) * sizeof *e);
	for (size_t i = 0; i < count; i++) {
		json_object *h = json_object_array_get_idx(hist, i);
		/* newest first: the config lists them oldest first */
		struct history_entry *row = &e[count - 1 - i];
		cleanup_free char *created = json_get_string(h, "created");
		struct timespec ts;

		row->created_by = string_or_empty(h, "created_by");
		row->comment = string_or_empty(h, "comment");
		row->created = humanize_parse_time(created, &ts) ? ts.tv_sec : 0;
		if (empty_layer(h))
			continue;
		if (layer >= n_layers) {
			history_free(e, count);
			return holt_err_set(err, 0,
					    "history: more entries make a layer than the image has "
					    "(%zu)",
					    n_layers);
		}
		row->size = layer_sizes[layer++];
	}
	*out = e;
	*n = count;
	return 0;
}

void history_free(struct history_entry *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++) {
		free(h[i].created_by);
		free(h[i].comment);
	}
	free(h);
}

/* Bytes of the first max code points of s (UTF-8); all of s when it has no more. */
static size_t prefix_bytes(const char *s, size_t max)
{
	size_t i = 0;
	for (size_t points = 0; s[i] && points < max; points++)
		for (i++; ((unsigned char)s[i] & 0xc0) == 0x80; i++)
			;
	return i;
}

char *history_created_by(const char *s, size_t max)
{
	char *copy = xstrdup(s);
	for (char *p = copy; *p; p++)
		if (*p == '\t')
			*p = ' ';
	if (max == 0 || !copy[prefix_bytes(copy, max)])
		return copy;
	char *cut = xasprintf("%.*s…", (int)prefix_bytes(copy, max - 1), copy);
	free(copy);
	return cut;
}
