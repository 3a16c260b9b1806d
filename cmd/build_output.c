#include "cmd/build_output.h"
#include "core/base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

/* Passes on what comes until every writer is gone, or until told to stop: a process
 * that outlived its step and keeps the pipe must not hold up the build's end. */
static void *relay_main(void *arg)
{
	struct build_output_relay *r = arg;
	char buf[16384];
	bool stopping = false;

	for (;;) {
		struct pollfd p[2] = {{.fd = r->from, .events = POLLIN},
				      {.fd = r->stop, .events = POLLIN}};
		if (!stopping && poll(p, 2, -1) < 0 && errno != EINTR)
			stopping = true;
		if (p[1].revents)
			stopping = true;
		ssize_t n = read(r->from, buf, sizeof buf);
		/* a terminal gone: what follows would be lost there too */
		if (n > 0)
			(void)write_all(r->to, buf, (size_t)n);
		else if (n == 0 || (errno != EINTR && (stopping || errno != EAGAIN)))
			return NULL;
	}
}

static void relay_start(struct build_output_relay *r, int fd)
{
	int p[2];

	r->to = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	r->stop = eventfd(0, EFD_CLOEXEC);
	if (r->to >= 0 && r->stop >= 0 && pipe2(p, O_CLOEXEC) == 0) {
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		r->from = p[0];
		/* the signals the build forwards to its RUN steps are the main thread's */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		r->running = pthread_create(&r->thread, NULL, relay_main, r) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (r->running) {
			dup2(p[1], fd);
			close(p[1]);
			return;
		}
		close(p[0]);
		close(p[1]);
	}
	if (r->to >= 0)
		close(r->to);
	if (r->stop >= 0)
		close(r->stop);
	*r = (struct build_output_relay){.from = -1, .to = -1, .stop = -1};
}

void build_output_detach(struct build_output *o)
{
	struct stat one, two;

	*o = (struct build_output){0};
	for (int fd = 0; fd < 3; fd++)
		o->relay[fd] = (struct build_output_relay){.from = -1, .to = -1, .stop = -1};
	if (isatty(1))
		relay_start(&o->relay[1], 1);
	if (!isatty(2))
		return;
	/* one pipe for both on one terminal, so that their lines keep their order */
	if (o->relay[1].running && fstat(o->relay[1].to, &one) == 0 && fstat(2, &two) == 0 &&
	    one.st_rdev == two.st_rdev) {
		o->relay[2].to = fcntl(2, F_DUPFD_CLOEXEC, 3);
		if (o->relay[2].to >= 0)
			dup2(1, 2);
		return;
	}
	relay_start(&o->relay[2], 2);
}

void build_output_restore(struct build_output *o)
{
	for (int fd = 1; fd < 3; fd++)
		if (o->relay[fd].to >= 0)
			dup2(o->relay[fd].to, fd);
	for (int fd = 1; fd < 3; fd++) {
		struct build_output_relay *r = &o->relay[fd];
		if (r->running) {
			eventfd_write(r->stop, 1);
			pthread_join(r->thread, NULL);
			close(r->from);
			close(r->stop);
		}
		if (r->to >= 0)
			close(r->to);
		*r = (struct build_output_relay){.from = -1, .to = -1, .stop = -1};
	}
}
