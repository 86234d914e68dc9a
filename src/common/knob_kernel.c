/* SPDX-License-Identifier: MIT */
/* The kernel's parse of a sysctl write, handler by handler (see
 * knob_kernel.h). Every behaviour below was checked on 6.18 by writing
 * through systemd-sysctl 252 inside `unshare -n`; the unit tests in
 * tests/unit/test_knob_kernel.c hold the inputs and what the kernel did. */
#include "common/knob_kernel.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel reads at most PAGE_SIZE - 1 bytes of a write to an integer
 * vector (__do_proc_dointvec); 4 KiB pages assumed. */
#define PROC_WRITE_MAX 4095
/* proc_get_long() copies at most TMPBUFLEN - 1 bytes of a number. */
#define TMPBUFLEN 22

enum handler {
	HANDLER_INTVEC,	    /* proc_dointvec(_minmax): one int */
	HANDLER_JIFFIES,    /* proc_dointvec_jiffies: seconds */
	HANDLER_UINT,	    /* proc_dou8vec_minmax, proc_douintvec_minmax */
	HANDLER_PORT_RANGE, /* ipv4_local_port_range */
	HANDLER_PRIVILEGED, /* ipv4_privileged_ports */
	HANDLER_BITMAP,	    /* proc_do_large_bitmap */
	HANDLER_READ_ONLY,  /* mode 0444: the open fails, EACCES */
};

struct handler_spec {
	enum handler handler;
	long min, max;
	const char *name; /* the kernel function, for messages */
};

static const struct handler_spec specs[KNOB_COUNT] = {
	[KNOB_TCP_TW_REUSE] = {HANDLER_UINT, 0, 2, "proc_dou8vec_minmax"},
	[KNOB_TCP_TW_RECYCLE] = {HANDLER_INTVEC, INT_MIN, INT_MAX, "proc_dointvec"},
	[KNOB_IP_LOCAL_PORT_RANGE] = {HANDLER_PORT_RANGE, 1, 65535, "ipv4_local_port_range"},
	[KNOB_TCP_MAX_TW_BUCKETS] = {HANDLER_INTVEC, INT_MIN, INT_MAX, "proc_dointvec"},
	[KNOB_TCP_FIN_TIMEOUT] = {HANDLER_JIFFIES, 0, 0, "proc_dointvec_jiffies"},
	[KNOB_TCP_TIMESTAMPS] = {HANDLER_UINT, 0, 255, "proc_dou8vec_minmax"},
	[KNOB_TCP_TW_REUSE_DELAY] = {HANDLER_UINT, 1, 60000, "proc_douintvec_minmax"},
	[KNOB_IP_LOCAL_RESERVED_PORTS] = {HANDLER_BITMAP, 0, 65535, "proc_do_large_bitmap"},
	[KNOB_IP_UNPRIVILEGED_PORT_START] = {HANDLER_PRIVILEGED, 0, 65535, "ipv4_privileged_ports"},
	[KNOB_IP_FORWARD] = {HANDLER_INTVEC, INT_MIN, INT_MAX, "proc_dointvec"},
	[KNOB_IPV6_FORWARDING] = {HANDLER_INTVEC, INT_MIN, INT_MAX, "proc_dointvec"},
	[KNOB_NF_CONNTRACK_MAX] = {HANDLER_INTVEC, INT_MIN, INT_MAX, "proc_dointvec"},
	[KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT] = {HANDLER_JIFFIES, 0, 0,
						     "proc_dointvec_jiffies"},
	[KNOB_TCP_EHASH_ENTRIES] = {HANDLER_READ_ONLY, 0, 0, "read-only"},
	[KNOB_TCP_MAX_ORPHANS] = {HANDLER_INTVEC, INT_MIN, INT_MAX, "proc_dointvec"},
};

/* ------------------------------------------------------------ lib/ */

