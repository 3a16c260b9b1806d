#include "net/registry_config.h"
#include "core/json.h"
#include "core/util.h"

#include <string.h>

static char *config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/holt/registries.json", xdg);
	return home ? xasprintf("%s/.config/holt/registries.json", home) : NULL;
}

bool registry_config_insecure(const char *domain)
{
	cleanup_free char *path = config_path();
	cleanup_json json_object *o = path ? json_object_from_file(path) : NULL;
	json_object *list;
	if (!o || !json_object_object_get_ex(o, "insecure-registries", &list) ||
	    !json_object_is_type(list, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(list, i));
		if (s && strcmp(s, domain) == 0)
			return true;
	}
	return false;
}
