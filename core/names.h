/* Container names: docker's rule for valid ones, and generated adjective_noun names. */
#ifndef HOLT_CORE_NAMES_H
#define HOLT_CORE_NAMES_H

#include <stdbool.h>

/* True when name matches [a-zA-Z0-9][a-zA-Z0-9_.-]*, as docker requires. */
bool names_valid(const char *name);
/* A random "adjective_noun" name; with_number appends a digit as docker does on retry. */
char *names_generate(bool with_number);

#endif
