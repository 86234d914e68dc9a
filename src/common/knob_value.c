/* SPDX-License-Identifier: MIT */
#include "common/knob_value.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/knob_kernel.h"

static bool has_control_character(const char *text)
{
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != ' ' && *p != '\t')
			return true;
	return false;
}

int knob_value_ports(const uint8_t *bitmap, struct knob_value *out)
{
	struct port_set *set;
	unsigned runs = 0;
	int run = -1;

	memset(out, 0, sizeof(*out));
	out->type = KNOB_TYPE_PORT_LIST;
	for (unsigned p = 0; p < 65536; p++)
		if (port_bit(bitmap, p) && (p == 0 || !port_bit(bitmap, p - 1)))
			runs++;
	if (!runs)
		return 0;
	set = malloc(sizeof(*set) + runs * sizeof(set->runs[0]));
	if (!set)
		return -ENOMEM;
	set->references = 1;
	set->count = 0;
	for (unsigned p = 0; p <= 65536; p++) {
		bool on = p < 65536 && port_bit(bitmap, p);

		if (on && run < 0) {
			run = (int)p;
		} else if (!on && run >= 0) {
			set->runs[set->count++] =
				(struct port_run){(uint16_t)run, (uint16_t)(p - 1)};
			run = -1;
		}
	}
	out->ports = set;
	return 0;
}

void knob_value_port_bits(const struct knob_value *v, uint8_t *bitmap)
{
	const struct port_set *set = v->type == KNOB_TYPE_PORT_LIST ? v->ports : NULL;

	for (unsigned i = 0; set && i < set->count; i++)
		for (unsigned p = set->runs[i].low; p <= set->runs[i].high; p++)
			port_set(bitmap, p);
}

int knob_parse(enum knob_id id, const char *text, struct knob_value *out, char *err, size_t errlen)
{
	const struct knob *k = knob_get(id);
	uint8_t ports[PORT_BITMAP_BYTES];
	int r;

	if (!k)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->type = k->type;
	if (has_control_character(text)) {
		snprintf(err, errlen, "%s: the value contains a control character", k->name);
		return -EINVAL;
	}
	switch (k->type) {
	case KNOB_TYPE_INT:
		if ((r = parse_long(text, &out->integer)) == -ERANGE)
			snprintf(err, errlen,
				 "%s: '%s' is out of range (a whole number from %ld to %ld)",
				 k->name, text, LONG_MIN, LONG_MAX);
		else if (r < 0)
			snprintf(err, errlen, "%s: '%s' is not a whole number", k->name, text);
		return r;
	case KNOB_TYPE_PORT_RANGE:
		if ((r = parse_port_range(text, &out->range.low, &out->range.high)) < 0)
			snprintf(err, errlen, "%s: '%s' is not two port numbers, LOW HIGH", k->name,
				 text);
		return r;
	case KNOB_TYPE_PORT_LIST:
		memset(ports, 0, sizeof(ports));
		if (parse_port_list(text, ports) < 0) {
			snprintf(err, errlen,
				 "%s: '%s' is not a list of ports and ranges (e.g. 8080,9000-9010)",
				 k->name, text);
			return -EINVAL;
		}
		if ((r = knob_value_ports(ports, out)) < 0)
			snprintf(err, errlen, "%s: out of memory", k->name);
		return r;
	}
	return -EINVAL;
}

/* The bounds, with SHOWN (the text as the user wrote it) in messages. */
static int check_bounds(const struct knob *k, const struct knob_value *v, const char *shown,
			char *err, size_t errlen)
{
	switch (k->type) {
	case KNOB_TYPE_INT:
		if (v->integer < k->min || v->integer > k->max) {
			snprintf(err, errlen, "%s: %ld is outside %ld-%ld", k->name, v->integer,
				 k->min, k->max);
			return -ERANGE;
		}
		return 0;
	case KNOB_TYPE_PORT_RANGE:
		/* The kernel refuses, with EINVAL and nothing clamped, a range
		 * whose ends are out of order or below 1 (checked on 6.18). */
		if (v->range.low < 1 || v->range.high < v->range.low) {
			snprintf(err, errlen, "%s: '%s' needs 1 <= LOW <= HIGH <= 65535", k->name,
				 shown);
			return -ERANGE;
		}
		return 0;
	case KNOB_TYPE_PORT_LIST: return 0;
	}
	return -EINVAL;
}

static int refuse_read_only(const struct knob *k, char *err, size_t errlen)
{
	if (k->judged_only)
		snprintf(err, errlen,
			 "%s is not a key twtune sets: it only reads it to judge the namespace",
			 k->name);
	else
		snprintf(err, errlen, "%s is read-only: the kernel sets it", k->name);
	return -EPERM;
}

