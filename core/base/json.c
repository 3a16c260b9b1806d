#include "core/base/json.h"
#include "core/base/util.h"

#include <string.h>

void json_add_strv(json_object *obj, const char *key, char *const *v)
{
	if (!v)
		return;
	json_object *arr = json_object_new_array();
	for (size_t i = 0; v[i]; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	json_object_object_add(obj, key, arr);
}

void json_add_string(json_object *obj, const char *key, const char *s)
{
	if (s)
		json_object_object_add(obj, key, json_object_new_string(s));
}

char **json_get_strv(json_object *obj, const char *key)
{
	json_object *arr;
	if (!json_object_object_get_ex(obj, key, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return NULL;
	size_t n = json_object_array_length(arr);
	char **v = xzalloc((n + 1) * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(json_object_get_string(json_object_array_get_idx(arr, i)));
	return v;
}

char *json_get_string(json_object *obj, const char *key)
{
	json_object *s;
	if (!json_object_object_get_ex(obj, key, &s) || !json_object_is_type(s, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(s));
}

json_object *json_labels_object(char *const *labels)
{
	json_object *obj = json_object_new_object();
	for (size_t i = 0; labels && labels[i]; i++) {
		const char *eq = strchr(labels[i], '=');
		cleanup_free char *key =
		    xstrndup(labels[i], eq ? (size_t)(eq - labels[i]) : strlen(labels[i]));
		json_object_object_add(obj, key, json_object_new_string(eq ? eq + 1 : ""));
	}
	return obj;
}

json_object *json_object_at(json_object *obj, const char *key)
{
	json_object *o;
	if (json_object_object_get_ex(obj, key, &o) && json_object_is_type(o, json_type_object))
		return o;
	o = json_object_new_object();
	json_object_object_add(obj, key, o);
	return o;
}
