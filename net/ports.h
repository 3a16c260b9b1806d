/* Published ports: docker's -p syntax, the PortBindings records and the free ports -P
 * and "-p CTR" leave to be chosen. Pure but for ports_choose_free, which binds. */
#ifndef HOLT_NET_PORTS_H
#define HOLT_NET_PORTS_H

#include "core/base/err.h"
#include "core/base/json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct port_map {
	char host_ip[46];   /* IPv4 or IPv6 (no brackets); "" for every address */
	uint16_t host_port; /* 0: a free one, chosen when the container starts */
	uint16_t ctr_port;
	bool udp;
};

/* Parses -p [[IP:][HOST[-HOST]]:]CTR[-CTR][/tcp|udp], an IPv6 IP in brackets, and
 * appends one map per port. */
int ports_parse(const char *spec, struct port_map **maps, size_t *n, struct holt_err *err);

/* Appends a map to a free host port for each "PORT/PROTO" key of an image's ExposedPorts
 * that is not published already. */
void ports_add_exposed(char *const *exposed, struct port_map **maps, size_t *n);

/* Whether m's host address is an IPv6 one. */
bool ports_ipv6(const struct port_map *m);

/* Gives every map with host_port 0 a port free on its address right now (on both
 * families for every address, where the host has IPv6). */
int ports_choose_free(struct port_map *maps, size_t n, struct holt_err *err);

/* The bindings maps make on the host, as docker reports them: a map for every address
 * becomes 0.0.0.0 and, with ipv6 (holt listens on [::] too then), "::". */
void ports_bound(const struct port_map *maps, size_t n, bool ipv6, struct port_map **out,
		 size_t *n_out);

/* docker's shape, {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}, and back. */
json_object *ports_to_json(const struct port_map *maps, size_t n);
void ports_from_json(json_object *obj, struct port_map **maps, size_t *n);

#endif
