/* libcurl, loaded with dlopen on the first registry request: linking it would load it and
 * its two dozen libraries at the start of every `holt run`, which never talks HTTP. */
#ifndef HOLT_NET_CURL_API_H
#define HOLT_NET_CURL_API_H

#include "core/base/err.h"

#include <curl/curl.h>

struct curl_api {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	CURLHcode (*easy_header)(CURL *, const char *, size_t, unsigned int, int,
				 struct curl_header **);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
};

/* The loaded library, or NULL with err saying what to install. Thread-safe after the
 * first call returns; make that call before starting threads. */
const struct curl_api *curl_api(struct holt_err *err);

#endif