int knob_check(enum knob_id id, const struct knob_value *v, char *err, size_t errlen)
{
	const struct knob *k = knob_get(id);
	char shown[KNOB_TEXT_MAX];

	if (!k || v->type != k->type)
		return -EINVAL;
	if (k->read_only || k->judged_only)
		return refuse_read_only(k, err, errlen);
	return check_bounds(k, v, knob_format(v, shown, sizeof(shown)), err, errlen);
}

int knob_parse_accepted(enum knob_id id, const char *text, struct knob_value *out, char *err,
			size_t errlen)
{
	const struct knob *k = knob_get(id);
	int r;

	if (!k)
		return -EINVAL;
	if (k->read_only)
		return refuse_read_only(k, err, errlen);
	if ((r = knob_parse(id, text, out, err, errlen)) < 0)
		return r;
	if ((r = check_bounds(k, out, text, err, errlen)) < 0)
		knob_value_free(out);
	return r;
}

int knob_parse_setting(enum knob_id id, const char *text, struct knob_value *out, char *err,
		       size_t errlen)
{
	const struct knob *k = knob_get(id);
	int r;

	if (k && k->judged_only)
		return refuse_read_only(k, err, errlen);
	if ((r = knob_parse_accepted(id, text, out, err, errlen)) < 0)
		return r;
	/* what twtune writes, the kernel takes as written */
	if ((r = knob_kernel_agrees(id, text, out, err, errlen)) < 0)
		knob_value_free(out);
	return r;
}

/* Print V into BUF (SIZE > 0): the length the whole text needs, as
 * snprintf() counts it. */
static size_t print(const struct knob_value *v, char *buf, size_t size)
{
	const struct port_set *set;
	size_t n = 0;

	buf[0] = '\0';
	switch (v->type) {
	case KNOB_TYPE_INT: return (size_t)snprintf(buf, size, "%ld", v->integer);
	case KNOB_TYPE_PORT_RANGE:
		return (size_t)snprintf(buf, size, "%u %u", v->range.low, v->range.high);
	case KNOB_TYPE_PORT_LIST:
		set = v->ports;
		for (unsigned i = 0; set && i < set->count; i++) {
			const struct port_run *run = &set->runs[i];
			const char *comma = i ? "," : "";
			char *at = n < size ? buf + n : NULL;
			size_t room = n < size ? size - n : 0;

			if (run->low == run->high)
				n += (size_t)snprintf(at, room, "%s%u", comma, run->low);
			else
				n += (size_t)snprintf(at, room, "%s%u-%u", comma, run->low,
						      run->high);
		}
		return n;
	}
	return 0;
}

char *knob_text(const struct knob_value *v)
{
	char probe[1];
	size_t len = print(v, probe, sizeof(probe));
	char *text = malloc(len + 1);

	if (text)
		print(v, text, len + 1);
	return text;
}

const char *knob_format(const struct knob_value *v, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	if (print(v, buf, size) >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

bool knob_value_equal(const struct knob_value *a, const struct knob_value *b)
{
	unsigned na, nb;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case KNOB_TYPE_INT: return a->integer == b->integer;
	case KNOB_TYPE_PORT_RANGE:
		return a->range.low == b->range.low && a->range.high == b->range.high;
	case KNOB_TYPE_PORT_LIST:
		na = a->ports ? a->ports->count : 0;
		nb = b->ports ? b->ports->count : 0;
		return na == nb && (na == 0 || a->ports == b->ports ||
				    memcmp(a->ports->runs, b->ports->runs,
					   na * sizeof(a->ports->runs[0])) == 0);
	}
	return false;
}

struct knob_value knob_value_copy(const struct knob_value *v)
{
	if (v->type == KNOB_TYPE_PORT_LIST && v->ports)
		v->ports->references++;
	return *v;
}

void knob_value_free(struct knob_value *v)
{
	if (v->type == KNOB_TYPE_PORT_LIST && v->ports && --v->ports->references == 0)
		free(v->ports);
	if (v->type == KNOB_TYPE_PORT_LIST)
		v->ports = NULL;
}

struct knob_value knob_value_int(long v)
{
	struct knob_value out = {.type = KNOB_TYPE_INT};

	out.integer = v;
	return out;
}

struct knob_value knob_value_range(unsigned low, unsigned high)
{
	struct knob_value out = {.type = KNOB_TYPE_PORT_RANGE};

	out.range.low = low;
	out.range.high = high;
	return out;
}
