#include "net/registry.h"
#include "core/base/json.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "net/auth_file.h"
#include "net/curl_api.h"
#include "net/registry_config.h"
#include "net/registry_exchange.h"
#include "net/www_auth.h"

#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *registry_api_host(const char *domain)
{
	return strcmp(domain, "docker.io") == 0 ? "registry-1.docker.io" : domain;
}

static bool is_loopback(const char *domain)
{
	const char *colon = strrchr(domain, ':');
	size_t n = colon && !strchr(colon, ']') ? (size_t)(colon - domain) : strlen(domain);
	return (n == 9 && strncmp(domain, "localhost", 9) == 0) ||
	       strncmp(domain, "127.", 4) == 0 || (n == 5 && strncmp(domain, "[::1]", 5) == 0);
}

static char *file_in(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

static void find_certs(struct registry *r, const char *cert_dir)
{
	cleanup_free char *base = NULL;
	if (!cert_dir) {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		if (xdg && *xdg == '/')
			base = xasprintf("%s/holt/certs.d", xdg);
		else if (home)
			base = xasprintf("%s/.config/holt/certs.d", home);
		cert_dir = base;
	}
	if (!cert_dir)
		return;
	cleanup_free char *dir = xasprintf("%s/%s", cert_dir, r->domain);
	r->ca_file = file_in(dir, "ca.crt");
	r->client_cert = file_in(dir, "client.cert");
	r->client_key = file_in(dir, "client.key");
}

struct registry *registry_open(const char *domain, const char *repository,
			       const struct registry_opts *opts, struct holt_err *err)
{
	const struct curl_api *curl = curl_api(err);
	if (!curl)
		return NULL;
	struct registry *r = xzalloc(sizeof *r);
	r->curl = curl;
	r->domain = xstrdup(domain);
	r->host = xstrdup(registry_api_host(domain));
	r->repository = repository ? xstrdup(repository) : NULL;
	bool insecure = registry_config_insecure(domain);
	r->tls_verify = opts->tls_verify && !insecure;
	r->authfile = opts->authfile ? xstrdup(opts->authfile) : NULL;
	r->http_allowed = is_loopback(domain) || !r->tls_verify;
	find_certs(r, opts->cert_dir);
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void registry_free(struct registry *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n_idle; i++)
		r->curl->easy_cleanup(r->idle[i]);
	pthread_mutex_destroy(&r->lock);
	if (r->password)
		explicit_bzero(r->password, strlen(r->password));
	free(r->domain), free(r->host), free(r->repository), free(r->authfile);
	free(r->ca_file), free(r->client_cert), free(r->client_key);
	free(r->user), free(r->password), free(r->token);
	free(r);
}

void registry_doc_clear(struct registry_doc *d)
{
	free(d->body);
	free(d->media_type);
	memset(d, 0, sizeof *d);
}

/* Handles are kept for reuse: each keeps its connections open. */
CURL *registry_take_handle(struct registry *r)
{
	pthread_mutex_lock(&r->lock);
	CURL *h = r->n_idle ? r->idle[--r->n_idle] : NULL;
	pthread_mutex_unlock(&r->lock);
	return h ? h : r->curl->easy_init();
}

void registry_give_handle(struct registry *r, CURL *h)
{
	pthread_mutex_lock(&r->lock);
	if (r->n_idle < MAX_IDLE_HANDLES) {
		r->idle[r->n_idle++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	if (h)
		r->curl->easy_cleanup(h);
}

static size_t on_read(char *dest, size_t size, size_t nmemb, void *p)
{
	struct exchange *x = p;
	size_t want = size * nmemb;
	if (x->up_off + want > x->up_size)
		want = (size_t)(x->up_size - x->up_off);
	if (want == 0)
		return 0;
	if (x->up_buf) {
		memcpy(dest, x->up_buf + x->up_off, want);
		x->up_off += want;
		return want;
	}
	ssize_t n = pread(x->up_fd, dest, want, (off_t)(x->up_base + x->up_off));
	if (n <= 0)
		return CURL_READFUNC_ABORT;
	x->up_off += (uint64_t)n;
	return (size_t)n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
	struct exchange *x = p;
	size_t n = size * nmemb;
	long status = 0;
	x->r->curl->easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (x->sink && status >= 200 && status < 300) {
		size_t off = 0;
		/* A 206 starts where the Range asked; a 200 is the whole blob again. */
		if (x->skip && status == 200) {
			off = x->skip < n ? (size_t)x->skip : n;
			x->skip -= off;
		}
		if (off < n && x->sink(data + off, n - off, x->sink_ctx, x->sink_err) < 0) {
			x->sink_failed = true;
			return 0;
		}
		x->delivered += n - off;
		return n;
	}
	size_t max = x->sink ? MAX_ERROR_BODY : x->max;
	if (x->len + n > max) {
		x->too_big = true;
		return 0;
	}
	x->buf = xrealloc(x->buf, x->len + n + 1);
	memcpy(x->buf + x->len, data, n);
	x->len += n;
	x->buf[x->len] = '\0';
	return n;
}

char *registry_header(struct registry *r, CURL *h, const char *name)
{
	struct curl_header *hd;
	if (r->curl->easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return NULL;
	return xstrdup(hd->value);
}

/* The registry's own words from an error document ({"errors":[{"message": ...}]}). */
static char *error_message(const char *body)
{
	if (!body)
		return NULL;
	cleanup_json json_object *o = json_tokener_parse(body);
	json_object *errors, *first, *msg;
	if (!o || !json_object_object_get_ex(o, "errors", &errors) ||
	    !(first = json_object_array_get_idx(errors, 0)))
		return NULL;
	json_object *code = NULL;
	json_object_object_get_ex(first, "code", &code);
	if (!json_object_object_get_ex(first, "message", &msg))
		return code ? xstrdup(json_object_get_string(code)) : NULL;
	return xstrdup(json_object_get_string(msg));
}

static void set_tls(struct registry *r, CURL *h)
{
	const struct curl_api *c = r->curl;
	c->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, r->tls_verify ? 1L : 0L);
	c->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, r->tls_verify ? 2L : 0L);
	if (r->ca_file)
		c->easy_setopt(h, CURLOPT_CAINFO, r->ca_file);
	if (r->client_cert && r->client_key) {
		c->easy_setopt(h, CURLOPT_SSLCERT, r->client_cert);
		c->easy_setopt(h, CURLOPT_SSLKEY, r->client_key);
	}
}

static void set_auth(struct registry *r, CURL *h)
{
	const struct curl_api *c = r->curl;
	pthread_mutex_lock(&r->lock);
	if (r->auth == AUTH_BEARER && r->token) {
		c->easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		c->easy_setopt(h, CURLOPT_XOAUTH2_BEARER, r->token);
	} else if (r->auth == AUTH_BASIC && r->user) {
		c->easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		c->easy_setopt(h, CURLOPT_USERNAME, r->user);
		c->easy_setopt(h, CURLOPT_PASSWORD, r->password);
	}
	pthread_mutex_unlock(&r->lock);
}

const char *registry_scheme(struct registry *r)
{
	pthread_mutex_lock(&r->lock);
	const char *s = r->scheme;
	pthread_mutex_unlock(&r->lock);
	return s;
}

static void settle_scheme(struct registry *r, const char *scheme)
{
	pthread_mutex_lock(&r->lock);
	if (!r->scheme)
		r->scheme = scheme;
	pthread_mutex_unlock(&r->lock);
}

/* A TLS handshake with a server that speaks plain HTTP fails like this. */
static bool tls_failure(CURLcode rc)
{
	return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING;
}

bool registry_transient(CURLcode rc)
{
	/* A refused connection too: a registry restarting, or one behind a load balancer
	 * that is swapping it; docker retries those as well. */
	return rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_PARTIAL_FILE ||
	       rc == CURLE_GOT_NOTHING || rc == CURLE_OPERATION_TIMEDOUT ||
	       rc == CURLE_HTTP2_STREAM || rc == CURLE_HTTP2 || rc == CURLE_COULDNT_CONNECT;
}

/* Performs a GET of url on x->h as set up; the scheme is tried and settled on the first
 * call: https, and for loopback registries or with tls_verify off, http when https fails. */
static CURLcode perform(struct exchange *x, const char *path, struct curl_slist *headers,
			uint64_t range_from)
{
	struct registry *r = x->r;
	const struct curl_api *c = r->curl;
	const char *scheme = registry_scheme(r);
	bool may_fall_back = !scheme && r->http_allowed;
	CURLcode rc;

	for (;;) {
		cleanup_free char *url =
		    strstr(path, "://")
			? xstrdup(path)
			: xasprintf("%s://%s%s", scheme ? scheme : "https", r->host, path);
		char range[48];
		c->easy_reset(x->h);
		c->easy_setopt(x->h, CURLOPT_URL, url);
		c->easy_setopt(x->h, CURLOPT_USERAGENT, "holt/" HOLT_VERSION);
		c->easy_setopt(x->h, CURLOPT_FOLLOWLOCATION, 1L);
		c->easy_setopt(x->h, CURLOPT_MAXREDIRS, 10L);
		c->easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
		c->easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
		c->easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT, 30L);
		/* A stalled transfer is a dropped one: retried, resumed. */
		c->easy_setopt(x->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		c->easy_setopt(x->h, CURLOPT_LOW_SPEED_TIME, 60L);
		c->easy_setopt(x->h, CURLOPT_ACCEPT_ENCODING, "");
		c->easy_setopt(x->h, CURLOPT_HTTPHEADER, headers);
		c->easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body);
		c->easy_setopt(x->h, CURLOPT_WRITEDATA, x);
		if (range_from) {
			snprintf(range, sizeof range, "%llu-", (unsigned long long)range_from);
			c->easy_setopt(x->h, CURLOPT_RANGE, range);
		}
		if (x->method && strcmp(x->method, "HEAD") == 0) {
			c->easy_setopt(x->h, CURLOPT_NOBODY, 1L);
		} else if (x->method && strcmp(x->method, "POST") == 0) {
			c->easy_setopt(x->h, CURLOPT_POST, 1L);
			c->easy_setopt(x->h, CURLOPT_POSTFIELDSIZE, 0L);
		} else if (x->method &&
			   (!strcmp(x->method, "PUT") || !strcmp(x->method, "PATCH"))) {
			x->up_off = 0;
			if (!strcmp(x->method, "PATCH"))
				c->easy_setopt(x->h, CURLOPT_CUSTOMREQUEST, "PATCH");
			c->easy_setopt(x->h, CURLOPT_UPLOAD, 1L);
			c->easy_setopt(x->h, CURLOPT_READFUNCTION, on_read);
			c->easy_setopt(x->h, CURLOPT_READDATA, x);
			c->easy_setopt(x->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->up_size);
		}
		set_tls(r, x->h);
		set_auth(r, x->h);
		x->len = 0;
		x->too_big = false;
		rc = c->easy_perform(x->h);
		long status = 0;
		c->easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
		holt_debug("registry: %s %s: %s%ld", x->method ? x->method : "GET", url,
			   rc == CURLE_OK ? "" : c->easy_strerror(rc),
			   rc == CURLE_OK ? status : 0L);
		if (rc == CURLE_OK || !may_fall_back || !tls_failure(rc) || scheme)
			break;
		holt_debug(
		    "registry: %s: TLS failed on a registry that may speak HTTP: trying HTTP",
		    r->host);
		scheme = "http";
	}
	if (rc == CURLE_OK)
		settle_scheme(r, scheme ? scheme : "https");
	c->easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
	return rc;
}

static void load_credentials(struct registry *r, struct holt_err *err)
{
	pthread_mutex_lock(&r->lock);
	if (!r->creds_loaded) {
		r->creds_loaded = true;
		if (auth_file_get(r->authfile, r->domain, &r->user, &r->password, err) < 0)
			r->creds_loaded = false;
	}
	pthread_mutex_unlock(&r->lock);
}

char *registry_escape(struct registry *r, CURL *h, const char *s)
{
	char *e = r->curl->easy_escape(h, s, 0);
	char *copy = xstrdup(e ? e : "");
	r->curl->free(e);
	return copy;
}

#define CERT_HINT                                                                                  \
	" (the registry's CA certificate goes in certs.d/HOST:PORT/ca.crt; "                       \
	"--tls-verify=false skips the check)"

/* The length of the host in "host[:port]…" or "[v6]:port…". */
static size_t host_len(const char *s)
{
	if (*s == '[') {
		const char *end = strchr(s, ']');
		return end ? (size_t)(end - s + 1) : strlen(s);
	}
	return strcspn(s, ":/?");
}

/* The realm is on the registry's own host (any port: a token service beside it, as
 * docker and podman allow): its CA directory applies there too. */
static bool same_host(const struct registry *r, const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return false;
	p += 3;
	size_t n = host_len(r->domain);
	return host_len(p) == n && strncmp(p, r->domain, n) == 0;
}

/* Docker's token flow: GET realm?service=&scope= (with the user's credentials when there
 * are any) gives {"token": …} or {"access_token": …}. */
static int fetch_token(struct registry *r, const struct www_auth *ch, struct holt_err *err)
{
	const struct curl_api *c = r->curl;
	CURL *h = registry_take_handle(r);
	struct exchange x = {.r = r, .h = h, .max = MAX_ERROR_BODY};
	cleanup_free char *url = xstrdup(ch->realm);
	const char *sep = strchr(url, '?') ? "&" : "?";
	if (ch->service) {
		cleanup_free char *e = registry_escape(r, h, ch->service);
		char *u = xasprintf("%s%sservice=%s", url, sep, e);
		free(url), url = u, sep = "&";
	}
	if (ch->scope) {
		cleanup_free char *e = registry_escape(r, h, ch->scope);
		char *u = xasprintf("%s%sscope=%s", url, sep, e);
		free(url), url = u;
	}
	c->easy_reset(h);
	c->easy_setopt(h, CURLOPT_URL, url);
	c->easy_setopt(h, CURLOPT_USERAGENT, "holt/" HOLT_VERSION);
	c->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	c->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	c->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	c->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	c->easy_setopt(h, CURLOPT_WRITEDATA, &x);
	c->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, r->tls_verify ? 1L : 0L);
	c->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, r->tls_verify ? 2L : 0L);
	if (r->ca_file && same_host(r, url))
		c->easy_setopt(h, CURLOPT_CAINFO, r->ca_file);
	pthread_mutex_lock(&r->lock);
	if (r->user) {
		c->easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		c->easy_setopt(h, CURLOPT_USERNAME, r->user);
		c->easy_setopt(h, CURLOPT_PASSWORD, r->password);
	}
	bool with_user = r->user != NULL;
	pthread_mutex_unlock(&r->lock);
	CURLcode rc = c->easy_perform(h);
	long status = 0;
	c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	registry_give_handle(r, h);
	cleanup_free char *body = x.buf;
	if (rc != CURLE_OK)
		return holt_err_set(err, 0, "token service %s: %s%s", ch->realm,
				    c->easy_strerror(rc),
				    rc == CURLE_PEER_FAILED_VERIFICATION ? CERT_HINT : "");
	if (status == 401 || status == 403)
		return holt_err_set(err, 0, "token service %s: unauthorized: %s", ch->realm,
				    with_user ? "invalid username/password"
					      : "authentication required");
	cleanup_json json_object *o = status == 200 && body ? json_tokener_parse(body) : NULL;
	json_object *tok = NULL;
	if (!o || (!json_object_object_get_ex(o, "token", &tok) &&
		   !json_object_object_get_ex(o, "access_token", &tok)))
		return holt_err_set(err, 0, "token service %s: HTTP %ld, and no token", ch->realm,
				    status);
	pthread_mutex_lock(&r->lock);
	free(r->token);
	r->token = xstrdup(json_object_get_string(tok));
	r->auth = AUTH_BEARER;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* Answers a 401: takes the challenge, gets a token or settles on Basic. 0 to retry. */
