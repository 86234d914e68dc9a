/* Formatting helpers shared by every renderer. */
#ifndef TWTUNE_FORMAT_H
#define TWTUNE_FORMAT_H

#include <stddef.h>

#include "inspect/facts.h"

/* "10.0.0.1" or "2001:db8::1" (no brackets). */
const char *format_addr(const struct tw_addr *a, char *buf, size_t size);
/* "10.0.0.1:80" or "[2001:db8::1]:80". */
const char *format_endpoint(const struct tw_addr *a, unsigned port, char *buf, size_t size);
/* Round to 4 decimal places, so ratios read well in JSON. */
double round4(double v);

#endif
