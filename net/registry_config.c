#include "net/registry_config.h"
#include "core/base/json.h"
#include "core/base/util.h"

#include <string.h>

static char *config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/holt/registries.json", xdg);
	return home ? xasprintf("%s/.config/holt/registries.json", home) : NULL;
}

/* The array under key, or NULL. */
static json_object *config_list(json_object *o, const char *key)
{
	json_object *list;
	if (!o || !json_object_object_get_ex(o, key, &list) ||
	    !json_object_is_type(list, json_type_array))
		return NULL;
	return list;
}

static json_object *config_load(void)
{
	cleanup_free char *path = config_path();
	return path ? json_object_from_file(path) : NULL;
}

bool registry_config_insecure(const char *domain)
{
	cleanup_json json_object *o = config_load();
	json_object *list = config_list(o, "insecure-registries");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(list, i));
		if (s && strcmp(s, domain) == 0)
			return true;
	}
	return false;
}

char **registry_config_search(void)
{
	cleanup_json json_object *o = config_load();
	json_object *list = config_list(o, "unqualified-search-registries");
	char **out = NULL;
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(list, i));
		if (s && *s)
			strv_push(&out, s);
	}
	if (!out)
		strv_push(&out, "docker.io");
	return out;
}
