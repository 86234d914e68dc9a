/* SPDX-License-Identifier: MIT */
/* A sysctl value as twtune holds it: parsed once, where it enters (a /proc
 * file, a sysctl.d line, a rule's or a profile's literal, a journal
 * record), into a typed value that everything behind that boundary trades
 * and compares. Text exists for display and for files: knob_text() gives
 * the one canonical form, the one the kernel prints (blanks aside).
 *
 *   knob_parse()          the text is a value of the key's type: what a
 *                         host can hold (a fact, whatever its size)
 *   knob_parse_accepted() ... and a value the key accepts: not
 *                         read-only, within its bounds (lint judges
 *                         sysctl.d files by this)
 *   knob_parse_setting()  ... and twtune may write it: accepted, and not
 *                         a key twtune only judges by (knob_check)
 *
 * Ownership: a port list holds a reference to a shared, immutable set of
 * runs. Assigning a value moves that reference (the source is not freed
 * afterwards); knob_value_copy() makes a second one and cannot fail;
 * knob_value_free() releases one. Integers and ranges own nothing, and the
 * same calls serve them. */
#ifndef TWTUNE_KNOB_VALUE_H
#define TWTUNE_KNOB_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/knobs.h"
#include "common/strutil.h"

/* Room for a value's text in a message; knob_format() ends a longer one
 * with "...". Reports and files take the whole text from knob_text(). */
#define KNOB_TEXT_MAX 256

struct port_run {
	uint16_t low, high;
};

/* ip_local_reserved_ports as runs of ports, ascending and merged: as many
 * as the kernel's bitmap holds. Shared by the values that refer to it. */
struct port_set {
	unsigned references;
	unsigned count;
	struct port_run runs[];
};

struct knob_value {
	enum knob_type type;
	union {
		long integer; /* KNOB_TYPE_INT */
		struct {
			unsigned low, high; /* as given: LOW > HIGH parses, knob_check refuses */
		} range;		    /* KNOB_TYPE_PORT_RANGE */
		struct port_set *ports;	    /* KNOB_TYPE_PORT_LIST; NULL: no ports */
	};
};

/* TEXT as a value of key ID's type. A control character anywhere (a
 * newline would smuggle a second setting into a sysctl.d file) is refused;
 * blanks around and between the parts are not. 0, or -EINVAL / -ERANGE /
 * -ENOMEM with ERR naming the key and quoting the text. */
int knob_parse(enum knob_id id, const char *text, struct knob_value *out, char *err, size_t errlen);

/* TEXT as a value key ID accepts: knob_parse, after refusing a read-only
 * key (-EPERM), then the key's bounds. */
int knob_parse_accepted(enum knob_id id, const char *text, struct knob_value *out, char *err,
			size_t errlen);

/* TEXT as a value twtune may write to key ID: knob_parse_accepted, after
 * refusing a key twtune only reads to judge by (-EPERM), and only when the
 * kernel takes the text as written (knob_kernel_agrees(): not "+30",
 * "8080, 9000" or "030"). */
int knob_parse_setting(enum knob_id id, const char *text, struct knob_value *out, char *err,
		       size_t errlen);

/* May twtune write V to key ID: not a read-only key nor one it only
 * judges by (-EPERM), within its
 * bounds (-ERANGE; a range needs 1 <= LOW <= HIGH)? 0, or the error with
 * ERR saying why in a person's words. */
int knob_check(enum knob_id id, const struct knob_value *v, char *err, size_t errlen);

/* The canonical text, "1", "32768 60999", "8080,9000-9010" ("" for no
 * ports), newly allocated (NULL when out of memory). */
char *knob_text(const struct knob_value *v);

/* The same into BUF for a message: cut, and ended with "...", when it does
 * not fit. BUF is returned. */
const char *knob_format(const struct knob_value *v, char *buf, size_t size);

bool knob_value_equal(const struct knob_value *a, const struct knob_value *b);

/* Another reference to V's value; release each with knob_value_free(). */
struct knob_value knob_value_copy(const struct knob_value *v);
void knob_value_free(struct knob_value *v);

/* Values made from numbers, for computations and defaults. */
struct knob_value knob_value_int(long v);
struct knob_value knob_value_range(unsigned low, unsigned high);
/* The ports set in BITMAP (PORT_BITMAP_BYTES) as a port list: 0 or
 * -ENOMEM. */
int knob_value_ports(const uint8_t *bitmap, struct knob_value *out);
/* Set V's ports in BITMAP (which is not cleared first). */
void knob_value_port_bits(const struct knob_value *v, uint8_t *bitmap);

#endif
