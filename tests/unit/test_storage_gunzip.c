/* igzip's streaming gunzip against gzip streams made by zlib: one member, several, bytes
 * after the last, fed whole or a byte at a time; corrupt and truncated streams. */
#include "core/base/err.h"
#include "core/base/util.h"
#include "storage/gunzip.h"
#include "tap.h"

#include <string.h>
#include <zlib.h>

struct out {
	char *data;
	size_t len;
};

static int collect(const void *data, size_t len, void *ctx, struct holt_err *err)
{
	struct out *o = ctx;
	(void)err;
	o->data = xrealloc(o->data, o->len + len + 1);
	memcpy(o->data + o->len, data, len);
	o->len += len;
	return 0;
}

/* A gzip member of text, appended to *buf. */
static void gzip_member(const char *text, unsigned char **buf, size_t *len)
{
	z_stream z = {0};
	size_t cap = compressBound(strlen(text)) + 64;
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	*buf = xrealloc(*buf, *len + cap);
	z.next_in = (unsigned char *)text;
	z.avail_in = (unsigned)strlen(text);
	z.next_out = *buf + *len;
	z.avail_out = (unsigned)cap;
	deflate(&z, Z_FINISH);
	*len += cap - z.avail_out;
	deflateEnd(&z);
}

/* Inflates len bytes of in, fed step bytes at a time; the output in *o. */
static int inflate_all(const unsigned char *in, size_t len, size_t step, struct out *o,
		       struct holt_err *err)
{
	memset(o, 0, sizeof *o);
	struct gunzip *g = gunzip_new(collect, o);
	int ret = 0;
	for (size_t off = 0; ret == 0 && off < len; off += step)
		ret = gunzip_feed(g, in + off, len - off < step ? len - off : step, err);
	if (ret == 0)
		ret = gunzip_finish(g, err);
	gunzip_free(g);
	return ret;
}

static bool gives(const unsigned char *in, size_t len, size_t step, const char *want)
{
	struct out o;
	struct holt_err err = {0};
	int ret = inflate_all(in, len, step, &o, &err);
	bool same = ret == 0 && o.len == strlen(want) && !memcmp(o.data, want, o.len);
	if (!same)
		diag("got %d (%s), %zu bytes", ret, err.msg ? err.msg : "", o.len);
	holt_err_release(&err);
	free(o.data);
	return same;
}

static bool fails_with(const unsigned char *in, size_t len, const char *part)
{
	struct out o;
	struct holt_err err = {0};
	int ret = inflate_all(in, len, len, &o, &err);
	bool failed = ret < 0 && err.msg && strstr(err.msg, part);
	if (!failed)
		diag("got %d (%s)", ret, err.msg ? err.msg : "no error");
	holt_err_release(&err);
	free(o.data);
	return failed;
}

int main(void)
{
	plan(8);
	if (!gunzip_available()) {
		skip(8, "libisal.so.2 is not installed (Debian: libisal2)");
		return done();
	}
	static const char one[] = "hello, layer\n", two[] = "and a second member\n";
	unsigned char *gz = NULL;
	size_t len = 0;
	gzip_member(one, &gz, &len);
	size_t one_len = len;

	ok(gives(gz, len, len, one), "one member, fed whole");
	ok(gives(gz, len, 1, one), "one member, a byte at a time");

	gzip_member(two, &gz, &len);
	ok(gives(gz, len, len, "hello, layer\nand a second member\n"), "two members");
	ok(gives(gz, len, 1, "hello, layer\nand a second member\n"),
	   "two members, a byte at a time: the magic across feeds");

	gz = xrealloc(gz, len + 512);
	memset(gz + len, 0, 512);
	ok(gives(gz, len + 512, 100, "hello, layer\nand a second member\n"),
	   "zeros after the last member are ignored, as gzip(1) does");

	gz[one_len - 6] ^= 0xff; /* the first member's CRC */
	ok(fails_with(gz, one_len, "wrong CRC"), "a wrong CRC is an error");
	gz[one_len - 6] ^= 0xff;
	ok(fails_with(gz, one_len - 3, "truncated"), "a stream cut inside a member is truncated");
	ok(fails_with((const unsigned char *)"\x1f\x8b\x07xxxxxxxxxxxxxxxx", 19, "bad header"),
	   "a header that is not deflate");
	free(gz);
	return done();
}
