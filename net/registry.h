/* A client of one repository on one registry (the OCI distribution API, Docker registry
 * v2) over libcurl: HTTPS verified with the system CAs or the registry's own CA
 * directory, plain HTTP for loopback registries or with tls_verify off, Basic and Bearer
 * (token service) authentication, connection reuse, and retries that resume a blob. Safe
 * to use from several threads at once. */
#ifndef HOLT_NET_REGISTRY_H
#define HOLT_NET_REGISTRY_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct registry_opts {
	bool tls_verify;
	const char *authfile; /* NULL: the default auth files */
	const char *cert_dir; /* NULL: $XDG_CONFIG_HOME/holt/certs.d */
};

struct registry;

/* domain and repository as a parsed reference has them ("docker.io", "library/busybox").
 * Nothing is sent yet. */
struct registry *registry_open(const char *domain, const char *repository,
			       const struct registry_opts *opts, struct holt_err *err);
void registry_free(struct registry *r);

struct registry_doc {
	char *body; /* NUL-terminated */
	size_t len;
	char *media_type; /* the Content-Type, NULL when none */
};
void registry_doc_clear(struct registry_doc *d);

/* GET /v2/<repository>/<kind>/<ref> ("manifests", "blobs") of at most max bytes. */
int registry_get_doc(struct registry *r, const char *kind, const char *ref, const char *accept,
		     size_t max, struct registry_doc *out, struct holt_err *err);

/* Streams blob digest to sink, which returns <0 with err set to stop. A dropped
 * connection is resumed where it broke; the sink sees every byte once, in order. */
typedef int (*registry_sink)(const void *data, size_t len, void *ctx, struct holt_err *err);
int registry_get_blob(struct registry *r, const char *digest, registry_sink sink, void *ctx,
		      struct holt_err *err);

/* Authenticates against the registry itself, as login does: 0 when user/password are
 * accepted (or the registry needs none). */
int registry_check_login(struct registry *r, const char *user, const char *password,
			 struct holt_err *err);

/* HEAD of blob digest: *exists is whether the repository has it. */
int registry_blob_exists(struct registry *r, const char *digest, bool *exists,
			 struct holt_err *err);

/* Uploads size bytes of fd as blob digest: in one PUT, or in PATCHes of 32 MiB when it is
 * larger, resumed where the registry says it stopped when a chunk fails. When mount_from
 * names another repository of the registry that has it, the registry may link it from
 * there instead (*mounted). */
int registry_put_blob(struct registry *r, const char *digest, const char *mount_from, int fd,
		      uint64_t size, bool *mounted, struct holt_err *err);

/* PUT of a manifest under tag (or digest). */
int registry_put_manifest(struct registry *r, const char *tag, const char *media_type,
			  const char *manifest, size_t len, struct holt_err *err);

/* "docker.io" talks to registry-1.docker.io, as docker does. */
const char *registry_api_host(const char *domain);

#endif
