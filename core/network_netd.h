/* What runs for a user network while containers are on it, started by the first and gone
 * after the last: "holt-netns" holds a network namespace (in holt's user namespace) with
 * the bridge br0 and the tap of "holt-netd", its parent, which runs libslirp on that tap
 * for the network's outbound traffic and answers DNS for the containers' names. Each
 * container gets a veth pair, one end in its namespace, the other on br0.
 *
 * Runtime state: <runroot>/networks/<name>/{lock,netd,endpoints/}. Every change (start,
 * attach, detach, the helper's exit when the last veth is gone) is made under lock. */
#ifndef HOLT_CORE_NETWORK_NETD_H
#define HOLT_CORE_NETWORK_NETD_H

#include "core/base/err.h"
#include "storage/network.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

#define NETD_BRIDGE "br0"

/* <runroot>/networks/<name> */
char *netd_dir(const char *runroot, const char *name);

/* Takes the lock of the network whose runtime dir is dir (made when missing); returns
 * its fd, to close. */
int netd_lock(const char *dir, struct holt_err *err);

/* With the lock held: the pid of the network's namespace holder, starting the helper
 * when it does not run. resolv_conf: the host's resolvers (NULL: /etc/resolv.conf). */
pid_t netd_ensure(const char *dir, const struct network *n, const char *resolv_conf,
		  struct holt_err *err);

/* The holder's pid when the network's helper runs, else 0 (lock held or not). */
pid_t netd_running(const char *dir);

/* For `network rm`, once no container is on the network: ends its helper (the holder
 * and its namespace go with it) and removes its runtime dir. */
int netd_stop(const char *dir, struct holt_err *err);

#endif
