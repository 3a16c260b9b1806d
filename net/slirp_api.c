#include "net/slirp_api.h"
#include "core/base/dl.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>

static const char libslirp_name[] = "libslirp.so.0";

const struct slirp_api *slirp_api(struct holt_err *err)
{
	static struct slirp_api api;
	if (api.new)
		return &api;
	void *lib = dlopen(libslirp_name, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return holt_err_set(err, 0, "load %s (install the libslirp0 package): %s",
				    libslirp_name, dlerror()),
		       NULL;
	if (!dl_resolve(lib, &api.new, "slirp_new") ||
	    !dl_resolve(lib, &api.input, "slirp_input") ||
	    !dl_resolve(lib, &api.pollfds_fill, "slirp_pollfds_fill") ||
	    !dl_resolve(lib, &api.pollfds_poll, "slirp_pollfds_poll"))
		return holt_err_set(err, 0, "%s is too old (4.0 or newer is needed): %s",
				    libslirp_name, dlerror()),
		       NULL;
	return &api;
}
