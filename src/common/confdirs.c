/* SPDX-License-Identifier: MIT */
#include "common/confdirs.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_config_name(const char *name, const char *suffix)
{
	size_t n = strlen(name), slen = strlen(suffix);

	/* systemd's FOREACH_DIRENT skips hidden entries. */
	return name[0] != '.' && n > slen && strcmp(name + n - slen, suffix) == 0;
}

static bool has_name(const struct conf_files *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i].name, name) == 0)
			return true;
	return false;
}

static int add_name(struct conf_files *list, const char *name, size_t dir_index)
{
	struct conf_file *item;

	if (list->count == list->capacity) {
		size_t want = list->capacity ? list->capacity * 2 : 8;
		struct conf_file *bigger;

		if (want > SIZE_MAX / sizeof(*bigger))
			return -ENOMEM;
		bigger = realloc(list->items, want * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		list->items = bigger;
		list->capacity = want;
	}
	item = &list->items[list->count++];
	snprintf(item->name, sizeof(item->name), "%s", name);
	item->dir = dir_index;
	return 0;
}

int conf_files_add_dir(struct conf_files *list, const char *dir, size_t dir_index,
		       const char *suffix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d)
		return -errno;
	for (errno = 0; (de = readdir(d)); errno = 0) {
		if (!is_config_name(de->d_name, suffix) || has_name(list, de->d_name))
			continue;
		if ((r = add_name(list, de->d_name, dir_index)) < 0)
			goto out;
	}
	if (errno)
		r = -errno;
out:
	closedir(d);
	return r;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name, ((const struct conf_file *)b)->name);
}

void conf_files_sort(struct conf_files *list)
{
	if (list->count)
		qsort(list->items, list->count, sizeof(*list->items), compare_names);
}

void conf_files_free(struct conf_files *list)
{
	free(list->items);
	memset(list, 0, sizeof(*list));
}
