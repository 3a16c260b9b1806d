/* docker-shaped `inspect` documents, built from holt's records. */
#ifndef HOLT_CORE_INSPECT_H
#define HOLT_CORE_INSPECT_H

#include "core/container.h"
#include "storage/image.h"
#include "storage/image_detail.h"

#include <json.h>

/* The container as `docker inspect` shows one; img may be NULL (removed with -f). */
json_object *inspect_container(const struct container *c, const struct image *img,
			       const char *storage_driver);

/* The image as `docker image inspect` shows one, with what d says of its config and
 * manifest. */
json_object *inspect_image(const struct image *img, const struct image_detail *d);

#endif
