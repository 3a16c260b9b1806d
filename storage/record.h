/* json-c glue for the store's records: load a file, write one atomically. */
#ifndef HOLT_STORAGE_JSON_H
#define HOLT_STORAGE_JSON_H

#include "core/err.h"
#include "storage/store.h"

#include <json-c/json.h>

#ifndef cleanup_json
static inline void cleanup_jsonp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(cleanup_jsonp)))
#endif

/* Parses the JSON file at path; NULL with errno ENOENT in err when it does not exist. */
json_object *json_load(const char *path, struct holt_err *err);
/* Parses a JSON document held in memory; what names it in messages. */
json_object *json_parse(const char *text, const char *what, struct holt_err *err);
/* Compact JSON text of o, with "/" unescaped (media types); owned by o. */
const char *json_text(json_object *o);
/* Writes o to path atomically (store_write_file). */
int json_write(struct store *s, const char *path, json_object *o, struct holt_err *err);
/* The string member key of o, or NULL when absent or not a string. */
const char *json_get_string(json_object *o, const char *key);

#endif
