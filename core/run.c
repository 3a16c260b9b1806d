/* A foreground `run`: the holt process is the container's monitor. It holds the
 * monitor lock, so that ps believes "running", for exactly as long as it waits. */
#include "core/run.h"
#include "core/base/exitcode.h"
#include "core/base/util.h"
#include "core/cgroup.h"
#include "core/launch.h"
#include "core/relay.h"

#include <errno.h>

int run_foreground(const struct run_request *req, int *status, struct holt_err *err)
{
	struct container *c = req->container;
	sigset_t old;
	struct launched l;

	*status = HOLT_EXIT_ERROR;
	cleanup_close int lock = container_lock_monitor(c, err);
	if (lock < 0 || relay_block_signals(&old, err) < 0)
		return -1;
	if (req->cancel && *req->cancel) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return holt_err_set_code(err, EINTR, "interrupted");
	}
	struct launch_request lr = {
	    .store = req->store,
	    .container = c,
	    .image = req->image,
	    .spec = req->spec,
	    .storage_driver = req->storage_driver,
	    .stdio = {-1, -1, -1},
	    .child_mask = &old,
	};
	struct holt_err serr = {0};
	if (launch(&lr, &l, err) < 0) {
		*status = l.status;
		cgroup_remove(c);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (container_set_exited(c, l.status, err->msg, &serr) < 0)
			holt_err_release(&serr);
		return -1;
	}
	if (container_set_running(c, l.pid, &serr) < 0)
		holt_err_release(&serr); /* the container runs all the same */
	int code = relay_wait(l.pid, l.master, req->spec->interactive, NULL, &old, err);
	launch_reap_net(&l, c->config.net.n_ports || c->config.net.publish_all);
	cgroup_remove(c);
	if (code < 0)
		return -1;
	*status = code;
	if (container_set_exited(c, code, NULL, &serr) < 0)
		holt_err_release(&serr);
	return 0;
}

int run_prepare(struct store *s, const struct container *c, struct image **img,
		struct process_spec *spec, struct holt_err *err)
{
	*img = image_lookup(s, c->image_id, err);
	if (!*img)
		return holt_err_wrap(err, "container \"%s\": its image \"%s\"", c->name,
				     c->image_name);
	if (spec_build(&c->config, *img, spec, err) < 0) {
		image_free(*img);
		*img = NULL;
		return holt_err_wrap(err, "container \"%s\"", c->name);
	}
	return 0;
}
