/* The connect filter names the architectures the default profile lets in: a process of
 * one it left out would be killed by the connect filter alone (on arm64, every 32-bit
 * ARM program), and net/tcp_bypass.c reads the calls of those it names. */
#include "core/seccomp.h"
#include "tests/unit/tap.h"

#include <json-c/json.h>
#include <string.h>

static const char *arch_map(const char *profile, json_object **root)
{
	*root = json_tokener_parse(profile);
	json_object *map = NULL;
	if (!*root || !json_object_object_get_ex(*root, "archMap", &map))
		return NULL;
	return json_object_to_json_string_ext(map, JSON_C_TO_STRING_PLAIN);
}

int main(void)
{
	plan(2);
	json_object *def, *conn;
	const char *d = arch_map(seccomp_default_profile, &def);
	const char *c = arch_map(seccomp_connect_profile, &conn);
	ok(d && c, "both profiles have an archMap");
	ok(d && c && strcmp(d, c) == 0,
	   "the connect filter's archMap is the default profile's:\n"
	   "# default %s\n# connect %s",
	   d ? d : "", c ? c : "");
	json_object_put(def);
	json_object_put(conn);
	return done();
}
