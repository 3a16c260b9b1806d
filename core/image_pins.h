/* A container pins the image it was made from: its layers are the container's lower
 * dirs, so rmi and prune must keep them while the container's record exists. */
#ifndef HOLT_CORE_IMAGE_PINS_H
#define HOLT_CORE_IMAGE_PINS_H

#include "storage/image.h"

/* image_users_fn for storage's removals: the containers whose record names image_id,
 * a running one reported first. */
int container_image_users(struct store *s, const char *image_id, char **who, bool *running,
			  struct holt_err *err);

#endif
