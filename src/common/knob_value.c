#include "common/knob_value.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool has_control_character(const char *text)
{
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != ' ' && *p != '\t')
			return true;
	return false;
}

int knob_value_ports(const uint8_t *bitmap, struct knob_value *out)
{
	int run = -1;

	memset(out, 0, sizeof(*out));
	out->type = KNOB_TYPE_PORT_LIST;
	for (unsigned p = 0; p <= 65536; p++) {
		bool set = p < 65536 && port_bit(bitmap, p);

		if (set && run < 0) {
			run = (int)p;
		} else if (!set && run >= 0) {
			if (out->ports.count == KNOB_PORT_RUNS_MAX)
				return -E2BIG;
			out->ports.runs[out->ports.count++] =
				(struct port_run){(uint16_t)run, (uint16_t)(p - 1)};
			run = -1;
		}
	}
	return 0;
}

void knob_value_port_bits(const struct knob_value *v, uint8_t *bitmap)
{
	for (unsigned i = 0; v->type == KNOB_TYPE_PORT_LIST && i < v->ports.count; i++)
		for (unsigned p = v->ports.runs[i].low; p <= v->ports.runs[i].high; p++)
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
		if ((r = parse_long(text, &out->integer)) < 0)
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
			snprintf(err, errlen,
				 "%s: '%.60s...' holds more than %d separate ranges of ports; "
				 "twtune "
				 "handles at most %d",
				 k->name, text, KNOB_PORT_RUNS_MAX, KNOB_PORT_RUNS_MAX);
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
	snprintf(err, errlen, "%s is read-only: the kernel sets it", k->name);
	return -EPERM;
}

int knob_check(enum knob_id id, const struct knob_value *v, char *err, size_t errlen)
{
	const struct knob *k = knob_get(id);
	char shown[KNOB_TEXT_MAX];

	if (!k || v->type != k->type)
		return -EINVAL;
	if (k->read_only)
		return refuse_read_only(k, err, errlen);
	return check_bounds(k, v, knob_format(v, shown, sizeof(shown)), err, errlen);
}

int knob_parse_setting(enum knob_id id, const char *text, struct knob_value *out, char *err,
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
	return check_bounds(k, out, text, err, errlen);
}

const char *knob_format(const struct knob_value *v, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	switch (v->type) {
	case KNOB_TYPE_INT: snprintf(buf, size, "%ld", v->integer); break;
	case KNOB_TYPE_PORT_RANGE: snprintf(buf, size, "%u %u", v->range.low, v->range.high); break;
	case KNOB_TYPE_PORT_LIST:
		for (unsigned i = 0; i < v->ports.count && n < size; i++) {
			const struct port_run *run = &v->ports.runs[i];
			const char *comma = i ? "," : "";

			if (run->low == run->high)
				n += (size_t)snprintf(buf + n, size - n, "%s%u", comma, run->low);
			else
				n += (size_t)snprintf(buf + n, size - n, "%s%u-%u", comma, run->low,
						      run->high);
		}
		break;
	}
	return buf;
}

bool knob_value_equal(const struct knob_value *a, const struct knob_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case KNOB_TYPE_INT: return a->integer == b->integer;
	case KNOB_TYPE_PORT_RANGE:
		return a->range.low == b->range.low && a->range.high == b->range.high;
	case KNOB_TYPE_PORT_LIST:
		return a->ports.count == b->ports.count &&
		       memcmp(a->ports.runs, b->ports.runs,
			      a->ports.count * sizeof(a->ports.runs[0])) == 0;
	}
	return false;
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
