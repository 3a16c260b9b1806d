/* `import`: a root filesystem tarball becomes a one-layer image, written exactly as a
 * pull writes one (layer blob, OCI config, OCI manifest, record, name). */
#include "core/base/platform.h"
#include "core/base/util.h"
#include "storage/image.h"
#include "storage/image_stage.h"
#include "storage/layer.h"

#include <string.h>

/* The OCI image config: host platform, one diff_id, an empty runtime config. */
static json_object *import_config(const struct layer_info *li)
{
	cleanup_free char *now = util_now_rfc3339();
	json_object *o = json_object_new_object();
	json_object_object_add(o, "created", json_object_new_string(now));
	json_object_object_add(o, "architecture", json_object_new_string(platform_arch()));
	json_add_string(o, "variant", platform_variant());
	json_object_object_add(o, "os", json_object_new_string(platform_os()));
	json_object_object_add(o, "config", json_object_new_object());
	json_object *rootfs = json_object_new_object();
	json_object *diff_ids = json_object_new_array();
	json_object_array_add(diff_ids, json_object_new_string(li->diff_id));
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "diff_ids", diff_ids);
	json_object_object_add(o, "rootfs", rootfs);
	json_object *h = json_object_new_object();
	json_object_object_add(h, "created", json_object_new_string(now));
	json_object_object_add(h, "created_by", json_object_new_string("holt import"));
	json_object *history = json_object_new_array();
	json_object_array_add(history, h);
	json_object_object_add(o, "history", history);
	return o;
}

char *image_import(struct store *s, int fd, const char *name, unsigned *skipped_devices,
		   struct holt_err *err)
{
	cleanup_free char *full = NULL;
	if (image_stage_name(name, &full, err) < 0)
		return NULL;

	struct image_stage st = {0};
	char *id = NULL;
	st.layer = layer_unpack(s, fd, NULL, NULL, err);
	if (st.layer) {
		cleanup_json json_object *config = import_config(layer_stage_info(st.layer));
		if (image_stage_write(s, &st, config, NULL, NULL, err) == 0 &&
		    image_stage_commit(s, &st, full, err) == 0)
			id = steal_pointer(&st.id);
	}
	if (skipped_devices)
		*skipped_devices = st.layer ? layer_stage_info(st.layer)->skipped_devices : 0;
	image_stage_clear(&st);
	return id;
}
