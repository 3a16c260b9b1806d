/* The store's JSON records, written atomically through the store's staging dir. */
#ifndef HOLT_STORAGE_RECORD_H
#define HOLT_STORAGE_RECORD_H

#include "core/base/err.h"
#include "core/base/json_file.h"
#include "storage/store.h"

/* Writes o to path atomically, staged in the store's tmp/. */
int record_write(struct store *s, const char *path, json_object *o, struct holt_err *err);

#endif
