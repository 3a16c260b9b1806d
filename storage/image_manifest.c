#include "storage/image_manifest.h"
#include "core/base/util.h"
#include "storage/blob.h"
#include "storage/image_record.h"

int image_manifest(struct store *s, const char *id, char **digest, char **body, size_t *len,
		   struct holt_err *err)
{
	struct image_record rec;
	if (image_record_load(s, id, &rec, err) < 0)
		return -1;
	*body = blob_read(s, rec.manifest, len, err);
	*digest = *body ? xstrdup(rec.manifest) : NULL;
	image_record_clear(&rec);
	return *body ? 0 : -1;
}
