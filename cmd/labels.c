#include "cmd/labels.h"
#include "core/base/util.h"

#include <string.h>

char *labels_text(char *const *labels)
{
	char *out = xstrdup("");
	for (size_t i = 0; labels && labels[i]; i++) {
		char *next = xasprintf("%s%s%s", out, i ? "," : "", labels[i]);
		free(out);
		out = next;
	}
	return out;
}

bool labels_match(char *const *labels, const char *want)
{
	size_t klen = strcspn(want, "=");
	for (size_t i = 0; labels && labels[i]; i++) {
		const char *l = labels[i];
		if (strncmp(l, want, klen) || (l[klen] != '=' && l[klen] != '\0'))
			continue;
		/* both from the '=' on: a label without one never equals a KEY=VALUE */
		if (!want[klen] || strcmp(l + klen, want + klen) == 0)
			return true;
	}
	return false;
}
