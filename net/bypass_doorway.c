#include "net/bypass_doorway.h"
#include "core/base/fd_pass.h"
#include "core/base/unix_addr.h"
#include "core/base/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { BACKLOG = 16 };

int bypass_doorway_open(const char *dir, struct holt_err *err)
{
	struct sockaddr_un sa;
	cleanup_close int dirfd = unix_addr_in_dir(dir, "net.sock", &sa);
	if (dirfd < 0)
		return holt_err_set(err, errno, "network: open \"%s\"", dir);
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	unlinkat(dirfd, "net.sock", 0); /* a helper's of an earlier run */
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, BACKLOG) < 0)
		return holt_err_set(err, errno, "network: listen at \"%s/net.sock\"", dir);
	return steal_fd(&fd);
}

static bool is_seccomp_listener(int fd)
{
	char path[64], target[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof target - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:seccomp notify") == 0;
}

int bypass_doorway_accept(int doorway)
{
	return accept4(doorway, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int bypass_doorway_receive(int visitor)
{
	struct holt_err err = {0};
	int fd = fd_receive(visitor, &err);
	holt_err_release(&err);
	if (fd >= 0 && !is_seccomp_listener(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

int bypass_doorway_knock(const char *dir, struct holt_err *err)
{
	struct sockaddr_un sa;
	cleanup_close int dirfd = unix_addr_in_dir(dir, "net.sock", &sa);
	if (dirfd < 0)
		return holt_err_set(err, errno, "network: open \"%s\"", dir);
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return holt_err_set(err, errno, "network: reach the net helper at \"%s\"", dir);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return errno == ENOENT || errno == ECONNREFUSED
			   ? -1
			   : holt_err_set(err, errno, "network: reach the net helper at \"%s\"",
					  dir);
	return steal_fd(&fd);
}

int bypass_doorway_enter(int knocked, int listener, struct holt_err *err)
{
	if (fd_send(knocked, listener, err) < 0)
		return holt_err_wrap(err, "network: hand the connect filter's listener to the net "
					  "helper");
	return 0;
}
