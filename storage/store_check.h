/* `holt system check`: the store's records against what is on disk. */
#ifndef HOLT_STORAGE_STORE_CHECK_H
#define HOLT_STORAGE_STORE_CHECK_H

#include "core/base/err.h"
#include "storage/store.h"

#include <stdbool.h>

struct store_problem {
	char *what;    /* "image …: layer sha256:… is missing" */
	bool repaired; /* with repair: what was done about it is in what */
};

struct store_check_report {
	struct store_problem *problems;
	size_t n;
};

/* Checks every image record (its manifest, config and layer blobs, read and hashed; its
 * unpacked layers), every name, every container record and name claim, and what no
 * record names. With repair, fixes what can be fixed without losing anything a user
 * made: removes names of missing images, claims of missing containers, corrupt blobs no
 * image needs to run, half-made container directories, and unnamed layers and blobs. */
int store_check(struct store *s, bool repair, struct store_check_report *r, struct holt_err *err);
void store_check_report_clear(struct store_check_report *r);

#endif
