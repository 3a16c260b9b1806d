/* KEY=VALUE labels of containers, networks and volumes, as ls and ps show and filter
 * them. */
#ifndef HOLT_CMD_LABELS_H
#define HOLT_CMD_LABELS_H

#include <stdbool.h>

/* "k1=v1,k2=v2" (docker's Labels column); the caller frees it. */
char *labels_text(char *const *labels);
/* --filter label=WANT: WANT is KEY (any value) or KEY=VALUE. */
bool labels_match(char *const *labels, const char *want);

#endif
