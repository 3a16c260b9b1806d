/* The default filter denies what moby's default profile denies and a container has no
 * use for. So far: the keyring calls, whose keys are the user's across every session
 * and namespace (a container could read or plant them). Denied with EPERM, as moby's
 * profile does. */
#include "core/seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>

static const int denied[] = {
    SCMP_SYS(add_key),
    SCMP_SYS(keyctl),
    SCMP_SYS(request_key),
};

int seccomp_load_default(struct holt_err *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int ret = ctx ? 0 : -ENOMEM;

	if (!ret)
		ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t i = 0; !ret && i < sizeof denied / sizeof *denied; i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret < 0)
		return holt_err_set(err, -ret, "load the seccomp filter");
	return 0;
}
