/* The Dockerfile instructions `commit --change` takes, applied to an image's runtime
 * config (the OCI config's "config" object). */
#ifndef HOLT_CORE_INSTRUCTION_H
#define HOLT_CORE_INSTRUCTION_H

#include "core/base/err.h"
#include "core/base/json.h"

/* Applies each instruction in order: CMD, ENTRYPOINT (JSON or shell form), ENV, LABEL
 * (KEY=VALUE... or KEY VALUE), EXPOSE, STOPSIGNAL, USER, WORKDIR. As in a Dockerfile,
 * ENTRYPOINT clears Cmd unless a CMD came before it. Fails on the first that is not
 * valid, quoting it; config may then be half changed. */
int instructions_apply(json_object *config, char *const *instructions, struct holt_err *err);

/* ENV's and LABEL's effect, for KEY=VALUE pairs already expanded (build's too): a later
 * pair wins; a LABEL pair without '=' sets an empty value. */
void instruction_env_set(json_object *config, char *const *pairs);
void instruction_labels_set(json_object *config, char *const *pairs);

#endif
