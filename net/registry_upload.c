#include "core/base/util.h"
#include "net/registry.h"
#include "net/registry_exchange.h"

#include <stdio.h>
#include <string.h>

/* Blobs larger than this go up in PATCHes of this size: a failure then costs one chunk,
 * where the registry keeps what it got, instead of the whole blob. */
enum { CHUNK = 32 << 20 };

enum step { STEP_FAILED = -1, STEP_ON = 0, STEP_DONE = 1 };

static char *absolute(struct registry *r, const char *location)
{
	if (strstr(location, "://"))
		return xstrdup(location);
	return xasprintf("%s://%s%s", registry_scheme(r), r->host, location);
}

/* The session's new Location, which carries its state on some registries. */
static int take_location(struct registry *r, CURL *h, char **location, const char *what,
			 struct holt_err *err)
{
	cleanup_free char *l = registry_header(r, h, "Location");
	if (!l)
		return holt_err_set(err, 0, "%s: the registry answered an upload with no Location",
				    what);
	free(*location);
	*location = absolute(r, l);
	return 0;
}

/* After a failed step: give up, go on where the session is, or start a new session (the
 * registry holds other bytes than holt thinks). */
enum retry { RETRY_NO, RETRY_RESUME, RETRY_RESTART };

/* Sets err and *retry for an exchange that did not go as hoped. Always -1. */
static int failed(struct exchange *x, int got, CURLcode rc, const char *what, enum retry *retry,
		  struct holt_err *err)
{
	if (got < 0)
		*retry = registry_transient(rc) ? RETRY_RESUME : RETRY_NO;
	else
		*retry = x->status == 416   ? RETRY_RESTART
			 : x->status >= 500 ? RETRY_RESUME
					    : RETRY_NO;
	if (got < 0)
		return holt_err_wrap(err, "%s", what);
	return registry_status_error(x, what, err);
}

/* POST: a new upload session at *location, or the blob mounted from mount_from. */
static int start(struct registry *r, const char *digest, const char *mount_from, const char *what,
		 char **location, bool *mounted, enum retry *retry, struct holt_err *err)
{
	CURL *h = registry_take_handle(r);
	cleanup_free char *from = mount_from ? registry_escape(r, h, mount_from) : NULL;
	cleanup_free char *d = registry_escape(r, h, digest);
	cleanup_free char *path =
	    from ? xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s", r->repository, d, from)
		 : xasprintf("/v2/%s/blobs/uploads/", r->repository);
	cleanup_exchange struct exchange x = {
	    .r = r, .h = h, .max = MAX_ERROR_BODY, .method = "POST"};
	CURLcode rc;
	int got = registry_send(&x, path, NULL, 0, &rc, err);
	int ret = STEP_ON;
	if (got == 0 && x.status == 201)
		*mounted = true, ret = STEP_DONE;
	else if (got == 0 && x.status == 202)
		ret = take_location(r, h, location, what, err);
	else
		ret = failed(&x, got, rc, what, retry, err);
	registry_give_handle(r, h);
	return ret;
}

/* PATCH of the next chunk, from *off. */
static int send_chunk(struct registry *r, char **location, int fd, uint64_t *off, uint64_t size,
		      const char *what, enum retry *retry, struct holt_err *err)
{
	uint64_t n = size - *off < CHUNK ? size - *off : CHUNK;
	char range[64];
	snprintf(range, sizeof range, "Content-Range: %llu-%llu", (unsigned long long)*off,
		 (unsigned long long)(*off + n - 1));
	const char *lines[] = {"Content-Type: application/octet-stream", range, NULL};
	CURL *h = registry_take_handle(r);
	cleanup_exchange struct exchange x = {.r = r,
					      .h = h,
					      .max = MAX_ERROR_BODY,
					      .method = "PATCH",
					      .up_fd = fd,
					      .up_base = *off,
					      .up_size = n};
	CURLcode rc;
	int got = registry_send(&x, *location, lines, 0, &rc, err);
	int ret;
	if (got == 0 && x.status == 202) {
		ret = take_location(r, h, location, what, err);
		if (ret == STEP_ON)
			*off += n;
	} else {
		ret = failed(&x, got, rc, what, retry, err);
	}
	registry_give_handle(r, h);
	return ret;
}

/* PUT ?digest= with what the registry does not have yet: the session's end. */
static int finish(struct registry *r, const char *location, const char *digest, int fd,
		  uint64_t off, uint64_t size, const char *what, enum retry *retry,
		  struct holt_err *err)
{
	CURL *h = registry_take_handle(r);
	cleanup_free char *d = registry_escape(r, h, digest);
	cleanup_free char *url =
	    xasprintf("%s%sdigest=%s", location, strchr(location, '?') ? "&" : "?", d);
	cleanup_exchange struct exchange x = {.r = r,
					      .h = h,
					      .max = MAX_ERROR_BODY,
					      .method = "PUT",
					      .up_fd = fd,
					      .up_base = off,
					      .up_size = size - off};
	CURLcode rc;
	const char *lines[] = {"Content-Type: application/octet-stream", NULL};
	int got = registry_send(&x, url, lines, 0, &rc, err);
	registry_give_handle(r, h);
	if (got == 0 && (x.status == 201 || x.status == 204))
		return STEP_DONE;
	return failed(&x, got, rc, what, retry, err);
}

/* How much of the blob the session holds, from its status ("Range: 0-LAST"); -1 when the
 * session is gone, and a new one must start. */
static int held(struct registry *r, const char *location, uint64_t *off)
{
	CURL *h = registry_take_handle(r);
	struct exchange x = {.r = r, .h = h, .max = MAX_ERROR_BODY};
	struct holt_err e = {0};
	CURLcode rc;
	int got = registry_send(&x, location, NULL, 0, &rc, &e);
	free(x.buf);
	holt_err_release(&e);
	cleanup_free char *range =
	    got == 0 && x.status == 204 ? registry_header(r, h, "Range") : NULL;
	registry_give_handle(r, h);
	unsigned long long first, last;
	if (!range || sscanf(range, "%llu-%llu", &first, &last) != 2 || first != 0)
		return -1;
	/* "0-0" is also what an empty session says: resending one byte is harmless. */
	*off = last ? last + 1 : 0;
	return 0;
}

int registry_put_blob(struct registry *r, const char *digest, const char *mount_from, int fd,
		      uint64_t size, bool *mounted, struct holt_err *err)
{
	cleanup_free char *what = xasprintf("%s/%s: blob %s", r->domain, r->repository, digest);
	cleanup_free char *location = NULL;
	uint64_t off = 0;
	*mounted = false;
	for (int failures = 0;;) {
		enum retry retry = RETRY_NO;
		uint64_t before = off;
		int step;
		if (!location)
			step = start(r, digest, mount_from, what, &location, mounted, &retry, err);
		else if (size > CHUNK && off < size)
			step = send_chunk(r, &location, fd, &off, size, what, &retry, err);
		else
			step = finish(r, location, digest, fd, off, size, what, &retry, err);
		if (step == STEP_DONE)
			return 0;
		if (step == STEP_ON) {
			if (off > before)
				failures = 0;
			continue;
		}
		if (retry == RETRY_NO || ++failures >= MAX_ATTEMPTS)
			return -1;
		holt_err_release(err);
		registry_back_off(failures);
		if (location && (retry == RETRY_RESTART || held(r, location, &off) < 0)) {
			free(location);
			location = NULL;
			off = 0;
		}
	}
}
