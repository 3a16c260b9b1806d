#include "net/curl_api.h"
#include "core/base/dl.h"

#include <dlfcn.h>
#include <stdbool.h>

static const char libcurl_name[] = "libcurl.so.4";

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
	if (!dl_resolve(lib, &global_init, "curl_global_init") ||
	    !dl_resolve(lib, &api.easy_init, "curl_easy_init") ||
	    !dl_resolve(lib, &api.easy_setopt, "curl_easy_setopt") ||
	    !dl_resolve(lib, &api.easy_perform, "curl_easy_perform") ||
	    !dl_resolve(lib, &api.easy_getinfo, "curl_easy_getinfo") ||
	    !dl_resolve(lib, &api.easy_cleanup, "curl_easy_cleanup") ||
	    !dl_resolve(lib, &api.easy_reset, "curl_easy_reset") ||
	    !dl_resolve(lib, &api.easy_strerror, "curl_easy_strerror") ||
	    !dl_resolve(lib, &api.easy_header, "curl_easy_header") ||
	    !dl_resolve(lib, &api.easy_escape, "curl_easy_escape") ||
	    !dl_resolve(lib, &api.free, "curl_free") ||
	    !dl_resolve(lib, &api.slist_append, "curl_slist_append") ||
	    !dl_resolve(lib, &api.slist_free_all, "curl_slist_free_all"))
		return holt_err_set(err, 0, "%s is too old (7.83 or newer is needed): %s",
				    libcurl_name, dlerror()),
		       NULL;
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return holt_err_set(err, 0, "initialize %s", libcurl_name), NULL;
	loaded = true;
	return &api;
}
