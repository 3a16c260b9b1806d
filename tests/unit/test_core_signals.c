/* Unit tests of signal names and numbers. */
#include "core/signals.h"
#include "tests/unit/tap.h"

#include <signal.h>

static void test_signals(void)
{
	ok(signals_parse("SIGTERM") == SIGTERM, "SIGTERM");
	ok(signals_parse("hup") == SIGHUP, "hup, in any case");
	ok(signals_parse("9") == SIGKILL, "a number");
	ok(signals_parse("RTMIN+1") == SIGRTMIN + 1, "RTMIN+1");
	ok(signals_parse("SIGNOPE") < 0 && signals_parse("0") < 0 && signals_parse("") < 0,
	   "unknown names, 0 and nothing are refused");
}

int main(void)
{
	plan(5);
	test_signals();
	return done();
}
