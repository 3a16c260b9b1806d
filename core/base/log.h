/* What holt decided and why, for --log-level info|debug. The library never prints: it
 * hands each line to the sink cmd/ installs, and costs one comparison when the level is
 * below the line's. */
#ifndef HOLT_CORE_BASE_LOG_H
#define HOLT_CORE_BASE_LOG_H

enum holt_log_level { HOLT_LOG_ERROR, HOLT_LOG_WARN, HOLT_LOG_INFO, HOLT_LOG_DEBUG };

typedef void (*holt_log_sink)(enum holt_log_level level, const char *line);

extern enum holt_log_level holt_log_threshold;

/* Sends lines at level threshold and more severe to sink. */
void holt_log_init(enum holt_log_level threshold, holt_log_sink sink);

void holt_log_line(enum holt_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define holt_log(level, ...)                                                                       \
	do {                                                                                       \
		if ((level) <= holt_log_threshold)                                                 \
			holt_log_line((level), __VA_ARGS__);                                       \
	} while (0)
#define holt_debug(...) holt_log(HOLT_LOG_DEBUG, __VA_ARGS__)
#define holt_info(...)	holt_log(HOLT_LOG_INFO, __VA_ARGS__)

#endif
