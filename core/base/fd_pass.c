/* One descriptor over a unix socket (SCM_RIGHTS), with one byte of payload. */
#include "core/base/fd_pass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

struct fd_message {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
};

static void fd_message_init(struct fd_message *m)
{
	m->byte = 0;
	m->iov = (struct iovec){.iov_base = &m->byte, .iov_len = 1};
	m->msg = (struct msghdr){.msg_iov = &m->iov,
				 .msg_iovlen = 1,
				 .msg_control = m->u.buf,
				 .msg_controllen = sizeof m->u.buf};
}

int fd_send(int sock, int fd, struct holt_err *err)
{
	struct fd_message m;
	fd_message_init(&m);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	if (sendmsg(sock, &m.msg, MSG_NOSIGNAL) < 0)
		return holt_err_set(err, errno, "send a descriptor");
	return 0;
}

int fd_receive(int sock, struct holt_err *err)
{
	struct fd_message m;
	int fd = -1;
	ssize_t n;

	fd_message_init(&m);
	while ((n = recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return holt_err_set(err, n < 0 ? errno : 0, "receive a descriptor%s",
				    n == 0 ? ": the sender exited first" : "");
	struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return holt_err_set(err, 0, "receive a descriptor: none came");
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}
