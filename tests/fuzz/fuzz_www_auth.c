/* The WWW-Authenticate header of a registry's 401. */
#include "net/www_auth.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_free char *s = fuzz_string(data, size);
	struct www_auth a = {0};
	struct holt_err err = {0};

	if (www_auth_parse(s, &a, &err) < 0) {
		if (!err.msg)
			abort();
		holt_err_release(&err);
	} else if (a.scheme == AUTH_BEARER && !a.realm) {
		abort(); /* promised: a Bearer challenge has a realm */
	}
	www_auth_clear(&a);
	return 0;
}
