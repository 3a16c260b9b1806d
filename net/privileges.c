#include "net/privileges.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int privileges_drop_all(struct holt_err *err)
{
	return privileges_drop_all_but(0, err);
}

int privileges_drop_all_but(uint64_t keep, struct holt_err *err)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {{0}};

	/* the bounding set bounds what an exec could gain: none is to come */
	for (int i = 0; i < 2; i++)
		data[i].effective = data[i].permitted = (uint32_t)(keep >> (32 * i));
	for (int cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return holt_err_set(err, errno, "drop capability %d", cap);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return holt_err_set(err, errno, "set no_new_privs");
	if (syscall(SYS_capset, &hdr, data) < 0)
		return holt_err_set(err, errno, "drop capabilities");
	return 0;
}
