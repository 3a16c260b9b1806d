#include "core/pty.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* One byte of payload and room for one descriptor: the message both ends exchange. */
struct fd_message {
	char byte;
	struct iovec iov;
	struct msghdr msg;
	/* last: clang sees CMSG_SPACE as a variable size */
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
};

static void fd_message_init(struct fd_message *m)
{
	memset(m, 0, sizeof *m);
	m->byte = 'm';
	m->iov = (struct iovec){.iov_base = &m->byte, .iov_len = 1};
	m->msg = (struct msghdr){.msg_iov = &m->iov,
				 .msg_iovlen = 1,
				 .msg_control = m->u.buf,
				 .msg_controllen = sizeof m->u.buf};
}

static int send_fd(int sock, int fd)
{
	struct fd_message m;
	fd_message_init(&m);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(sock, &m.msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int pty_receive_master(int sock, struct holt_err *err)
{
	struct fd_message m;
	int fd = -1;
	ssize_t n;

	fd_message_init(&m);
	while ((n = recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return holt_err_set(err, n < 0 ? errno : 0, "receive the container's terminal%s",
				    n == 0 ? ": the container exited first" : "");
	struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return holt_err_set(err, 0, "receive the container's terminal: no descriptor");
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
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
	if (send_fd(sock, master) < 0)
		return holt_err_set(err, errno, "send the terminal to holt");
	return 0;
}
