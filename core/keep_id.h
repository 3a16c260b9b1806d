/* --userns keep-id[:uid=N,gid=N] (podman's): the container gets a user namespace of its
 * own, nested in holt's, where the user's own uid and gid are N (by default the same
 * numbers as on the host) and the rest of holt's ids fill the numbers around them. */
#ifndef HOLT_CORE_KEEP_ID_H
#define HOLT_CORE_KEEP_ID_H

#include "core/base/err.h"

#include <stdbool.h>
#include <sys/types.h>

struct keep_id {
	bool on;       /* false: holt's own namespace (--userns host, or none given) */
	long uid, gid; /* the user's ids inside; -1: the same as on the host */
	/* --userns auto[:size=N]: the number of ids in the container's own slice of holt's
	 * (see core/userns_auto.h); 0: not auto */
	unsigned long auto_size;
	bool auto_sized; /* size=N was given; else the image may need more */
	/* --userns nomap: the container's ids are all of holt's subordinate ids, from 0 on;
	 * the user's own id is not among them */
	bool nomap;
};

/* The size of an auto slice when none is given (podman's). */
#define USERNS_AUTO_SIZE 1024

/* Parses --userns's value: "", "host" or "private" (holt's namespace),
 * "keep-id[:uid=N,gid=N]", "auto[:size=N]", "nomap". */
int keep_id_parse(const char *arg, struct keep_id *out, struct holt_err *err);

/* One line of a uid_map or gid_map: ids inside..inside+count-1 are outside.. in the
 * namespace the map is written from. */
struct keep_id_line {
	unsigned long inside, outside, count;
};

/* The map that puts outside id 0 (the user, in holt's namespace) at target and holt's
 * other ids 1..n_ids-1 around it: below target shifted down by one, above it as they
 * are. Fills up to 3 lines; returns how many. */
int keep_id_lines(unsigned long target, unsigned long n_ids, struct keep_id_line out[3]);

/* What the parent and the child of a keep-id container need, made in holt's namespace. */
struct keep_id_maps {
	uid_t uid; /* the user's ids inside */
	gid_t gid;
	char *uid_map; /* for /proc/<pid>/uid_map */
	char *gid_map;
	char *fuse_uidmapping; /* fuse-overlayfs's uidmapping= to show the image's owners
				* unchanged; NULL when holt maps the user's own ids only */
	char *fuse_gidmapping;
	char *passwd_line; /* added to the image's /etc/passwd when the uid has no entry */
	char *group_line;  /* added to /etc/group when the gid has none */
};

/* The user's ids inside (k's, or the host's when k leaves them out). */
int keep_id_ids(const struct keep_id *k, uid_t *uid, gid_t *gid, struct holt_err *err);

/* "uid:gid", the user a keep-id container runs as unless told, for userns (the config's
 * --userns); NULL when it is not keep-id (or the ids cannot be read: launch says why). */
char *keep_id_user(const char *userns);

/* How many ids holt's own namespace holds from 0 on (uids, gids): 1 without
 * subordinate ids. */
int keep_id_own_counts(unsigned long *n_uids, unsigned long *n_gids, struct holt_err *err);

/* Whether a container with userns (the config's --userns) has its root assembled by
 * fuse-overlayfs: keep-id with subordinate ids, auto and nomap. Its writable layer then holds
 * fuse-overlayfs's marks of opaque directories, which native overlay does not read. */
bool keep_id_uses_fuse(const char *userns);

/* Reads holt's own maps and makes the container's. Fails for real root, who has no
 * user namespace of holt's to nest in. */
int keep_id_maps_make(const struct keep_id *k, struct keep_id_maps *out, struct holt_err *err);
void keep_id_maps_release(struct keep_id_maps *m);
#define cleanup_keep_id_maps __attribute__((cleanup(keep_id_maps_release)))

/* In the container, before pivot_root: adds the passwd and group lines to rootfs's
 * files when its ids have no entry there. */
int keep_id_add_entries(const char *rootfs, const struct keep_id_maps *m, struct holt_err *err);

/* Writes m's maps for pid's new user namespace, from holt's. */
int keep_id_write_maps(pid_t pid, const struct keep_id_maps *m, struct holt_err *err);

/* In a user namespace its parent has just mapped: becomes its root, and gives back what
 * the change of ids took. The process is dumpable again: its memory is still holt's,
 * and the net helper, which joins its network by a pidfd, needs ptrace access to it. It
 * dies with its parent again. */
int keep_id_become_root(struct holt_err *err);

/* A passwd or group file, read to add the user's line to it. */
struct keep_id_file {
	char *text; /* what it holds, up to 1 MiB; "" when there is none */
	size_t len;
	char *add; /* what to append for the line ("\n" first where the file lacks its last
		    * one); NULL when the line's name or id has an entry, or the file is not
		    * text (a NUL in it) */
};

/* Reads fd (-1: there is no file) for line (NULL: nothing to add). -1 with errno when a
 * read fails; release f either way. */
int keep_id_file_read(int fd, const char *line, struct keep_id_file *f);
void keep_id_file_release(struct keep_id_file *f);

#endif
