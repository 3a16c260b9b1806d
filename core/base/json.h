/* Small json-c conveniences for the records holt writes and reads. */
#ifndef HOLT_CORE_BASE_JSON_H
#define HOLT_CORE_BASE_JSON_H

#include <json.h>

/* Adds key: [strings...] to obj; nothing when v is NULL. */
void json_add_strv(json_object *obj, const char *key, char *const *v);
/* The object at key in obj, added (empty) when missing or not an object. */
json_object *json_object_at(json_object *obj, const char *key);
/* Adds key: "s" to obj; nothing when s is NULL. */
void json_add_string(json_object *obj, const char *key, const char *s);
/* A copy of the array of strings at key, or NULL when absent or not an array. */
char **json_get_strv(json_object *obj, const char *key);
/* A copy of the string at key, or NULL. */
char *json_get_string(json_object *obj, const char *key);

/* {"KEY": "VALUE", ...} from KEY=VALUE strings (docker's Labels). */
json_object *json_labels_object(char *const *labels);

static inline void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(json_putp)))

#endif
