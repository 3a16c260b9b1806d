/* gzip decompression with ISA-L's igzip (libisal.so.2, loaded on first use), about three
 * times zlib's speed: inflating is the critical path of a pull. Streaming, for gzip's
 * multi-member streams; what follows the last member is ignored, as gzip(1) does. */
#ifndef HOLT_STORAGE_GUNZIP_H
#define HOLT_STORAGE_GUNZIP_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>

struct gunzip;

/* Output handed on; <0 with err set stops the stream. */
typedef int (*gunzip_sink)(const void *data, size_t len, void *ctx, struct holt_err *err);

/* Whether the library can be loaded; when not, callers use another inflater. */
bool gunzip_available(void);

/* NULL when the library is not there (gunzip_available said so). */
struct gunzip *gunzip_new(gunzip_sink sink, void *ctx);
void gunzip_free(struct gunzip *g);

/* Inflates len bytes of the stream, handing the output to the sink. -1 with err on bad
 * data (a wrong CRC or length at a member's end among it). */
int gunzip_feed(struct gunzip *g, const void *data, size_t len, struct holt_err *err);
/* After the stream's last byte: -1 with err when it ended inside a member. */
int gunzip_finish(struct gunzip *g, struct holt_err *err);

#endif
