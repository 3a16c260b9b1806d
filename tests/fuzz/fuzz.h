/* What the libFuzzer targets share: the input as a NUL-terminated string, as a seekable
 * fd, and a scratch store that lives as long as the fuzzing process. */
#ifndef HOLT_TESTS_FUZZ_FUZZ_H
#define HOLT_TESTS_FUZZ_FUZZ_H

#include "core/base/util.h"
#include "storage/store.h"

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a string; a NUL inside it ends the string early, as it would for a C caller. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* data in a memory file, at offset 0; -1 when it cannot be made. */
static inline int fuzz_fd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static struct store *fuzz_store_s;
static char *fuzz_store_dir;

/* Layers may leave directories without write or search permission: they are the
 * process's own, so it opens them up first. */
static inline int fuzz_open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, (st->st_mode & 07777) | S_IRWXU);
	return 0;
}

static inline int fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static inline void fuzz_store_free(void)
{
	store_free(fuzz_store_s);
	nftw(fuzz_store_dir, fuzz_open_up, 16, FTW_PHYS);
	nftw(fuzz_store_dir, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(fuzz_store_dir);
}

/* A store under $TMPDIR (or /tmp), removed at exit. */
static inline struct store *fuzz_store(void)
{
	if (fuzz_store_s)
		return fuzz_store_s;
	const char *t = getenv("TMPDIR");
	fuzz_store_dir = xasprintf("%s/holt-fuzz-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(fuzz_store_dir))
		abort();
	char *root = xasprintf("%s/root", fuzz_store_dir);
	char *run = xasprintf("%s/run", fuzz_store_dir);
	struct holt_err err = {0};
	fuzz_store_s = store_open(root, run, &err);
	if (!fuzz_store_s) {
		fprintf(stderr, "fuzz: open store %s: %s\n", root, err.msg);
		abort();
	}
	free(root);
	free(run);
	atexit(fuzz_store_free);
	return fuzz_store_s;
}

#endif
