#include "core/base/dl.h"

#include <dlfcn.h>
#include <stddef.h>

bool dl_resolve(void *lib, void *slot, const char *name)
{
	void *sym = dlsym(lib, name);
	/* POSIX dlsym returns data pointers; function pointers have the same representation. */
	*(void **)slot = sym;
	return sym != NULL;
}