static int answer_challenge(struct registry *r, CURL *h, struct holt_err *err)
{
	cleanup_free char *value = registry_header(r, h, "WWW-Authenticate");
	struct www_auth ch;
	if (!value)
		return holt_err_set(err, 0, "unauthorized, and no WWW-Authenticate to say how");
	if (www_auth_parse(value, &ch, err) < 0)
		return -1;
	load_credentials(r, err);
	if (err->msg) {
		www_auth_clear(&ch);
		return -1;
	}
	int ret = 0;
	if (ch.scheme == AUTH_BEARER) {
		ret = fetch_token(r, &ch, err);
	} else {
		pthread_mutex_lock(&r->lock);
		bool have = r->user != NULL;
		r->auth = AUTH_BASIC;
		pthread_mutex_unlock(&r->lock);
		if (!have)
			ret = holt_err_set(err, 0,
					   "unauthorized: authentication required (holt login %s)",
					   r->domain);
	}
	www_auth_clear(&ch);
	return ret;
}

/* A request with authentication: -1 with err on a transport error (*rc says which) or a
 * refused authentication; else 0 and x->status. */
int registry_send(struct exchange *x, const char *path, const char *const *lines,
		  uint64_t range_from, CURLcode *rc, struct holt_err *err)
{
	struct registry *r = x->r;
	struct curl_slist *headers = NULL;
	for (size_t i = 0; lines && lines[i]; i++)
		headers = r->curl->slist_append(headers, lines[i]);
	int ret = 0;
	for (int round = 0;; round++) {
		*rc = perform(x, path, headers, range_from);
		if (*rc != CURLE_OK) {
			ret = x->sink_failed
				  ? -1
				  : holt_err_set(
					err, 0, "%s %s%s: %s%s", x->method ? x->method : "GET",
					strstr(path, "://") ? "" : r->host, path,
					r->curl->easy_strerror(*rc),
					*rc == CURLE_PEER_FAILED_VERIFICATION ? CERT_HINT : "");
			break;
		}
		if (x->status != 401)
			break;
		pthread_mutex_lock(&r->lock);
		bool had_user = r->user != NULL && r->auth != AUTH_NONE;
		pthread_mutex_unlock(&r->lock);
		if (round == 1) {
			ret = holt_err_set(err, 0, "unauthorized: %s",
					   had_user ? "invalid username/password, or no access"
						    : "authentication required");
			break;
		}
		if (answer_challenge(r, x->h, err) < 0) {
			ret = -1;
			break;
		}
	}
	r->curl->slist_free_all(headers);
	return ret;
}

