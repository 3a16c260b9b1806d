/* `holt system check [--repair]`: the store's records against the disk, one line a
 * problem; exit 1 when a problem is left unrepaired. */
#include "cmd/cmd.h"
#include "storage/store_check.h"

#include <stdio.h>

static const struct cmd_option check_options[] = {
    {"repair", 'r', NULL, "fix what can be fixed without losing anything you made"},
    {NULL, 0, NULL, NULL},
};

const struct cmd_info cmd_system_check_info = {
    .name = "system check",
    .args = "[--repair]",
    .summary = "Check the store: records, layers, blobs, names, containers",
    .options = check_options,
};

int cmd_system_check(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct holt_err err = {0};
	struct store_check_report r;
	bool repair = false;
	int c;

	while ((c = cmd_getopt(argc, argv, &cmd_system_check_info)) != -1)
		if (c == 'r')
			repair = true;
	if (optind < argc)
		return cmd_error("system check: unexpected argument \"%s\"", argv[optind]);
	if (store_check(ctx->store, repair, &r, &err) < 0)
		return cmd_fail(&err);
	size_t left = 0;
	for (size_t i = 0; i < r.n; i++) {
		printf("%s\n", r.problems[i].what);
		left += !r.problems[i].repaired;
	}
	if (r.n == 0)
		puts("the store is consistent");
	else
		printf("%zu problem(s), %zu repaired%s\n", r.n, r.n - left,
		       left && !repair ? " (holt system check --repair fixes what it can)" : "");
	store_check_report_clear(&r);
	return left ? 1 : 0;
}
