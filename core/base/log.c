#include "core/base/log.h"
#include "core/base/util.h"

#include <stdarg.h>

enum holt_log_level holt_log_threshold = HOLT_LOG_WARN;
static holt_log_sink log_sink;

void holt_log_init(enum holt_log_level threshold, holt_log_sink sink)
{
	holt_log_threshold = threshold;
	log_sink = sink;
}

void holt_log_line(enum holt_log_level level, const char *fmt, ...)
{
	if (!log_sink)
		return;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *line = xvasprintf(fmt, ap);
	va_end(ap);
	log_sink(level, line);
}
