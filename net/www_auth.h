/* The WWW-Authenticate challenge of a registry's 401 (RFC 7235): Basic, or Bearer with
 * the token service's realm, service and scope (Docker's token authentication). */
#ifndef HOLT_NET_WWW_AUTH_H
#define HOLT_NET_WWW_AUTH_H

#include "core/base/err.h"

enum auth_scheme { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct www_auth {
	enum auth_scheme scheme;
	char *realm;
	char *service; /* Bearer only; may be NULL */
	char *scope;   /* Bearer only; may be NULL */
};

/* Parses header (the value, without "WWW-Authenticate:"); fails on a scheme holt does not
 * speak, or on a Bearer challenge without a realm. */
int www_auth_parse(const char *header, struct www_auth *out, struct holt_err *err);
void www_auth_clear(struct www_auth *a);

#endif
