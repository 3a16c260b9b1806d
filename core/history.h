/* An image's history as `docker history` shows it, built from the OCI config's
 * "history" array and the sizes of the layers that its entries made. */
#ifndef HOLT_CORE_HISTORY_H
#define HOLT_CORE_HISTORY_H

#include "core/base/err.h"

#include <json.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct history_entry {
	char *created_by; /* "" when absent */
	char *comment;	  /* "" when absent */
	time_t created;	  /* 0 when absent or malformed */
	uint64_t size;	  /* bytes of the layer the entry made; 0 for an empty_layer one */
};

/* The entries of config's "history", newest first; each one without "empty_layer" gets
 * the size of the next layer in layer_sizes (lowest first). Fails, as docker does, when
 * more entries claim a layer than there are layers. No "history": no entries. */
int history_build(json_object *config, const uint64_t *layer_sizes, size_t n_layers,
		  struct history_entry **out, size_t *n, struct holt_err *err);
void history_free(struct history_entry *h, size_t n);

/* created_by as docker's history column shows it: tabs as spaces and, when max > 0 and
 * it is longer, cut to max code points of which the last is "…". Caller frees. */
char *history_created_by(const char *s, size_t max);

#endif
