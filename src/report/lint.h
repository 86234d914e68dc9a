/* SPDX-License-Identifier: MIT */
/* lint's findings in the formats CI systems read. */
#ifndef TWTUNE_REPORT_LINT_H
#define TWTUNE_REPORT_LINT_H

#include <stdio.h>

#include "lint/lint.h"

enum lint_format { LINT_TEXT, LINT_JSON, LINT_SARIF, LINT_GITHUB, LINT_CODEQUALITY };

/* FILE:LINE: severity: message [ID], then a summary line. */
void report_lint_text(FILE *out, const struct lint_result *r);
/* {"findings": [{file, line, key, severity, id, message}], "summary": {...}} */
void report_lint_json(FILE *out, const struct lint_result *r);
/* SARIF 2.1.0: one run, the rules that fired as reportingDescriptors. */
void report_lint_sarif(FILE *out, const struct lint_result *r);
/* GitHub Actions workflow commands: ::error file=F,line=L,title=ID::message */
void report_lint_github(FILE *out, const struct lint_result *r);
/* GitLab Code Quality: [{description, check_name, fingerprint, severity,
 * location: {path, lines: {begin}}}] */
void report_lint_codequality(FILE *out, const struct lint_result *r);

#endif
