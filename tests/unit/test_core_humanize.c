/* Unit tests of docker's words for durations and sizes. */
#include "core/base/util.h"
#include "core/humanize.h"
#include "tests/unit/tap.h"

#include <string.h>

static void test_humanize(void)
{
	const struct {
		long s;
		const char *want;
	} cases[] = {{0, "Less than a second"}, {1, "1 second"},       {59, "59 seconds"},
		     {60, "About a minute"},	{150, "2 minutes"},    {3600, "About an hour"},
		     {7200, "2 hours"},		{3 * 86400, "3 days"}, {30 * 86400, "4 weeks"}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cleanup_free char *got = humanize_duration(cases[i].s);
		ok(strcmp(got, cases[i].want) == 0, "%ld s is \"%s\" (got \"%s\")", cases[i].s,
		   cases[i].want, got);
	}
	struct timespec ts;
	ok(humanize_parse_time("2026-11-28T13:35:54.5Z", &ts) && ts.tv_nsec == 500000000,
	   "fractions of RFC 3339 times are nanoseconds");
	ok(!humanize_parse_time("yesterday", &ts), "a malformed time is refused");
	cleanup_free char *size = humanize_size(1234567);
	ok(strcmp(size, "1.23MB") == 0, "sizes in docker's units (%s)", size);
}

int main(void)
{
	plan(12);
	test_humanize();
	return done();
}
