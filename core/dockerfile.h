/* A Dockerfile or Containerfile read as docker's frontend reads it: parser directives,
 * line continuations, comments, exec and shell forms, heredocs, and the expansion of
 * $VAR words. Parsing does not expand: the build expands each instruction with the
 * variables in scope at its step. */
#ifndef HOLT_CORE_DOCKERFILE_H
#define HOLT_CORE_DOCKERFILE_H

#include "core/base/err.h"

#include <stdbool.h>
#include <stddef.h>

struct dockerfile_heredoc {
	char *name;  /* the delimiter word, without quotes: "EOF" */
	char *body;  /* the lines between the instruction and the delimiter, each ending in \n */
	bool expand; /* the delimiter was unquoted: $VAR in body is expanded */
	bool chomp;  /* <<-: leading tabs were stripped from body's lines */
};

struct dockerfile_instruction {
	char *keyword; /* upper case: "RUN", "COPY" */
	char *
	    *flags; /* the --name[=value] words before the arguments, unexpanded; NULL-terminated */
	char *args; /* the rest of the instruction, continuations joined, unexpanded */
	char **json; /* the exec (JSON array) form's strings, else NULL: the shell form */
	struct dockerfile_heredoc *heredocs; /* in the order their << appear */
	size_t n_heredocs;
	char *text; /* the instruction as written (continuations joined): history and messages */
	int line;   /* the line it starts on, from 1 */
};

struct dockerfile_stage {
	struct dockerfile_instruction from; /* the FROM itself: flags (--platform), args */
	char *base; /* FROM's image word, unexpanded: "debian:${V}", "scratch" */
	char *name; /* AS name, lower-cased, or NULL */
	struct dockerfile_instruction *instructions; /* those after FROM, up to the next FROM */
	size_t n_instructions;
};

struct dockerfile {
	char *path;   /* as given to dockerfile_parse, for messages */
	char escape;  /* '\\' or '`', from the escape directive */
	char *syntax; /* the syntax directive, or NULL; holt ignores it */
	struct dockerfile_instruction *meta_args; /* the ARGs before the first FROM */
	size_t n_meta_args;
	struct dockerfile_stage *stages;
	size_t n_stages;
};

/* Parses text (len bytes, need not end in NUL). Errors name path, the line and the
 * instruction: `Dockerfile:7: RUN: heredoc "EOF" is not closed`. Fails on an unknown
 * instruction, an instruction before the first FROM other than ARG, and a file with no
 * FROM. */
struct dockerfile *dockerfile_parse(const char *text, size_t len, const char *path,
				    struct holt_err *err);
void dockerfile_free(struct dockerfile *df);

/* The stage named name (an AS name, case-insensitive) or numbered by it ("0", "1"), or -1. */
long dockerfile_stage_index(const struct dockerfile *df, const char *name);

/* Expands word as docker's shell lexer does, without splitting: $VAR, ${VAR},
 * ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word}, ${VAR:?msg}, quotes removed,
 * the escape character honoured. vars is a NULL-terminated KEY=VALUE list in which a
 * later entry wins; an unset variable expands to "". Fails on a malformed ${...} or
 * a ${VAR:?msg} with VAR unset or empty. */
char *dockerfile_expand(const char *word, char *const *vars, char escape, struct holt_err *err);

/* Splits args into words as docker's shell lexer does (blanks separate, quotes group and
 * are removed) and expands each as dockerfile_expand does; a word that expands to nothing
 * unquoted is dropped. Returns a NULL-terminated list (empty: a list of one NULL). */
char **dockerfile_words(const char *args, char *const *vars, char escape, struct holt_err *err);

/* As dockerfile_words, and the value of an unquoted $VAR or ${...} is split at blanks into
 * several words, as BuildKit does for EXPOSE: `ARG P="80 443"` then `EXPOSE $P` exposes two
 * ports; "$P" stays one word. COPY, ADD, VOLUME and the others do not split in BuildKit. */
char **dockerfile_fields(const char *args, char *const *vars, char escape, struct holt_err *err);

#endif