int registry_status_error(struct exchange *x, const char *what, struct holt_err *err)
{
	cleanup_free char *msg = error_message(x->buf);
	if (x->status == 404)
		return holt_err_set(err, 0, "%s: not found%s%s", what, msg ? ": " : "",
				    msg ? msg : "");
	return holt_err_set(err, 0, "%s: HTTP %ld%s%s", what, x->status, msg ? ": " : "",
			    msg ? msg : "");
}

void registry_back_off(int attempt)
{
	nanosleep(&(struct timespec){0, (200L << attempt) * 1000 * 1000}, NULL);
}

/* registry_send, tried again with back-off while the failure may be passing: a dropped
 * connection or a 5xx. For requests without a sink, which can be sent again whole. */
static int send_retrying(struct exchange *x, const char *path, const char *const *lines,
			 struct holt_err *err)
{
	for (int attempt = 0;; attempt++) {
		CURLcode rc;
		int got = registry_send(x, path, lines, 0, &rc, err);
		bool again = attempt + 1 < MAX_ATTEMPTS && ((got < 0 && registry_transient(rc)) ||
							    (got == 0 && x->status >= 500));
		if (!again)
			return got;
		holt_err_release(err);
		free(x->buf);
		x->buf = NULL;
		registry_back_off(attempt);
	}
}

