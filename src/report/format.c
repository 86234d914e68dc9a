#include "report/format.h"

#include <math.h>

double round4(double v)
{
	return round(v * 10000.0) / 10000.0;
}
