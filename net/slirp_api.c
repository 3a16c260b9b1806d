#include "net/slirp_api.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>

static const char libslirp_name[] = "libslirp.so.0";

static bool resolve(void *lib, void *slot, const char *name)
{
	void *sym = dlsym(lib, name);
	/* POSIX dlsym returns data pointers; function pointers have the same representation. */
	*(void **)slot = sym;
	return sym != NULL;
}

const struct slirp_api *slirp_api(struct holt_err *err)
{
	static struct slirp_api api;
	void *lib = dlopen(libslirp_name, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return holt_err_set(err, 0, "load %s (install the libslirp0 package): %s",
				    libslirp_name, dlerror()),
		       NULL;
	if (!resolve(lib, &api.new, "slirp_new") || !resolve(lib, &api.input, "slirp_input") ||
	    !resolve(lib, &api.pollfds_fill, "slirp_pollfds_fill") ||
	    !resolve(lib, &api.pollfds_poll, "slirp_pollfds_poll") ||
	    !resolve(lib, &api.add_hostfwd, "slirp_add_hostfwd"))
		return holt_err_set(err, 0, "%s is too old (4.0 or newer is needed): %s",
				    libslirp_name, dlerror()),
		       NULL;
	resolve(lib, &api.add_hostxfwd, "slirp_add_hostxfwd");
	return &api;
}
