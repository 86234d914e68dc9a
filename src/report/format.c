#include "report/format.h"

#include <math.h>

double round4(double v)
{
	return round(v * 10000.0) / 10000.0;
}

const char *setting_current_text(const struct tw_facts *f, const struct finding_setting *s,
				 char *buf, size_t size)
{
	if (s->current_present)
		return knob_format(&s->current, buf, size);
	return f ? f->sysctl[s->key].text : NULL;
}
