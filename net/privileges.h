/* The net helper and port proxy parse what containers send; once set up they keep no
 * privilege over holt's user namespace that an exploit of them could use (the proxy
 * but CAP_NET_RAW, for IP_TRANSPARENT: see port_proxy_source.h). */
#ifndef HOLT_NET_PRIVILEGES_H
#define HOLT_NET_PRIVILEGES_H

#include "core/base/err.h"

/* Drops every capability (effective, permitted, inheritable, bounding) and sets
 * no_new_privs. */
int privileges_drop_all(struct holt_err *err);
/* The same but for capability keep, left effective and permitted (not in the bounding
 * set: nothing is exec'd); keep -1: none. */
int privileges_drop_all_but(int keep, struct holt_err *err);

#endif
