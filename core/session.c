/* Three ways into the user's account that a container would otherwise inherit:
 * - the caller's terminal as its controlling terminal, into whose input any process of
 *   the session can push keystrokes with TIOCSTI (bubblewrap's CVE-2017-5226);
 * - the caller's open files (`exec 7<~; holt run …` hands over the home directory);
 * - the caller's session keyring, with whatever secrets it holds. */
#include "core/session.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Kernels before 5.11 have no CLOSE_RANGE_CLOEXEC. */
static int cloexec_each_from(unsigned first, struct holt_err *err)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return holt_err_set(err, errno, "list the open files: \"/proc/self/fd\"");
	struct dirent *de;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] != '.' && fd >= (int)first && fd != dirfd(d))
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}

int session_leave(bool new_session, unsigned preserve_fds, struct holt_err *err)
{
	if (new_session && setsid() < 0)
		return holt_err_set(err, errno, "start a session of the container's own");
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
		return holt_err_set(err, errno, "join a session keyring of the container's own");
	/* Marked close-on-exec, not closed: the report pipe must work up to the exec. */
	if (close_range(3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return cloexec_each_from(3 + preserve_fds, err);
	return 0;
}
