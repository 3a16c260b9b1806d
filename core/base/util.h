/* Allocation that aborts on OOM, cleanup attributes and ownership transfer, shared by
 * every part of holt. */
#ifndef HOLT_CORE_BASE_UTIL_H
#define HOLT_CORE_BASE_UTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

__attribute__((noreturn)) void oom(void);
void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Reads fd until EOF, an error or a full buf, NUL-terminated: what a child wrote to a
 * report pipe before it exec'd or died. Returns the bytes read. */
size_t read_report_pipe(int fd, char *buf, size_t cap);
/* Makes ps show name as the argv of this process, a fork left behind by a command
 * (the pause process, a view's holder): it would look as if that command never ended. */
void process_retitle(const char *name);
/* Whether pid's name (/proc/PID/comm) is comm: a process holt left behind is known by
 * it, and a pid reused by another process is not taken for it. */
bool process_named(pid_t pid, const char *comm);
/* Closes every descriptor from 3 on but a and b (either may be -1). */
void close_fds_except(int a, int b);
/* 64 random hex digits: container ids, anonymous volume names. */
char *random_hex64(void);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void cleanup_filep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void cleanup_dirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
void cleanup_strvp(char ***v);

#define cleanup_free  __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_file  __attribute__((cleanup(cleanup_filep)))
#define cleanup_dir   __attribute__((cleanup(cleanup_dirp)))
#define cleanup_strv  __attribute__((cleanup(cleanup_strvp)))

/* Hands ownership on: returns the value and leaves NULL (or -1) behind. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Now, in RFC 3339 with nanoseconds as Go writes them (trailing zeros dropped), as docker
 * writes times; caller frees. */
char *util_now_rfc3339(void);

/* mkdir -p: creates each missing directory of path with mode; -1 with errno. */
int mkdir_p(const char *path, mode_t mode);

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_free(char **v);
char **strv_dup(char *const *v);
/* Appends a copy of s; *v may be NULL. */
void strv_push(char ***v, const char *s);
/* Sorts v (may be NULL) in strcmp order. */
void strv_sort(char **v);
/* Whether v (may be NULL) holds s. */
bool strv_contains(char *const *v, const char *s);

#endif
