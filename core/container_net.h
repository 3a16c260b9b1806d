/* A container's network settings: --network and the options that go with it, their
 * record in config.json (docker's HostConfig keys) and the /etc/hosts and
 * /etc/resolv.conf they make. */
#ifndef HOLT_CORE_CONTAINER_NET_H
#define HOLT_CORE_CONTAINER_NET_H

#include "core/base/err.h"
#include "core/base/json.h"
#include "net/ports.h"

#include <stdbool.h>

enum container_network {
	NETWORK_NONE,	   /* a network namespace of its own with only lo */
	NETWORK_HOST,	   /* the host's network namespace */
	NETWORK_SLIRP,	   /* its own namespace, tap0 to a libslirp helper (the default) */
	NETWORK_CONTAINER, /* another container's namespace (container:NAME) */
	NETWORK_USER,	   /* its own namespace on user networks (network create) */
};

struct container_net {
	char *container; /* NETWORK_CONTAINER: the container named */
	char **networks; /* NETWORK_USER: the user networks, the first routes by default */
	char **aliases;	 /* --network-alias: more names on the first (docker's rule) */
	/* `network connect --alias`: "NETWORK:ALIAS", neither of which holds a colon */
	char **connect_aliases;
	char *ip; /* --ip: the address on the first */
	struct port_map *ports;
	size_t n_ports;
	bool publish_all; /* -P */
	bool no_bypass;	  /* slirp:bypass=false: every connection through slirp */
	char **dns, **dns_search, **dns_options;
	char **add_hosts; /* NAME:IP, IP maybe host-gateway */
};

void container_net_copy(struct container_net *dst, const struct container_net *src);
void container_net_release(struct container_net *n);

/* Parses a --network value; user network names add up (a container may be on several),
 * the other modes replace. */
int container_net_parse_mode(const char *arg, enum container_network *mode, struct container_net *n,
			     struct holt_err *err);
/* Checks --add-host NAME:IP and appends it. */
int container_net_add_host(struct container_net *n, const char *arg, struct holt_err *err);
/* What NetworkMode records: "slirp" (or "slirp:bypass=false"), "none", "host",
 * "container:NAME", or the first user network's name. */
char *container_net_mode_name(enum container_network mode, const struct container_net *n);

/* The aliases of a container on network name: --network-alias's on its first network,
 * and those `network connect --alias` gave it there; NULL when none. */
char **container_net_aliases_on(const struct container_net *n, const char *name);
/* Records aliases as the container's on network name. */
void container_net_add_aliases(struct container_net *n, const char *name, char *const *aliases);
/* Forgets the container's aliases on network name, which it leaves. */
void container_net_drop_aliases(struct container_net *n, const char *name);

/* HostConfig's NetworkMode, PortBindings, PublishAllPorts, Dns, DnsSearch, DnsOptions,
 * ExtraHosts; and back. */
void container_net_to_json(enum container_network mode, const struct container_net *n,
			   json_object *host);
void container_net_from_json(json_object *host, enum container_network *mode,
			     struct container_net *n);

/* /etc/hosts for a container with this hostname and name. */
char *container_net_hosts(enum container_network mode, const struct container_net *n,
			  const char *hostname, const char *name);
/* The same on a user network: the container at addr (and addr6 on an --ipv6 one, else
 * NULL), the host at gateway. */
char *container_net_hosts_user(const struct container_net *n, const char *hostname,
			       const char *name, const char *addr, const char *addr6,
			       const char *gateway);
/* /etc/resolv.conf from the host's (host_text): its nameservers, with those on the
 * host's loopback (unreachable from a container) replaced by slirp's resolver; --dns,
 * --dns-search, --dns-option replace theirs. */
char *container_net_resolv(enum container_network mode, const struct container_net *n,
			   const char *host_text);
/* The same on a user network: its resolver at dns first, searching its domain first. */
char *container_net_resolv_user(const struct container_net *n, const char *host_text,
				const char *dns);

/* The file holt takes the host's resolvers from: $HOLT_RESOLV_CONF, else
 * /etc/resolv.conf. */
const char *container_net_host_resolv_path(void);
/* That file's text ("" when unreadable). */
char *container_net_host_resolv_text(void);

#endif
