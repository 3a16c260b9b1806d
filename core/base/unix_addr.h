/* A unix socket's address in a directory, whatever the directory's length. */
#ifndef HOLT_CORE_BASE_UNIX_ADDR_H
#define HOLT_CORE_BASE_UNIX_ADDR_H

#include <sys/un.h>

/* Fills sa with dir/name as /proc/self/fd/N/name, N a descriptor of dir that the caller
 * keeps open until it has bound or connected, then closes: sun_path holds 108 bytes, a
 * --runroot path may be longer. Returns N, or -1 with errno. */
int unix_addr_in_dir(const char *dir, const char *name, struct sockaddr_un *sa);

#endif