/* The kernel's isspace(): lib/ctype.c marks 0xa0 a space as well. */
static bool kernel_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static bool kernel_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int digit_value(unsigned char c)
{
	if (kernel_isdigit(c))
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : 99;
}

/* _parse_integer_fixup_radix() (lib/kstrtox.c) with base 0: "0x" and a hex
 * digit is hexadecimal, another leading 0 octal ("030" is 24, "08" stops
 * at the 8), anything else decimal. */
static const char *fixup_radix(const char *s, unsigned *base)
{
	if (s[0] == '0')
		*base = (s[1] | 0x20) == 'x' && digit_value((unsigned char)s[2]) < 16 ? 16 : 8;
	else
		*base = 10;
	if (*base == 16)
		s += 2;
	return s;
}

struct proc_input {
	const char *p;
	size_t left;
};

/* proc_skip_spaces() */
static void skip_spaces(struct proc_input *in)
{
	while (in->left && kernel_isspace((unsigned char)*in->p))
		in->p++, in->left--;
}

/* proc_skip_char() */
static void skip_char(struct proc_input *in, char c)
{
	while (in->left && *in->p == c)
		in->p++, in->left--;
}

/* proc_get_long() (kernel/sysctl.c): an optional '-' ('+' is no sign: the
 * first byte must be a digit), then strtoul_lenient() with base detection;
 * the byte after the number, if any, must be one of PERM_TR and is
 * returned in *TR. A number of TMPBUFLEN - 1 bytes or more is refused. */
static int proc_get_long(struct proc_input *in, unsigned long *val, bool *neg, const char *perm_tr,
			 size_t perm_tr_len, char *tr)
{
	char tmp[TMPBUFLEN];
	size_t len = in->left, used;
	unsigned long long result = 0;
	const char *p;
	unsigned base;

	if (len == 0)
		return -EINVAL;
	if (len > TMPBUFLEN - 1)
		len = TMPBUFLEN - 1;
	memcpy(tmp, in->p, len);
	tmp[len] = '\0';
	p = tmp;
	*neg = *p == '-' && in->left > 1;
	if (*neg)
		p++;
	if (!kernel_isdigit((unsigned char)*p))
		return -EINVAL;
	/* strtoul_lenient(): _parse_integer() with overflow refused */
	p = fixup_radix(p, &base);
	for (int d; (d = digit_value((unsigned char)*p)) < (int)base; p++)
		if (__builtin_mul_overflow(result, base, &result) ||
		    __builtin_add_overflow(result, (unsigned)d, &result))
			return -EINVAL;
	if (result > ULONG_MAX)
		return -EINVAL;
	used = (size_t)(p - tmp);
	if (used == TMPBUFLEN - 1)
		return -EINVAL;
	if (used < in->left && perm_tr_len && !memchr(perm_tr, *p, perm_tr_len))
		return -EINVAL;
	if (tr && used < in->left)
		*tr = *p;
	in->p += used;
	in->left -= used;
	*val = (unsigned long)result;
	return 0;
}

/* ------------------------------------------------------------ handlers */

static const char wspace_sep[] = {' ', '\t', '\n'}; /* proc_wspace_sep */

struct write_ctx {
	enum knob_id id;
	const struct handler_spec *spec;
	const char *text; /* as written, for messages */
	char *why;
	size_t whylen;
};