int registry_get_doc(struct registry *r, const char *kind, const char *ref, const char *accept,
		     size_t max, struct registry_doc *out, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("/v2/%s/%s/%s", r->repository, kind, ref);
	cleanup_free char *what =
	    xasprintf("%s/%s: %s %s", r->domain, r->repository,
		      strcmp(kind, "manifests") == 0 ? "manifest" : "blob", ref);
	memset(out, 0, sizeof *out);
	for (int attempt = 0;; attempt++) {
		CURL *h = registry_take_handle(r);
		struct exchange x = {.r = r, .h = h, .max = max};
		CURLcode rc;
		cleanup_free char *accept_line = accept ? xasprintf("Accept: %s", accept) : NULL;
		int got = registry_send(&x, path, (const char *[]){accept_line, NULL}, 0, &rc, err);
		if (got == 0 && x.status == 200) {
			out->media_type = registry_header(r, h, "Content-Type");
			registry_give_handle(r, h);
			out->body = x.buf ? x.buf : xstrdup("");
			out->len = x.len;
			return 0;
		}
		registry_give_handle(r, h);
		if (x.too_big) {
			free(x.buf);
			holt_err_release(err);
			return holt_err_set(err, 0, "%s: larger than %zu bytes", what, max);
		}
		bool again = attempt + 1 < MAX_ATTEMPTS &&
			     ((got < 0 && registry_transient(rc)) || (got == 0 && x.status >= 500));
		if (got == 0 && !again)
			registry_status_error(&x, what, err);
		free(x.buf);
		if (!again)
			return got < 0 ? holt_err_wrap(err, "%s", what) : -1;
		holt_err_release(err);
		registry_back_off(attempt);
	}
}

