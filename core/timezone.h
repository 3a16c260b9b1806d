/* podman's --tz: the container's /etc/localtime from the host's zone files. */
#ifndef HOLT_CORE_TIMEZONE_H
#define HOLT_CORE_TIMEZONE_H

#include "core/base/err.h"

/* Writes to dest the zone file tz names: "local" the host's /etc/localtime, else
 * Area/City (or UTC, Etc/GMT+5...) from /usr/share/zoneinfo. err names tz when there is
 * no such zone. */
int timezone_install(const char *tz, const char *dest, struct holt_err *err);

#endif
