#include "core/humanize.h"
#include "core/base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *humanize_duration(long s)
{
	long m = s / 60, h = m / 60;
	if (s < 1)
		return xstrdup("Less than a second");
	if (s == 1)
		return xstrdup("1 second");
	if (s < 60)
		return xasprintf("%ld seconds", s);
	if (m == 1)
		return xstrdup("About a minute");
	if (m < 60)
		return xasprintf("%ld minutes", m);
	if (h == 1)
		return xstrdup("About an hour");
	if (h < 48)
		return xasprintf("%ld hours", h);
	if (h < 24 * 7 * 2)
		return xasprintf("%ld days", h / 24);
	if (h < 24 * 30 * 2)
		return xasprintf("%ld weeks", h / 24 / 7);
	if (h < 24 * 365 * 2)
		return xasprintf("%ld months", h / 24 / 30);
	return xasprintf("%ld years", h / 24 / 365);
}

bool humanize_parse_time(const char *s, struct timespec *out)
{
	struct tm tm = {0};
	const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!rest)
		return false;
	out->tv_sec = timegm(&tm);
	out->tv_nsec = 0;
	if (*rest == '.') {
		char *end;
		long frac = strtol(rest + 1, &end, 10);
		for (long digits = end - (rest + 1); digits < 9; digits++)
			frac *= 10;
		out->tv_nsec = frac;
		rest = end;
	}
	if (*rest == 'Z')
		return true;
	/* +hh:mm or -hh:mm: the time is that far ahead of (behind) UTC */
	int hh, mm;
	if ((*rest != '+' && *rest != '-') || sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2)
		return false;
	out->tv_sec -= (*rest == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	return true;
}

char *humanize_created_at(const char *rfc3339)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];
	if (!humanize_parse_time(rfc3339, &ts))
		return xstrdup("");
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
	return xstrdup(buf);
}

char *humanize_size(unsigned long long bytes)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1000 && u < 4)
		v /= 1000, u++;
	return xasprintf("%.3g%s", v, units[u]);
}

bool humanize_parse_since(const char *arg, struct timespec *out)
{
	char *end;
	if (humanize_parse_time(arg, out))
		return true;
	double unix_time = strtod(arg, &end);
	if (*arg && !*end && unix_time > 0) {
		out->tv_sec = (time_t)unix_time;
		out->tv_nsec = (long)((unix_time - (double)out->tv_sec) * 1e9);
		return true;
	}
	double secs = 0;
	const char *p = arg;
	while (*p) {
		double v = strtod(p, &end);
		if (end == p)
			break;
		if (strncmp(end, "ms", 2) == 0)
			v /= 1000, end += 2;
		else if (*end == 'h')
			v *= 3600, end++;
		else if (*end == 'm')
			v *= 60, end++;
		else if (*end == 's')
			end++;
		else
			break;
		secs += v;
		p = end;
	}
	if (!*arg || *p)
		return false;
	clock_gettime(CLOCK_REALTIME, out);
	out->tv_sec -= (time_t)secs;
	return true;
}
