/* SPDX-License-Identifier: MIT */
/* Small string helpers shared by every parser in twtune. */
#ifndef TWTUNE_STRUTIL_H
#define TWTUNE_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Collapse runs of blanks (space, tab, CR, LF) into one space and drop them
 * at both ends, in place: "32768\t60999\n" becomes "32768 60999". */
void str_normalize_blanks(char *s);

/* Cut a string that snprintf() truncated back to a whole UTF-8 character,
 * so it stays valid for JSON. */
void utf8_trim(char *s);

/* Replace, in place, every byte that is not part of a valid UTF-8
 * sequence with '?': messages quote file contents, and JSON (jansson)
 * takes valid UTF-8 only. */
void utf8_sanitize(char *s);

/* twtune's own numbers: command-line options, counters read from /proc
 * files, process ids, ports, test hooks. One contract for all of them:
 *
 *   - decimal digits only: no sign, no blanks, no "0x", no exponent, and
 *     nothing after the digits (the whole text is the number); leading
 *     zeros are decimal ("007" is 7), never octal;
 *   - within MIN..MAX, overflow included: anything past 2^64-1 is out of
 *     range, never wrapped or saturated.
 *
 * Return 0, -EINVAL when the text is not plain decimal digits (empty,
 * "-1", "+5", " 5", "0x5", "5s"), or -ERANGE when it is digits outside
 * MIN..MAX. *OUT is set only on success; strict_uint_error() words the
 * failure.
 *
 * Sysctl values are not twtune's numbers: they follow the kernel's parsing
 * of each knob (knob_value.h, parse_long() below). */
int strict_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* The same for the LEN bytes at TEXT: a token inside a longer line. */
int strict_uint_n(const char *text, size_t len, uint64_t min, uint64_t max, uint64_t *out);

/* A duration in seconds as a person writes it: digits with an optional
 * fraction ("10", "0.5"), more than 0 and at most MAX; no sign, blanks,
 * exponent, hex, "inf" or "nan". 0, -EINVAL or -ERANGE as above. */
int strict_seconds(const char *text, double max, double *out);

/* The message for R (-EINVAL or -ERANGE) from strict_uint() on TEXT, into
 * ERR: "WHAT: 'TEXT' is not written in plain decimal digits (expected MIN
 * to MAX)" or "WHAT: 'TEXT' is out of range (expected MIN to MAX)".
 * WHAT names the option, or the file, line and field. */
void strict_uint_error(int r, const char *what, const char *text, uint64_t min, uint64_t max,
		       char *err, size_t errlen);

/* Scan the decimal digits at *s (at least one) into *out, advancing *s past
 * them; -EINVAL without a digit, -ERANGE above MAX. For numbers inside a
 * larger syntax (a kernel release, a port list, the rule language); the
 * caller judges what follows. */
int scan_decimal(const char **s, unsigned long max, unsigned long *out);

/* A /proc file that holds one number ("262144\n"): strict_uint() on what
 * is between the blanks around it, 0 to 2^64-1. */
int parse_u64(const char *s, uint64_t *out);

/* A sysctl value of an integer knob (knob_parse()): blanks around it and a
 * sign allowed, decimal only, no overflow. 0 or -EINVAL / -ERANGE. */
int parse_long(const char *s, long *out);

/* "LOW HIGH" as in ip_local_port_range. */
int parse_port_range(const char *s, unsigned *low, unsigned *high);

/* "P1-P2,P3" as in ip_local_reserved_ports; sets bits in a 65536-bit map.
 * An empty string is an empty list. */
int parse_port_list(const char *s, uint8_t *bitmap);

static inline bool port_bit(const uint8_t *bitmap, unsigned port)
{
	return port < 65536 && (bitmap[port >> 3] & (1u << (port & 7)));
}

static inline void port_set(uint8_t *bitmap, unsigned port)
{
	if (port < 65536)
		bitmap[port >> 3] |= (uint8_t)(1u << (port & 7));
}

#define PORT_BITMAP_BYTES (65536 / 8)

#endif
