/* Unit tests of container names: docker's rules, and generated names. */
#include "core/base/util.h"
#include "core/names.h"
#include "tests/unit/tap.h"

#include <string.h>

static void test_names(void)
{
	ok(names_valid("web") && names_valid("a.b-c_d9"), "valid names");
	ok(!names_valid("-x") && !names_valid("a/b") && !names_valid("") && !names_valid("a b"),
	   "invalid names");
	cleanup_free char *n = names_generate(false);
	ok(names_valid(n) && strchr(n, '_'), "generated name %s is adjective_noun", n);
}

int main(void)
{
	plan(3);
	test_names();
	return done();
}
