/* Registry credentials in the auth file docker and podman share the format of:
 * {"auths": {"HOST[:PORT]": {"auth": base64("user:password")}}}. */
#ifndef HOLT_NET_AUTH_FILE_H
#define HOLT_NET_AUTH_FILE_H

#include "core/base/err.h"

/* The file login writes: authfile when given, else $REGISTRY_AUTH_FILE, else
 * $XDG_CONFIG_HOME/containers/auth.json (podman reads it too). Caller frees. */
char *auth_file_path(const char *authfile);

/* The credentials for host: from authfile when given, else the first of the written file,
 * $XDG_RUNTIME_DIR/containers/auth.json and ~/.docker/config.json that has host.
 * *user is NULL when none has it. */
int auth_file_get(const char *authfile, const char *host, char **user, char **password,
		  struct holt_err *err);

/* Stores user:password for host, atomically, mode 0600. */
int auth_file_set(const char *authfile, const char *host, const char *user, const char *password,
		  struct holt_err *err);

/* Removes host's entry; fails with errnum ENOENT when there was none. */
int auth_file_remove(const char *authfile, const char *host, struct holt_err *err);

#endif
