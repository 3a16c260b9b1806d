/* Image references parsed as docker parses them: "busybox" is
 * docker.io/library/busybox:latest; "host:5000/a/b:t", "name@sha256:<hex>". */
#ifndef HOLT_STORAGE_REFERENCE_H
#define HOLT_STORAGE_REFERENCE_H

#include "core/base/err.h"

#include <stdbool.h>

struct reference {
	char *domain;  /* "docker.io", "localhost:5000" */
	char *path;    /* "library/busybox", "a/b" */
	char *tag;     /* "latest" when neither tag nor digest was given; NULL with a bare digest */
	char *digest;  /* "sha256:<hex>", or NULL */
	bool is_short; /* the text named no registry: docker.io was taken */
};

/* Parses and normalizes s into r (fields owned by r). On a malformed reference, fails
 * with a message that quotes s and says what is wrong. */
int reference_parse(const char *s, struct reference *r, struct holt_err *err);
/* Frees r's fields (not r itself). */
void reference_clear(struct reference *r);
#define cleanup_reference __attribute__((cleanup(reference_clear)))

/* "docker.io/library/busybox:latest", "h/a@sha256:…", with tag and digest as present. */
char *reference_string(const struct reference *r);
/* The repository alone: "docker.io/library/busybox". */
char *reference_repository(const struct reference *r);
/* What full ("docker.io/library/busybox:1", "…@sha256:…") has after repository repo:
 * ":tag…" or "@digest"; NULL when it is a reference in another repository. */
const char *reference_after_repository(const char *full, const char *repo);
/* The repository as docker shows it: "busybox", "me/app", "localhost:5000/a/b". */
char *reference_familiar_repository(const struct reference *r);
/* The whole reference as docker shows it: "busybox:latest", "localhost:5000/a/b@sha256:…". */
char *reference_familiar(const struct reference *r);

#endif
