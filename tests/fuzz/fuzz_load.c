/* The archive readers of `load`: the member list and JSON members of a tar, then what
 * its manifest.json or OCI index.json say (configs, manifests, layers, names). */
#include "storage/image_archive_input.h"
#include "storage/image_archive_meta.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *s = fuzz_store();
	cleanup_close int fd = fuzz_fd(data, size);
	struct holt_err err = {0};

	if (fd < 0)
		return 0;
	struct archive_input *in = archive_input_open(s, fd, &err);
	if (!in) {
		if (!err.msg)
			abort();
		holt_err_release(&err);
		return 0;
	}
	struct image_archive_members m = archive_input_members(in);
	enum image_archive_format format;
	struct archived_image *images = NULL;
	size_t n = 0;
	if (image_archive_meta_read(&m, &format, &images, &n, &err) < 0) {
		if (!err.msg)
			abort();
		holt_err_release(&err);
	} else {
		for (size_t i = 0; i < n; i++)
			for (char **l = images[i].layers; l && *l; l++)
				if (!archive_input_resolve(in, *l, &err))
					holt_err_release(&err);
		archived_images_free(images, n);
	}
	archive_input_free(in);
	return 0;
}
