/* -o FILE of save and export: the archive appears under its name only once whole, and a
 * ^C or kill leaves no temporary file behind (the next command removes what a kill -9
 * left). */
#ifndef HOLT_CMD_OUTPUT_FILE_H
#define HOLT_CMD_OUTPUT_FILE_H

#include "core/base/file.h"

#include <stdbool.h>

int cmd_output_file_open(struct atomic_file *f, const char *path, mode_t mode,
			 struct holt_err *err);
/* Renames the file into place when whole, else removes it; releases f. */
int cmd_output_file_close(struct atomic_file *f, bool whole, struct holt_err *err);

#endif
