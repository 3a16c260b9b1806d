/* The one error convention of holt's library: a failing function returns <0 (or NULL)
 * and fills the struct holt_err passed last. Only cmd/ prints an error. */
#ifndef HOLT_CORE_BASE_ERR_H
#define HOLT_CORE_BASE_ERR_H

struct holt_err {
	int errnum; /* errno of the cause, 0 when there is none */
	char *msg;  /* "what failed: cause", NULL when no error is set */
};

/* Sets err to the formatted message, followed by strerror(errnum) when errnum != 0.
 * Returns -1 so that callers can write `return holt_err_set(...)`. */
int holt_err_set(struct holt_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets err to the formatted message alone, with errnum = code for callers to test (ENOENT
 * for "no such ..."), where strerror(code) would only repeat the message. Returns -1. */
int holt_err_set_code(struct holt_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in err with context ("pull x: " + old). Returns -1. */
int holt_err_wrap(struct holt_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Frees the message; use it to ignore an error on purpose. */
void holt_err_release(struct holt_err *err);

#endif
