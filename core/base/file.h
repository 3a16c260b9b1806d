/* Files written whole or not at all. */
#ifndef HOLT_CORE_BASE_FILE_H
#define HOLT_CORE_BASE_FILE_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Writes all of buf, through short writes and EINTR: 0, or -1 with errno (EIO when the
 * fd took nothing). */
int write_all(int fd, const void *buf, size_t len);

/* Writes data to path atomically: to a new file in tmp_dir (NULL: path's directory, which
 * must be on path's filesystem), fsynced when sync, then renamed over path. On failure
 * nothing is left behind and err names path with the errno of the step that failed. */
int write_file_atomic(const char *path, const char *tmp_dir, const void *data, size_t len,
		      bool sync, struct holt_err *err);

/* Overwrites path from its start, in the blocks it has, for a full disk, where an atomic
 * write's new file gets none. Data shorter than the file is padded with spaces to its size
 * (whitespace, for JSON), so that nothing has to be cut; data longer may not fit. */
int write_file_in_place(const char *path, const void *data, size_t len, struct holt_err *err);

/* path (made 0600 when missing) open and flock()ed with how (LOCK_EX, LOCK_EX | LOCK_NB):
 * its fd, or -1 with err, and errno EWOULDBLOCK when LOCK_NB found it held. */
int file_lock(const char *path, int how, struct holt_err *err);

/* The bytes the files under path take on disk (their blocks), links not followed. Not
 * thread-safe: nftw has no context argument. */
unsigned long long disk_usage(const char *path);

/* A file that appears under its name only once whole: written as DIR/.NAME.holt-PID-XXXXXX
 * beside path, fsynced and renamed over path by atomic_file_commit. Opening removes what
 * earlier commands that died before their rename left beside path. */
struct atomic_file {
	char *path;
	char *tmp;
	int fd;
};

/* mode is what the file gets, less the umask. */
int atomic_file_open(struct atomic_file *f, const char *path, mode_t mode, struct holt_err *err);
int atomic_file_commit(struct atomic_file *f, struct holt_err *err);
/* Removes the temporary file (when not committed) and frees f's fields. */
void atomic_file_release(struct atomic_file *f);

#endif
