#include "core/caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>

static const int default_caps[] = {
    CAP_CHOWN,	 CAP_DAC_OVERRIDE, CAP_FSETID,		 CAP_FOWNER,
    CAP_MKNOD,	 CAP_NET_RAW,	   CAP_SETGID,		 CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,	   CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_KILL,	 CAP_AUDIT_WRITE,
};

static bool is_default(int cap)
{
	for (size_t i = 0; i < sizeof default_caps / sizeof *default_caps; i++)
		if (default_caps[i] == cap)
			return true;
	return false;
}

int caps_drop_to_default(struct holt_err *err)
{
	for (int cap = 0; cap <= 63; cap++) {
		if (is_default(cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL) /* past the kernel's last capability */
				break;
			return holt_err_set(err, errno, "drop capability %d", cap);
		}
	}
	return 0;
}
