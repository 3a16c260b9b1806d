/* The system-call filter of a container's processes. */
#ifndef HOLT_CORE_SECCOMP_H
#define HOLT_CORE_SECCOMP_H

#include "core/base/err.h"

/* Loads holt's default filter into the calling thread; it needs CAP_SYS_ADMIN in its
 * user namespace (it sets no no_new_privs, so su and sudo inside keep working). */
int seccomp_load_default(struct holt_err *err);

#endif
