#ifndef TWTUNE_REPORT_JSON_H
#define TWTUNE_REPORT_JSON_H

#include <jansson.h>

#include "inspect/facts.h"

/* The `check` document: every fact, then findings and status. The schema is
 * documented in twtune(1), JSON OUTPUT; names are stable. The caller owns
 * the returned reference. */
json_t *report_check_json(const struct tw_facts *f);

#endif
