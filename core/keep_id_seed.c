#include "core/keep_id_seed.h"
#include "core/base/file.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct seed {
	const char *name; /* under etc */
	const char *line; /* the user's, or NULL */
	struct keep_id_file file;
	bool exists;
	struct stat st;
};

/* 1 when read (or absent), 0 when it is not a regular file: no seeding then. */
static int read_view_file(int etc, struct seed *f, struct holt_err *err)
{
	cleanup_close int fd = openat(etc, f->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 && errno == ELOOP)
		return 0;
	if (fd < 0 && errno != ENOENT)
		return holt_err_set(err, errno, "keep-id: open \"/etc/%s\"", f->name);
	if (fd >= 0 && fstat(fd, &f->st) < 0)
		return holt_err_set(err, errno, "keep-id: read \"/etc/%s\"", f->name);
	if (fd >= 0 && !S_ISREG(f->st.st_mode))
		return 0;
	f->exists = fd >= 0;
	if (keep_id_file_read(fd, f->line, &f->file) < 0)
		return holt_err_set(err, errno, "keep-id: read \"/etc/%s\"", f->name);
	return 1;
}

/* The view's file with the line after it, owned and moded as the view's (root's 0644
 * for a new file, as keep_id_add_entries makes it). */
static int write_seed(int etc, const struct seed *f, struct holt_err *err)
{
	cleanup_close int fd =
	    openat(etc, f->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 || (f->file.len && write_all(fd, f->file.text, f->file.len) < 0) ||
	    write_all(fd, f->file.add, strlen(f->file.add)) < 0 ||
	    fchown(fd, f->exists ? f->st.st_uid : 0, f->exists ? f->st.st_gid : 0) < 0 ||
	    fchmod(fd, f->exists ? f->st.st_mode & 07777 : 0644) < 0)
		return holt_err_set(err, errno, "keep-id: write \"/etc/%s\" of the container",
				    f->name);
	return 0;
}

/* upper/etc, with the seeds in it, then owned, moded and timed as the view's /etc. */
static int write_etc(int up, const char *upper, const struct stat *etc_st,
		     const struct seed files[2], struct holt_err *err)
{
	const struct timespec times[2] = {etc_st->st_atim, etc_st->st_mtim};
	if (mkdirat(up, "etc", 0700) < 0)
		return holt_err_set(err, errno, "keep-id: create \"%s/etc\"", upper);
	cleanup_close int etc = openat(up, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (etc < 0)
		return holt_err_set(err, errno, "keep-id: open \"%s/etc\"", upper);
	for (int i = 0; i < 2; i++)
		if (files[i].file.add && write_seed(etc, &files[i], err) < 0)
			return -1;
	if (fchown(etc, etc_st->st_uid, etc_st->st_gid) < 0 ||
	    fchmod(etc, etc_st->st_mode & 07777) < 0 || futimens(etc, times) < 0)
		return holt_err_set(err, errno, "keep-id: set \"%s/etc\" as the image has it",
				    upper);
	return 0;
}

int keep_id_seed_upper(const char *view, const char *upper, const struct keep_id_maps *m,
		       bool *seeded, struct holt_err *err)
{
	struct seed files[2] = {{.name = "passwd", .line = m->passwd_line},
				{.name = "group", .line = m->group_line}};
	cleanup_free char *view_etc = xasprintf("%s/etc", view);
	cleanup_close int up = open(upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st, etc_st;
	int ret = 0; /* 1: a file is not one to seed */

	*seeded = false;
	if (up < 0)
		return holt_err_set(err, errno, "keep-id: open \"%s\"", upper);
	if (fstatat(up, "etc", &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
		return 0;
	cleanup_close int etc = open(view_etc, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (etc < 0 || fstat(etc, &etc_st) < 0)
		return 0;
	for (int i = 0; i < 2 && ret == 0; i++) {
		int r = read_view_file(etc, &files[i], err);
		ret = r < 0 ? -1 : r == 0 ? 1 : 0;
	}
	if (ret == 0 && (files[0].file.add || files[1].file.add)) {
		*seeded = true;
		ret = write_etc(up, upper, &etc_st, files, err);
	}
	for (int i = 0; i < 2; i++)
		keep_id_file_release(&files[i].file);
	return ret < 0 ? -1 : 0;
}

int keep_id_seed_undo(const char *upper, struct holt_err *err)
{
	cleanup_close int up = open(upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int etc =
	    up >= 0 ? openat(up, "etc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	const char *const names[] = {"passwd", "group"};

	for (int i = 0; i < 2 && etc >= 0; i++)
		if (unlinkat(etc, names[i], 0) < 0 && errno != ENOENT)
			return holt_err_set(err, errno, "keep-id: remove \"%s/etc/%s\"", upper,
					    names[i]);
	if (etc < 0 || unlinkat(up, "etc", AT_REMOVEDIR) < 0)
		return holt_err_set(err, errno, "keep-id: remove \"%s/etc\"", upper);
	return 0;
}
