#include "core/base/err.h"
#include "core/base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int holt_err_set(struct holt_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cleanup_free char *what = xvasprintf(fmt, ap);
	va_end(ap);
	free(err->msg);
	err->errnum = errnum;
	if (errnum)
		err->msg = xasprintf("%s: %s", what, strerror(errnum));
	else
		err->msg = steal_pointer(&what);
	return -1;
}

int holt_err_wrap(struct holt_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cleanup_free char *ctx = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("%s: %s", ctx, err->msg ? err->msg : "unknown error");
	free(err->msg);
	err->msg = msg;
	return -1;
}

int holt_err_set_code(struct holt_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(err->msg);
	err->msg = msg;
	err->errnum = code;
	return -1;
}

void holt_err_release(struct holt_err *err)
{
	free(err->msg);
	err->msg = NULL;
	err->errnum = 0;
}
