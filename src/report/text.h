#ifndef TWTUNE_REPORT_TEXT_H
#define TWTUNE_REPORT_TEXT_H

#include <stdio.h>

#include "inspect/facts.h"

/* The `check` report for a person: verdict and the figures that matter
 * first, then knobs and counters, then what could not be inspected. */
void report_check_text(FILE *out, const struct tw_facts *f);

#endif
