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

/* Strict decimal parsers: the whole string must be the number (surrounding
 * blanks allowed), no overflow. Return 0 or -EINVAL / -ERANGE. */
int parse_long(const char *s, long *out);
int parse_u64(const char *s, uint64_t *out);

/* Scan the decimal digits at *s (at least one) into *out, advancing *s past
 * them; -EINVAL without a digit, -ERANGE above MAX. */
int scan_decimal(const char **s, unsigned long max, unsigned long *out);

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
