/* SPDX-License-Identifier: MIT */
#include "common/textdiff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT 3
#define MATCH_LIMIT (4u * 1000 * 1000)

struct line {
	const char *text;
	size_t len;
	bool newline; /* ends in one: only a file's last line may not */
};

struct lines {
	struct line *items;
	size_t count;
};

/* One step of the edit script: keep A's line, drop it, or add B's. */
struct op {
	char kind;   /* ' ', '-' or '+' */
	size_t a, b; /* the line of A (' ', '-') or of B ('+') */
};

struct out {
	char *data;
	size_t len, cap;
	bool failed;
};

static int split(const char *text, size_t len, struct lines *out)
{
	size_t n = 0;

	out->items = NULL;
	out->count = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n' || i + 1 == len)
			n++;
	if (!n)
		return 0;
	if (!(out->items = calloc(n, sizeof(*out->items))))
		return -ENOMEM;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		out->items[out->count++] = (struct line){p, l, nl != NULL};
		p += l + (nl ? 1 : 0);
	}
	return 0;
}

static bool same(const struct line *x, const struct line *y)
{
	return x->len == y->len && x->newline == y->newline &&
	       memcmp(x->text, y->text, x->len) == 0;
}

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *bigger;
	int n;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->failed = true;
		return;
	}
	if (o->len + (size_t)n + 1 > o->cap) {
		if (!(bigger = realloc(o->data, 2 * (o->len + (size_t)n + 1)))) {
			o->failed = true;
			return;
		}
		o->data = bigger;
		o->cap = 2 * (o->len + (size_t)n + 1);
	}
	va_start(ap, fmt);
	vsnprintf(o->data + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

/* The middle of the script, A[lo_a, hi_a) against B[lo_b, hi_b): a longest
 * common subsequence where the table is small enough (and memory allows),
 * else replaced whole. Appends to OPS. */
static void match(const struct lines *A, size_t lo_a, size_t hi_a, const struct lines *B,
		  size_t lo_b, size_t hi_b, struct op *ops, size_t *nops)
{
	size_t n = hi_a - lo_a, m = hi_b - lo_b, i = 0, j = 0;
	uint32_t *t;

	if (n && m && n * m <= MATCH_LIMIT && (t = calloc((n + 1) * (m + 1), sizeof(*t)))) {
		/* t[i][j]: the longest common run of A[lo_a+i..) and B[lo_b+j..) */
		for (size_t x = n; x-- > 0;)
			for (size_t y = m; y-- > 0;)
				t[x * (m + 1) + y] =
					same(&A->items[lo_a + x], &B->items[lo_b + y])
						? t[(x + 1) * (m + 1) + y + 1] + 1
					: t[(x + 1) * (m + 1) + y] > t[x * (m + 1) + y + 1]
						? t[(x + 1) * (m + 1) + y]
						: t[x * (m + 1) + y + 1];
		while (i < n && j < m) {
			if (same(&A->items[lo_a + i], &B->items[lo_b + j]))
				ops[(*nops)++] = (struct op){' ', lo_a + i++, lo_b + j++};
			else if (t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1])
				ops[(*nops)++] = (struct op){'-', lo_a + i++, 0};
			else
				ops[(*nops)++] = (struct op){'+', 0, lo_b + j++};
		}
		free(t);
	}
	for (; i < n; i++)
		ops[(*nops)++] = (struct op){'-', lo_a + i, 0};
	for (; j < m; j++)
		ops[(*nops)++] = (struct op){'+', 0, lo_b + j};
}

/* Where the hunk that starts with the change at K ends: past the last
 * change that is closer than twice the context to the one before it, and
 * its trailing context. */
static size_t hunk_end(const struct op *ops, size_t nops, size_t k)
{
	size_t end = k, run;

	for (;;) {
		while (end < nops && ops[end].kind != ' ')
			end++;
		for (run = 0; end + run < nops && ops[end + run].kind == ' '; run++)
			;
		if (end + run == nops || run > 2 * CONTEXT)
			return end + (run < CONTEXT ? run : CONTEXT);
		end += run;
	}
}

/* How many lines of A and of B the ops [FROM, TO) hold. */
static void count_lines(const struct op *ops, size_t from, size_t to, size_t *na, size_t *nb)
{
	*na = *nb = 0;
	for (size_t x = from; x < to; x++) {
		if (ops[x].kind != '+')
			(*na)++;
		if (ops[x].kind != '-')
			(*nb)++;
	}
}

/* A hunk's range as diff -u writes it: "START,COUNT", or "START" for one
 * line; an empty side is numbered by the line before it. */
static void put_range(struct out *o, size_t before, size_t count)
{
	if (count == 1)
		put(o, "%zu", before + 1);
	else
		put(o, "%zu,%zu", count ? before + 1 : before, count);
}

static void hunks(struct out *o, const struct op *ops, size_t nops, const struct lines *A,
		  const struct lines *B)
{
	for (size_t k = 0; k < nops;) {
		size_t first, last, a0, b0, na, nb;

		while (k < nops && ops[k].kind == ' ')
			k++;
		if (k == nops)
			break;
		first = k > CONTEXT ? k - CONTEXT : 0;
		last = hunk_end(ops, nops, k);
		count_lines(ops, 0, first, &a0, &b0);
		count_lines(ops, first, last, &na, &nb);
		put(o, "@@ -");
		put_range(o, a0, na);
		put(o, " +");
		put_range(o, b0, nb);
		put(o, " @@\n");
		for (size_t x = first; x < last; x++) {
			const struct line *l =
				ops[x].kind == '+' ? &B->items[ops[x].b] : &A->items[ops[x].a];
			put(o, "%c%.*s\n%s", ops[x].kind, (int)l->len, l->text,
			    l->newline ? "" : "\\ No newline at end of file\n");
		}
		k = last;
	}
}

char *text_diff(const char *a, size_t alen, const char *b, size_t blen, const char *name_a,
		const char *name_b)
{
	struct lines A = {0}, B = {0};
	struct out o = {0};
	struct op *ops = NULL;
	size_t nops = 0, pre = 0, post = 0;
	int r;

	if ((r = split(a ? a : "", a ? alen : 0, &A)) < 0 ||
	    (r = split(b ? b : "", b ? blen : 0, &B)) < 0)
		goto out;
	while (pre < A.count && pre < B.count && same(&A.items[pre], &B.items[pre]))
		pre++;
	while (post < A.count - pre && post < B.count - pre &&
	       same(&A.items[A.count - 1 - post], &B.items[B.count - 1 - post]))
		post++;
	o.data = strdup("");
	if (!o.data || !(ops = calloc(A.count + B.count + 1, sizeof(*ops)))) {
		r = -ENOMEM;
		goto out;
	}
	if (pre == A.count && pre == B.count && (a != NULL) == (b != NULL))
		goto out; /* the same: no diff at all */
	for (size_t i = 0; i < pre; i++)
		ops[nops++] = (struct op){' ', i, i};
	match(&A, pre, A.count - post, &B, pre, B.count - post, ops, &nops);
	for (size_t i = post; i-- > 0;)
		ops[nops++] = (struct op){' ', A.count - 1 - i, B.count - 1 - i};
	put(&o, "--- %s\n+++ %s\n", a ? name_a : "/dev/null", b ? name_b : "/dev/null");
	hunks(&o, ops, nops, &A, &B);
out:
	free(A.items);
	free(B.items);
	free(ops);
	if (r < 0 || o.failed) {
		free(o.data);
		return NULL;
	}
	return o.data;
}
