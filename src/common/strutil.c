/* SPDX-License-Identifier: MIT */
#include "common/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void str_normalize_blanks(char *s)
{
	char *out = s;
	bool pending = false;

	for (const char *in = s; *in; in++) {
		if (is_blank(*in)) {
			pending = out != s;
			continue;
		}
		if (pending)
			*out++ = ' ';
		pending = false;
		*out++ = *in;
	}
	*out = '\0';
}

int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	while (is_blank(*s))
		s++;
	if (!*s || !(isdigit((unsigned char)*s) || *s == '-' || *s == '+'))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s)
		return -EINVAL;
	while (is_blank(*end))
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The digits of TEXT[0..LEN) as a number, saturated at UINT64_MAX with
 * *overflow set: 0, or -EINVAL when there is anything but digits. */
static int decimal_digits(const char *text, size_t len, uint64_t *out, bool *overflow)
{
	uint64_t v = 0;

	*overflow = false;
	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		d = (unsigned)(text[i] - '0');
		if (v > (UINT64_MAX - d) / 10) {
			*overflow = true;
			v = UINT64_MAX;
		} else if (!*overflow) {
			v = v * 10 + d;
		}
	}
	*out = v;
	return 0;
}

int strict_uint_n(const char *text, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
	bool overflow;
	uint64_t v;
	int r = decimal_digits(text, len, &v, &overflow);

	if (r < 0)
		return r;
	if (overflow || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int strict_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	return strict_uint_n(text, strlen(text), min, max, out);
}

int strict_seconds(const char *text, double max, double *out)
{
	const char *point = strchr(text, '.');
	size_t whole_len = point ? (size_t)(point - text) : strlen(text);
	uint64_t whole, fraction = 0, scale = 1;
	bool overflow;
	double v;

	if (decimal_digits(text, whole_len, &whole, &overflow) < 0)
		return -EINVAL;
	if (point) {
		const char *digits = point + 1;

		if (!*digits)
			return -EINVAL;
		for (const char *p = digits; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			/* eighteen digits are finer than any clock: the rest
			 * must be digits but cannot change the value */
			if (scale < 1000000000000000000ULL) {
				fraction = fraction * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
	}
	v = (double)whole + (double)fraction / (double)scale;
	if (overflow || !(v > 0) || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

void strict_uint_error(int r, const char *what, const char *text, uint64_t min, uint64_t max,
		       char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: '%s' is %s (expected %llu to %llu)", what, text,
		 r == -ERANGE ? "out of range" : "not written in plain decimal digits",
		 (unsigned long long)min, (unsigned long long)max);
}

int parse_u64(const char *s, uint64_t *out)
{
	const char *end;

	while (is_blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_blank(end[-1]))
		end--;
	return strict_uint_n(s, (size_t)(end - s), 0, UINT64_MAX, out);
}

int scan_decimal(const char **s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p = *s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p)) {
		unsigned long d = (unsigned long)(*p - '0');

		if (v > (ULONG_MAX - d) / 10 || v * 10 + d > max)
			return -ERANGE;
		v = v * 10 + d;
		p++;
	}
	*out = v;
	*s = p;
	return 0;
}

static int take_port(const char **s, unsigned *port)
{
	unsigned long v = 0;
	int r = scan_decimal(s, 65535, &v);

	*port = (unsigned)v;
	return r;
}

int parse_port_range(const char *s, unsigned *low, unsigned *high)
{
	unsigned lo, hi;
	int r;

	while (is_blank(*s))
		s++;
	if ((r = take_port(&s, &lo)) < 0)
		return r;
	if (!is_blank(*s))
		return -EINVAL;
	while (is_blank(*s))
		s++;
	if ((r = take_port(&s, &hi)) < 0)
		return r;
	while (is_blank(*s))
		s++;
	if (*s)
		return -EINVAL;
	*low = lo;
	*high = hi;
	return 0;
}

int parse_port_list(const char *s, uint8_t *bitmap)
{
	while (is_blank(*s))
		s++;
	while (*s) {
		unsigned lo, hi;
		int r;

		if ((r = take_port(&s, &lo)) < 0)
			return r;
		hi = lo;
		if (*s == '-') {
			s++;
			if ((r = take_port(&s, &hi)) < 0)
				return r;
			if (hi < lo)
				return -EINVAL;
		}
		for (unsigned p = lo; p <= hi; p++)
			port_set(bitmap, p);
		while (is_blank(*s))
			s++;
		if (*s == ',') {
			s++;
			while (is_blank(*s))
				s++;
			if (!*s)
				return -EINVAL;
		} else if (*s) {
			return -EINVAL;
		}
	}
	return 0;
}

void utf8_trim(char *s)
{
	size_t n = strlen(s), start = n;

	/* back up over continuation bytes to the last lead byte */
	while (start > 0 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start == 0)
		return;
	{
		unsigned char lead = (unsigned char)s[start - 1];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
		if (n - (start - 1) < need)
			s[start - 1] = '\0';
	}
}

/* The length of the valid UTF-8 sequence at S (1-4), or 0 (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_sequence(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return n;
}

void utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = utf8_sequence(p);
		if (n == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}
