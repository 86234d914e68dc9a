/* SPDX-License-Identifier: MIT */
#include "sysctld/rewrite.h"

#include <stdlib.h>
#include <string.h>

/* A growing output buffer: the merged file has as many rewritten lines as
 * the old one had assignments of the keys, each up to a full value long. */
struct text {
	char *data;
	size_t len, cap;
	bool failed;
};

static void append(struct text *t, const char *data, size_t len)
{
	if (t->failed)
		return;
	if (t->len + len + 1 > t->cap) {
		size_t cap = (t->len + len + 1) * 2;
		char *bigger = realloc(t->data, cap);
		if (!bigger) {
			t->failed = true;
			return;
		}
		t->data = bigger;
		t->cap = cap;
	}
	memcpy(t->data + t->len, data, len);
	t->len += len;
	t->data[t->len] = '\0';
}

static void append_assignment(struct text *t, const struct sysctld_setting *s)
{
	append(t, s->key, strlen(s->key));
	append(t, " = ", 3);
	append(t, s->value, strlen(s->value));
	append(t, "\n", 1);
}

/* The setting (index into PATHS, the settings' keys in path form) that
 * line LINE of the old file assigns, or -1. */
static int assigned_key(const struct sysctl_config *parsed, unsigned line, char *const *paths,
			size_t count)
{
	for (size_t a = 0; parsed && a < parsed->count; a++) {
		if (parsed->assignments[a].line != line)
			continue;
		for (size_t i = 0; i < count; i++)
			if (paths[i] && strcmp(parsed->assignments[a].key, paths[i]) == 0)
				return (int)i;
	}
	return -1;
}

char *sysctld_rewrite(const char *old, size_t old_len, bool existed,
		      const struct sysctl_config *parsed, const struct sysctld_setting *settings,
		      size_t count, const char *header, size_t *len)
{
	struct text out = {0};
	char **paths = calloc(count ? count : 1, sizeof(*paths));
	bool *present = calloc(count ? count : 1, sizeof(*present));
	unsigned line = 1;
	const char *p = old;

	if (!paths || !present) {
		free(paths);
		free(present);
		return NULL;
	}
	for (size_t i = 0; i < count; i++)
		paths[i] = sysctld_normalize_key(settings[i].key);
	if (!existed && header)
		append(&out, header, strlen(header));
	while (existed && p < old + old_len) {
		const char *end = memchr(p, '\n', (size_t)(old + old_len - p));
		size_t llen = end ? (size_t)(end - p) + 1 : (size_t)(old + old_len - p);
		int match = assigned_key(parsed, line, paths, count);

		if (match >= 0) {
			append_assignment(&out, &settings[match]);
			present[match] = true;
		} else {
			append(&out, p, llen);
			if (!end)
				append(&out, "\n", 1); /* the last line gets its newline */
		}
		p += llen;
		line++;
	}
	for (size_t i = 0; i < count; i++) {
		if (!present[i])
			append_assignment(&out, &settings[i]);
		free(paths[i]);
	}
	free(paths);
	free(present);
	append(&out, "", 0); /* an empty file is text too */
	if (out.failed) {
		free(out.data);
		return NULL;
	}
	*len = out.len;
	return out.data;
}
