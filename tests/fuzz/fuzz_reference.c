/* Image references: parse, and what a parsed one must give back. */
#include "storage/reference.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_free char *s = fuzz_string(data, size);
	cleanup_reference struct reference r = {0};
	struct holt_err err = {0};

	if (reference_parse(s, &r, &err) < 0) {
		if (!err.msg)
			abort(); /* a failure must say why */
		holt_err_release(&err);
		return 0;
	}
	cleanup_free char *full = reference_string(&r);
	cleanup_free char *repo = reference_repository(&r);
	cleanup_free char *familiar = reference_familiar(&r);
	cleanup_free char *familiar_repo = reference_familiar_repository(&r);
	/* The normalized form must parse back to itself. */
	cleanup_reference struct reference again = {0};
	if (reference_parse(full, &again, &err) < 0) {
		fprintf(stderr, "\"%s\" parsed to \"%s\", which does not parse: %s\n", s, full,
			err.msg);
		abort();
	}
	cleanup_free char *full2 = reference_string(&again);
	if (strcmp(full, full2) != 0) {
		fprintf(stderr, "\"%s\" -> \"%s\" -> \"%s\"\n", s, full, full2);
		abort();
	}
	/* So must the familiar form, to the same reference. */
	cleanup_reference struct reference fam = {0};
	if (reference_parse(familiar, &fam, &err) < 0) {
		fprintf(stderr, "\"%s\" shown as \"%s\", which does not parse: %s\n", s, familiar,
			err.msg);
		abort();
	}
	cleanup_free char *full3 = reference_string(&fam);
	if (strcmp(full, full3) != 0 || strncmp(familiar, familiar_repo, strlen(familiar_repo))) {
		fprintf(stderr, "\"%s\" -> \"%s\", shown as \"%s\" (\"%s\") -> \"%s\"\n", s, full,
			familiar, familiar_repo, full3);
		abort();
	}
	if (!reference_after_repository(full, repo))
		abort();
	return 0;
}
