/* Downloading a URL's body into a file: build's ADD of http:// and https:// sources. */
#ifndef HOLT_NET_FETCH_H
#define HOLT_NET_FETCH_H

#include "core/base/err.h"

#include <time.h>

/* Writes the body of url (redirects followed, the system's CAs) to fd. *mtime is the
 * server's Last-Modified, or 0 when it sent none. Fails naming url on a transfer error
 * or an HTTP status of 400 or more. */
int fetch_url(const char *url, int fd, time_t *mtime, struct holt_err *err);

#endif
