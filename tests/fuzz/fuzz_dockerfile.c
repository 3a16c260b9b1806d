/* The Dockerfile parser, and the expansion of every instruction's words. */
#include "core/dockerfile.h"
#include "core/dockerfile_line.h"
#include "tests/fuzz/fuzz.h"

#include <ctype.h>

static char *const vars[] = {"A=1", "B=two words", "EMPTY=", "A=last", NULL};

/* Expands what the build would: the words, and the whole arguments as one word. */
static void expand_all(const struct dockerfile_instruction *ins, char escape)
{
	struct holt_err err = {0};

	if (!ins->keyword || !ins->text || !ins->args || !ins->flags || ins->line < 1)
		abort(); /* every instruction has what dockerfile.h promises */
	for (const char *k = ins->keyword; *k; k++)
		if (islower((unsigned char)*k))
			abort();
	char **words = dockerfile_words(ins->args, vars, escape, &err);
	if (!words != !!err.msg)
		abort(); /* a failure says why, a success does not */
	strv_free(words);
	holt_err_release(&err);
	char *s = dockerfile_expand(ins->args, vars, escape, &err);
	if (!s != !!err.msg)
		abort();
	free(s);
	holt_err_release(&err);
	char **raw = dockerfile_raw_words(ins->args, escape);
	strv_free(raw);
	for (size_t i = 0; i < ins->n_heredocs; i++)
		if (!ins->heredocs[i].name || !*ins->heredocs[i].name || !ins->heredocs[i].body)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct holt_err err = {0};
	struct dockerfile *df = dockerfile_parse((const char *)data, size, "Dockerfile", &err);

	if (!df) {
		if (!err.msg || strncmp(err.msg, "Dockerfile", 10))
			abort(); /* a failure names the file */
		holt_err_release(&err);
		return 0;
	}
	if (!df->n_stages || (df->escape != '\\' && df->escape != '`'))
		abort();
	for (size_t i = 0; i < df->n_meta_args; i++)
		expand_all(&df->meta_args[i], df->escape);
	for (size_t s = 0; s < df->n_stages; s++) {
		const struct dockerfile_stage *st = &df->stages[s];
		if (!st->base || strcmp(st->from.keyword, "FROM"))
			abort();
		if (st->name && dockerfile_stage_index(df, st->name) != (long)s)
			abort(); /* names are unique and find their stage */
		for (size_t i = 0; i < st->n_instructions; i++)
			expand_all(&st->instructions[i], df->escape);
	}
	dockerfile_free(df);
	return 0;
}
