/* libslirp, loaded only where a container has the default network: by the process
 * that starts its net helper, while the container makes its tap, so that the helper
 * forked next has it; no other holt process pays for it or for the glib it brings. */
#ifndef HOLT_NET_SLIRP_API_H
#define HOLT_NET_SLIRP_API_H

#include "core/base/err.h"

#include <slirp/libslirp.h>

struct slirp_api {
	Slirp *(*new)(const SlirpConfig *cfg, const SlirpCb *callbacks, void *opaque);
	void (*input)(Slirp *slirp, const uint8_t *pkt, int pkt_len);
	void (*pollfds_fill)(Slirp *slirp, uint32_t *timeout, SlirpAddPollCb add_poll,
			     void *opaque);
	void (*pollfds_poll)(Slirp *slirp, int select_error, SlirpGetREventsCb get_revents,
			     void *opaque);
};

/* Loads libslirp.so.0 and resolves what the helper calls; once loaded, again costs
 * nothing. */
const struct slirp_api *slirp_api(struct holt_err *err);

#endif
