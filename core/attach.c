#include "core/attach.h"
#include "core/base/file.h"
#include "core/base/util.h"
#include "core/container_events.h"
#include "core/monitor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int attach_keys_parse(const char *spec, struct attach_keys *keys, struct holt_err *err)
{
	static const char ctrl_punct[] = "@[\\]^_";
	keys->len = 0;
	if (!spec)
		spec = "ctrl-p,ctrl-q";
	cleanup_free char *copy = xstrdup(spec);
	char *rest = copy;
	for (char *k; (k = strsep(&rest, ","));) {
		int byte = -1;
		if (!strncmp(k, "ctrl-", 5) && k[5] && !k[6]) {
			if ((k[5] >= 'a' && k[5] <= 'z') || strchr(ctrl_punct, k[5]))
				byte = k[5] & 0x1f;
		} else if (k[0] && !k[1] && (unsigned char)k[0] < 0x80) {
			byte = (unsigned char)k[0];
		}
		if (byte < 0 || keys->len == ATTACH_KEYS_MAX)
			return holt_err_set(err, 0,
					    "--detach-keys \"%s\": \"%s\" is no key (a letter, or "
					    "ctrl- and a letter or one of @[\\]^_; at most %d)",
					    spec, k, ATTACH_KEYS_MAX);
		keys->seq[keys->len++] = (unsigned char)byte;
	}
	return 0;
}

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
	container_event(c, "attach", NULL);
	return fd;
}

/* Frames from the monitor: a stream byte, a little-endian length, the bytes. */
struct demux {
	unsigned char hdr[ATTACH_HEADER];
	size_t have, left;
	int stream;
	unsigned char code[4]; /* the ATTACH_EXIT frame's */
	size_t code_len;
	int pty; /* the container's pty master, from an ATTACH_PTY frame, or -1 */
};

/* Gives the container's terminal the size of holt's. */
static void resize(const struct demux *d)
{
	struct winsize ws;
	if (d->pty >= 0 && isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(d->pty, TIOCSWINSZ, &ws);
}

/* Reads what the monitor sent, taking the pty master it may pass along. */
static ssize_t receive(struct demux *d, int sock, char *buf, size_t size)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = {buf, size};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL; c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			if (d->pty >= 0)
				close(d->pty);
			memcpy(&d->pty, CMSG_DATA(c), sizeof d->pty);
			resize(d);
		}
	return n;
}

static bool demux_read(struct demux *d, int sock)
{
	char buf[16384];
	ssize_t n = receive(d, sock, buf, sizeof buf);
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
		if (d->stream == ATTACH_EXIT)
			for (size_t i = 0; i < take && d->code_len < sizeof d->code; i++)
				d->code[d->code_len++] = (unsigned char)p[i];
		else
			write_all(d->stream == ATTACH_STDERR ? 2 : 1, p, take);
		p += take;
		n -= (ssize_t)take;
		d->left -= take;
	}
	return true;
}

/* Sends stdin on; true when the user typed the detach keys (*matched: how many of them
 * the input so far ends with). */
static bool forward_stdin(int sock, bool *open, const struct attach_keys *keys, size_t *matched)
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
	if (attach_keys_typed(keys, buf, (size_t)n, matched))
		return true;
	write_all(sock, buf, (size_t)n);
	return false;
}

bool attach_keys_typed(const struct attach_keys *keys, const char *buf, size_t n, size_t *matched)
{
	for (size_t i = 0; keys->len && i < n; i++) {
		unsigned char b = (unsigned char)buf[i];
		*matched = b == keys->seq[*matched] ? *matched + 1 : b == keys->seq[0];
		if (*matched == keys->len)
			return true;
	}
	return false;
}

int attach_relay(int sock, bool tty, bool send_stdin, const struct attach_keys *keys,
		 int *exit_code, struct holt_err *err)
{
	struct termios saved, raw;
	bool is_raw = false, stdin_open = send_stdin;
	size_t matched = 0;
	struct demux d = {.pty = -1};
	int ret = 0;
	sigset_t winch, old;

	if (tty && send_stdin && isatty(0) && tcgetattr(0, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		is_raw = tcsetattr(0, TCSADRAIN, &raw) == 0;
	}
	/* the terminal's size follows holt's, through the pty the monitor passes */
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &winch, &old);
	int sfd = tty ? signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK) : -1;
	for (;;) {
		struct pollfd fds[3] = {
		    {sock, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = holt_err_set(err, errno, "attach: poll");
			break;
		}
		if (fds[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
				;
			resize(&d);
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR) && !demux_read(&d, sock))
			break;
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR) &&
		    forward_stdin(sock, &stdin_open, keys, &matched)) {
			ret = 1;
			break;
		}
	}
	if (is_raw)
		tcsetattr(0, TCSADRAIN, &saved);
	if (sfd >= 0)
		close(sfd);
	if (d.pty >= 0)
		close(d.pty);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (exit_code)
		*exit_code = d.code_len == sizeof d.code
				 ? (int)(d.code[0] | d.code[1] << 8 | d.code[2] << 16 |
					 (unsigned)d.code[3] << 24)
				 : -1;
	return ret;
}
