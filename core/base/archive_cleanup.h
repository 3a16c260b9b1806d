/* Cleanup attributes for libarchive's handles, as util.h has for memory and fds. */
#ifndef HOLT_CORE_BASE_ARCHIVE_CLEANUP_H
#define HOLT_CORE_BASE_ARCHIVE_CLEANUP_H

#include <archive.h>
#include <archive_entry.h>

static inline void cleanup_archive_readp(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

static inline void cleanup_archive_writep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}

static inline void cleanup_archive_entryp(struct archive_entry **e)
{
	if (*e)
		archive_entry_free(*e);
}

#define cleanup_archive_read  __attribute__((cleanup(cleanup_archive_readp)))
#define cleanup_archive_write __attribute__((cleanup(cleanup_archive_writep)))
#define cleanup_archive_entry __attribute__((cleanup(cleanup_archive_entryp)))

#endif
