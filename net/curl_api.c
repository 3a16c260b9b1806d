#include "net/curl_api.h"

#include <dlfcn.h>
#include <stdbool.h>

static const char libcurl_name[] = "libcurl.so.4";

static bool resolve(void *lib, void *slot, const char *name)
{
	void *sym = dlsym(lib, name);
	/* POSIX dlsym returns data pointers; function pointers have the same representation. */
	*(void **)slot = sym;
	return sym != NULL;
}

const struct curl_api *curl_api(struct holt_err *err)
{
	static struct curl_api api;
	static bool loaded;

	if (loaded)
		return &api;
	void *lib = dlopen(libcurl_name, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return holt_err_set(err, 0, "load %s (install the libcurl4 package): %s",
				    libcurl_name, dlerror()),
		       NULL;
	CURLcode (*global_init)(long) = NULL;
	if (!resolve(lib, &global_init, "curl_global_init") ||
	    !resolve(lib, &api.easy_init, "curl_easy_init") ||
	    !resolve(lib, &api.easy_setopt, "curl_easy_setopt") ||
	    !resolve(lib, &api.easy_perform, "curl_easy_perform") ||
	    !resolve(lib, &api.easy_getinfo, "curl_easy_getinfo") ||
	    !resolve(lib, &api.easy_cleanup, "curl_easy_cleanup") ||
	    !resolve(lib, &api.easy_reset, "curl_easy_reset") ||
	    !resolve(lib, &api.easy_strerror, "curl_easy_strerror") ||
	    !resolve(lib, &api.easy_header, "curl_easy_header") ||
	    !resolve(lib, &api.easy_escape, "curl_easy_escape") ||
	    !resolve(lib, &api.free, "curl_free") ||
	    !resolve(lib, &api.slist_append, "curl_slist_append") ||
	    !resolve(lib, &api.slist_free_all, "curl_slist_free_all"))
		return holt_err_set(err, 0, "%s is too old (7.83 or newer is needed): %s",
				    libcurl_name, dlerror()),
		       NULL;
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return holt_err_set(err, 0, "initialize %s", libcurl_name), NULL;
	loaded = true;
	return &api;
}
