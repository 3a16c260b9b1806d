/* Layer unpack: a (possibly compressed) tar unpacked into a scratch store's staging dir,
 * then dropped. */
#include "storage/layer.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *s = fuzz_store();
	cleanup_close int fd = fuzz_fd(data, size);
	struct holt_err err = {0};

	if (fd < 0)
		return 0;
	struct layer_stage *st = layer_unpack(s, fd, NULL, NULL, &err);
	if (!st) {
		if (!err.msg)
			abort();
		holt_err_release(&err);
		return 0;
	}
	layer_stage_free(st);
	return 0;
}
