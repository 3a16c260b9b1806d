/* What the parts of a build share: the build as a whole, one stage being built, the
 * trees COPY reads, and the cache. Internal to core/build*.c. */
#ifndef HOLT_CORE_BUILD_STAGE_H
#define HOLT_CORE_BUILD_STAGE_H

#include "core/base/digest.h"
#include "core/base/json.h"
#include "core/build.h"
#include "core/dockerfile.h"
#include "core/dockerignore.h"

#include <sys/stat.h>

struct build {
	struct store *s;
	const struct build_opts *o;
	struct dockerfile *df;
	struct dockerignore *ignore; /* the context's, or NULL */
	char **meta_args;	     /* the ARGs before FROM with their values, KEY=VALUE */
	char **used_args;	     /* the names of the ARGs declared, for --build-arg's check */
	char **stage_ids;	     /* per stage: the image it built, NULL when not (yet) */
	size_t target;		     /* the stage whose image is the result */
	size_t step, n_steps;	     /* for "STEP n/m" */
	json_object *index;	     /* the stat index: path -> "stat-key digest" */
	bool index_changed;
	bool fake_root_said; /* the single-uid map's warning was given */
};

struct build_stage {
	struct build *b;
	size_t n; /* its index in the Dockerfile */
	const struct dockerfile_stage *df;
	char *base_id;		   /* FROM's image; NULL: scratch */
	size_t base_layers;	   /* how many layers it has */
	char *image_id;		   /* its image so far; NULL: scratch with nothing yet */
	struct image *image;	   /* the same, looked up; NULL with image_id */
	json_object *config;	   /* the runtime config so far */
	json_object *history;	   /* entries of the steps since image_id, all empty_layer */
	char **args;		   /* ARGs in scope, KEY=VALUE */
	char **shell;		   /* SHELL; the shell form's interpreter */
	char *author;		   /* MAINTAINER */
	bool cmd_set;		   /* a CMD in this stage: ENTRYPOINT keeps it */
	char key[DIGEST_STR_SIZE]; /* the cache key of the steps so far */
};

/* A progress line, "STEP 3/9: RUN make" and the like. */
void build_say(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Builds stage n of the Dockerfile; its image id goes to b->stage_ids[n]. */
int build_stage(struct build *b, size_t n, struct holt_err *err);

/* The variables an instruction of st expands with: its ARGs, then its ENV. */
char **build_stage_vars(const struct build_stage *st);
/* Adds a history entry for a step that made no layer. */
void build_stage_note(struct build_stage *st, const char *created_by);
/* Moves st to image id, made or found in the cache (the pending history is in it). */
int build_stage_set_image(struct build_stage *st, const char *id, struct holt_err *err);
/* When the step whose cache key is key is cached (and --no-cache is not given), moves st
 * to its image and returns 1; else returns 0. */
int build_stage_cached(struct build_stage *st, const char *key, struct holt_err *err);
/* Makes the step's image: write_layer's layer (NULL: none) with st's config and history;
 * caches it under key and moves st to it. */
int build_stage_commit(struct build_stage *st, const char *key, const char *created_by,
		       int (*write_layer)(void *ctx, int fd, struct holt_err *err), void *ctx,
		       struct holt_err *err);

/* A step that changes only st->config: 0 when applied, 1 when in is no such step. */
int build_config(struct build_stage *st, const struct dockerfile_instruction *in,
		 struct holt_err *err);
/* EXPOSE, STOPSIGNAL, USER, WORKDIR: expanded, then applied as commit --change is. */
int build_config_change(struct build_stage *st, const struct dockerfile_instruction *in,
			struct holt_err *err);

/* The steps. */
int build_run(struct build_stage *st, const struct dockerfile_instruction *in,
	      struct holt_err *err);
int build_copy(struct build_stage *st, const struct dockerfile_instruction *in, bool add,
	       struct holt_err *err);
/* Adds the mounts of one RUN --mount=value to cfg, and what they show to key; the target
 * of a bind with rw goes to *rw, its source still the original. */
int build_mounts(struct build_stage *st, const char *value, struct container_config *cfg,
		 struct digest *key, char ***rw, struct holt_err *err);
/* Points each bind of cfg whose target is in rw at a scratch copy of its source in the
 * store's staging dir (BuildKit's rw bind: the step's writes never reach the source);
 * the copies' dirs go to *scratch, for the caller to remove after the step. */
int build_mounts_copy_rw(struct build_stage *st, struct container_config *cfg, char *const *rw,
			 char ***scratch, struct holt_err *err);
/* Under fake-root-ids, where st's image has apt: a read-only bind of an apt.conf.d file
 * that turns apt's _apt sandbox off, whose setuid check would fail. */
int build_mounts_apt_sandbox(struct build_stage *st, struct container_config *cfg,
			     struct holt_err *err);
/* --squash: st's image made its base and one layer with what st's steps did. */
int build_squash(struct build_stage *st, const char *base_id, size_t base_layers,
		 struct holt_err *err);
/* WORKDIR's dir, made in a layer when the image lacks it. */
int build_workdir(struct build_stage *st, const char *dir, const char *created_by,
		  struct holt_err *err);

/* A tree COPY reads: a context dir (with its .dockerignore) or an image's layers. */
struct build_tree {
	char **roots; /* top first */
	size_t n;
	bool layered; /* overlay whiteouts and opaque dirs hide what is below */
	const struct dockerignore *ignore;
};
/* The tree of an image's layers. */
void build_tree_image(struct build_tree *t, const struct image *img);
void build_tree_release(struct build_tree *t);
/* The host path of rel (relative, no leading '/'; "" the root) in t, *st its lstat;
 * NULL when it is not there. */
char *build_tree_find(const struct build_tree *t, const char *rel, struct stat *st);
/* The names in dir rel of t, sorted, without what t hides. */
char **build_tree_list(const struct build_tree *t, const char *rel);

/* The cache: key = digest of (parent key, what the step does). */
void build_key(char out[DIGEST_STR_SIZE], const char *parent, const char *what);
/* The image cached under key, when it is still stored; else NULL. */
char *build_cache_get(struct store *s, const char *key);
int build_cache_put(struct store *s, const char *key, const char *id, struct holt_err *err);
/* A digest of path's contents, from the stat index when path is unchanged since. */
int build_file_digest(struct build *b, const char *path, const struct stat *st,
		      char out[DIGEST_STR_SIZE], struct holt_err *err);
void build_index_load(struct build *b);
int build_index_save(struct build *b, struct holt_err *err);

struct archive;
/* Writes the bytes of the regular file at host as the data of a's current entry. */
int build_archive_file_data(struct archive *a, const char *host, struct holt_err *err);

#endif
