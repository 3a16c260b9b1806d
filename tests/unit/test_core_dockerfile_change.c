/* Unit tests of the instructions commit --change applies, read by the Dockerfile parser. */
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/instruction.h"
#include "tests/unit/helpers.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <string.h>

/* The config after changes, as compact JSON; NULL and the message in *why on failure. */
static char *applied(const char *start, char *const *changes, char **why)
{
	cleanup_json json_object *config = json_tokener_parse(start);
	struct holt_err err = {0};

	*why = NULL;
	if (instructions_apply(config, changes, &err) < 0) {
		*why = xstrdup(err.msg);
		holt_err_release(&err);
		return NULL;
	}
	return xstrdup(json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void expect(const char *start, char *const *changes, const char *want)
{
	char *why;
	cleanup_free char *got = applied(start, changes, &why);

	ok(got && !strcmp(got, want), "%s -> %s: %s", changes[0], want, got ? got : why);
	free(why);
}

static void expect_error(char *const *changes, const char *want)
{
	char *why;
	cleanup_free char *got = applied("{}", changes, &why);

	ok(!got && why && !strcmp(why, want), "%s fails: [%s]", changes[0], why ? why : got);
	free(why);
}

#define V(...) ((char *const[]){__VA_ARGS__, NULL})

int main(void)
{
	expect("{}", V("ENV A=1 B=\"two words\" C='$A'"),
	       "{\"Env\":[\"A=1\",\"B=two words\",\"C=$A\"]}");
	expect("{\"Env\":[\"HOME=/root\"]}", V("env P=$HOME/bin", "ENV Q=${P}:${NOPE:-x}"),
	       "{\"Env\":[\"HOME=/root\",\"P=/root/bin\",\"Q=/root/bin:x\"]}");
	expect("{\"Env\":[\"V=a b\"]}", V("ENV W=$V"), "{\"Env\":[\"V=a b\",\"W=a b\"]}");
	expect("{}", V("ENV OLD  the rest $NOPE stays"), "{\"Env\":[\"OLD=the rest  stays\"]}");
	expect("{}", V("LABEL \"k 1\"=v k2=\"x y\""),
	       "{\"Labels\":{\"k 1\":\"v\",\"k2\":\"x y\"}}");
	expect("{\"Cmd\":[\"x\"]}", V("ENTRYPOINT [\"sh\", \"-c\"]"),
	       "{\"Entrypoint\":[\"sh\",\"-c\"]}");
	expect("{}", V("CMD [\"a\"]", "ENTRYPOINT echo $X"),
	       "{\"Cmd\":[\"a\"],\"Entrypoint\":[\"/bin/sh\",\"-c\",\"echo $X\"]}");
	expect("{}", V("CMD []"), "{\"Cmd\":[]}");
	expect("{\"Env\":[\"P=8080\"]}", V("EXPOSE $P 53/UDP 1-2"),
	       "{\"Env\":[\"P=8080\"],\"ExposedPorts\":{\"8080/tcp\":{},\"53/udp\":{},"
	       "\"1/tcp\":{},\"2/tcp\":{}}}");
	expect("{\"Env\":[\"D=app\"]}", V("WORKDIR /srv", "WORKDIR $D", "USER ${U:-nobody}"),
	       "{\"Env\":[\"D=app\"],\"WorkingDir\":\"/srv/app\",\"User\":\"nobody\"}");
	expect("{}", V("STOPSIGNAL SIGTERM"), "{\"StopSignal\":\"SIGTERM\"}");

	expect_error(V("FROBNICATE x"),
		     "change \"FROBNICATE x\": unknown instruction \"FROBNICATE\"");
	expect_error(V("RUN x"),
		     "change \"RUN x\": holt takes CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
		     "STOPSIGNAL, USER and WORKDIR, not RUN");
	expect_error(V("CMD"), "change \"CMD\": CMD needs an argument");
	expect_error(V("USER"), "change \"USER\": USER: needs an argument");
	expect_error(V("ENV A"), "change \"ENV A\": \"A\" needs a value");
	expect_error(V("ENV A=1 =2"), "change \"ENV A=1 =2\": \"=2\" is not KEY=VALUE");
	expect_error(V("ENV A=\"open"),
		     "change \"ENV A=\"open\": expand \"\"open\": a double quote is not closed");
	expect_error(V("EXPOSE 99999"), "change \"EXPOSE 99999\": \"99999\" is not "
					"PORT[-PORT][/tcp|udp|sctp]");
	expect_error(V("STOPSIGNAL NOPE"), "change \"STOPSIGNAL NOPE\": \"NOPE\" is not a signal");
	plan(tap_n);
	return done();
}
