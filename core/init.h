/* The container's side of `run`: everything between clone and exec. */
#ifndef HOLT_CORE_INIT_H
#define HOLT_CORE_INIT_H

#include "core/keep_id.h"
#include "core/security.h"
#include "core/spec.h"
#include "storage/rootfs.h"

#include <linux/filter.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>

struct init_args {
	struct rootfs_layout layout;
	const char *storage_driver; /* NULL: the first that works */
	/* keep-id on a view (core/keep_id_view.h): layout is overlay's over it, and this
	 * mark is made once that is mounted; NULL: no view. Until the container has the
	 * mark, fuse_layout (fuse-overlayfs over its layers) is mounted when overlay fails. */
	const char *view_mark;
	struct rootfs_layout fuse_layout;
	const char *container_dir; /* holds the /etc files to bind */
	const struct process_spec *spec;
	const struct security_plan *security; /* capabilities, filter, masks, devices */
	bool own_netns;			      /* not the host's network namespace */
	int net_join_fd; /* container:NAME: a pidfd whose network namespace to join; else -1 */
	int net_sock;	 /* slirp: the tap goes to holt here and the word to go on comes
			  * back; user networks: only that word; else -1 */
	bool net_user;	 /* on user networks: holt plumbs the namespace, no tap is made */
	bool net_ipv6;	 /* slirp: the tap gets an IPv6 address and route too */
	struct sock_fprog connect_filter; /* slirp: loaded once the tap is sent, and its
					   * listener sent after it; len 0: none */
	const struct mount_spec *mounts;  /* -v, --mount, --tmpfs */
	size_t n_mounts;
	const char *volumes_dir; /* <root>/volumes */
	bool read_only;		 /* --read-only */
	bool init;    /* pid 1 is a minimal init that reaps and forwards signals (--init) */
	int stdio[3]; /* made fds 0-2 first where >= 0 */
	/* keep-id, auto and nomap: the container's own user namespace; NULL: holt's */
	const struct keep_id_maps *keep_id;
	/* auto and nomap: the namespace is made last, once the root is assembled in holt's,
	 * where fuse-overlayfs can read every stored owner; the container's other
	 * namespaces stay holt's */
	bool userns_late;
	uid_t late_root_uid; /* auto, nomap: the container's root in holt's namespace */
	gid_t late_root_gid;
	int userns_sync; /* a byte comes here once the parent has written the maps */
	int userns_up;	 /* auto, nomap: a byte goes to the parent once the namespace is made */
	int join_fd;	 /* exec: a pidfd of the container's first process, whose namespaces
			  * the caller joins instead of setting up new ones; else -1 */
	bool detached;	 /* exec -d: no death signal when the parent exits */
	int report_fd;	 /* failures go to the parent here, as "<exit code> <message>" */
	int tty_sock;	 /* with a tty: the pty master is sent back on it, else -1 */
	struct winsize winsize; /* the terminal's size, when has_winsize */
	bool has_winsize;
	sigset_t sigmask; /* restored before exec */
};

/* Sets up the container around the calling process and execs its command; on failure
 * reports to the parent and exits. Never returns. */
__attribute__((noreturn)) void init_container(const struct init_args *a);

/* exec: joins the namespaces of a->join_fd's process (the pid namespace was joined by
 * the parent before it forked) and execs the command there. Never returns. */
__attribute__((noreturn)) void init_exec(const struct init_args *a);

#endif
