/* The user's registry settings, $XDG_CONFIG_HOME/holt/registries.json:
 * {"insecure-registries": ["host:port", ...]}, docker's daemon.json key. */
#ifndef HOLT_NET_REGISTRY_CONFIG_H
#define HOLT_NET_REGISTRY_CONFIG_H

#include <stdbool.h>

/* True when domain is listed as insecure: plain HTTP allowed, certificates not checked. */
bool registry_config_insecure(const char *domain);

#endif
