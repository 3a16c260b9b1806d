/* --pull, --platform, --replace and --cidfile for run and create. */
#include "cmd/run_extras.h"
#include "cmd/stop.h"
#include "core/base/util.h"
#include "core/control.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int run_extras_opt(int c, const char *arg, struct run_extras *x, struct holt_err *err)
{
	static const char *const policies[] = {"missing", "always", "newer", "never", NULL};
	switch (c) {
	case OPT_PULL:
		for (size_t i = 0; policies[i]; i++)
			if (!strcmp(arg, policies[i])) {
				x->pull = policies[i];
				return 0;
			}
		return holt_err_set(err, 0,
				    "--pull \"%s\": not one of missing, always, newer, never", arg);
	case OPT_RUN_PLATFORM:
		x->platform = arg;
		return 0;
	case OPT_CIDFILE:
		x->cidfile = arg;
		return 0;
	case OPT_REPLACE:
		x->replace = true;
		return 0;
	default:
		return 1;
	}
}

int run_extras_prepare(struct cmd_ctx *ctx, const struct run_extras *x, const char *name,
		       struct holt_err *err)
{
	/* docker's check: a file left by another container must not be overwritten */
	if (x->cidfile && access(x->cidfile, F_OK) == 0)
		return holt_err_set(err, 0,
				    "--cidfile \"%s\": the file exists (another container's id?); "
				    "remove it first",
				    x->cidfile);
	if (!x->replace || !name)
		return 0;
	struct holt_err e = {0};
	cleanup_container struct container *old = container_lookup(ctx->store, name, &e);
	if (!old) {
		if (e.errnum == ENOENT) {
			holt_err_release(&e);
			return 0;
		}
		*err = e;
		return -1;
	}
	if (container_is_running(old) && control_stop_as_configured(ctx->store, old, -1, err) < 0)
		return holt_err_wrap(err, "--replace \"%s\"", name);
	if (access(old->dir, F_OK) == 0 && container_remove(ctx->store, old, err) < 0)
		return holt_err_wrap(err, "--replace \"%s\"", name);
	return 0;
}

struct image *run_extras_image(struct cmd_ctx *ctx, const struct run_extras *x, const char *ref,
			       struct holt_err *err)
{
	return cmd_image_for_run(ctx, ref, x->pull, x->platform, err);
}

int run_extras_created(const struct run_extras *x, const struct container *c, struct holt_err *err)
{
	if (!x->cidfile)
		return 0;
	cleanup_close int fd =
	    open(x->cidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write(fd, c->id, strlen(c->id)) != (ssize_t)strlen(c->id))
		return holt_err_set(err, errno, "--cidfile \"%s\"", x->cidfile);
	return 0;
}
