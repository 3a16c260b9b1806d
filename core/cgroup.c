#include "core/cgroup.h"

int cgroup_limits_unavailable(const char *option, struct holt_err *err)
{
	return holt_err_set(err, 0,
			    "%s: needs a cgroup v2 tree delegated to you; holt does not manage "
			    "cgroups yet",
			    option);
}
