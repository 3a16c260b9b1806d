#include "core/signals.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int signals_parse(const char *spec)
{
	char *end;
	long n = strtol(spec, &end, 10);
	if (*spec && !*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(spec, "SIG", 3) == 0)
		spec += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *name = sigabbrev_np(sig);
		if (name && strcasecmp(spec, name) == 0)
			return sig;
	}
	if (strncasecmp(spec, "RTMIN", 5) == 0) {
		long off = spec[5] == '+' ? strtol(spec + 6, &end, 10) : 0;
		if ((spec[5] == '\0' || (spec[5] == '+' && !*end)) && SIGRTMIN + off <= SIGRTMAX)
			return SIGRTMIN + (int)off;
	}
	return -1;
}
