/* What net/registry*.c share: the client's state, and one HTTP exchange with the
 * registry (authentication answered, the scheme settled) with the helpers around it. */
#ifndef HOLT_NET_REGISTRY_EXCHANGE_H
#define HOLT_NET_REGISTRY_EXCHANGE_H

#include "core/base/err.h"
#include "net/curl_api.h"
#include "net/registry.h"
#include "net/www_auth.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

enum { MAX_ATTEMPTS = 4, MAX_ERROR_BODY = 64 * 1024, MAX_IDLE_HANDLES = 8 };

struct registry {
	const struct curl_api *curl;
	char *domain;	  /* as the user named it, for messages and credentials */
	char *host;	  /* where the API is */
	char *repository; /* NULL for login's /v2/ */
	bool tls_verify;
	bool http_allowed; /* a loopback or insecure-listed registry, or tls_verify off */
	char *authfile;
	char *ca_file, *client_cert, *client_key;

	pthread_mutex_t lock; /* guards what follows */
	const char *scheme;   /* NULL until the first answer tells */
	char *user, *password;
	bool creds_loaded;
	enum auth_scheme auth; /* what the registry asked for */
	char *token;	       /* Bearer */
	CURL *idle[MAX_IDLE_HANDLES];
	int n_idle;
};

/* One HTTP exchange: what came back. */
struct exchange {
	struct registry *r;
	CURL *h;
	long status;
	/* body: to the sink when 2xx, else kept (an error document) */
	registry_sink sink;
	void *sink_ctx;
	struct holt_err *sink_err;
	bool sink_failed;
	uint64_t skip;	    /* bytes the sink already has, to drop from a 200 to a Range */
	uint64_t delivered; /* bytes handed to the sink */
	char *buf;	    /* the body when it is kept */
	size_t len, max;
	bool too_big;
	/* the request: GET unless method says; PUT and PATCH send up_buf, or up_size bytes
	 * of up_fd from up_base */
	const char *method;
	const char *up_buf;
	int up_fd;
	uint64_t up_base, up_size, up_off;
};

/* Frees the kept body when x goes out of scope. */
static inline void exchange_release(struct exchange *x)
{
	free(x->buf);
}
#define cleanup_exchange __attribute__((cleanup(exchange_release)))

/* A handle from the idle ones, or a new one; given back for reuse of its connection. */
CURL *registry_take_handle(struct registry *r);
void registry_give_handle(struct registry *r, CURL *h);

/* Sends the request x describes to path (or a whole URL) with the header lines (NULL
 * ended), answering a 401 once. -1 with err on a transport error (*rc says which) or a
 * refused authentication; else 0 and x->status. */
int registry_send(struct exchange *x, const char *path, const char *const *lines,
		  uint64_t range_from, CURLcode *rc, struct holt_err *err);

/* The value of response header name on h, or NULL. */
char *registry_header(struct registry *r, CURL *h, const char *name);
/* s escaped for a URL's query. */
char *registry_escape(struct registry *r, CURL *h, const char *s);
/* "https" or "http", once the first exchange has settled it. */
const char *registry_scheme(struct registry *r);
/* err for an answer of status x->status about what, with the registry's own words. */
int registry_status_error(struct exchange *x, const char *what, struct holt_err *err);
/* Whether a transport error may go away when tried again. */
bool registry_transient(CURLcode rc);
void registry_back_off(int attempt);

#endif
