/* --detach-keys parsing against docker's rules (pkg/term ToBytes). */
#include "core/attach.h"
#include "core/base/err.h"
#include "tap.h"

#include <string.h>

struct good {
	const char *spec;
	const char *bytes;
	size_t len;
};

static const struct good goods[] = {
    {NULL, "\x10\x11", 2},
    {"ctrl-p,ctrl-q", "\x10\x11", 2},
    {"ctrl-a,x", "\x01x", 2},
    {"a", "a", 1},
    {"ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", "\x00\x1b\x1c\x1d\x1e\x1f", 6},
    {"ctrl-z", "\x1a", 1},
};

static const char *const bads[] = {
    "", ",", "ctrl-", "ctrl-1", "ctrl-ab", "ab", "ctrl-p,,", "a,b,c,d,e,f,g,h,i",
};

int main(void)
{
	size_t n_good = sizeof goods / sizeof *goods, n_bad = sizeof bads / sizeof *bads;
	plan((int)(n_good + n_bad));
	for (size_t i = 0; i < n_good; i++) {
		struct holt_err err = {0};
		struct attach_keys k;
		int r = attach_keys_parse(goods[i].spec, &k, &err);
		ok(r == 0 && k.len == goods[i].len && !memcmp(k.seq, goods[i].bytes, k.len),
		   "\"%s\" parses to %zu bytes", goods[i].spec ? goods[i].spec : "(default)",
		   goods[i].len);
		holt_err_release(&err);
	}
	for (size_t i = 0; i < n_bad; i++) {
		struct holt_err err = {0};
		struct attach_keys k;
		int r = attach_keys_parse(bads[i], &k, &err);
		ok(r < 0 && err.msg && strstr(err.msg, "--detach-keys"), "\"%s\" is refused: %s",
		   bads[i], err.msg ? err.msg : "(accepted)");
		holt_err_release(&err);
	}
	return done();
}
