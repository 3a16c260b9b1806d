#include "core/base/unix_addr.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>

int unix_addr_in_dir(const char *dir, const char *name, struct sockaddr_un *sa)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	*sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	snprintf(sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/%s", fd, name);
	return fd;
}
