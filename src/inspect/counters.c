/* SPDX-License-Identifier: MIT */
#include "inspect/counters.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "inspect/ct_stats.h"
#include "inspect/procfs.h"

/* A view of one line inside a larger buffer; nothing is copied. */
struct line {
	const char *start;
	size_t len;
	unsigned number;
};

static bool next_line(const char **cursor, struct line *l)
{
	const char *p = *cursor;
	const char *nl;

	if (!*p)
		return false;
	nl = strchr(p, '\n');
	l->start = p;
	l->len = nl ? (size_t)(nl - p) : strlen(p);
	l->number++;
	*cursor = nl ? nl + 1 : p + l->len;
	return true;
}

/* Does the line start with "SECTION:"? Then point *rest after the colon. */
static bool in_section(const struct line *l, const char *section, const char **rest)
{
	size_t n = strlen(section);

	if (l->len <= n || strncmp(l->start, section, n) != 0 || l->start[n] != ':')
		return false;
	*rest = l->start + n + 1;
	return true;
}

/* Next blank-separated token of a line; false at its end. */
static bool next_token(const char **p, const char *end, const char **tok, size_t *len)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	if (s >= end)
		return false;
	*tok = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\r')
		s++;
	*len = (size_t)(s - *tok);
	*p = s;
	return true;
}

static size_t count_tokens(const char *p, const char *end)
{
	const char *tok;
	size_t len, n = 0;

	while (next_token(&p, end, &tok, &len))
		n++;
	return n;
}

static bool token_is(const char *tok, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(tok, word, len) == 0;
}

/* What is wrong with a line, for the message naming it (may be NULL). */
struct fault {
	char *text;
	size_t size;
};

static void say(struct fault *why, const char *message)
{
	if (why && why->text)
		snprintf(why->text, why->size, "%s", message);
}

/* A counter's value: what the kernel prints with %lu, 0 to 2^64-1. */
static int token_counter(const char *field, const char *tok, size_t len, uint64_t *out,
			 struct fault *why)
{
	char shown[48];
	int r = strict_uint_n(tok, len, 0, UINT64_MAX, out);

	if (r == 0)
		return 0;
	if (why && why->text) {
		snprintf(shown, sizeof(shown), "%.*s%s", (int)(len < 40 ? len : 40), tok,
			 len > 40 ? "..." : "");
		strict_uint_error(r, field, shown, 0, UINT64_MAX, why->text, why->size);
	}
	return -EBADMSG;
}

static bool has_section(const char *text, const char *section)
{
	struct line l = {0};
	const char *cursor = text, *rest;

	while (next_line(&cursor, &l))
		if (in_section(&l, section, &rest))
			return true;
	return false;
}

static int table_lookup(const char *text, const char *section, const char *field, uint64_t *value,
			unsigned *bad_line, struct fault *why)
{
	struct line header = {0}, values;
	const char *cursor = text, *hp, *vp;
	const char *htok, *vtok;
	size_t hlen, vlen;

	for (;;) {
		if (!next_line(&cursor, &header))
			return -ENOENT;
		if (in_section(&header, section, &hp))
			break;
	}
	values = header;
	if (!next_line(&cursor, &values) || !in_section(&values, section, &vp)) {
		*bad_line = header.number;
		say(why, "a line of names without its line of values");
		return -EBADMSG;
	}
	/* Names and values must pair up over the whole line, or no value on
	 * it can be trusted to be the one its position suggests. */
	if (count_tokens(hp, header.start + header.len) !=
	    count_tokens(vp, values.start + values.len)) {
		*bad_line = values.number;
		say(why, "names and values do not pair up");
		return -EBADMSG;
	}
	while (next_token(&hp, header.start + header.len, &htok, &hlen) &&
	       next_token(&vp, values.start + values.len, &vtok, &vlen)) {
		if (!token_is(htok, hlen, field))
			continue;
		if (token_counter(field, vtok, vlen, value, why) < 0) {
			*bad_line = values.number;
			return -EBADMSG;
		}
		return 0;
	}
	return -ENOENT;
}

int counter_table_lookup(const char *text, const char *section, const char *field, uint64_t *value,
			 unsigned *bad_line)
{
	return table_lookup(text, section, field, value, bad_line, NULL);
}

