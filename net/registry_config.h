/* The user's registry settings, $XDG_CONFIG_HOME/holt/registries.json:
 * {"insecure-registries": ["host:port", ...]}, docker's daemon.json key, and
 * {"unqualified-search-registries": ["host", ...]}, as podman's registries.conf has it. */
#ifndef HOLT_NET_REGISTRY_CONFIG_H
#define HOLT_NET_REGISTRY_CONFIG_H

#include <stdbool.h>

/* True when domain is listed as insecure: plain HTTP allowed, certificates not checked. */
bool registry_config_insecure(const char *domain);

/* Where a name without a registry is looked for, in order: the configured list, or
 * docker.io alone. Caller frees (strv_free). */
char **registry_config_search(void);

#endif
