#include "core/subid.h"

#include <dlfcn.h>
#include <stddef.h>

static const char libsubid_name[] = "libsubid.so.4";

int subid_ranges(const char *user, struct subid_range **uids, int *n_uids,
		 struct subid_range **gids, int *n_gids, struct holt_err *err)
{
	void *lib = dlopen(libsubid_name, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return holt_err_set(err, 0, "load %s (install the libsubid4 package): %s",
				    libsubid_name, dlerror());
	bool (*init)(const char *, FILE *) =
	    (bool (*)(const char *, FILE *))dlsym(lib, "subid_init");
	int (*get_uids)(const char *, struct subid_range **) =
	    (int (*)(const char *, struct subid_range **))dlsym(lib, "subid_get_uid_ranges");
	int (*get_gids)(const char *, struct subid_range **) =
	    (int (*)(const char *, struct subid_range **))dlsym(lib, "subid_get_gid_ranges");
	if (!init || !get_uids || !get_gids)
		return holt_err_set(err, 0, "%s: missing symbols: %s", libsubid_name, dlerror());
	init("holt", NULL);
	*n_uids = get_uids(user, uids);
	*n_gids = get_gids(user, gids);
	/* Stays loaded: its ranges are in use, and the process is short-lived. */
	return 0;
}
