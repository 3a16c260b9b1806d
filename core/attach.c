#include "core/attach.h"
#include "core/base/util.h"
#include "core/monitor.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

enum { KEY_CTRL_P = 0x10, KEY_CTRL_Q = 0x11 };

int attach_connect(const struct container *c, struct holt_err *err)
{
	struct sockaddr_un sa;
	cleanup_close int dir = monitor_attach_addr(c, &sa, err);
	if (dir < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return holt_err_set(err, e, "attach to container \"%s\"", c->name);
	}
	return fd;
}

static void write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

/* Frames from the monitor: a stream byte, a little-endian length, the bytes. */
struct demux {
	unsigned char hdr[ATTACH_HEADER];
	size_t have, left;
	int stream;
};

static bool demux_read(struct demux *d, int sock)
{
	char buf[16384];
	ssize_t n = read(sock, buf, sizeof buf);
	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	for (char *p = buf; n > 0;) {
		if (d->left == 0) {
			d->hdr[d->have++] = (unsigned char)*p++;
			n--;
			if (d->have == ATTACH_HEADER) {
				d->stream = d->hdr[0];
				d->left = d->hdr[1] | (size_t)d->hdr[2] << 8 |
					  (size_t)d->hdr[3] << 16 | (size_t)d->hdr[4] << 24;
				d->have = 0;
			}
			continue;
		}
		size_t take = (size_t)n < d->left ? (size_t)n : d->left;
		write_all(d->stream == ATTACH_STDERR ? 2 : 1, p, take);
		p += take;
		n -= (ssize_t)take;
		d->left -= take;
	}
	return true;
}

/* Sends stdin on; true when the user typed the detach keys. */
static bool forward_stdin(int sock, bool *open, bool *after_ctrl_p)
{
	char buf[4096];
	ssize_t n = read(0, buf, sizeof buf);
	if (n < 0 && errno == EINTR)
		return false;
	if (n <= 0) {
		*open = false;
		shutdown(sock, SHUT_WR);
		return false;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (*after_ctrl_p && buf[i] == KEY_CTRL_Q)
			return true;
		*after_ctrl_p = buf[i] == KEY_CTRL_P;
	}
	write_all(sock, buf, (size_t)n);
	return false;
}

int attach_relay(int sock, bool tty, bool send_stdin, struct holt_err *err)
{
	struct termios saved, raw;
	bool is_raw = false, stdin_open = send_stdin, ctrl_p = false;
	struct demux d = {0};
	int ret = 0;

	if (tty && send_stdin && isatty(0) && tcgetattr(0, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		is_raw = tcsetattr(0, TCSADRAIN, &raw) == 0;
	}
	for (;;) {
		struct pollfd fds[2] = {{sock, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = holt_err_set(err, errno, "attach: poll");
			break;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR) && !demux_read(&d, sock))
			break;
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR) &&
		    forward_stdin(sock, &stdin_open, &ctrl_p)) {
			ret = 1;
			break;
		}
	}
	if (is_raw)
		tcsetattr(0, TCSADRAIN, &saved);
	return ret;
}
