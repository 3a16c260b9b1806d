/* Says which ids a container can switch to, for `-u` errors: the inside column of the
 * namespace's map, merged where ranges touch. */
#include "core/idmap_range.h"
#include "core/base/util.h"

#include <stdio.h>

char *idmap_range_text(const char *which)
{
	cleanup_free char *path = xasprintf("/proc/self/%s_map", which);
	cleanup_file FILE *f = fopen(path, "re");
	unsigned long inside, outside, count, lo = 0, hi = 0;
	char *text = NULL;
	bool open_range = false;

	if (!f)
		return NULL;
	while (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3) {
		if (count == 0)
			continue;
		if (open_range && inside == hi + 1) {
			hi = inside + count - 1;
			continue;
		}
		if (open_range) {
			char *t =
			    xasprintf("%s%s%lu-%lu", text ? text : "", text ? ", " : "", lo, hi);
			free(text);
			text = t;
		}
		lo = inside;
		hi = inside + count - 1;
		open_range = true;
	}
	if (open_range) {
		char *t = xasprintf("%s%s%lu-%lu", text ? text : "", text ? ", " : "", lo, hi);
		free(text);
		text = t;
	}
	return text;
}
