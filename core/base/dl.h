/* Libraries holt loads only when a command needs them (libcrypto, libcurl, libslirp):
 * linked in, each would cost every start-up. */
#ifndef HOLT_CORE_BASE_DL_H
#define HOLT_CORE_BASE_DL_H

#include <stdbool.h>

/* Stores the address of lib's symbol name in the function pointer at slot; false when
 * lib has no such symbol (dlerror() says why). */
bool dl_resolve(void *lib, void *slot, const char *name);

#endif
