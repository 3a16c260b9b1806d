#include "net/fetch.h"
#include "net/curl_api.h"

#include <errno.h>
#include <unistd.h>

struct sink {
	int fd;
	int errnum; /* of a failed write, which curl only reports as a write error */
};

static size_t write_body(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n;
	for (size_t done = 0; done < len;) {
		ssize_t w = write(s->fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			s->errnum = w < 0 ? errno : EIO;
			return 0;
		}
		done += (size_t)w;
	}
	return len;
}

int fetch_url(const char *url, int fd, time_t *mtime, struct holt_err *err)
{
	const struct curl_api *c = curl_api(err);
	struct sink sink = {.fd = fd, .errnum = 0};
	long status = 0, filetime = -1;

	*mtime = 0;
	if (!c)
		return -1;
	CURL *h = c->easy_init();
	if (!h)
		return holt_err_set(err, 0, "%s: could not start a transfer", url);
	c->easy_setopt(h, CURLOPT_URL, url);
	c->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	c->easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	c->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	c->easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	c->easy_setopt(h, CURLOPT_FILETIME, 1L);
	c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	c->easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
	c->easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	CURLcode rc = c->easy_perform(h);
	c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	c->easy_getinfo(h, CURLINFO_FILETIME, &filetime);
	c->easy_cleanup(h);
	if (rc == CURLE_WRITE_ERROR && sink.errnum)
		return holt_err_set(err, sink.errnum, "%s: write the download", url);
	if (rc != CURLE_OK)
		return holt_err_set(err, 0, "%s: %s", url, c->easy_strerror(rc));
	if (status >= 400)
		return holt_err_set(err, 0, "%s: the server answered HTTP %ld", url, status);
	*mtime = filetime > 0 ? (time_t)filetime : 0;
	return 0;
}
