/* The net helper and port proxy parse what containers send; once set up they keep no
 * privilege over holt's user namespace that an exploit of them could use, but what
 * their work needs: the proxy CAP_NET_RAW, for IP_TRANSPARENT (port_proxy_source.h);
 * the helper, answering the container's connects (tcp_bypass.h), CAP_SYS_PTRACE to
 * take their sockets and CAP_NET_ADMIN to see their namespace. */
#ifndef HOLT_NET_PRIVILEGES_H
#define HOLT_NET_PRIVILEGES_H

#include "core/base/err.h"

#include <stdint.h>

/* Drops every capability (effective, permitted, inheritable, bounding) and sets
 * no_new_privs. */
int privileges_drop_all(struct holt_err *err);
/* The same but for the capabilities in keep (a mask of 1 << CAP_*), left effective and
 * permitted (not in the bounding set: nothing is exec'd). */
int privileges_drop_all_but(uint64_t keep, struct holt_err *err);

#endif
