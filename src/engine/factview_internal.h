/* SPDX-License-Identifier: MIT */
/* Internal to the fact view: a fact's getter and the values getters
 * return, shared by factview.c (the host's facts) and factview_ports.c
 * (reuse, forecast and bound ports). */
#ifndef TWTUNE_FACTVIEW_INTERNAL_H
#define TWTUNE_FACTVIEW_INTERNAL_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/factview.h"

typedef struct value (*getter_fn)(const struct fact_view *v);

struct fact {
	const char *name;
	getter_fn get;
	const char *doc;
};

/* The facts of factview_ports.c, and the derived strings they borrow,
 * filled by fact_view_init(). */
extern const struct fact port_facts[];
extern const size_t port_fact_count;
void fact_view_init_ports(struct fact_view *view);

/* The destination the top.* facts describe: the census's first, the one
 * with most TIME_WAIT; NULL when there is none. */
const struct destination_stat *top_destination(const struct fact_view *v);

/* Append TEXT to the string in BUF, as much as fits. */
static inline void append(char *buf, size_t size, const char *text)
{
	size_t n = strlen(buf);

	if (n < size - 1)
		snprintf(buf + n, size - n, "%s", text);
}

static inline struct value undefined(void)
{
	return (struct value){.type = VAL_UNDEFINED};
}

static inline struct value number(double n)
{
	return (struct value){.type = VAL_NUMBER, .number = n};
}

static inline struct value boolean(bool b)
{
	return (struct value){.type = VAL_BOOL, .boolean = b};
}

static inline struct value string(const char *s)
{
	return s ? (struct value){.type = VAL_STRING, .string = s} : undefined();
}

#endif
