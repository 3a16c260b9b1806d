/* The store's JSON records: load one, write one atomically. */
#ifndef HOLT_STORAGE_RECORD_H
#define HOLT_STORAGE_RECORD_H

#include "core/base/err.h"
#include "storage/store.h"

#include "core/base/json.h"

/* Parses the JSON file at path; NULL with errno ENOENT in err when it does not exist. */
json_object *record_load(const char *path, struct holt_err *err);
/* Parses a JSON document held in memory; what names it in messages. */
json_object *record_parse(const char *text, const char *what, struct holt_err *err);
/* Compact JSON text of o, with "/" unescaped (media types); owned by o. */
const char *record_text(json_object *o);
/* Writes o to path atomically (store_write_file). */
int record_write(struct store *s, const char *path, json_object *o, struct holt_err *err);

#endif
