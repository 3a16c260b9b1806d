/* Acting on a running container from any holt command: signals, stop, wait. Every
 * change of state is the monitor's to record; these only ask and then wait for it. */
#ifndef HOLT_CORE_CONTROL_H
#define HOLT_CORE_CONTROL_H

#include "core/container.h"

/* Sends sig to the container's first process; fails when it is not running. */
int control_kill(struct container *c, int sig, struct holt_err *err);

/* The signal stop sends: the container's --stop-signal, else the image's StopSignal
 * (image_stop_signal may be NULL), else SIGTERM. */
int control_stop_signal(const struct container *c, const char *image_stop_signal);

/* Stops the container: no restart follows, sig now, SIGKILL after timeout seconds.
 * Returns once its exit is recorded; a container that is not running is left alone. */
int control_stop(struct container *c, int sig, int timeout, struct holt_err *err);

/* Stops c as it was configured to stop: its stop signal (control_stop_signal, with its
 * image's), and timeout seconds before SIGKILL; timeout < 0: its --stop-timeout, else 10. */
int control_stop_as_configured(struct store *s, struct container *c, int timeout,
			       struct holt_err *err);

/* Waits until the container is not running, then reads its state again. */
int control_wait(struct container *c, struct holt_err *err);

#endif