static int pairs_lookup(const char *text, const char *section, const char *field, uint64_t *value,
			unsigned *bad_line, struct fault *why)
{
	struct line l = {0};
	const char *cursor = text, *p, *tok, *num;
	size_t len, nlen;

	while (next_line(&cursor, &l)) {
		if (!in_section(&l, section, &p))
			continue;
		while (next_token(&p, l.start + l.len, &tok, &len)) {
			if (!next_token(&p, l.start + l.len, &num, &nlen)) {
				*bad_line = l.number;
				if (why && why->text)
					snprintf(why->text, why->size, "'%.*s' has no value",
						 (int)len, tok);
				return -EBADMSG;
			}
			if (!token_is(tok, len, field))
				continue;
			if (token_counter(field, num, nlen, value, why) < 0) {
				*bad_line = l.number;
				return -EBADMSG;
			}
			return 0;
		}
		return -ENOENT;
	}
	return -ENOENT;
}

int counter_pairs_lookup(const char *text, const char *section, const char *field, uint64_t *value,
			 unsigned *bad_line)
{
	return pairs_lookup(text, section, field, value, bad_line, NULL);
}

/* A file that holds none of the lines a counter is read from (empty, cut
 * before them, or another file altogether) is malformed: every kernel
 * twtune knows prints Tcp: in net/snmp, TcpExt: in net/netstat and TCP:
 * in net/sockstat. Only a field may be missing (an older kernel). */
static void check_sections(const char *proc_root, const char *file, const char *text,
			   struct tw_facts *f)
{
	for (int id = 0; id < CTR_COUNT; id++) {
		const struct counter_info *ci = counter_info(id);

		if (strcmp(ci->file, file) != 0 || has_section(text, ci->section))
			continue;
		facts_add_error(f, "counters", "%s/%s: no %s: line (empty, or not a /proc/%s file)",
				proc_root, file, ci->section, file);
		return;
	}
}

int read_counters(const char *proc_root, struct counter out[CTR_COUNT], struct tw_facts *f)
{
	static const char *const files[] = {"net/snmp", "net/netstat", "net/sockstat"};
	char buf[65536];
	int found = 0;

	memset(out, 0, sizeof(struct counter) * CTR_COUNT);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		long n = procfs_read(proc_root, files[i], buf, sizeof(buf));

		if (n < 0) {
			if (f)
				facts_add_error(f, "counters", "%s/%s: %s", proc_root, files[i],
						strerror((int)-n));
			continue;
		}
		unsigned reported_line = 0; /* one message per malformed line */

		if (f)
			check_sections(proc_root, files[i], buf, f);
		for (int id = 0; id < CTR_COUNT; id++) {
			const struct counter_info *ci = counter_info(id);
			char detail[192] = "";
			struct fault why = {detail, sizeof(detail)};
			unsigned bad_line = 0;
			int r;

			if (strcmp(ci->file, files[i]) != 0)
				continue;
			if (i == 2)
				r = pairs_lookup(buf, ci->section, ci->field, &out[id].value,
						 &bad_line, &why);
			else
				r = table_lookup(buf, ci->section, ci->field, &out[id].value,
						 &bad_line, &why);
			if (r == 0) {
				out[id].present = true;
				found++;
			} else if (r == -EBADMSG && f && bad_line != reported_line) {
				reported_line = bad_line;
				facts_add_error(f, "counters", "%s/%s:%u: malformed %s line: %s",
						proc_root, files[i], bad_line, ci->section, detail);
			}
			/* -ENOENT: an older kernel without this counter; absent. */
		}
	}
	return found + ct_stats_read(proc_root, out, f);
}

void compute_rates(const struct counter before[CTR_COUNT], const struct counter after[CTR_COUNT],
		   double interval, struct tw_rates *rates)
{
	rates->basis = RATES_SAMPLED;
	rates->interval = interval;
	for (int id = 0; id < CTR_COUNT; id++) {
		const struct counter_info *ci = counter_info(id);

		rates->valid[id] = false;
		if (ci->is_gauge || !before[id].present || !after[id].present ||
		    after[id].value < before[id].value || interval <= 0)
			continue;
		rates->per_second[id] = (double)(after[id].value - before[id].value) / interval;
		rates->valid[id] = true;
	}
}
