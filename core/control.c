#include "core/control.h"
#include "core/base/util.h"
#include "core/container_events.h"
#include "core/monitor.h"
#include "core/signals.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void kill_event(const struct container *c, int sig)
{
	char num[16];
	snprintf(num, sizeof num, "%d", sig);
	container_event(c, "kill", (const char *const[]){"signal", num, NULL});
}

int control_kill(struct container *c, int sig, struct holt_err *err)
{
	if ((c->state.status != STATUS_RUNNING && c->state.status != STATUS_PAUSED) ||
	    c->state.pid <= 0)
		return holt_err_set(err, 0, "container \"%s\" is not running", c->name);
	if (kill(c->state.pid, sig) < 0 && errno != ESRCH)
		return holt_err_set(err, errno, "signal container \"%s\"", c->name);
	kill_event(c, sig);
	return 0;
}

int control_stop_signal(const struct container *c, const char *image_stop_signal)
{
	int sig = -1;
	if (c->config.stop_signal)
		sig = signals_parse(c->config.stop_signal);
	if (sig <= 0 && image_stop_signal)
		sig = signals_parse(image_stop_signal);
	return sig > 0 ? sig : SIGTERM;
}

/* True when pid exited within ms milliseconds. */
static bool exits_within(pid_t pid, int ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH;
	struct pollfd p = {fd, POLLIN, 0};
	int r;
	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	close(fd);
	return r > 0;
}

int control_stop(struct container *c, int sig, int timeout, struct holt_err *err)
{
	if (!container_is_running(c))
		return 0;
	/* A foreground run has no restart policy, and relays SIGUSR1 to its container. */
	if (c->config.restart != RESTART_NO && c->state.monitor_pid > 0)
		kill(c->state.monitor_pid, MONITOR_SIG_STOPPED);
	/* A frozen process takes its signal once thawed, or SIGKILL at the timeout. */
	if (c->state.status != STATUS_RESTARTING && c->state.pid > 0) {
		if (kill(c->state.pid, sig) < 0 && errno != ESRCH)
			return holt_err_set(err, errno, "stop container \"%s\"", c->name);
		kill_event(c, sig);
		if (!exits_within(c->state.pid, timeout * 1000)) {
			kill(c->state.pid, SIGKILL);
			kill_event(c, SIGKILL);
		}
	}
	if (control_wait(c, err) < 0)
		return -1;
	container_event(c, "stop", NULL);
	return 0;
}

int control_wait(struct container *c, struct holt_err *err)
{
	/* A created container has no monitor yet: wait for one to start and finish. */
	while (c->state.status == STATUS_CREATED) {
		if (access(c->dir, F_OK) < 0)
			return holt_err_set(err, 0, "container \"%s\" was removed", c->name);
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
		if (container_reload_state(c, err) < 0)
			return -1;
	}
	container_wait_monitor(c);
	return container_reload_state(c, err);
}

int control_stop_as_configured(struct store *s, struct container *c, int timeout,
			       struct holt_err *err)
{
	struct holt_err ie = {0};
	cleanup_image struct image *img = image_lookup(s, c->image_id, &ie);
	holt_err_release(&ie); /* an image removed with -f: SIGTERM, then */
	int sig = control_stop_signal(c, img ? img->stop_signal : NULL);
	if (timeout < 0)
		timeout = c->config.stop_timeout >= 0 ? c->config.stop_timeout : 10;
	return control_stop(c, sig, timeout, err);
}
