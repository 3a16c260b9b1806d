#include "core/pty.h"
#include "core/base/fd_pass.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int pty_receive_master(int sock, struct holt_err *err)
{
	int fd = fd_receive(sock, err);
	if (fd < 0)
		holt_err_wrap(err, "receive the container's terminal");
	return fd;
}

int pty_open_in_container(int sock, const struct winsize *ws, uid_t uid, gid_t gid,
			  struct holt_err *err)
{
	char name[64];
	cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return holt_err_set(err, errno, "open \"/dev/ptmx\"");
	if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof name) != 0)
		return holt_err_set(err, errno, "set up the pty");
	cleanup_close int slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return holt_err_set(err, errno, "open \"%s\"", name);
	if (ws)
		ioctl(slave, TIOCSWINSZ, ws);
	/* The container's user must own its terminal, as on a login. */
	if (fchown(slave, uid, gid) < 0 && errno != EINVAL)
		return holt_err_set(err, errno, "chown \"%s\"", name);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return holt_err_set(err, errno, "make \"%s\" the controlling terminal", name);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return holt_err_set(err, errno, "attach \"%s\"", name);
	if (fd_send(sock, master, err) < 0)
		return holt_err_wrap(err, "send the terminal to holt");
	return 0;
}
