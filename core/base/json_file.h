/* JSON documents in files and in memory, with errors that name them. */
#ifndef HOLT_CORE_BASE_JSON_FILE_H
#define HOLT_CORE_BASE_JSON_FILE_H

#include "core/base/err.h"
#include "core/base/json.h"

/* Parses the JSON file at path; NULL with errno ENOENT in err when it does not exist. */
json_object *json_file_load(const char *path, struct holt_err *err);
/* Parses a JSON document held in memory; what names it in messages. */
json_object *json_parse(const char *text, const char *what, struct holt_err *err);
/* Compact JSON text of o, with "/" unescaped (media types); owned by o. */
const char *json_text(json_object *o);

#endif
