#include "report/format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double round4(double v)
{
	return round(v * 10000.0) / 10000.0;
}

json_t *value_json(const struct knob_value *v)
{
	char *text = knob_text(v);
	json_t *j = text ? json_string(text) : json_null();

	free(text);
	return j;
}

char *setting_current_text(const struct tw_facts *f, const struct finding_setting *s)
{
	if (s->current_present)
		return knob_text(&s->current);
	return f && f->sysctl[s->key].text ? strdup(f->sysctl[s->key].text) : NULL;
}

void print_json(json_t *doc, FILE *out)
{
	if (!doc)
		return;
	json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(doc);
}