int registry_get_blob(struct registry *r, const char *digest, registry_sink sink, void *ctx,
		      struct holt_err *err)
{
	cleanup_free char *path = xasprintf("/v2/%s/blobs/%s", r->repository, digest);
	cleanup_free char *what = xasprintf("%s/%s: blob %s", r->domain, r->repository, digest);
	uint64_t delivered = 0;
	for (int attempt = 0;; attempt++) {
		CURL *h = registry_take_handle(r);
		cleanup_exchange struct exchange x = {.r = r,
						      .h = h,
						      .sink = sink,
						      .sink_ctx = ctx,
						      .sink_err = err,
						      .skip = delivered,
						      .delivered = delivered};
		CURLcode rc;
		int got = registry_send(&x, path, NULL, delivered, &rc, err);
		registry_give_handle(r, h);
		if (x.sink_failed)
			return -1;
		if (got == 0 && (x.status == 200 || x.status == 206))
			return 0;
		bool progressed = x.delivered > delivered;
		delivered = x.delivered;
		bool again = (attempt + 1 < MAX_ATTEMPTS || progressed) && attempt < 20 &&
			     ((got < 0 && registry_transient(rc)) || (got == 0 && x.status >= 500));
		if (!again) {
			if (got == 0)
				registry_status_error(&x, what, err);
			else
				holt_err_wrap(err, "%s", what);
			return -1;
		}
		holt_err_release(err);
		registry_back_off(attempt < 4 ? attempt : 4);
	}
}