static int refuse(const struct write_ctx *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(const struct write_ctx *w, const char *fmt, ...)
{
	char reason[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(w->why, w->whylen, "the kernel refuses '%.60s' for %s: %s (%s)", w->text,
		 knob_get(w->id)->name, reason, w->spec->name);
	return KNOB_WRITE_REFUSED;
}

/* __do_proc_dointvec() for a vector of COUNT ints, with do_proc_dointvec_conv()
 * (and the minmax or jiffies variants) per element: each element is
 * preceded by blanks and followed by blanks or the end; elements after
 * COUNT, and whatever follows them, are not read. VALS keeps the elements
 * not written; *GIVEN says how many were. */
static int parse_int_vector(const struct write_ctx *w, struct proc_input *in, long *vals,
			    unsigned count, unsigned *given, unsigned hz)
{
	*given = 0;
	for (unsigned i = 0; in->left && i < count; i++) {
		unsigned long lval;
		bool neg;
		long v;

		skip_spaces(in);
		if (!in->left)
			break;
		if (proc_get_long(in, &lval, &neg, wspace_sep, sizeof(wspace_sep), NULL) < 0)
			return refuse(w, "not a number the kernel reads (an optional '-', then "
					 "digits; 0x hex and 0 octal prefixes; blanks between)");
		if (w->spec->handler == HANDLER_JIFFIES) {
			/* do_proc_dointvec_jiffies_conv(): seconds * HZ must fit an int */
			if (hz ? lval > (unsigned long)INT_MAX / hz : lval > INT_MAX / 100)
				return refuse(w, "more seconds than fit in an int of jiffies");
			if (!hz && lval > INT_MAX / 1000)
				return KNOB_WRITE_UNKNOWN;
		} else if (neg ? lval > (unsigned long)INT_MAX + 1 : lval > INT_MAX) {
			return refuse(w, "outside the range of an int");
		}
		v = neg ? -(long)lval : (long)lval;
		if (w->spec->handler != HANDLER_JIFFIES && (v < w->spec->min || v > w->spec->max))
			return refuse(w, "%ld is outside %ld-%ld", v, w->spec->min, w->spec->max);
		vals[i] = v;
		(*given)++;
	}
	if (*given == 0)
		return refuse(w, "no number in it");
	return KNOB_WRITE_APPLIED;
}

/* do_proc_douintvec_w() with do_proc_douintvec_minmax_conv(): one
 * unsigned number, no sign at all ("-0" too is refused). */
static int parse_uint(const struct write_ctx *w, struct proc_input *in, long *val)
{
	unsigned long lval;
	bool neg;

	skip_spaces(in);
	if (!in->left)
		return refuse(w, "no number in it");
	if (proc_get_long(in, &lval, &neg, wspace_sep, sizeof(wspace_sep), NULL) < 0 || neg)
		return refuse(w, "not an unsigned number the kernel reads (digits, with 0x hex "
				 "and 0 octal prefixes)");
	if (lval < (unsigned long)w->spec->min || lval > (unsigned long)w->spec->max)
		return refuse(w, "%lu is outside %ld-%ld", lval, w->spec->min, w->spec->max);
	*val = (long)lval;
	return KNOB_WRITE_APPLIED;
}

/* proc_do_large_bitmap(): "A[-B]" items separated by ',' (or '\n'), no
 * blanks anywhere (the numbers are read by proc_get_long(), which skips
 * none), every port below 65536, A <= B. The bitmap is replaced.
 *
 * The handler reads PAGE_SIZE - 1 bytes a pass, stops at the last item
 * that ends inside them and reports the shorter count; systemd's
 * unbuffered fputs() writes the rest at the new offset, which the handler
 * ORs into the bitmap. So a long list is read whole (checked: 5,000
 * bytes of ports on 6.18). One approximation: an error in a later pass
 * fails the write after the earlier passes took effect; twtune calls the
 * whole write refused. */
static int parse_bitmap(const struct write_ctx *w, struct proc_input *in, uint8_t *bitmap)
{
	static const char tr_a[] = {'-', ',', '\n'}, tr_b[] = {',', '\n', 0};

	skip_char(in, '\n');
	while (in->left) {
		unsigned long a, b;
		char c = 0;
		bool neg;

		if (proc_get_long(in, &a, &neg, tr_a, sizeof(tr_a), &c) < 0)
			return refuse(w, "not a list of ports and ranges without blanks "
					 "(e.g. 8080,9000-9010)");
		if (a > 65535 || neg)
			return refuse(w, "a port outside 0-65535");
		b = a;
		if (in->left)
			in->p++, in->left--;
		if (c == '-') {
			if (proc_get_long(in, &b, &neg, tr_b, sizeof(tr_b), &c) < 0)
				return refuse(w, "a range without its upper end");
			if (b > 65535 || neg || a > b)
				return refuse(w, "the range %lu-%lu is out of order or past 65535",
					      a, b);
			if (in->left)
				in->p++, in->left--;
		}
		for (unsigned long port = a; port <= b; port++)
			port_set(bitmap, (unsigned)port);
		skip_char(in, '\n');
	}
	return KNOB_WRITE_APPLIED;
}

/* ipv4_local_port_range(): proc_dointvec_minmax over the current range
 * (1-65535 each), so one number changes only the low end; then EINVAL
 * when high < low or low < ip_unprivileged_port_start. */
static int write_port_range(const struct write_ctx *w, struct proc_input *in,
			    const struct knob_value *before, const struct knob_kernel_state *s,
			    struct knob_value *after)
{
	long range[2] = {0, 0};
	unsigned given;
	int r;

	if (before) {
		range[0] = before->range.low;
		range[1] = before->range.high;
	}
	if ((r = parse_int_vector(w, in, range, 2, &given, 0)) != KNOB_WRITE_APPLIED)
		return r;
	if (given < 2 && !before) {
		snprintf(w->why, w->whylen,
			 "'%.60s' changes only the low end of %s, whose high end is unknown",
			 w->text, knob_get(w->id)->name);
		return KNOB_WRITE_UNKNOWN;
	}
	if (range[1] < range[0])
		return refuse(w, "the high end %ld is below the low end %ld", range[1], range[0]);
	if (!s || !s->unprivileged_port_start_known) {
		snprintf(w->why, w->whylen,
			 "whether the kernel takes '%.60s' depends on "
			 "net.ipv4.ip_unprivileged_port_start, which is unknown",
			 w->text);
		return KNOB_WRITE_UNKNOWN;
	}
	if (range[0] < s->unprivileged_port_start)
		return refuse(w,
			      "the low end %ld is below net.ipv4.ip_unprivileged_port_start (%ld)",
			      range[0], s->unprivileged_port_start);
	*after = knob_value_range((unsigned)range[0], (unsigned)range[1]);
	return KNOB_WRITE_APPLIED;
}

/* ipv4_privileged_ports(): proc_dointvec_minmax 0-65535, then EINVAL when
 * the current ip_local_port_range starts below the new value. */
static int write_privileged(const struct write_ctx *w, struct proc_input *in,
			    const struct knob_kernel_state *s, struct knob_value *after)
{
	long value = 0;
	unsigned given;
	int r;

	if ((r = parse_int_vector(w, in, &value, 1, &given, 0)) != KNOB_WRITE_APPLIED)
		return r;
	if (!s || !s->port_low_known) {
		snprintf(w->why, w->whylen,
			 "whether the kernel takes '%.60s' depends on the low end of "
			 "net.ipv4.ip_local_port_range, which is unknown",
			 w->text);
		return KNOB_WRITE_UNKNOWN;
	}
	if ((long)s->port_low < value)
		return refuse(w, "net.ipv4.ip_local_port_range starts at %u, below %ld",
			      s->port_low, value);
	*after = knob_value_int(value);
	return KNOB_WRITE_APPLIED;
}

int knob_kernel_write(enum knob_id id, const char *text, const struct knob_value *before,
		      const struct knob_kernel_state *state, struct knob_value *after, char *why,
		      size_t whylen)
{
	const struct knob *k = knob_get(id);
	struct write_ctx w = {id, NULL, text, why, whylen};
	size_t len = strlen(text);
	char *buf;
	struct proc_input in;
	uint8_t bitmap[PORT_BITMAP_BYTES];
	long value = 0;
	unsigned given;
	int r;

	if (!k || (before && before->type != k->type) || !specs[id].name)
		return -EINVAL; /* a knob without its handler in specs[] */
	w.spec = &specs[id];
	memset(after, 0, sizeof(*after));
	after->type = k->type;
	if (w.spec->handler == HANDLER_READ_ONLY) {
		snprintf(why, whylen, "%s is read-only: the write fails and systemd-sysctl goes on",
			 k->name);
		return KNOB_WRITE_REFUSED;
	}
	/* sysctl_write() (systemd 252, src/shared/sysctl-util.c) appends a
	 * newline and writes once */
	if (!(buf = malloc(len + 2)))
		return -ENOMEM;
	memcpy(buf, text, len);
	memcpy(buf + len, "\n", 2);
	in = (struct proc_input){buf, len + 1};
	/* __do_proc_dointvec() reads one pass; proc_first_pos_non_zero_ignore()
	 * drops the writes that follow it at a later offset */
	if (w.spec->handler != HANDLER_BITMAP && in.left > PROC_WRITE_MAX)
		in.left = PROC_WRITE_MAX;
	switch (w.spec->handler) {
	case HANDLER_INTVEC:
	case HANDLER_JIFFIES:
		r = parse_int_vector(&w, &in, &value, 1, &given, state ? state->hz : 0);
		if (r == KNOB_WRITE_UNKNOWN)
			snprintf(why, whylen,
				 "whether the kernel takes '%.60s' seconds depends on its HZ",
				 text);
		if (r == KNOB_WRITE_APPLIED)
			*after = knob_value_int(value);
		break;
	case HANDLER_UINT:
		if ((r = parse_uint(&w, &in, &value)) == KNOB_WRITE_APPLIED)
			*after = knob_value_int(value);
		break;
	case HANDLER_PORT_RANGE: r = write_port_range(&w, &in, before, state, after); break;
	case HANDLER_PRIVILEGED: r = write_privileged(&w, &in, state, after); break;
	case HANDLER_BITMAP:
		memset(bitmap, 0, sizeof(bitmap));
		r = parse_bitmap(&w, &in, bitmap);
		if (r == KNOB_WRITE_APPLIED && knob_value_ports(bitmap, after) < 0)
			r = -ENOMEM;
		break;
	default: r = -EINVAL;
	}
	free(buf);
	return r;
}

char *knob_proc_text(const struct knob_value *v)
{
	char *text;

	if (v->type != KNOB_TYPE_PORT_RANGE)
		return knob_text(v);
	if (asprintf(&text, "%u\t%u", v->range.low, v->range.high) < 0)
		return NULL;
	return text;
}

int knob_kernel_agrees(enum knob_id id, const char *text, const struct knob_value *parsed,
		       char *err, size_t errlen)
{
	/* the port keys' check against each other is left out (any start, a
	 * range from 65535): what is judged is how the text reads */
	const struct knob_kernel_state any = {
		.unprivileged_port_start_known = true,
		.unprivileged_port_start = 0,
		.port_low_known = true,
		.port_low = 65535,
	};
	char why[256], shown[KNOB_TEXT_MAX];
	struct knob_value after;
	int r = knob_kernel_write(id, text, NULL, &any, &after, why, sizeof(why));

	if (r < 0)
		return r;
	if (r == KNOB_WRITE_REFUSED) {
		/* WHY names the key and quotes the text */
		snprintf(err, errlen, "%s", why);
		return -EINVAL;
	}
	if (r == KNOB_WRITE_APPLIED && !knob_value_equal(&after, parsed)) {
		snprintf(err, errlen,
			 "%s: the kernel reads '%s' as %s; write that, or the value meant",
			 knob_get(id)->name, text, knob_format(&after, shown, sizeof(shown)));
		knob_value_free(&after);
		return -EINVAL;
	}
	if (r == KNOB_WRITE_APPLIED)
		knob_value_free(&after);
	return 0;
}

const char *knob_kernel_handler(enum knob_id id)
{
	return (unsigned)id < KNOB_COUNT ? specs[id].name : NULL;
}
