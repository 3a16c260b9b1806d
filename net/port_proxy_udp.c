#include "net/port_proxy_udp.h"
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Datagrams moved per wake-up and socket, so one busy client cannot starve the rest. */
enum { BURST = 64, MAX_DATAGRAM = 65536 };

static uint8_t datagram[MAX_DATAGRAM];

static struct udp_flow *flow_find(struct udp_flow *flows, int listener,
				  const struct sockaddr_storage *peer, socklen_t len)
{
	for (struct udp_flow *f = flows; f; f = f->next)
		if (!f->ended && f->listener == listener && f->peer_len == len &&
		    !memcmp(&f->peer, peer, len))
			return f;
	return NULL;
}

/* At the cap, ends the flow that was active least recently. It is freed by
 * udp_flows_expire, after the poll batch, which may still name it. */
static void make_room(struct udp_flow *flows)
{
	struct udp_flow *oldest = NULL;
	size_t n = 0;
	for (struct udp_flow *f = flows; f; f = f->next) {
		if (f->ended)
			continue;
		n++;
		if (!oldest || f->last_ms < oldest->last_ms)
			oldest = f;
	}
	if (n >= UDP_MAX_FLOWS)
		oldest->ended = true;
}

static struct udp_flow *flow_open(struct udp_flow **flows, int listener,
				  const struct sockaddr_storage *peer, socklen_t len,
				  const struct proxy_source *ps, struct in_addr ctr, uint16_t port)
{
	make_room(*flows);
	int fd = proxy_source_socket(ps, peer, SOCK_DGRAM);
	if (fd < 0)
		return NULL;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	struct udp_flow *f = xzalloc(sizeof *f);
	*f = (struct udp_flow){
	    .listener = listener,
	    .peer_len = len,
	    .inner = fd,
	    .ctr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = ctr},
	    .next = *flows};
	memcpy(&f->peer, peer, len);
	*flows = f;
	return f;
}

void udp_flows_receive(struct udp_flow **flows, int listener, const struct proxy_source *ps,
		       struct in_addr ctr, uint16_t port, int64_t now_ms)
{
	for (int i = 0; i < BURST; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof peer;
		ssize_t n = recvfrom(listener, datagram, sizeof datagram, MSG_DONTWAIT,
				     (struct sockaddr *)&peer, &len);
		if (n < 0)
			return; /* EAGAIN, or an error the next datagram may not have */
		struct udp_flow *f = flow_find(*flows, listener, &peer, len);
		if (!f && !(f = flow_open(flows, listener, &peer, len, ps, ctr, port)))
			continue;
		f->last_ms = now_ms;
		/* a full queue or nobody listening in the container: UDP drops, so do we */
		ssize_t sent = sendto(f->inner, datagram, (size_t)n, MSG_DONTWAIT,
				      (struct sockaddr *)&f->ctr, sizeof f->ctr);
		(void)sent;
	}
}

void udp_flow_reply(struct udp_flow *f, int64_t now_ms)
{
	for (int i = 0; i < BURST && !f->ended; i++) {
		ssize_t n = recv(f->inner, datagram, sizeof datagram, MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			continue; /* ECONNREFUSED from an ICMP error: the next may pass */
		f->last_ms = now_ms;
		ssize_t sent = sendto(f->listener, datagram, (size_t)n, MSG_DONTWAIT,
				      (struct sockaddr *)&f->peer, f->peer_len);
		(void)sent;
	}
}

void udp_flows_expire(struct udp_flow **flows, int64_t now_ms)
{
	for (struct udp_flow **p = flows; *p;) {
		struct udp_flow *f = *p;
		if (!f->ended && now_ms - f->last_ms < UDP_FLOW_IDLE_MS) {
			p = &f->next;
			continue;
		}
		*p = f->next;
		close(f->inner);
		free(f);
	}
}
