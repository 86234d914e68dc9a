/* SPDX-License-Identifier: MIT */
/* Configuration files gathered from directories in precedence order, as
 * systemd's conf_files_list() gathers them (src/basic/conf-files.c): the
 * first directory that holds a file name provides it and masks the same
 * name in every later directory; the files are then used in the order of
 * their names, whichever directory each comes from. sysctl.d, twtune's
 * rules and its profiles all follow this. */
#ifndef TWTUNE_CONFDIRS_H
#define TWTUNE_CONFDIRS_H

#include <stddef.h>

struct conf_file {
	char name[256]; /* a directory entry's name (NAME_MAX is 255) */
	size_t dir;	/* index of the directory that provides it */
};

struct conf_files {
	struct conf_file *items;
	size_t count;
	size_t capacity;
};

/* Add the files of DIR whose names end with SUFFIX (and are longer than
 * it) to LIST as coming from directory DIR_INDEX, unless LIST holds the
 * name already: call it for the directories in precedence order. Hidden
 * names (a leading '.') are skipped, as systemd skips them. Returns 0,
 * -ENOMEM, or -errno when DIR cannot be read (the caller decides whether
 * -ENOENT or -ENOTDIR matter); the names read before a failing readdir()
 * stay in LIST. */
int conf_files_add_dir(struct conf_files *list, const char *dir, size_t dir_index,
		       const char *suffix);

/* Sort LIST by name (strcmp), the order the files are used in. */
void conf_files_sort(struct conf_files *list);

void conf_files_free(struct conf_files *list);

#endif
