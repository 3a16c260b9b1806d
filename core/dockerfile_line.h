/* One Dockerfile instruction read from its logical line (continuations already joined):
 * what dockerfile_parse does for each line, and what `commit --change` needs alone. */
#ifndef HOLT_CORE_DOCKERFILE_LINE_H
#define HOLT_CORE_DOCKERFILE_LINE_H

#include "core/dockerfile.h"

/* Fills ins from line: keyword, flags, args, exec form, text; no heredoc bodies. where
 * prefixes messages ("Dockerfile:3"). Fails on an unknown instruction and on one that
 * needs arguments and has none. */
int dockerfile_line_parse(const char *line, const char *where, struct dockerfile_instruction *ins,
			  struct holt_err *err);

/* Frees what ins holds, not ins itself. */
void dockerfile_instruction_clear(struct dockerfile_instruction *ins);

/* Splits args into words as BuildKit's parser does for ENV, LABEL and ARG: blanks
 * separate, quotes and ${...} group, and quotes and escapes are kept for
 * dockerfile_expand to remove. Returns a NULL-terminated list (empty: one NULL). */
char **dockerfile_raw_words(const char *args, char escape);

/* Whether keyword (upper case) may take heredocs: RUN, COPY, ADD. */
bool dockerfile_takes_heredocs(const char *keyword);

#endif
