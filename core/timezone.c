/* Zone files are copied, not bound: the host's /etc/localtime is usually a symlink into
 * /usr/share/zoneinfo, which the container does not see, and a copy in the container's
 * directory outlives a host that changes its zone while the container runs. */
#include "core/timezone.h"
#include "core/base/file.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZONEINFO "/usr/share/zoneinfo"

/* A zone's name: relative, with no ".." to climb out of the zone files. */
static bool name_valid(const char *tz)
{
	if (!*tz || tz[0] == '/')
		return false;
	for (const char *p = tz; *p; p = *p ? p + 1 : p) {
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || !p[2]))
			return false;
		p += strcspn(p, "/");
	}
	return true;
}

int timezone_install(const char *tz, const char *dest, struct holt_err *err)
{
	bool local = strcmp(tz, "local") == 0;
	cleanup_free char *src = local ? xstrdup("/etc/localtime") : xasprintf(ZONEINFO "/%s", tz);
	struct stat st;
	if (!local && (!name_valid(tz) || stat(src, &st) < 0 || !S_ISREG(st.st_mode)))
		return holt_err_set(err, 0, "--tz \"%s\": no such time zone in " ZONEINFO, tz);
	/* a zone file is a few KiB; a bigger one is not a zone file */
	char data[1 << 16];
	cleanup_close int fd = open(src, O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, data, sizeof data);
	if (len < 0)
		return holt_err_set(err, errno, "--tz \"%s\": read \"%s\"", tz, src);
	if (len == (ssize_t)sizeof data)
		return holt_err_set(err, 0, "--tz \"%s\": \"%s\" is not a zone file", tz, src);
	return write_file_atomic(dest, NULL, data, (size_t)len, false, err);
}