int registry_check_login(struct registry *r, const char *user, const char *password,
			 struct holt_err *err)
{
	pthread_mutex_lock(&r->lock);
	free(r->user), free(r->password);
	r->user = xstrdup(user);
	r->password = xstrdup(password);
	r->creds_loaded = true;
	pthread_mutex_unlock(&r->lock);

	CURL *h = registry_take_handle(r);
	cleanup_exchange struct exchange x = {.r = r, .h = h, .max = MAX_ERROR_BODY};
	CURLcode rc;
	int got = registry_send(&x, "/v2/", NULL, 0, &rc, err);
	registry_give_handle(r, h);
	if (got < 0)
		return -1;
	if (x.status != 200)
		return registry_status_error(&x, r->domain, err);
	return 0;
}

int registry_blob_exists(struct registry *r, const char *digest, bool *exists, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("/v2/%s/blobs/%s", r->repository, digest);
	CURL *h = registry_take_handle(r);
	cleanup_exchange struct exchange x = {
	    .r = r, .h = h, .max = MAX_ERROR_BODY, .method = "HEAD"};
	int got = send_retrying(&x, path, NULL, err);
	registry_give_handle(r, h);
	if (got < 0)
		return -1;
	*exists = x.status == 200;
	if (x.status != 200 && x.status != 404)
		return registry_status_error(&x, path, err);
	return 0;
}

int registry_put_manifest(struct registry *r, const char *tag, const char *media_type,
			  const char *manifest, size_t len, struct holt_err *err)
{
	cleanup_free char *path = xasprintf("/v2/%s/manifests/%s", r->repository, tag);
	cleanup_free char *type = xasprintf("Content-Type: %s", media_type);
	cleanup_free char *what = xasprintf("%s/%s: manifest %s", r->domain, r->repository, tag);
	CURL *h = registry_take_handle(r);
	cleanup_exchange struct exchange x = {.r = r,
					      .h = h,
					      .max = MAX_ERROR_BODY,
					      .method = "PUT",
					      .up_buf = manifest,
					      .up_size = len};
	int got = send_retrying(&x, path, (const char *[]){type, NULL}, err);
	registry_give_handle(r, h);
	if (got < 0)
		return holt_err_wrap(err, "%s", what);
	if (x.status != 201 && x.status != 200)
		return registry_status_error(&x, what, err);
	return 0;
}
