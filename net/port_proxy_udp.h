/* The UDP half of the port proxy: a flow per client address, each with a socket of its
 * own in the container's network namespace, bound to what the container is to see of
 * the client (port_proxy_source.h), so that replies find their client. It is not
 * connected: the container's replies to the host's addresses come back from those
 * addresses (a local route's source), not from the container's. Flows idle for
 * UDP_FLOW_IDLE_MS end (as conntrack's UDP timeout). */
#ifndef HOLT_NET_PORT_PROXY_UDP_H
#define HOLT_NET_PORT_PROXY_UDP_H

#include "net/port_proxy_source.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Each flow holds a socket: clients flooding from new ports must not take every fd the
 * proxy has, its TCP connections' too. Past the cap the least recently active goes. */
enum { UDP_FLOW_IDLE_MS = 60000, UDP_MAX_FLOWS = 256 };

struct udp_flow {
	int listener; /* the host socket the client wrote to, and replies go out of */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	int inner; /* sends to the container's port */
	struct sockaddr_in ctr;
	int64_t last_ms;
	bool ended; /* evicted at the cap: freed after the poll batch */
	struct udp_flow *next;
};

/* Reads what clients sent to listener (a UDP socket on the host) and sends it on to
 * ctr:port, opening a flow for a client new to it. */
void udp_flows_receive(struct udp_flow **flows, int listener, const struct proxy_source *ps,
		       struct in_addr ctr, uint16_t port, int64_t now_ms);
/* Sends the container's replies on flow f back to its client. */
void udp_flow_reply(struct udp_flow *f, int64_t now_ms);
/* Ends the flows idle since before now_ms - UDP_FLOW_IDLE_MS, and frees those evicted. */
void udp_flows_expire(struct udp_flow **flows, int64_t now_ms);

#endif
