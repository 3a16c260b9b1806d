#include "storage/gunzip.h"
#include "core/base/util.h"

#include <dlfcn.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <string.h>

/* Linking it would load it in every command; only unpacking a layer needs it. */
static const char libisal_name[] = "libisal.so.2";

static struct {
	void (*inflate_init)(struct inflate_state *);
	void (*inflate_reset)(struct inflate_state *);
	int (*inflate)(struct inflate_state *);
	bool loaded;
} isal;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *lib = dlopen(libisal_name, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return;
	/* POSIX dlsym returns data pointers; function pointers have the same representation. */
	*(void **)&isal.inflate_init = dlsym(lib, "isal_inflate_init");
	*(void **)&isal.inflate_reset = dlsym(lib, "isal_inflate_reset");
	*(void **)&isal.inflate = dlsym(lib, "isal_inflate");
	isal.loaded = isal.inflate_init && isal.inflate_reset && isal.inflate;
}

bool gunzip_available(void)
{
	pthread_once(&load_once, load);
	return isal.loaded;
}

enum { OUT_SIZE = 256 << 10 };

enum member {
	IN_MEMBER, /* inside a member, or before the first */
	BETWEEN,   /* a member ended: another, or the end, follows */
	TRAILING,  /* what follows the last member: ignored */
};

struct gunzip {
	struct inflate_state state;
	gunzip_sink sink;
	void *ctx;
	enum member where;
	unsigned char magic[2]; /* the first bytes after a member, until they tell */
	size_t n_magic;
	unsigned char out[OUT_SIZE];
};

struct gunzip *gunzip_new(gunzip_sink sink, void *ctx)
{
	if (!gunzip_available())
		return NULL;
	struct gunzip *g = xzalloc(sizeof *g);
	isal.inflate_init(&g->state);
	g->state.crc_flag = ISAL_GZIP;
	g->sink = sink;
	g->ctx = ctx;
	return g;
}

void gunzip_free(struct gunzip *g)
{
	free(g);
}

static const char *isal_error(int ret)
{
	switch (ret) {
	case ISAL_INCORRECT_CHECKSUM:
		return "gzip data corrupt: wrong CRC or length";
	case ISAL_INVALID_WRAPPER:
	case ISAL_UNSUPPORTED_METHOD:
		return "not gzip data: bad header";
	default:
		return "gzip data corrupt: invalid deflate stream";
	}
}

/* After a member: two bytes of gzip magic start another; anything else is trailing. */
static size_t next_member(struct gunzip *g, const unsigned char *in, size_t len)
{
	size_t used = 0;
	while (g->n_magic < 2 && used < len)
		g->magic[g->n_magic++] = in[used++];
	if (g->n_magic < 2)
		return used;
	if (g->magic[0] != 0x1f || g->magic[1] != 0x8b) {
		g->where = TRAILING;
		return len;
	}
	isal.inflate_reset(&g->state);
	g->state.crc_flag = ISAL_GZIP;
	g->where = IN_MEMBER;
	return used;
}

static int inflate_some(struct gunzip *g, const unsigned char *in, size_t len, struct holt_err *err)
{
	g->state.next_in = (unsigned char *)in;
	g->state.avail_in = (uint32_t)len;
	do {
		uint32_t before = g->state.avail_in;
		g->state.next_out = g->out;
		g->state.avail_out = OUT_SIZE;
		int ret = isal.inflate(&g->state);
		if (ret != ISAL_DECOMP_OK)
			return holt_err_set(err, 0, "%s", isal_error(ret));
		size_t n = OUT_SIZE - g->state.avail_out;
		if (n && g->sink(g->out, n, g->ctx, err) < 0)
			return -1;
		if (g->state.block_state == ISAL_BLOCK_FINISH) {
			g->where = BETWEEN;
			return 0;
		}
		if (n == 0 && g->state.avail_in == before)
			return holt_err_set(err, 0,
					    "gzip data corrupt: the inflater made no progress");
	} while (g->state.avail_in > 0 || g->state.avail_out == 0);
	return 0;
}

int gunzip_feed(struct gunzip *g, const void *data, size_t len, struct holt_err *err)
{
	const unsigned char *in = data;
	while (len > 0 && g->where != TRAILING) {
		if (g->where == BETWEEN) {
			size_t used = next_member(g, in, len);
			in += used, len -= used;
			if (g->where != IN_MEMBER)
				continue;
			/* The magic taken to decide is the new member's start. */
			if (inflate_some(g, g->magic, 2, err) < 0)
				return -1;
			g->n_magic = 0;
			continue;
		}
		if (inflate_some(g, in, len, err) < 0)
			return -1;
		size_t used = len - g->state.avail_in;
		in += used, len -= used;
	}
	return 0;
}

int gunzip_finish(struct gunzip *g, struct holt_err *err)
{
	if (g->where == IN_MEMBER)
		return holt_err_set(err, 0, "gzip data truncated: the stream ends inside a member");
	return 0;
}
